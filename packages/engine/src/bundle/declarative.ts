import { declarativeTestSchema, type DeclarativeTest } from '@stampede/protocol';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { EngineError } from '../errors.ts';
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
  const parsed = declarativeTestSchema.safeParse(raw);
  if (!parsed.success) {
    throw new EngineError(
      'INVALID_INPUT',
      `${fileName}: ${formatZodIssues(parsed.error.issues, '')}`,
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

/** Generates the script module source that runs a declarative test's requests in order each iteration. */
export function declarativeToScript(test: DeclarativeTest): string {
  const requests = test.requests.map((r) => {
    const headers: Record<string, string> = { ...r.headers };
    let body: string | null = r.body ?? null;
    if (r.json !== undefined) {
      body = JSON.stringify(r.json);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
        headers['Content-Type'] = 'application/json';
      }
    }
    const tags: Record<string, string> = r.name ? { name: r.name } : {};
    const label = r.name ?? r.url;
    return {
      method: r.method,
      url: r.url,
      body,
      params: { headers, tags },
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
