// The controller's operational log, injected so the core stays free of a logging library and
// tests stay quiet.

/** Where the scheduler, pools and liveness monitor report what they did and what went wrong. */
export interface ControllerLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A log that drops everything (tests). */
export const silentLog: ControllerLog = { info() {}, warn() {}, error() {} };

/** A log on stderr with a prefix (the default of startController). */
export function stderrLog(prefix = 'stampede-controller'): ControllerLog {
  const write = (level: string, message: string): void => {
    process.stderr.write(`${new Date().toISOString()} ${prefix} ${level} ${message}\n`);
  };
  return {
    info: (m) => write('info', m),
    warn: (m) => write('warn', m),
    error: (m) => write('error', m),
  };
}
