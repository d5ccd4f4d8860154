import {
  declarativeTestSchema,
  type DeclarativeRequest,
  type DeclarativeTest,
} from '@stampede/protocol';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { EngineError } from '../errors.ts';
import type { FastRequestTemplate } from '../fastpath/types.ts';
import { formatZodIssues } from '../options/zod-issues.ts';

/** Parses and validates a declarative test file's text (YAML or JSON); errors name the field and line. */
export function parseDeclarative(text: string, fileName: string): DeclarativeTest {
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true });
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const pos = error.linePos?.[0];
      const where = pos ? `${fileName}:${pos.line}:${pos.col}` : fileName;
      throw new EngineError('INVALID_INPUT', `${where}: ${error.message.split('\n')[0]}`, {
        file: fileName,
        line: pos?.line,
        column: pos?.col,
      });
    }
    throw error;
  }
  const parsed = declarativeTestSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    throw new EngineError(
      'INVALID_INPUT',
      `${fileName}: ${formatZodIssues(parsed.error.issues, '', { schema: declarativeTestSchema, input: raw })}`,
      {
        file: fileName,
      },
    );
  }
  return parsed.data;
}

/** Compiles a declarative test file into the source of an equivalent script module. */
export function compileDeclarative(text: string, fileName: string): string {
  return declarativeToScript(parseDeclarative(text, fileName));
}

/** One declarative request with its body encoded and its headers final: what both paths send. */
interface NormalizedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
  name: string | undefined;
  expectStatus: number | undefined;
}

function normalizeRequest(r: DeclarativeRequest): NormalizedRequest {
  const headers: Record<string, string> = { ...r.headers };
  let body: string | null = r.body ?? null;
  if (r.json !== undefined) {
    body = JSON.stringify(r.json);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['Content-Type'] = 'application/json';
    }
  }
  return {
    method: r.method,
    url: r.url,
    headers,
    body,
    name: r.name,
    expectStatus: r.expectStatus,
  };
}

/** Generates the script module source that runs a declarative test's requests in order each iteration. */
export function declarativeToScript(test: DeclarativeTest): string {
  const requests = test.requests.map((raw) => {
    const r = normalizeRequest(raw);
    const tags: Record<string, string> = r.name ? { name: r.name } : {};
    const label = r.name ?? r.url;
    return {
      method: r.method,
      url: r.url,
      body: r.body,
      params: { headers: r.headers, tags },
      check:
        r.expectStatus === undefined
          ? null
          : { name: `${label} status is ${r.expectStatus}`, status: r.expectStatus },
    };
  });
  return [
    "import { http, check } from 'stampede';",
    `export const options = ${JSON.stringify(test.options)};`,
    `const requests = ${JSON.stringify(requests)};`,
    'export default async function () {',
    '  for (const r of requests) {',
    '    const res = await http.request(r.method, r.url, r.body, r.params);',
    '    if (r.check) check(res, { [r.check.name]: (x) => x.status === r.check.status });',
    '  }',
    '}',
    '',
  ].join('\n');
}

/** The fast-path request templates of a declarative test: the same requests the script sends. */
export function declarativeToTemplates(test: DeclarativeTest): FastRequestTemplate[] {
  return test.requests.map((raw) => {
    const r = normalizeRequest(raw);
    return {
      method: r.method,
      url: r.url,
      headers: r.headers,
      body: r.body,
      // An empty name tags by URL in the script (`r.name ?` above), so it does here too.
      ...(r.name ? { name: r.name } : {}),
      ...(r.expectStatus !== undefined ? { expectStatus: r.expectStatus } : {}),
    };
  });
}
