// Runs request templates under any executor: the closed-model executors drive a ClosedLoop (one
// connection per VU), the arrival-rate executors an ArrivalLoop (one connection per VU, opened on
// demand up to maxVUs). Segment shares, schedules and ramps come from the same helpers as the
// scripted executors, so a segmented run adds up to exactly the same totals.
import type { Scenario, Stage } from '@stampede/protocol';
import type { CancelTimer, Clock } from '../clock.ts';
import { ArrivalSchedule as RateSchedule } from '../executors/arrival-schedule.ts';
import type { ArrivalCursor } from '../executors/arrival-schedule.ts';
import {
  rampingVusMax,
  rampingVusSteps,
  stagesDurationMs,
  type VuStep,
} from '../executors/ramping-vus-target.ts';
import { SharedIterationsShare } from '../executors/shares.ts';
import type { MetricRegistry } from '../metrics/registry.ts';
import type { SegmentPlan } from '../segment/segment-plan.ts';
import { ArrivalLoop } from './arrival-loop.ts';
import { ClosedLoop } from './closed-loop.ts';
import { FastRunner, type FastRunnerCounts, type FastRunnerSettings } from './fast-runner.ts';
import type { LoopContext, ResolvedTemplates } from './shared.ts';

/** What every fast-path runner of a worker shares. */
export interface FastRunnerDeps {
  resolved: ResolvedTemplates;
  registry: MetricRegistry;
  clock: Clock;
  /** Test-wide tags (options.tags); the scenario's tags and `scenario` go over them. */
  testTags: Readonly<Record<string, string>>;
  /** Requests in flight per connection. */
  pipelining: number;
  /** Per-request timeout (options.httpTimeout), ms. */
  timeoutMs: number;
  rejectUnauthorized: boolean;
  /** Called when the scenario's active/allocated VU counts change. */
  onVus(active: number, allocated: number): void;
}

/** Creates the fast-path runner of scenario `name` for the share of the load `plan` owns. */
export function createFastRunner(
  name: string,
  scenario: Scenario,
  plan: SegmentPlan,
  deps: FastRunnerDeps,
): FastRunner {
  const settings = (plannedMs: number): FastRunnerSettings => ({
    scenario: name,
    executor: scenario.executor,
    startTimeMs: scenario.startTime,
    gracefulStopMs: scenario.gracefulStop,
    plannedMs,
    clock: deps.clock,
    onVus: (active, allocated) => deps.onVus(active, allocated),
  });
  const context = (corrected: boolean): LoopContext => ({
    registry: deps.registry,
    tags: { ...deps.testTags, ...scenario.tags, scenario: name },
    clock: deps.clock,
    rejectUnauthorized: deps.rejectUnauthorized,
    corrected,
  });
  const closed = (shape: ClosedShape, plannedMs: number): FastRunner =>
    new FastClosedRunner(settings(plannedMs), deps, context(false), shape);
  switch (scenario.executor) {
    case 'constant-vus':
      return closed(
        { ...UNLIMITED, connections: plan.scaleCount(scenario.vus), activeMs: scenario.duration },
        scenario.duration,
      );
    case 'per-vu-iterations':
      return closed(
        {
          ...UNLIMITED,
          connections: plan.scaleCount(scenario.vus),
          perConnectionIterations: scenario.iterations,
          activeMs: scenario.maxDuration,
          endsWhenDone: true,
        },
        scenario.maxDuration,
      );
    case 'shared-iterations': {
      const share = new SharedIterationsShare(plan, scenario.vus, scenario.iterations);
      return closed(
        {
          ...UNLIMITED,
          connections: share.vus,
          iterations: share.count,
          activeMs: scenario.maxDuration,
          endsWhenDone: true,
        },
        scenario.maxDuration,
      );
    }
    case 'ramping-vus': {
      const durationMs = stagesDurationMs(scenario.stages);
      return closed(
        {
          ...UNLIMITED,
          connections: plan.scaleCount(rampingVusMax(scenario.startVUs, scenario.stages)),
          activeMs: durationMs,
          ramp: {
            plan,
            startVUs: scenario.startVUs,
            stages: scenario.stages,
            gracefulRampDownMs: scenario.gracefulRampDown,
          },
        },
        durationMs,
      );
    }
    case 'constant-arrival-rate':
      return new FastArrivalRunner(
        settings(scenario.duration),
        deps,
        context(true),
        plan,
        RateSchedule.constant(scenario.rate, scenario.timeUnit, scenario.duration),
        scenario,
      );
    case 'ramping-arrival-rate':
      return new FastArrivalRunner(
        settings(stagesDurationMs(scenario.stages)),
        deps,
        context(true),
        plan,
        new RateSchedule(scenario.startRate, scenario.timeUnit, scenario.stages),
        scenario,
      );
  }
}

/** A ramping-vus scenario's VU steps and this segment's share of them. */
interface Ramp {
  plan: SegmentPlan;
  startVUs: number;
  stages: readonly Stage[];
  gracefulRampDownMs: number;
}

/** What a closed-model executor asks of its ClosedLoop (this segment's share). */
interface ClosedShape {
  connections: number;
  iterations: number;
  perConnectionIterations: number;
  /** Length of the active period (duration or maxDuration), ms. */
  activeMs: number;
  /** Ends as soon as every iteration is done (iteration-count executors). */
  endsWhenDone: boolean;
  ramp: Ramp | null;
}

const UNLIMITED = {
  iterations: Infinity,
  perConnectionIterations: Infinity,
  endsWhenDone: false,
  ramp: null,
};

const NO_COUNTS: FastRunnerCounts = {
  started: 0,
  completed: 0,
  interrupted: 0,
  dropped: 0,
  pending: 0,
  activeVus: 0,
  allocatedVus: 0,
};

/**
 * constant-vus, per-vu-iterations, shared-iterations and ramping-vus on a ClosedLoop: VU k of the
 * segment is connection k. A ramped-down VU finishes its iterations within gracefulRampDown, else
 * they are interrupted; brought back before that, it carries on (as RampingVusRunner).
 */
class FastClosedRunner extends FastRunner {
  readonly maxVus: number;
  readonly #deps: FastRunnerDeps;
  readonly #context: LoopContext;
  readonly #shape: ClosedShape;
  #loop: ClosedLoop | undefined;
  #endTimer: CancelTimer | undefined;
  // Ramping state: pending global steps, this segment's VU count, timers.
  #steps: Iterator<VuStep> | undefined;
  #nextStep: VuStep | undefined;
  #count = 0;
  #stepTimer: CancelTimer | undefined;
  readonly #rampDownTimers = new Map<number, CancelTimer>();

  constructor(
    settings: FastRunnerSettings,
    deps: FastRunnerDeps,
    context: LoopContext,
    shape: ClosedShape,
  ) {
    super(settings);
    this.#deps = deps;
    this.#context = context;
    this.#shape = shape;
    this.maxVus = shape.connections;
  }

  protected begin(): void {
    const shape = this.#shape;
    const loop = new ClosedLoop(this.#deps.resolved, this.#context, {
      connections: shape.connections,
      pipelining: this.#deps.pipelining,
      iterations: shape.iterations,
      perConnectionIterations: shape.perConnectionIterations,
      deadlineMs: this.startMs + shape.activeMs,
      timeoutMs: this.#deps.timeoutMs,
      onQuiet: () => {
        if (shape.endsWhenDone) this.endActive();
        this.quiet();
      },
      onBusyChange: () => this.vusChanged(),
    });
    this.#loop = loop;
    this.#endTimer = this.clock.setTimer(
      () => {
        this.#endTimer = undefined;
        // A ramp step due at the very end applies first (as in RampingVusRunner).
        this.#catchUp();
        this.endActive();
      },
      this.startMs + shape.activeMs - this.clock.now(),
    );
    if (shape.ramp === null) loop.setEnabled(shape.connections);
    else {
      this.#steps = rampingVusSteps(shape.ramp.startVUs, shape.ramp.stages);
      this.#nextStep = this.#steps.next().value ?? undefined;
      this.#catchUp();
    }
    this.vusChanged();
    if (shape.endsWhenDone && loop.pending === 0 && !loop.canStart) this.endActive();
  }

  protected halt(): void {
    this.#endTimer?.();
    this.#stepTimer?.();
    this.#endTimer = this.#stepTimer = undefined;
    this.#loop?.stopStarting();
  }

  protected interruptAll(): void {
    this.#loop?.abort('EABORTED');
  }

  protected override dispose(): void {
    for (const cancel of this.#rampDownTimers.values()) cancel();
    this.#rampDownTimers.clear();
    this.#loop?.dispose();
  }

  protected counts(): FastRunnerCounts {
    const loop = this.#loop;
    if (loop === undefined) return NO_COUNTS;
    return {
      started: loop.started,
      completed: loop.counts.iterations,
      interrupted: loop.interruptedIterations,
      dropped: 0,
      pending: loop.pending,
      // A VU counts as active while it may start iterations or still runs some.
      activeVus: this.phase === 'active' ? Math.max(loop.busy, loop.startable) : loop.busy,
      allocatedVus: this.maxVus,
    };
  }

  // Applies every ramp step due by now, then sleeps until the next one.
  #catchUp(): void {
    const ramp = this.#shape.ramp;
    if (ramp === null || this.phase !== 'active' || this.#steps === undefined) return;
    const now = this.clock.now();
    while (this.#nextStep !== undefined && this.startMs + this.#nextStep.atMs <= now) {
      const step = this.#nextStep;
      this.#apply(ramp, ramp.plan.countBelow(step.target), this.startMs + step.atMs);
      this.#nextStep = this.#steps.next().value ?? undefined;
    }
    this.#stepTimer?.();
    this.#stepTimer = undefined;
    const next = this.#nextStep;
    if (next !== undefined) {
      this.#stepTimer = this.clock.setTimer(
        () => {
          this.#stepTimer = undefined;
          this.#catchUp();
        },
        this.startMs + next.atMs - now,
      );
    }
  }

  #apply(ramp: Ramp, count: number, atMs: number): void {
    const loop = this.#loop as ClosedLoop;
    const previous = this.#count;
    if (count === previous) return;
    this.#count = count;
    for (let k = previous; k < count; k++) {
      this.#rampDownTimers.get(k)?.();
      this.#rampDownTimers.delete(k);
    }
    for (let k = count; k < previous; k++) {
      if (!loop.isBusy(k)) continue;
      this.#rampDownTimers.get(k)?.();
      this.#rampDownTimers.set(
        k,
        this.clock.setTimer(
          () => {
            this.#rampDownTimers.delete(k);
            loop.interrupt(k);
            this.quiet();
          },
          atMs + ramp.gracefulRampDownMs - this.clock.now(),
        ),
      );
    }
    loop.setEnabled(count);
    this.vusChanged();
  }
}

// Pre-open connections only for scenarios starting within this many ms (servers close idle
// keep-alive connections, Node's after 5 s by default); wait at most PREOPEN_WAIT_MS for them.
const PREOPEN_MAX_START_MS = 2_000;
const PREOPEN_WAIT_MS = 5_000;

/** VU limits of an arrival-rate scenario, global (unsegmented) counts. */
interface ArrivalLimits {
  preAllocatedVUs: number;
  maxVUs?: number | undefined;
}

/**
 * constant-arrival-rate and ramping-arrival-rate on an ArrivalLoop: the segment's owned iterations
 * of the schedule start at their intended instants on a free connection, or are dropped once
 * maxVUs connections are busy (as ArrivalRateRunner: started + dropped = the segment's share).
 */
class FastArrivalRunner extends FastRunner {
  readonly maxVus: number;
  readonly #deps: FastRunnerDeps;
  readonly #context: LoopContext;
  readonly #plan: SegmentPlan;
  readonly #schedule: RateSchedule;
  readonly #preAllocated: number;
  #loop: ArrivalLoop | undefined;
  #cursor: ArrivalCursor | undefined;
  #hasNext = false;
  #timer: CancelTimer | undefined;

  constructor(
    settings: FastRunnerSettings,
    deps: FastRunnerDeps,
    context: LoopContext,
    plan: SegmentPlan,
    schedule: RateSchedule,
    limits: ArrivalLimits,
  ) {
    super(settings);
    this.#deps = deps;
    this.#context = context;
    this.#plan = plan;
    this.#schedule = schedule;
    this.#preAllocated = plan.scaleCount(limits.preAllocatedVUs);
    this.maxVus = plan.scaleCount(Math.max(limits.preAllocatedVUs, limits.maxVUs ?? 0));
  }

  /**
   * Opens the pre-allocated connections before the start instant, when the scenario starts soon
   * enough that a server's idle timeout would not close them first: otherwise the first arrivals
   * each open one, and while the cold code does that the following arrivals fall behind.
   */
  override async prepare(): Promise<void> {
    if (!this.#deps.resolved.keepAlive || this.startTimeMs > PREOPEN_MAX_START_MS) return;
    await this.#ensureLoop().preopen(this.#preAllocated, PREOPEN_WAIT_MS);
  }

  protected begin(): void {
    this.#ensureLoop();
    this.#cursor = this.#schedule.cursor(this.#plan);
    this.#hasNext = this.#cursor.next();
    this.vusChanged();
    this.#wake();
  }

  #ensureLoop(): ArrivalLoop {
    this.#loop ??= new ArrivalLoop(this.#deps.resolved, this.#context, {
      maxConnections: this.maxVus,
      pipelining: this.#deps.pipelining,
      timeoutMs: this.#deps.timeoutMs,
      onQuiet: () => this.quiet(),
      onBusyChange: () => this.vusChanged(),
      onSettled: () => this.#dispatchDue(),
    });
    return this.#loop;
  }

  protected halt(): void {
    this.#timer?.();
    this.#timer = undefined;
    this.#hasNext = false;
  }

  protected interruptAll(): void {
    this.#loop?.abort('EABORTED');
  }

  protected override dispose(): void {
    this.#loop?.dispose();
  }

  protected counts(): FastRunnerCounts {
    const loop = this.#loop;
    if (loop === undefined) return NO_COUNTS;
    return {
      started: loop.started,
      completed: loop.counts.iterations,
      interrupted: loop.interruptedIterations,
      dropped: loop.counts.dropped,
      pending: loop.pending,
      activeVus: loop.busy,
      allocatedVus: Math.max(this.#preAllocated, loop.peakConnections),
    };
  }

  /** Starts every iteration due by now; returns the time it read. */
  #dispatchDue(): number {
    const now = this.clock.now();
    if (this.phase !== 'active') return now;
    const loop = this.#loop as ArrivalLoop;
    const cursor = this.#cursor as ArrivalCursor;
    while (this.#hasNext && this.startMs + cursor.offsetMs <= now) {
      loop.dispatch(this.startMs + cursor.offsetMs, now);
      this.#hasNext = cursor.next();
    }
    return now;
  }

  // One timer at a time: each wake dispatches every iteration due by now, then sleeps until the
  // next. Responses also dispatch what fell due (onSettled), so under load most arrivals start
  // between two timer wakes.
  #wake(): void {
    this.#timer = undefined;
    if (this.phase !== 'active') return;
    const cursor = this.#cursor as ArrivalCursor;
    const now = this.#dispatchDue();
    const endMs = this.startMs + this.#schedule.durationMs;
    if (this.#hasNext) {
      this.#timer = this.clock.setTimer(() => this.#wake(), this.startMs + cursor.offsetMs - now);
    } else if (now >= endMs) {
      this.endActive();
    } else {
      this.#timer = this.clock.setTimer(() => this.#wake(), endMs - now);
    }
  }
}
