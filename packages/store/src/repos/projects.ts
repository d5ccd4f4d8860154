import { createHash } from 'node:crypto';
import { StoreError, isStoreError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Bundle, BundleInfo, Project } from '../model.ts';
import { assertText, num, str, toProject, type StoreContext } from '../rows.ts';

/** Creates a project; CONFLICT on a duplicate name. */
export async function createProject(c: StoreContext, input: { name: string }): Promise<Project> {
  assertText(input.name, 'name');
  const nowMs = c.clock.nowMs();
  const project = { id: newId('prj', nowMs), name: input.name, createdAtMs: nowMs };
  try {
    await c.db.run((ex) =>
      ex.query('INSERT INTO projects (id, name, created_at_ms) VALUES ($1, $2, $3)', [
        project.id,
        project.name,
        nowMs,
      ]),
    );
  } catch (err) {
    if (isStoreError(err, 'CONFLICT')) {
      throw new StoreError('CONFLICT', `project name ${input.name} is taken`, { name: input.name });
    }
    throw err;
  }
  return project;
}

/** The project; NOT_FOUND otherwise. */
export async function getProject(c: StoreContext, id: string): Promise<Project> {
  const { rows } = await c.db.run((ex) => ex.query('SELECT * FROM projects WHERE id = $1', [id]));
  const row = rows[0];
  if (!row) throw new StoreError('NOT_FOUND', `no project ${id}`, { id });
  return toProject(row);
}

/** The project with this name, or null. */
export async function findProjectByName(c: StoreContext, name: string): Promise<Project | null> {
  const { rows } = await c.db.run((ex) =>
    ex.query('SELECT * FROM projects WHERE name = $1', [name]),
  );
  return rows[0] ? toProject(rows[0]) : null;
}

/** All projects by name. */
export async function listProjects(c: StoreContext): Promise<Project[]> {
  const { rows } = await c.db.run((ex) => ex.query('SELECT * FROM projects ORDER BY name'));
  return rows.map(toProject);
}

/** Stores bytes under their SHA-256, once. */
export async function putBundle(
  c: StoreContext,
  content: Uint8Array,
  expectedSha256?: string,
): Promise<BundleInfo & { created: boolean }> {
  if (!(content instanceof Uint8Array)) {
    throw new StoreError('INVALID_INPUT', 'bundle content must be bytes');
  }
  const sha256 = createHash('sha256').update(content).digest('hex');
  if (expectedSha256 !== undefined && expectedSha256.toLowerCase() !== sha256) {
    throw new StoreError('INVALID_INPUT', `bundle hash is ${sha256}, expected ${expectedSha256}`, {
      sha256,
      expectedSha256,
    });
  }
  const nowMs = c.clock.nowMs();
  return c.db.transaction(async (tx) => {
    const ins = await tx.query(
      `INSERT INTO bundles (sha256, size_bytes, content, created_at_ms) VALUES ($1, $2, $3, $4)
       ON CONFLICT (sha256) DO NOTHING`,
      [sha256, content.byteLength, content, nowMs],
    );
    if (ins.changes > 0) {
      return { sha256, sizeBytes: content.byteLength, createdAtMs: nowMs, created: true };
    }
    const { rows } = await tx.query(
      'SELECT size_bytes, created_at_ms FROM bundles WHERE sha256 = $1',
      [sha256],
    );
    const row = rows[0];
    if (!row) throw new StoreError('INTERNAL', `bundle ${sha256} vanished`);
    return {
      sha256,
      sizeBytes: num(row, 'size_bytes'),
      createdAtMs: num(row, 'created_at_ms'),
      created: false,
    };
  });
}

/** The bundle's metadata, or null. */
export async function getBundleInfo(c: StoreContext, sha256: string): Promise<BundleInfo | null> {
  const { rows } = await c.db.run((ex) =>
    ex.query('SELECT sha256, size_bytes, created_at_ms FROM bundles WHERE sha256 = $1', [sha256]),
  );
  const row = rows[0];
  if (!row) return null;
  return {
    sha256: str(row, 'sha256'),
    sizeBytes: num(row, 'size_bytes'),
    createdAtMs: num(row, 'created_at_ms'),
  };
}

/** The bundle with its bytes; NOT_FOUND otherwise. */
export async function getBundle(c: StoreContext, sha256: string): Promise<Bundle> {
  const { rows } = await c.db.run((ex) =>
    ex.query('SELECT * FROM bundles WHERE sha256 = $1', [sha256]),
  );
  const row = rows[0];
  if (!row) throw new StoreError('NOT_FOUND', `no bundle ${sha256}`, { sha256 });
  const content = row['content'] as Uint8Array;
  return {
    sha256: str(row, 'sha256'),
    sizeBytes: num(row, 'size_bytes'),
    createdAtMs: num(row, 'created_at_ms'),
    content: new Uint8Array(content.buffer, content.byteOffset, content.byteLength),
  };
}
