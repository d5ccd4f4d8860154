// Runs one agent in its own process for tests that signal it (SIGSTOP/SIGCONT): options come as
// JSON in argv[2]; log lines go to stderr; SIGTERM stops it.
import { startAgent, type AgentOptions } from '../index.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as AgentOptions;
const agent = await startAgent({
  ...options,
  log: (level, message) => process.stderr.write(`${level}: ${message}\n`),
});
process.stdout.write(`${JSON.stringify({ agentId: agent.agentId })}\n`);
process.once('SIGTERM', () => void agent.stop());
await agent.done.then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
