// Threshold keys (`metric` or `metric{tag:value}`) and expressions (`p(95)<200`) are parsed once,
// before the test starts, so a typo fails the run at once with the option path instead of
// silently passing at the end.
import type { MetricType, Options, Tags } from '@stampede/protocol';
import { EngineError } from '../errors.ts';
import { METRIC_NAME_PATTERN } from '../metrics/builtin.ts';

/** What a threshold compares: a percentile or a named aggregate of the metric. */
export type Aggregation =
  | { readonly kind: 'p'; readonly p: number }
  | { readonly kind: 'avg' | 'min' | 'max' | 'med' | 'count' | 'rate' | 'value' };

/** Comparison operators of threshold expressions (`===` means the same as `==`). */
export type ThresholdOperator = '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';

/** A parsed threshold expression. */
export interface ThresholdExpression {
  readonly aggregation: Aggregation;
  readonly operator: ThresholdOperator;
  /** Right-hand side, in the metric's unit (ms for time trends). */
  readonly target: number;
}

/** A parsed threshold key: the metric and the tag filter of a sub-metric (empty for the whole metric). */
export interface ThresholdKey {
  readonly metric: string;
  readonly filter: Tags;
  /** Canonical name, `metric` or `metric{tag:value,…}` (tags in written order, no quotes or spaces). */
  readonly name: string;
}

/** One threshold ready to evaluate. */
export interface CompiledThreshold extends ThresholdKey, ThresholdExpression {
  /** The key as written in options.thresholds. */
  readonly key: string;
  /** The expression as written (trimmed). */
  readonly expression: string;
  /** Option path, such as `thresholds["http_req_duration"][0]`. */
  readonly path: string;
  readonly metricType: MetricType;
  readonly abortOnFail: boolean;
  /** Time from test start before a failure may abort the test, ms. */
  readonly delayAbortEvalMs: number;
}

/** A threshold key or expression that cannot be parsed or does not fit its metric; `path` is the option path. */
export class ThresholdSyntaxError extends EngineError {
  readonly path: string;
  /** The problem without the path. */
  readonly reason: string;
  constructor(path: string, reason: string) {
    super('INVALID_OPTIONS', `${path}: ${reason}`, { path });
    this.name = 'ThresholdSyntaxError';
    this.path = path;
    this.reason = reason;
  }
}

const OPERATORS: readonly ThresholdOperator[] = ['===', '==', '!=', '<=', '>=', '<', '>'];
const NAMED = ['avg', 'min', 'max', 'med', 'count', 'rate', 'value'] as const;

/** Aggregations each metric type accepts ('p' stands for p(N)). */
export const AGGREGATIONS_BY_TYPE: Readonly<Record<MetricType, readonly Aggregation['kind'][]>> = {
  trend: ['p', 'avg', 'min', 'max', 'med', 'count'],
  counter: ['count', 'rate'],
  rate: ['rate'],
  gauge: ['value', 'min', 'max'],
};

/** The option path of a threshold key (`thresholds["key"]`). */
export function keyPath(key: string): string {
  return `thresholds[${JSON.stringify(key)}]`;
}

/** Parses `metric` or `metric{tag:value, tag2:"value 2"}`; throws ThresholdSyntaxError at `path`. */
export function parseThresholdKey(key: string, path = keyPath(key)): ThresholdKey {
  const text = key.trim();
  const brace = text.indexOf('{');
  const metric = (brace < 0 ? text : text.slice(0, brace)).trim();
  if (!METRIC_NAME_PATTERN.test(metric)) {
    throw new ThresholdSyntaxError(
      path,
      `invalid metric name ${JSON.stringify(metric)} (expected a name like http_req_duration, optionally followed by {tag:value})`,
    );
  }
  if (brace < 0) return { metric, filter: {}, name: metric };
  if (!text.endsWith('}')) throw new ThresholdSyntaxError(path, 'tag filter must end with "}"');
  const filter = parseFilter(text.slice(brace + 1, -1), path);
  const name = `${metric}{${Object.entries(filter)
    .map(([k, v]) => `${k}:${v}`)
    .join(',')}}`;
  return { metric, filter, name };
}

function parseFilter(body: string, path: string): Tags {
  const filter: Tags = {};
  let i = 0;
  const skipSpace = (): void => {
    while (i < body.length && /\s/.test(body[i] as string)) i++;
  };
  // Reads a quoted or bare token ending before one of `stops` (or the end).
  const token = (stops: string, what: string): string => {
    skipSpace();
    const q = body[i];
    if (q === '"' || q === "'") {
      const end = body.indexOf(q, i + 1);
      if (end < 0) throw new ThresholdSyntaxError(path, `unterminated quote in tag filter ${what}`);
      const out = body.slice(i + 1, end);
      i = end + 1;
      skipSpace();
      return out;
    }
    const start = i;
    while (i < body.length && !stops.includes(body[i] as string)) {
      if (body[i] === '{' || body[i] === '}') {
        throw new ThresholdSyntaxError(path, `unexpected "${body[i]}" in tag filter`);
      }
      i++;
    }
    return body.slice(start, i).trim();
  };
  if (body.trim() === '') throw new ThresholdSyntaxError(path, 'empty tag filter "{}"');
  while (i < body.length) {
    const tag = token(':,', 'tag name');
    if (tag === '') throw new ThresholdSyntaxError(path, 'missing tag name in tag filter');
    if (body[i] !== ':') {
      throw new ThresholdSyntaxError(
        path,
        `tag filter entry ${JSON.stringify(tag)} needs a value: {${tag}:value}`,
      );
    }
    i++;
    const value = token(',', `value of ${tag}`);
    if (i < body.length && body[i] !== ',') {
      throw new ThresholdSyntaxError(
        path,
        `unexpected text after the value of tag ${JSON.stringify(tag)}`,
      );
    }
    if (Object.hasOwn(filter, tag)) {
      throw new ThresholdSyntaxError(
        path,
        `tag ${JSON.stringify(tag)} appears twice in the tag filter`,
      );
    }
    filter[tag] = value;
    if (body[i] === ',') {
      i++;
      if (body.slice(i).trim() === '')
        throw new ThresholdSyntaxError(path, 'trailing "," in tag filter');
    }
  }
  return filter;
}

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;
const EXAMPLE = 'expected "<aggregation> <operator> <number>", such as "p(95)<200" or "rate>0.99"';

/** Parses an expression such as `p(99.9) < 250` or `rate>=0.99`; throws ThresholdSyntaxError at `path`. */
export function parseThresholdExpression(expression: string, path: string): ThresholdExpression {
  const text = expression.trim();
  let opAt = -1;
  let operator: ThresholdOperator | undefined;
  // The first operator character splits the expression; the longest operator starting there wins.
  for (let i = 0; i < text.length && operator === undefined; i++) {
    if ('<>=!'.includes(text[i] as string)) {
      opAt = i;
      operator = OPERATORS.find((op) => text.startsWith(op, i));
      if (operator === undefined) {
        throw new ThresholdSyntaxError(
          path,
          `unknown operator in ${JSON.stringify(text)} (use <, <=, >, >=, ==, === or !=)`,
        );
      }
    }
  }
  if (operator === undefined) {
    throw new ThresholdSyntaxError(
      path,
      `no comparison operator in ${JSON.stringify(text)}: ${EXAMPLE}`,
    );
  }
  const left = text.slice(0, opAt).trim();
  const right = text.slice(opAt + operator.length).trim();
  if (left === '')
    throw new ThresholdSyntaxError(path, `missing aggregation before "${operator}": ${EXAMPLE}`);
  const aggregation = parseAggregation(left, path);
  if (right === '')
    throw new ThresholdSyntaxError(path, `missing number after "${operator}": ${EXAMPLE}`);
  if (!NUMBER.test(right)) {
    throw new ThresholdSyntaxError(
      path,
      `${JSON.stringify(right)} is not a number (after "${operator}")`,
    );
  }
  return { aggregation, operator, target: Number(right) };
}

function parseAggregation(text: string, path: string): Aggregation {
  const named = NAMED.find((n) => n === text);
  if (named) return { kind: named };
  const call = /^p\s*\(\s*([^)]*?)\s*\)$/.exec(text);
  if (call) {
    const arg = call[1] as string;
    const p = Number(arg);
    if (!/^\d+(\.\d+)?$/.test(arg) || !(p >= 0 && p <= 100)) {
      throw new ThresholdSyntaxError(
        path,
        `percentile in "${text}" must be a number from 0 to 100`,
      );
    }
    return { kind: 'p', p };
  }
  const bare = /^p(\d+(\.\d+)?)$/i.exec(text);
  if (bare)
    throw new ThresholdSyntaxError(path, `unknown aggregation "${text}" (use p(${bare[1]}))`);
  throw new ThresholdSyntaxError(
    path,
    `unknown aggregation "${text}" (use p(N), avg, min, max, med, count, rate or value)`,
  );
}

/** The aggregation as written in k6 style: `p(95)`, `avg`, … */
export function aggregationName(a: Aggregation): string {
  return a.kind === 'p' ? `p(${a.p})` : a.kind;
}

function checkFits(a: Aggregation, type: MetricType, metric: string, path: string): void {
  const allowed = AGGREGATIONS_BY_TYPE[type];
  if (allowed.includes(a.kind)) return;
  const list = allowed.map((k) => (k === 'p' ? 'p(N)' : k));
  const use = list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} or ${list.at(-1)}`;
  throw new ThresholdSyntaxError(
    path,
    `aggregation "${aggregationName(a)}" does not apply to ${type} metric "${metric}" (use ${use})`,
  );
}

/**
 * Parses and checks every threshold of `thresholds` against the metric types `metricType` knows;
 * throws ThresholdSyntaxError (code INVALID_OPTIONS) naming the option path of the first problem.
 */
export function compileThresholds(
  thresholds: Options['thresholds'],
  metricType: (name: string) => MetricType | undefined,
): CompiledThreshold[] {
  const out: CompiledThreshold[] = [];
  for (const [key, list] of Object.entries(thresholds)) {
    const kp = keyPath(key);
    const parsedKey = parseThresholdKey(key, kp);
    const type = metricType(parsedKey.metric);
    if (type === undefined) {
      throw new ThresholdSyntaxError(
        kp,
        `unknown metric "${parsedKey.metric}" (not built in and not defined by the script)`,
      );
    }
    list.forEach((entry, index) => {
      const source = typeof entry === 'string' ? entry : entry.threshold;
      const path = typeof entry === 'string' ? `${kp}[${index}]` : `${kp}[${index}].threshold`;
      const expr = parseThresholdExpression(source, path);
      checkFits(expr.aggregation, type, parsedKey.metric, path);
      out.push({
        ...parsedKey,
        ...expr,
        key,
        expression: source.trim(),
        path,
        metricType: type,
        abortOnFail: typeof entry === 'string' ? false : entry.abortOnFail,
        delayAbortEvalMs: typeof entry === 'string' ? 0 : entry.delayAbortEval,
      });
    });
  }
  return out;
}
