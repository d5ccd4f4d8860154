/** Severity of an agent log line (the levels of AgentStateReport.logs). */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Where the agent writes what it does; the default writes to stderr. */
export type AgentLog = (level: LogLevel, message: string) => void;

/** The default log: one line per message on stderr with the level, debug left out. */
export const stderrLog: AgentLog = (level, message) => {
  if (level === 'debug') return;
  process.stderr.write(`stampede-agent ${level}: ${message}\n`);
};
