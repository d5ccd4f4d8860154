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

/** One log line: control characters of the message (from names, reasons, stacks) escaped, so no value can forge or garble lines. */
export function formatLogLine(
  atIso: string,
  prefix: string,
  level: string,
  message: string,
): string {
  const safe = message.replace(/[\u0000-\u001f\u007f]/g, (c) =>
    c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  return `${atIso} ${prefix} ${level} ${safe}\n`;
}

/** A log on stderr with a prefix (the default of startController). */
export function stderrLog(prefix = 'stampede-controller'): ControllerLog {
  const write = (level: string, message: string): void => {
    process.stderr.write(formatLogLine(new Date().toISOString(), prefix, level, message));
  };
  return {
    info: (m) => write('info', m),
    warn: (m) => write('warn', m),
    error: (m) => write('error', m),
  };
}
