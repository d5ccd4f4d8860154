// Applying the controller's desired state idempotently: the same command seen twice (a long-poll
// answered again, a restart of the poll loop) decides nothing new, a run that ended here is never
// run again, and a newer run replaces an older one. Pure: the supervisor carries out the actions.
import type { AgentCommand, PrepareCommand } from '@stampede/protocol';

/** Where this agent's current run is. */
export type RunPhase = 'preparing' | 'ready' | 'running' | 'stopping' | 'finished' | 'failed';

/** The agent's current run as the decision sees it (null: none). */
export interface LocalRun {
  runId: string;
  phase: RunPhase;
  /** Whether a start was asked for already (it may wait for the prepare to finish). */
  startRequested: boolean;
  /** Whether a stop at once was asked for already. */
  hardStopRequested: boolean;
}

/** What the supervisor does to reach the desired state. */
export type AgentAction =
  | { kind: 'prepare'; command: PrepareCommand }
  | { kind: 'start'; runId: string; startAtMs: number; setupDataJson: string | null }
  | { kind: 'stop'; runId: string; graceful: boolean; reason: string }
  | { kind: 'forget'; runId: string }
  | { kind: 'refuse'; runId: string; code: 'NOT_PREPARED'; message: string }
  | { kind: 'terminate'; reason: string };

/** Whether a run in `phase` still holds load workers or may start them. */
export function isActive(phase: RunPhase): boolean {
  return phase === 'preparing' || phase === 'ready' || phase === 'running' || phase === 'stopping';
}

/**
 * The actions that move the agent from `run` to `command`. `known` holds every run this agent
 * prepared or refused before; unless it is the current run, it is never prepared or started again.
 */
export function decide(
  run: LocalRun | null,
  command: AgentCommand,
  known: ReadonlySet<string>,
): AgentAction[] {
  const active = run !== null && isActive(run.phase);
  switch (command.kind) {
    case 'idle':
      if (run === null) return [];
      if (active) {
        return [
          {
            kind: 'stop',
            runId: run.runId,
            graceful: false,
            reason: 'the controller set this agent idle',
          },
          { kind: 'forget', runId: run.runId },
        ];
      }
      return [{ kind: 'forget', runId: run.runId }];
    case 'prepare': {
      if (run?.runId === command.runId || known.has(command.runId)) return [];
      const actions: AgentAction[] = [];
      if (run !== null && active) {
        actions.push({
          kind: 'stop',
          runId: run.runId,
          graceful: false,
          reason: `replaced by run ${command.runId}`,
        });
      }
      actions.push({ kind: 'prepare', command });
      return actions;
    }
    case 'start': {
      if (run?.runId === command.runId) {
        if ((run.phase === 'preparing' || run.phase === 'ready') && !run.startRequested) {
          return [
            {
              kind: 'start',
              runId: command.runId,
              startAtMs: command.startAtMs,
              setupDataJson: command.setupDataJson,
            },
          ];
        }
        return [];
      }
      if (known.has(command.runId)) return [];
      const actions: AgentAction[] = [];
      if (run !== null && active) {
        actions.push({
          kind: 'stop',
          runId: run.runId,
          graceful: false,
          reason: `replaced by run ${command.runId}`,
        });
      }
      actions.push({
        kind: 'refuse',
        runId: command.runId,
        code: 'NOT_PREPARED',
        message: `run ${command.runId} was not prepared on this agent (it restarted or missed the prepare)`,
      });
      return actions;
    }
    case 'stop':
      if (run?.runId === command.runId && active && run.phase !== 'stopping') {
        return [
          { kind: 'stop', runId: run.runId, graceful: command.graceful, reason: command.reason },
        ];
      }
      // A hard stop may still cut a graceful one short.
      if (
        run?.runId === command.runId &&
        run.phase === 'stopping' &&
        !command.graceful &&
        !run.hardStopRequested
      ) {
        return [{ kind: 'stop', runId: run.runId, graceful: false, reason: command.reason }];
      }
      return [];
    case 'terminate':
      return [{ kind: 'terminate', reason: command.reason }];
  }
}
