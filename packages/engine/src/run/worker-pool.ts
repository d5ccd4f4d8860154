import { Worker } from 'node:worker_threads';
import { EngineError } from '../errors.ts';
import type { FromWorker, ToWorker, WorkerInit } from '../worker/messages.ts';

const WORKER_URL = new URL('../worker/load-worker.ts', import.meta.url);

/** One load worker thread with typed messages. */
export class LoadWorker {
  readonly id: string;
  readonly #worker: Worker;
  #exited = false;
  readonly exited: Promise<number>;

  constructor(id: string, onMessage: (msg: FromWorker) => void, onError: (error: Error) => void) {
    this.id = id;
    this.#worker = new Worker(WORKER_URL, { name: id });
    this.#worker.on('message', onMessage);
    this.#worker.on('error', onError);
    this.exited = new Promise((resolve) =>
      this.#worker.once('exit', (code) => {
        this.#exited = true;
        resolve(code);
      }),
    );
  }

  send(msg: ToWorker): void {
    if (!this.#exited) this.#worker.postMessage(msg);
  }

  /** Kills the thread at once (second Ctrl-C, crash of another worker). */
  async terminate(): Promise<void> {
    if (!this.#exited) await this.#worker.terminate();
  }
}

/** Starts `count` load workers, initialises each with its segment and waits until all are ready. */
export async function startWorkers(
  inits: WorkerInit[],
  onMessage: (worker: LoadWorker, msg: FromWorker) => void,
  onCrash: (worker: LoadWorker, error: Error) => void,
): Promise<{ workers: LoadWorker[]; maxVus: number }> {
  const ready: Promise<number>[] = [];
  const workers = inits.map((init) => {
    let resolveReady: (maxVus: number) => void = () => {};
    let rejectReady: (error: Error) => void = () => {};
    ready.push(
      new Promise<number>((res, rej) => {
        resolveReady = res;
        rejectReady = rej;
      }),
    );
    const worker: LoadWorker = new LoadWorker(
      init.workerId,
      (msg) => {
        if (msg.type === 'ready') resolveReady(msg.maxVus);
        else if (msg.type === 'init-error') {
          rejectReady(new EngineError(msg.code as EngineError['code'], msg.message, msg.details));
        } else onMessage(worker, msg);
      },
      (error) => {
        rejectReady(
          new EngineError(
            'INTERNAL',
            `load worker ${init.workerId} crashed: ${error.stack ?? error.message}`,
          ),
        );
        onCrash(worker, error);
      },
    );
    worker.send(init);
    return worker;
  });
  try {
    const counts = await Promise.all(ready);
    return { workers, maxVus: counts.reduce((a, b) => a + b, 0) };
  } catch (error) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw error;
  }
}
