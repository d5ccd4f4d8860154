// Small pieces every page uses: status badges, error and "reconnecting" notices, key-value lists.
import type { ComponentChildren } from 'preact';
import type { RunStatus } from '@stampede/protocol';
import type { ApiFailure } from './api.ts';

/** Every run status, in life-cycle order; typed against the protocol so a new one fails to compile here. */
const RUN_STATUS_ORDER: Record<RunStatus, number> = {
  queued: 0,
  provisioning: 1,
  preparing: 2,
  ready: 3,
  running: 4,
  collecting: 5,
  analysing: 6,
  passed: 7,
  failed: 8,
  aborted: 9,
  errored: 10,
};

/** Run statuses in life-cycle order. */
export const RUN_STATUSES = (Object.keys(RUN_STATUS_ORDER) as RunStatus[]).sort(
  (a, b) => RUN_STATUS_ORDER[a] - RUN_STATUS_ORDER[b],
);

/** Statuses of runs that have not ended. */
export const ACTIVE_RUN_STATUSES = RUN_STATUSES.filter((s) => RUN_STATUS_ORDER[s] < 7);

/** Statuses of ended runs. */
export const ENDED_RUN_STATUSES = RUN_STATUSES.filter((s) => RUN_STATUS_ORDER[s] >= 7);

/** Whether a run in `status` has ended. */
export function isEnded(status: RunStatus): boolean {
  return RUN_STATUS_ORDER[status] >= 7;
}

/** A coloured badge naming a status. */
export function StatusBadge(props: { status: string }) {
  return <span class={`badge badge-${props.status}`}>{props.status}</span>;
}

/** An API failure shown to people (a missing resource gets its own page). */
export function ErrorNotice(props: { error: ApiFailure }) {
  return (
    <p class="error" role="alert">
      {props.error.message} ({props.error.code})
    </p>
  );
}

/** Shown while the controller cannot be reached; the page keeps polling and recovers. */
export function Reconnecting() {
  return (
    <p class="reconnecting" role="status">
      The controller cannot be reached: reconnecting…
    </p>
  );
}

/** A page's heading and body. */
export function Page(props: { title: ComponentChildren; children: ComponentChildren }) {
  return (
    <section>
      <h1>{props.title}</h1>
      {props.children}
    </section>
  );
}

/** A definition list of figures, each with a test id for the browser tests. */
export function Figures(props: { items: [label: string, value: string, testId: string][] }) {
  return (
    <dl class="figures">
      {props.items.map(([label, value, testId]) => (
        <div key={testId}>
          <dt>{label}</dt>
          <dd data-testid={testId}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The "not found" page. */
export function NotFound(props: { what: string }) {
  return (
    <Page title="Not found">
      <p data-testid="not-found">{props.what} does not exist.</p>
      <p>
        <a href="#/">Back to the overview</a>
      </p>
    </Page>
  );
}
