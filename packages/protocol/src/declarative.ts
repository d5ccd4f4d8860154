import { z } from 'zod';

/** One request of a declarative test. */
export const declarativeRequestSchema = z.strictObject({
  method: z
    .string()
    .regex(/^[A-Za-z]+$/, 'method must be an HTTP verb such as GET')
    .transform((m) => m.toUpperCase())
    .default('GET'),
  url: z.url({ protocol: /^https?$/, error: 'url must be an absolute http:// or https:// URL' }),
  headers: z.record(z.string(), z.string()).default({}),
  /** Raw request body. */
  body: z.string().optional(),
  /** JSON request body; sets Content-Type: application/json unless a header says otherwise. */
  json: z.unknown().optional(),
  /** Value of the `name` tag, to group dynamic URLs. */
  name: z.string().optional(),
  /** Expected status code: recorded as a check named "<name or url> status is N". */
  expectStatus: z.number().int().min(100).max(599).optional(),
});

/** A declarative test file (.yaml/.json): options plus a list of requests run in order by each iteration. */
export const declarativeTestSchema = z.strictObject({
  /** Script options, as a script would export them (validated later by the options schema). */
  options: z.record(z.string(), z.unknown()).default({}),
  /** Requests in flight per connection (HTTP/1.1 pipelining) on the fast path. */
  pipelining: z
    .number()
    .int('pipelining must be an integer')
    .min(1, 'pipelining must be >= 1')
    .max(1024, 'pipelining must be <= 1024')
    .default(1),
  /** false runs the test on the scripted path even when the fast path could run it. */
  fastPath: z.boolean().default(true),
  requests: z.array(declarativeRequestSchema).min(1, 'requests needs at least one request'),
});

/** A validated declarative test. */
export type DeclarativeTest = z.output<typeof declarativeTestSchema>;
/** One validated declarative request. */
export type DeclarativeRequest = z.output<typeof declarativeRequestSchema>;
