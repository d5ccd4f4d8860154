import { EngineError } from '../errors.ts';
import type { PreparedTest } from './prepare.ts';
import { describeError } from './script-module.ts';

/** Runs the script's setup() once in the main thread and returns its result as JSON text (null without setup). */
export async function runSetup(test: PreparedTest): Promise<string | null> {
  const setup = test.module.setup;
  if (typeof setup !== 'function') return null;
  const data = await withTimeout(
    () => (setup as () => unknown)(),
    test.plan.options.setupTimeout,
    'setup()',
  );
  try {
    return data === undefined ? null : JSON.stringify(data);
  } catch (error) {
    throw new EngineError(
      'SCRIPT_SETUP',
      `setup() must return JSON-serialisable data: ${(error as Error).message}`,
    );
  }
}

/** Runs the script's teardown(data) once in the main thread after the load. */
export async function runTeardown(test: PreparedTest, setupDataJson: string | null): Promise<void> {
  const teardown = test.module.teardown;
  if (typeof teardown !== 'function') return;
  const data: unknown = setupDataJson === null ? undefined : JSON.parse(setupDataJson);
  await withTimeout(
    () => (teardown as (d: unknown) => unknown)(data),
    test.plan.options.teardownTimeout,
    'teardown()',
  );
}

async function withTimeout<T>(
  fn: () => T | Promise<T>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve().then(fn),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new EngineError('SCRIPT_SETUP', `${what} did not finish within ${timeoutMs} ms`),
            ),
          timeoutMs,
        );
      }),
    ]);
  } catch (error) {
    if (error instanceof EngineError) throw error;
    throw new EngineError('SCRIPT_SETUP', `${what} failed: ${describeError(error)}`);
  } finally {
    clearTimeout(timer);
  }
}
