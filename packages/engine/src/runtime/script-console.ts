import { Console } from 'node:console';
import { format } from 'node:util';
import { currentIteration } from './context.ts';

const METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;

/**
 * The `console` a test script sees: everything goes to stderr (as in k6) so that stdout carries
 * only the summary, and a line logged by an iteration starts with its scenario and VU.
 */
export function createScriptConsole(stream: NodeJS.WritableStream = process.stderr): Console {
  const base = new Console({ stdout: stream, stderr: stream });
  for (const method of METHODS) {
    const write = base[method].bind(base);
    base[method] = (...args: unknown[]): void => {
      const it = currentIteration();
      write(it ? `[${it.scenario} vu=${it.vu.id}] ${format(...args)}` : format(...args));
    };
  }
  return base;
}
