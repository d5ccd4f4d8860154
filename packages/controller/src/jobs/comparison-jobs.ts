// Comparison jobs on the durable queue: each job (kind `experiment`, `compare` or `baseline`) lives in COMPARISON_QUEUE, is leased by one controller and stepped on every
// tick. Its progress is in the comparison record, so a job whose controller died is leased again
// and resumes where the record says.
import { isAnalysisError } from '@stampede/analysis';
import type { Job, Store } from '@stampede/store';
import type { ControllerClock } from '../services.ts';
import type { ControllerLog } from '../scheduler/log.ts';
import type { StepDeps } from './comparison-step.ts';
import { stepBaseline } from './baseline-step.ts';
import { stepCompare } from './compare-step.ts';
import { stepExperiment } from './experiment-step.ts';

/** The queue comparison jobs live in; the run scheduler leaves it alone. */
export const COMPARISON_QUEUE = 'comparisons';

/** Payload of a comparison job (JSON in the job's payloadJson). */
export interface ComparisonJobPayload {
  comparisonId: string;
}

/** What the comparison jobs are built from. */
export interface ComparisonJobsOptions extends StepDeps {
  clock: ControllerClock;
  log: ControllerLog;
  ownerId: string;
  jobLeaseMs: number;
  /** Comparison jobs in progress at once (each runs one run at a time). */
  concurrency?: number;
}

/** Leases and steps comparison jobs; call `tick` from the controller's loop. */
export class ComparisonJobs {
  readonly #o: ComparisonJobsOptions;
  readonly #held = new Map<string, Job>();

  constructor(options: ComparisonJobsOptions) {
    this.#o = options;
  }

  /** Queues the job of a comparison record. */
  static async enqueue(store: Store, kind: string, comparisonId: string): Promise<Job> {
    const payload: ComparisonJobPayload = { comparisonId };
    return store.enqueue({ queue: COMPARISON_QUEUE, kind, payloadJson: JSON.stringify(payload) });
  }

  /** Leases new jobs, then steps every held one. */
  async tick(): Promise<void> {
    const { store, ownerId, jobLeaseMs } = this.#o;
    for (;;) {
      const job = await store.lease(
        COMPARISON_QUEUE,
        ownerId,
        jobLeaseMs,
        this.#o.concurrency ?? 4,
      );
      if (!job) break;
      this.#held.set(job.id, job);
    }
    for (const job of [...this.#held.values()]) {
      try {
        await store.renew(job.id, ownerId, jobLeaseMs);
        if ((await this.#step(job)) === 'done') {
          await store.complete(job.id, ownerId);
          this.#held.delete(job.id);
        }
      } catch (err) {
        this.#held.delete(job.id);
        await this.#failed(job, err);
      }
    }
  }

  async #step(job: Job): Promise<'wait' | 'done'> {
    const { comparisonId } = JSON.parse(job.payloadJson) as ComparisonJobPayload;
    const record = await this.#o.store.getComparison(comparisonId);
    if (record.status === 'done' || record.status === 'errored' || record.status === 'aborted') {
      return 'done';
    }
    if (record.kind === 'experiment') return stepExperiment(this.#o, record);
    if (record.kind === 'compare') return stepCompare(this.#o, record);
    if (record.kind === 'baseline') return stepBaseline(this.#o, record);
    await this.#o.store.updateComparison(record.id, {
      status: 'errored',
      statusReason: `comparison kind ${record.kind} is not supported by this controller yet`,
    });
    return 'done';
  }

  async #failed(job: Job, err: unknown): Promise<void> {
    const { store, ownerId, log } = this.#o;
    const message = err instanceof Error ? err.message : String(err);
    log.error(`comparison job ${job.id}: ${message}`);
    try {
      const { comparisonId } = JSON.parse(job.payloadJson) as ComparisonJobPayload;
      const code = isAnalysisError(err) ? `${(err as { code: string }).code}: ` : '';
      await store.updateComparison(comparisonId, {
        status: 'errored',
        statusReason: `${code}${message}`,
      });
    } catch (inner) {
      log.error(`comparison job ${job.id}: could not record the error: ${String(inner)}`);
    }
    await store.fail(job.id, ownerId, message, null).catch(() => undefined);
  }
}
