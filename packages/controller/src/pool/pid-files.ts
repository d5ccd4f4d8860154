// PID files of local agents: each records the agent's PID with the kernel's start time of that
// process, so a controller restarted on the same data directory can end the agents of its
// previous incarnation and never a process that merely reuses one of their PIDs.
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** Name of the PID file inside a local agent's data directory. */
export const AGENT_PID_FILE = 'agent.pid';

const pidFileSchema = z.object({
  pid: z.number().int().positive(),
  /** Start time of the process in clock ticks since boot (field 22 of /proc/PID/stat). */
  startTicks: z.string().regex(/^\d+$/),
});

/** What a PID file holds: a PID and the start time that identifies that one process. */
export type AgentPidRecord = z.output<typeof pidFileSchema>;

/**
 * Start time of process `pid` in clock ticks since boot, from /proc (Linux); null when the
 * process does not exist or the system has no /proc (then nothing is ever killed on its word).
 */
export function processStartTicks(pid: number): string | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may hold spaces or ')': split after the last.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after the name start at field 3 (state); the start time is field 22.
  const ticks = fields[22 - 3];
  return ticks !== undefined && /^\d+$/.test(ticks) ? ticks : null;
}

/** Records process `pid` in `dir`'s PID file; false when its start time cannot be read. */
export function writeAgentPidFile(dir: string, pid: number): boolean {
  const startTicks = processStartTicks(pid);
  if (startTicks === null) return false;
  const record: AgentPidRecord = { pid, startTicks };
  writeFileSync(join(dir, AGENT_PID_FILE), JSON.stringify(record), { mode: 0o600 });
  return true;
}

/** Removes `dir`'s PID file (the process exited). */
export function removeAgentPidFile(dir: string): void {
  rmSync(join(dir, AGENT_PID_FILE), { force: true });
}

/** The process a PID file names, if that very process (same PID and start time) still runs. */
export function liveProcessOf(file: string): AgentPidRecord | null {
  let record: AgentPidRecord;
  try {
    record = pidFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return null;
  }
  return processStartTicks(record.pid) === record.startTicks ? record : null;
}

/**
 * Ends (SIGKILL) every still-running agent recorded in the PID files of the subdirectories of
 * `agentsDir` and removes the files; answers the PIDs ended. A PID now held by another process
 * (another start time) is left alone.
 */
export function endPreviousAgents(agentsDir: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync(agentsDir);
  } catch {
    return [];
  }
  const ended: number[] = [];
  for (const entry of entries) {
    const file = join(agentsDir, entry, AGENT_PID_FILE);
    const live = liveProcessOf(file);
    if (live !== null) {
      try {
        process.kill(live.pid, 'SIGKILL');
        ended.push(live.pid);
      } catch {
        // it exited in between
      }
    }
    rmSync(file, { force: true });
  }
  return ended;
}
