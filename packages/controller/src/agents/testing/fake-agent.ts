// Test helper: an agent that speaks the real protocol over mutual TLS (undici) but runs no engine:
// it enrolls, heartbeats, long-polls its desired state, fetches and checks the archive, reports
// ready (generator 0 with the plan), sends fake 1 s snapshots after the coordinated start and
// reports finished. Used by the integration tests and, as a process, by the local pool test.
import { createHash } from 'node:crypto';
import { Agent, request } from 'undici';
import {
  AGENT_PROTOCOL_VERSION,
  ENROLL_PROTOCOL_VERSION,
  type AgentActivity,
  type AgentCommand,
  type AgentStateReport,
  type CommandPoll,
  type EnrollResponse,
  type HeartbeatAck,
  type MetricAck,
} from '@stampede/protocol';
import { agentKeyAndCsr } from '../../ca/test-helpers.ts';
import { fakeSnapshot } from './snapshots.ts';

/** How the fake agent behaves in a run. */
export interface FakeBehaviour {
  /** Plan reported with `ready` by generator 0. */
  plan?: AgentStateReport['plan'];
  /** Snapshots sent after the start (one per simulated second, sent at once). */
  snapshots?: number;
  /** Request duration recorded in every snapshot, ms. */
  durationMs?: number;
  /** setup() data generator 0 reports. */
  setupDataJson?: string;
}

/** Settings of a fake agent. */
export interface FakeAgentOptions {
  url: string;
  caPem: string;
  name: string;
  heartbeatMs?: number;
  pollWaitMs?: number;
  behaviour?: FakeBehaviour;
}

/** An answer of the controller. */
export interface Answer<T = unknown> {
  status: number;
  body: T;
}

/** A protocol-speaking agent without an engine. */
export class FakeAgent {
  readonly options: FakeAgentOptions;
  readonly agentId: string;
  readonly certPem: string;
  readonly keyPem: string;
  readonly dispatcher: Agent;
  /** Every command received, in order. */
  readonly commands: AgentCommand[] = [];
  activity: AgentActivity = 'idle';
  runId: string | null = null;
  terminated = false;
  /** Called when the controller says `terminate`. */
  onTerminate: (() => void) | null = null;
  #version = 0;
  #running = false;
  #timer: ReturnType<typeof setInterval> | null = null;
  #handled = new Set<string>();
  #prepared: Extract<AgentCommand, { kind: 'prepare' }> | null = null;

  private constructor(o: FakeAgentOptions, enrolled: EnrollResponse, keyPem: string) {
    this.options = o;
    this.agentId = enrolled.agentId;
    this.certPem = enrolled.certPem;
    this.keyPem = keyPem;
    this.dispatcher = new Agent({ connect: { ca: o.caPem, cert: enrolled.certPem, key: keyPem } });
  }

  /** Enrolls with `joinToken`; throws with the controller's answer if refused. */
  static async enroll(o: FakeAgentOptions, joinToken: string): Promise<FakeAgent> {
    const { csrPem, keyPem } = await agentKeyAndCsr(o.name);
    const plain = new Agent({ connect: { ca: o.caPem } });
    try {
      const res = await call<EnrollResponse>(plain, o.url, 'POST', '/agent/v1/enroll', {
        protocolVersion: ENROLL_PROTOCOL_VERSION,
        joinToken,
        agentName: o.name,
        csrPem,
      });
      if (res.status !== 200) throw new Error(`enroll: ${res.status} ${JSON.stringify(res.body)}`);
      return new FakeAgent(o, res.body, keyPem);
    } finally {
      await plain.close();
    }
  }

  /** Sends a request over mutual TLS. */
  call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer<T>> {
    return call<T>(this.dispatcher, this.options.url, method, path, body);
  }

  /** Starts heartbeats and the command loop. */
  start(): void {
    this.#running = true;
    const beat = (): void => {
      void this.heartbeat().catch(() => undefined);
    };
    beat();
    this.#timer = setInterval(beat, this.options.heartbeatMs ?? 200);
    void this.#pollLoop();
  }

  /** Stops talking to the controller (like a dead agent when not followed by close). */
  halt(): void {
    this.#running = false;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Halts and closes the connections. */
  async close(): Promise<void> {
    this.halt();
    await this.dispatcher.destroy();
  }

  /** One heartbeat. */
  heartbeat(): Promise<Answer<HeartbeatAck>> {
    return this.call<HeartbeatAck>('POST', '/agent/v1/heartbeat', {
      protocolVersion: AGENT_PROTOCOL_VERSION,
      sentAtMs: Date.now(),
      activity: this.activity,
      runId: this.runId,
      health: null,
    });
  }

  async #pollLoop(): Promise<void> {
    while (this.#running) {
      let res: Answer<CommandPoll>;
      try {
        const wait = this.options.pollWaitMs ?? 5_000;
        res = await this.call<CommandPoll>(
          'GET',
          `/agent/v1/commands?after=${this.#version}&waitMs=${wait}`,
        );
      } catch {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      if (res.status !== 200) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      if (res.body.commandVersion === this.#version) continue;
      this.#version = res.body.commandVersion;
      this.commands.push(res.body.command);
      void this.#apply(res.body.command).catch(() => undefined);
    }
  }

  async #report(report: Omit<AgentStateReport, 'protocolVersion'>): Promise<void> {
    this.activity = report.activity;
    await this.call('POST', '/agent/v1/state', {
      protocolVersion: AGENT_PROTOCOL_VERSION,
      ...report,
    });
  }

  async #apply(c: AgentCommand): Promise<void> {
    const b = this.options.behaviour ?? {};
    const once = (key: string): boolean => {
      if (this.#handled.has(key)) return false;
      this.#handled.add(key);
      return true;
    };
    if (c.kind === 'prepare' && once(`prepare ${c.runId}`)) {
      this.runId = c.runId;
      await this.#report({ runId: c.runId, activity: 'preparing' });
      const archive = await request(`${this.options.url}/agent/v1/archives/${c.archiveSha256}`, {
        dispatcher: this.dispatcher,
      });
      const bytes = Buffer.from(await archive.body.arrayBuffer());
      const ok =
        archive.statusCode === 200 &&
        createHash('sha256').update(bytes).digest('hex') === c.archiveSha256;
      if (!ok) {
        await this.#report({
          runId: c.runId,
          activity: 'failed',
          error: { code: 'ARCHIVE', message: `archive ${archive.statusCode}` },
        });
        return;
      }
      this.#prepared = c;
      await this.#report({
        runId: c.runId,
        activity: 'ready',
        ...(c.runSetup
          ? { setupDataJson: b.setupDataJson ?? null, ...(b.plan ? { plan: b.plan } : {}) }
          : {}),
      });
    } else if (c.kind === 'start' && once(`start ${c.runId}`)) {
      const prep = this.#prepared;
      if (!prep) return;
      // The start instant is on the controller's clock; this process shares it (same machine).
      await new Promise((r) => setTimeout(r, Math.max(0, c.startAtMs - Date.now())));
      await this.#report({ runId: c.runId, activity: 'running' });
      const n = b.snapshots ?? 3;
      const snaps = Array.from({ length: n }, (_, seq) =>
        fakeSnapshot(prep.source, seq, c.startAtMs + seq * 1000, {
          durationsMs: [b.durationMs ?? 10, (b.durationMs ?? 10) + 2],
        }),
      );
      const ack = await this.call<MetricAck>('POST', '/agent/v1/metrics', {
        protocolVersion: AGENT_PROTOCOL_VERSION,
        runId: c.runId,
        snapshots: snaps,
      });
      if (ack.status !== 200) throw new Error(`metrics: ${ack.status}`);
      await this.#report({
        runId: c.runId,
        activity: 'finished',
        lastSeqs: { [prep.source]: n - 1 },
        scenarios: { default: { iterations: n * 2, droppedIterations: 0 } },
      });
    } else if (c.kind === 'stop' && once(`stop ${c.runId}`)) {
      const prep = this.#prepared;
      await this.#report({
        runId: c.runId,
        activity: 'finished',
        lastSeqs: prep ? { [prep.source]: -1 } : {},
      });
    } else if (c.kind === 'idle') {
      this.activity = 'idle';
      this.runId = null;
    } else if (c.kind === 'terminate') {
      this.terminated = true;
      this.halt();
      this.onTerminate?.();
    }
  }
}

async function call<T>(
  dispatcher: Agent,
  url: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<Answer<T>> {
  const res = await request(url + path, {
    method,
    dispatcher,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await res.body.text();
  return { status: res.statusCode, body: (text ? JSON.parse(text) : null) as T };
}
