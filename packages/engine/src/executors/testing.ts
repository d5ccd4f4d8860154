// Test support: a fake host on a ManualClock whose iterations take a scripted (fake) time.
import { ManualClock } from '../clock.ts';
import type { ExecutorHost, ExecutorRunner, IterationStart } from './types.ts';

/** One recorded iteration: its start record, when it started and ended (clock ms), and how. */
export interface FakeIteration {
  start: IterationStart;
  startedAt: number;
  endedAt: number | undefined;
  aborted: boolean;
}

/** How long an iteration takes, in ms; Infinity = stuck until its signal aborts. */
export type DelayFn = (start: IterationStart) => number;

/** A host that records everything and resolves iterations after `delay` fake milliseconds. */
export class FakeHost implements ExecutorHost {
  readonly clock: ManualClock;
  readonly iterations: FakeIteration[] = [];
  readonly vuReports: [active: number, allocated: number][] = [];
  dropped = 0;
  readonly #delay: DelayFn;
  readonly #ignoreAbort: boolean;

  constructor(
    delay: DelayFn | number,
    options: { clock?: ManualClock; ignoreAbort?: boolean } = {},
  ) {
    this.clock = options.clock ?? new ManualClock(1000);
    this.#delay = typeof delay === 'number' ? () => delay : delay;
    this.#ignoreAbort = options.ignoreAbort ?? false;
  }

  runIteration(start: IterationStart): Promise<void> {
    const record: FakeIteration = {
      start,
      startedAt: this.clock.now(),
      endedAt: undefined,
      aborted: false,
    };
    this.iterations.push(record);
    return new Promise((resolve) => {
      const end = (aborted: boolean): void => {
        if (record.endedAt !== undefined) return;
        record.endedAt = this.clock.now();
        record.aborted = aborted;
        cancel?.();
        resolve();
      };
      const delay = this.#delay(start);
      const cancel = Number.isFinite(delay)
        ? this.clock.setTimer(() => end(false), delay)
        : undefined;
      if (this.#ignoreAbort) return;
      if (start.signal.aborted) end(true);
      else start.signal.addEventListener('abort', () => end(true));
    });
  }

  onDropped(count: number): void {
    this.dropped += count;
  }

  onVus(active: number, allocated: number): void {
    this.vuReports.push([active, allocated]);
  }

  /** Iterations started at clock time `at`. */
  startedAt(at: number): FakeIteration[] {
    return this.iterations.filter((i) => i.startedAt === at);
  }
}

/** Runs `runner` from clock time `startAt`, advancing the clock in `stepMs` steps until it resolves (at most `maxMs`); returns the clock time it resolved at. */
export async function runToEnd(
  runner: ExecutorRunner,
  clock: ManualClock,
  { startAt = clock.now(), stepMs = 50, maxMs = 3_600_000 } = {},
): Promise<number> {
  let finishedAt: number | undefined;
  void runner.run(startAt).then(() => (finishedAt = clock.now()));
  const begin = clock.now();
  while (finishedAt === undefined) {
    if (clock.now() - begin > maxMs) throw new Error(`runner did not finish within ${maxMs} ms`);
    await clock.advance(stepMs);
  }
  return finishedAt;
}
