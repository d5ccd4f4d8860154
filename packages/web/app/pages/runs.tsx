// The runs list: filters by status and project in the URL (shareable), paged with the API's cursor.
import type { RunPage } from '@stampede/protocol';
import { apiCall } from '../api.ts';
import { ErrorNotice, Page, Reconnecting, RUN_STATUSES } from '../common.tsx';
import { usePoll } from '../poll.ts';
import { hrefWithQuery, type Route } from '../router.ts';
import { RunsTable } from '../runs-table.tsx';
import type { Session } from '../session.ts';

const PAGE_SIZE = 50;

/** The runs list page; its filters live in the URL's query. */
export function Runs(props: { session: Session; route: Route }) {
  const status = props.route.query.get('status') ?? '';
  const projectId = props.route.query.get('projectId') ?? '';
  const cursor = props.route.query.get('cursor') ?? '';
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (status !== '') query.set('status', status);
  if (projectId !== '') query.set('projectId', projectId);
  if (cursor !== '') query.set('cursor', cursor);
  const path = `/runs?${query.toString()}`;
  const { data, error, reconnecting } = usePoll(
    () => apiCall<RunPage>(props.session.token, 'GET', path),
    path,
    5000,
  );
  const go = (next: Record<string, string>): void => {
    location.hash = hrefWithQuery('runs', {
      status,
      projectId,
      ...next,
      cursor: next['cursor'] ?? '',
    });
  };
  return (
    <Page title="Runs">
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          const form = new FormData(e.currentTarget as HTMLFormElement);
          go({
            status: String(form.get('status') ?? ''),
            projectId: String(form.get('projectId') ?? '').trim(),
          });
        }}
      >
        <label>
          Status{' '}
          <select name="status" value={status}>
            <option value="">any</option>
            {RUN_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Project <input name="projectId" value={projectId} placeholder="any" />
        </label>
        <button type="submit">Filter</button>
      </form>
      {reconnecting ? <Reconnecting /> : error ? <ErrorNotice error={error} /> : null}
      {data === undefined ? (
        <p>Loading…</p>
      ) : (
        <>
          <RunsTable runs={data.items} empty="No run matches these filters." />
          <p class="pager">
            {cursor === '' ? null : (
              <a href={hrefWithQuery('runs', { status, projectId })}>First page</a>
            )}{' '}
            {data.nextCursor === null ? null : (
              <a href={hrefWithQuery('runs', { status, projectId, cursor: data.nextCursor })}>
                Next page
              </a>
            )}
          </p>
        </>
      )}
    </Page>
  );
}
