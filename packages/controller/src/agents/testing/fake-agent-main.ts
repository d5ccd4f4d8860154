// Test helper: the fake agent as a process, with the flags of `stampede agent`
// (--controller, --name, --data-dir, --ca-file; the join token from --join-token or
// $STAMPEDE_JOIN_TOKEN, as the local pool passes it). It exits when told to terminate
// or on SIGTERM. The local pool test starts it as its agent command.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FakeAgent } from './fake-agent.ts';

const { values } = parseArgs({
  options: {
    controller: { type: 'string' },
    'join-token': { type: 'string' },
    name: { type: 'string' },
    'data-dir': { type: 'string' },
    'ca-file': { type: 'string' },
  },
});
const need = (k: keyof typeof values): string => {
  const v = values[k];
  if (typeof v !== 'string') throw new Error(`--${k} is required`);
  return v;
};

const agent = await FakeAgent.enroll(
  {
    url: need('controller'),
    caPem: readFileSync(need('ca-file'), 'utf8'),
    name: need('name'),
    behaviour: {
      plan: {
        thresholds: { http_req_duration: ['p(95)<1000'] },
        metricTypes: { http_req_duration: 'trend' },
        scenarios: { default: { executor: 'constant-vus' } },
      },
    },
  },
  values['join-token'] ?? process.env['STAMPEDE_JOIN_TOKEN'] ?? need('join-token'),
);
writeFileSync(join(need('data-dir'), 'agent-id'), agent.agentId);
const exit = (): void => {
  void agent.close().finally(() => process.exit(0));
};
agent.onTerminate = exit;
process.once('SIGTERM', exit);
agent.start();
