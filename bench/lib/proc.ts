// Readings of other processes from /proc: CPU time, memory, children, and the machine's load.
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/PID/stat times (USER_HZ, 100 on Linux). */
export const CLK_TCK = 100;

/** CPU ticks (user + system) of a process, or 0 when it is gone. */
export function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ", field 3 (state) is index 0; utime is field 14 -> index 11, stime index 12.
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** Direct children of a process (from /proc/PID/task/PID/children). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** Resident memory of a process, KiB: now (VmRSS) and the peak so far (VmHWM). */
export interface MemoryKiB {
  rssKiB: number;
  hwmKiB: number;
}

/** Resident memory of `pid`, or null when it is gone. */
export function memoryOf(pid: number): MemoryKiB | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string): number => {
      const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
      return m?.[1] === undefined ? 0 : Number(m[1]);
    };
    return { rssKiB: field('VmRSS'), hwmKiB: field('VmHWM') };
  } catch {
    return null;
  }
}

/** The 1-, 5- and 15-minute load averages as /proc/loadavg prints them. */
export function loadAvg(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'unknown';
  }
}

/** Steal ticks of every CPU so far (time the hypervisor gave to someone else), or 0. */
export function stealTicks(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    return Number(line.trim().split(/\s+/)[8] ?? 0);
  } catch {
    return 0;
  }
}
