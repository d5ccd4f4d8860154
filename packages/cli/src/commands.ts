/** A command's entry point: takes the arguments after the command name, resolves to the exit code. */
export type CommandMain = (argv: string[]) => Promise<number>;

/** One CLI command: its usage lines for the top-level help and a loader of its module. */
export interface CommandEntry {
  /** Lines shown under "Usage:" in `stampede --help`. */
  usage: string[];
  /** Imports the command's module only when the command runs, so `--help` loads none of them. */
  load: () => Promise<CommandMain>;
}

/**
 * The CLI's commands, by name. Adding a command is one entry here; its module is imported
 * lazily because importing every command (engine, controller, store, agent) costs about a second.
 */
export const COMMANDS: Record<string, CommandEntry> = {
  run: {
    usage: [
      'stampede run <test.ts|test.js|test.yaml|test.json> [flags]',
      'stampede run --url URL [--vus N --duration D | --iterations N | --rate R --duration D] [flags]',
      "stampede run <file> --server URL [--generators N]   run it on a controller's generators",
    ],
    load: async () => (await import('./commands/run.ts')).runCommand,
  },
  compare: {
    usage: ['stampede compare --baseline A*.json --candidate B*.json   did it get slower?'],
    load: async () => (await import('./commands/compare.ts')).compareCommand,
  },
  report: {
    usage: ['stampede report summary.json [intervals.ndjson] -o report.html   the HTML report'],
    load: async () => (await import('./commands/report.ts')).reportCommand,
  },
  server: {
    usage: ['stampede server [--port N] [--data-dir DIR]  the controller'],
    load: async () => (await import('./commands/server.ts')).serverCommand,
  },
  agent: {
    usage: ['stampede agent --controller URL --join-token T   a load generator'],
    load: async () => (await import('./commands/agent.ts')).agentCommand,
  },
  runs: {
    usage: ['stampede runs list|show|abort            runs on a controller'],
    load: async () => (await import('./commands/runs.ts')).runsCommand,
  },
  experiment: {
    usage: [
      'stampede experiment A.ts [B.ts]          A vs B interleaved on a controller, compared run by run',
    ],
    load: async () => (await import('./commands/experiment.ts')).experimentCommand,
  },
  history: {
    usage: [
      'stampede history <test> [--metric http_req_duration:p99]   runs over time, change points',
    ],
    load: async () => (await import('./commands/history.ts')).historyCommand,
  },
  baseline: {
    usage: ['stampede baseline show|set|run <test> --branch B   runs a branch is compared with'],
    load: async () => (await import('./commands/baseline.ts')).baselineCommand,
  },
  generators: {
    usage: ["stampede generators list|terminate       the controller's load generators"],
    load: async () => (await import('./commands/generators.ts')).generatorsCommand,
  },
  tokens: {
    usage: ['stampede tokens create|list|revoke       API and agent join tokens'],
    load: async () => (await import('./commands/tokens.ts')).tokensCommand,
  },
  projects: {
    usage: [
      'stampede projects list|create|policy show|policy set   projects and their allow-lists and caps',
    ],
    load: async () => (await import('./commands/projects.ts')).projectsCommand,
  },
};
