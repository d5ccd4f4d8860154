// The child's end of the launcher's IPC channel (packages/cli/bin/stampede.js): the channel
// closes when the launcher dies, even by SIGKILL, and the load it started must then stop. The
// channel is unref'd so that it never keeps a finished command alive.
type Handler = () => void;

const handlers = new Set<Handler>();
const linked = process.env['STAMPEDE_LAUNCHER_IPC'] === '1' && process.channel !== undefined;
// Not passed on to scripts (`__ENV`) or to processes they start.
delete process.env['STAMPEDE_LAUNCHER_IPC'];

if (linked) {
  process.channel?.unref();
  process.once('disconnect', () => {
    if (handlers.size === 0) {
      // A command without its own handler stops as on SIGTERM from the launcher.
      process.kill(process.pid, 'SIGTERM');
      return;
    }
    for (const handler of handlers) handler();
  });
}

/** True when this process was started by the re-exec launcher and is tied to it by IPC. */
export const launchedByLauncher = linked;

/** Calls `handler` once when the launcher that started this process is gone; returns the unsubscribe. */
export function onLauncherGone(handler: Handler): () => void {
  handlers.add(handler);
  return () => handlers.delete(handler);
}
