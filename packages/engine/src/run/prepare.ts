import { MetricRegistry } from '../metrics/registry.ts';
import { EngineError } from '../errors.ts';
import { bundleSource, bundleTest, type TestBundle } from '../bundle/bundle.ts';
import { declarativeToScript, declarativeToTemplates } from '../bundle/declarative.ts';
import { chooseExecutionPath, type ExecutionPath } from '../fastpath/eligibility.ts';
import { resolvePlan, type OptionOverrides, type Plan } from '../options/plan.ts';
import { installScriptRuntime, type ScriptRuntime } from '../runtime/install.ts';
import { compileThresholds, type CompiledThreshold } from '../thresholds/parse.ts';
import { targetChecker } from '../worker/allow-list.ts';
import { importBundle, type ScriptModule } from './script-module.ts';
import type { DeclarativeTest } from '@stampede/protocol';

/**
 * Where the test comes from: a file on disk, a declarative test built from CLI flags, or a bundle
 * made elsewhere (a test archive unpacked by an agent; see bundle/archive.ts).
 */
export type TestSource =
  { file: string } | { declarative: DeclarativeTest; baseDir: string } | { bundle: TestBundle };

/** Inputs to prepare a test in this process. */
export interface PrepareInput {
  source: TestSource;
  overrides?: OptionOverrides;
  /** Environment visible to the script (process env plus --env). */
  env: Record<string, string>;
  allowTargets?: string[];
  /** Requests in flight per connection on the fast path (--pipelining), over the test's own. */
  pipelining?: number;
  /** false (--no-fast-path) runs a declarative test on the scripted path. */
  fastPath?: boolean;
}

/** A test loaded in the main thread: bundle, validated plan, compiled thresholds and the module for setup/teardown. */
export interface PreparedTest {
  bundle: TestBundle;
  plan: Plan;
  thresholds: CompiledThreshold[];
  module: ScriptModule;
  /** Registry of the main thread: setup() and teardown() record here. */
  registry: MetricRegistry;
  runtime: ScriptRuntime;
  env: Record<string, string>;
  allowTargets: string[];
  /** Fast path (declarative tests and quick mode, when they can) or scripted path, and why. */
  path: ExecutionPath;
}

/** Bundles the test, loads it once in this thread to read its options, and validates everything before any load. */
export async function prepareTest(input: PrepareInput): Promise<PreparedTest> {
  const bundle =
    'bundle' in input.source
      ? input.source.bundle
      : 'file' in input.source
        ? await bundleTest(input.source.file)
        : await bundleSource(
            declarativeToScript(input.source.declarative),
            `${input.source.baseDir}/quick-test.js`,
            'js',
          );
  const registry = new MetricRegistry();
  const allowTargets = input.allowTargets ?? [];
  const runtime = installScriptRuntime({
    registry,
    baseDir: bundle.baseDir,
    env: input.env,
    ...(allowTargets.length > 0
      ? { checkTarget: targetChecker(allowTargets) as (url: URL) => string | null }
      : {}),
  });
  const module = await importBundle(bundle.path, bundle.entryPath);
  if (typeof module.default !== 'function' && module.options === undefined) {
    throw new EngineError(
      'INVALID_INPUT',
      `${bundle.entryPath}: the script must export a default function (one VU iteration)`,
    );
  }
  const plan = resolvePlan(module.options, input.overrides);
  runtime.setOptions(plan.options);
  for (const [name, scenario] of Object.entries(plan.scenarios)) {
    if (typeof module[scenario.exec] !== 'function') {
      throw new EngineError(
        'INVALID_OPTIONS',
        scenario.exec === 'default'
          ? `${bundle.entryPath}: the script must export a default function (one VU iteration)`
          : `options.scenarios.${name}.exec: the script exports no function named "${scenario.exec}"`,
      );
    }
  }
  const thresholds = compileThresholds(plan.options.thresholds, (name) =>
    registry.metricType(name),
  );
  const declarative = 'declarative' in input.source ? input.source.declarative : bundle.declarative;
  const path = chooseExecutionPath({
    declarative,
    templates: declarative === undefined ? [] : declarativeToTemplates(declarative),
    plan,
    pipelining: input.pipelining,
    fastPath: input.fastPath,
    checkTarget: targetChecker(allowTargets),
  });
  return {
    bundle,
    plan,
    thresholds,
    module,
    registry,
    runtime,
    env: input.env,
    allowTargets,
    path,
  };
}
