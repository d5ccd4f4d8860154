// A local agent is a child of its controller. When the controller dies (even by SIGKILL, which
// runs no cleanup) the agent is reparented; it notices within one poll and stops on its own
// instead of idling as an orphan for good.

/** How often a local agent compares its parent PID with the controller's, ms. */
export const PARENT_POLL_INTERVAL_MS = 500;

/** A local agent whose controller is gone exits at the latest this long after noticing, ms. */
export const PARENT_GONE_EXIT_MS = 5000;

/** Options of `watchParent`. */
export interface ParentWatchOptions {
  /** PID of the controller that started this process. */
  parentPid: number;
  /** Called once when the parent is gone (the current parent PID differs). */
  onGone: (why: string) => void;
  /** The current parent PID (default `process.ppid`; injected by tests). */
  currentParentPid?: () => number;
  /** Poll interval, ms (default PARENT_POLL_INTERVAL_MS). */
  intervalMs?: number;
}

/** Polls the parent PID and calls `onGone` once it changed; answers a function that stops watching. */
export function watchParent(o: ParentWatchOptions): () => void {
  const current = o.currentParentPid ?? ((): number => process.ppid);
  const check = (): void => {
    const now = current();
    if (now === o.parentPid) return;
    clearInterval(timer);
    o.onGone(`the controller (pid ${o.parentPid}) is gone (parent is now pid ${now})`);
  };
  const timer = setInterval(check, o.intervalMs ?? PARENT_POLL_INTERVAL_MS);
  // The watch alone must not keep the agent alive.
  timer.unref();
  check();
  return () => clearInterval(timer);
}
