// The metric spool: every interval snapshot is written to its own file under
// <dataDir>/spool/<runId>/ before it is sent, and deleted only once the controller acknowledged
// it. Files left by an agent that stopped or crashed are found again at start and re-sent; the
// controller stores by (run, source, seq), so a snapshot sent twice is stored once.
import { mkdir, readFile, readdir, rm, unlink } from 'node:fs/promises';
import { writeFileDurably } from './durable-file.ts';
import { join } from 'node:path';
import { intervalSnapshotSchema, type IntervalSnapshot } from '@stampede/protocol';
import { AgentError } from './errors.ts';

/** Largest number of snapshots in one metric batch (the protocol's limit). */
export const MAX_BATCH_SNAPSHOTS = 500;
/** Largest encoded size of one metric batch, bytes, far below the controller's body limit. */
export const MAX_BATCH_BYTES = 16 * 1024 * 1024;

const RUN_ID = /^[A-Za-z0-9._-]{1,64}$/;
const FILE = /^(.+)~(\d{10})\.json$/;

interface Entry {
  source: string;
  seq: number;
  file: string;
}

function key(source: string, seq: number): string {
  return `${source}\u0000${seq}`;
}

function fileName(source: string, seq: number): string {
  return `${encodeURIComponent(source)}~${String(seq).padStart(10, '0')}.json`;
}

/** Snapshot files of runs, on disk, with an index in memory. */
export class MetricSpool {
  readonly #dir: string;
  readonly #runs = new Map<string, Map<string, Entry>>();
  readonly #lastSeqs = new Map<string, Map<string, number>>();
  // Runs still being written: their folder stays even when empty, so a write never races its removal.
  readonly #open = new Set<string>();

  /** `dir` is the spool folder (<dataDir>/spool). */
  constructor(dir: string) {
    this.#dir = dir;
  }

  /** Indexes the snapshot files already on disk (left by an earlier process); returns their runs. */
  async recover(): Promise<string[]> {
    await mkdir(this.#dir, { recursive: true });
    const found: string[] = [];
    for (const runId of await readdir(this.#dir)) {
      if (!RUN_ID.test(runId)) continue;
      const runDir = join(this.#dir, runId);
      let names: string[];
      try {
        names = await readdir(runDir);
      } catch {
        continue;
      }
      const entries = this.#index(runId);
      for (const name of names) {
        if (name.endsWith('.tmp')) {
          await unlink(join(runDir, name)).catch(() => undefined);
          continue;
        }
        const m = FILE.exec(name);
        if (!m || m[1] === undefined || m[2] === undefined) continue;
        const source = decodeURIComponent(m[1]);
        const seq = Number(m[2]);
        entries.set(key(source, seq), { source, seq, file: name });
        this.#noteSeq(runId, source, seq);
      }
      if (entries.size > 0) found.push(runId);
      else {
        this.#runs.delete(runId);
        await rm(runDir, { recursive: true, force: true });
      }
    }
    return found.sort();
  }

  #index(runId: string): Map<string, Entry> {
    let entries = this.#runs.get(runId);
    if (!entries) {
      entries = new Map();
      this.#runs.set(runId, entries);
    }
    return entries;
  }

  #noteSeq(runId: string, source: string, seq: number): void {
    let seqs = this.#lastSeqs.get(runId);
    if (!seqs) {
      seqs = new Map();
      this.#lastSeqs.set(runId, seqs);
    }
    seqs.set(source, Math.max(seqs.get(source) ?? -1, seq));
  }

  /** Writes one snapshot durably (temporary file, fsync, rename, fsync of the folder) before it may be sent. */
  async write(runId: string, snapshot: IntervalSnapshot): Promise<void> {
    if (!RUN_ID.test(runId)) throw new AgentError('SPOOL', `bad run id ${runId}`);
    const runDir = join(this.#dir, runId);
    const name = fileName(snapshot.source, snapshot.seq);
    this.#open.add(runId);
    try {
      await mkdir(runDir, { recursive: true });
      // Flushed to disk before it counts as spooled: a snapshot must survive the machine's crash.
      await writeFileDurably(join(runDir, name), JSON.stringify(snapshot));
    } catch (error) {
      throw new AgentError(
        'SPOOL',
        `cannot spool ${snapshot.source}#${snapshot.seq}: ${(error as Error).message}`,
      );
    }
    this.#index(runId).set(key(snapshot.source, snapshot.seq), {
      source: snapshot.source,
      seq: snapshot.seq,
      file: name,
    });
    this.#noteSeq(runId, snapshot.source, snapshot.seq);
  }

  /** Runs with snapshots not acknowledged yet, in name order. */
  pendingRuns(): string[] {
    return [...this.#runs]
      .filter(([, e]) => e.size > 0)
      .map(([runId]) => runId)
      .sort();
  }

  /** Number of snapshots of `runId` (or of every run) not acknowledged yet. */
  pendingCount(runId?: string): number {
    if (runId !== undefined) return this.#runs.get(runId)?.size ?? 0;
    let n = 0;
    for (const e of this.#runs.values()) n += e.size;
    return n;
  }

  /**
   * The oldest unacknowledged snapshots of `runId` (by seq, then source), at most `max` and about
   * `maxBytes` encoded; a file that no longer parses is dropped with a warning through `onBad`.
   */
  async take(
    runId: string,
    max = MAX_BATCH_SNAPSHOTS,
    maxBytes = MAX_BATCH_BYTES,
    onBad: (file: string, reason: string) => void = () => {},
  ): Promise<IntervalSnapshot[]> {
    const entries = [...(this.#runs.get(runId)?.values() ?? [])].sort(
      (a, b) => a.seq - b.seq || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0),
    );
    const out: IntervalSnapshot[] = [];
    let bytes = 0;
    for (const e of entries) {
      if (out.length >= max) break;
      const path = join(this.#dir, runId, e.file);
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        this.#runs.get(runId)?.delete(key(e.source, e.seq));
        onBad(path, (error as Error).message);
        continue;
      }
      if (out.length > 0 && bytes + text.length > maxBytes) break;
      const parsed = safeParse(text);
      if (parsed === null) {
        this.#runs.get(runId)?.delete(key(e.source, e.seq));
        await unlink(path).catch(() => undefined);
        onBad(path, 'not a snapshot');
        continue;
      }
      bytes += text.length;
      out.push(parsed);
    }
    return out;
  }

  /** Deletes the acknowledged snapshots of `runId` (and its folder once empty); returns how many were deleted. */
  async ack(runId: string, acked: readonly { source: string; seq: number }[]): Promise<number> {
    const entries = this.#runs.get(runId);
    if (!entries) return 0;
    let n = 0;
    for (const a of acked) {
      const k = key(a.source, a.seq);
      const e = entries.get(k);
      if (!e) continue;
      await unlink(join(this.#dir, runId, e.file)).catch(() => undefined);
      entries.delete(k);
      n++;
    }
    if (entries.size === 0 && !this.#open.has(runId)) await this.#remove(runId);
    return n;
  }

  /** Says no more snapshots of `runId` will be written: its folder goes once everything is acknowledged. */
  async seal(runId: string): Promise<void> {
    this.#open.delete(runId);
    if ((this.#runs.get(runId)?.size ?? 0) === 0) await this.#remove(runId);
  }

  async #remove(runId: string): Promise<void> {
    this.#runs.delete(runId);
    await rm(join(this.#dir, runId), { recursive: true, force: true });
  }

  /** The highest seq spooled per source of `runId` (written by this process or found at recovery). */
  lastSeqs(runId: string): Record<string, number> {
    return Object.fromEntries(this.#lastSeqs.get(runId) ?? []);
  }
}

function safeParse(text: string): IntervalSnapshot | null {
  try {
    const r = intervalSnapshotSchema.safeParse(JSON.parse(text));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}
