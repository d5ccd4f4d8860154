// What the agent routes tell the rest of the controller. The routes validate, authenticate and
// store; the scheduler, liveness monitor and pools decide what it means.
import type { AgentStateReport, Heartbeat, IntervalSnapshot } from '@stampede/protocol';
import type { Generator, JoinToken } from '@stampede/store';

/** Where an enrolling agent goes: its pool and kind, decided from the join token it redeemed. */
export interface Placement {
  pool: string;
  kind: 'local' | 'static';
}

/** The controller's reactions to agent traffic; each is called after the request was validated and stored. */
export interface AgentEvents {
  /** Decides pool and kind of an agent enrolling with `token` (already consumed). */
  placement(token: JoinToken): Placement;
  /** A generator enrolled (its row exists, its certificate is issued). */
  enrolled(generator: Generator, token: JoinToken): void;
  /** A heartbeat was recorded (`generator` holds the updated row). */
  heartbeat(generator: Generator, heartbeat: Heartbeat): Promise<void>;
  /** An agent reported a change of its run activity. */
  stateReported(generator: Generator, report: AgentStateReport): Promise<void>;
  /** Whether the generator may upload snapshots of `source` for `runId`. */
  sourceAllowed(generator: Generator, runId: string, source: string): boolean;
  /** Snapshots stored for the first time (re-sent ones are not repeated here). */
  snapshotsStored(runId: string, generator: Generator, snapshots: IntervalSnapshot[]): void;
}
