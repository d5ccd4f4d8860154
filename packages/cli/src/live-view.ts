import { formatDurationMs } from '@stampede/protocol';
import { describeExecutionPath, type LiveStatus, type PreparedTest } from '@stampede/engine';

/** How the live view prints: redrawn lines on a TTY, a plain line every few seconds otherwise. */
export interface LiveViewOptions {
  tty: boolean;
  quiet: boolean;
  color: boolean;
  /** Seconds between plain lines when not a TTY. */
  plainEverySec?: number;
}

/** The live terminal view of a running test, written to stderr so stdout keeps only the summary. */
export class LiveView {
  readonly #o: LiveViewOptions;
  #drawnLines = 0;
  #ticks = 0;

  constructor(options: LiveViewOptions) {
    this.#o = options;
  }

  /** Prints what runs: `title` (default: the test file), the execution path and each scenario. */
  banner(test: PreparedTest, title: string = test.bundle.entryPath): void {
    if (this.#o.quiet) return;
    const lines = [`stampede: ${title}`, `  ${describeExecutionPath(test.path)}`];
    for (const [name, s] of Object.entries(test.plan.scenarios))
      lines.push(`  scenario ${name}: ${describeScenario(s)}`);
    process.stderr.write(`${lines.join('\n')}\n\n`);
  }

  status(s: LiveStatus): void {
    if (this.#o.quiet) return;
    this.#ticks++;
    const head =
      `${formatDurationMs(s.elapsedMs)}  vus=${s.vus}/${s.vusMax}  reqs=${s.requestRatePerSec.toFixed(0)}/s  ` +
      `errors=${s.failedRequests}  p95=${s.p95Ms === null ? '-' : `${s.p95Ms.toFixed(2)}ms`}  iterations=${s.iterations}` +
      (s.failingThresholds > 0 ? `  thresholds failing=${s.failingThresholds}` : '') +
      (s.stopping ? '  (stopping)' : '');
    if (!this.#o.tty) {
      if (this.#ticks % (this.#o.plainEverySec ?? 5) === 0) process.stderr.write(`${head}\n`);
      return;
    }
    const lines = [head];
    for (const p of s.scenarios) {
      const pct = p.plannedMs > 0 ? Math.min(100, (p.elapsedMs / p.plannedMs) * 100) : 0;
      const bar = progressBar(pct, 30);
      lines.push(
        `  ${p.scenario.padEnd(16)} ${bar} ${pct.toFixed(0).padStart(3)}%  vus ${p.activeVus}  it ${p.iterationsCompleted}` +
          (p.dropped > 0 ? `  dropped ${p.dropped}` : '') +
          (p.done ? '  done' : ''),
      );
    }
    this.#clear();
    process.stderr.write(`${lines.join('\n')}\n`);
    this.#drawnLines = lines.length;
  }

  log(level: string, message: string, repeated: number): void {
    this.#clear();
    const suffix = repeated > 1 ? ` (x${repeated})` : '';
    process.stderr.write(`${level.toUpperCase()}: ${message}${suffix}\n`);
  }

  notice(message: string): void {
    this.#clear();
    process.stderr.write(`\n${message}\n`);
  }

  end(): void {
    if (!this.#o.quiet && this.#o.tty) process.stderr.write('\n');
    this.#drawnLines = 0;
  }

  #clear(): void {
    if (this.#o.tty && this.#drawnLines > 0) {
      process.stderr.write(`\x1b[${this.#drawnLines}A\x1b[J`);
      this.#drawnLines = 0;
    }
  }
}

function progressBar(pct: number, width: number): string {
  const full = Math.round((pct / 100) * width);
  return `[${'='.repeat(full)}${' '.repeat(width - full)}]`;
}

function describeScenario(s: PreparedTest['plan']['scenarios'][string]): string {
  switch (s.executor) {
    case 'constant-vus':
      return `${s.vus} VUs for ${formatDurationMs(s.duration)} (constant-vus)`;
    case 'ramping-vus':
      return `ramping VUs over ${s.stages.length} stages (ramping-vus)`;
    case 'per-vu-iterations':
      return `${s.vus} VUs x ${s.iterations} iterations (per-vu-iterations)`;
    case 'shared-iterations':
      return `${s.iterations} iterations shared by ${s.vus} VUs (shared-iterations)`;
    case 'constant-arrival-rate':
      return `${s.rate} iterations per ${formatDurationMs(s.timeUnit)} for ${formatDurationMs(s.duration)}, up to ${s.maxVUs ?? s.preAllocatedVUs} VUs (constant-arrival-rate)`;
    case 'ramping-arrival-rate':
      return `arrival rate over ${s.stages.length} stages, up to ${s.maxVUs ?? s.preAllocatedVUs} VUs (ramping-arrival-rate)`;
  }
}
