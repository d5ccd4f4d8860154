import { Worker } from 'node:worker_threads';
const w = new Worker(new URL('./tmp-vu-heap.ts', import.meta.url), { argv: process.argv.slice(2) });
await new Promise((r) => w.once('exit', r));
