// What the missing-await tracking of the script API costs per call (issue 10 item 2): the same
// resolved-Promise function awaited N times inside an iteration context, plain and wrapped by
// trackAwait, in VU iteration 1 (no stack capture, the steady state) and 0 (stack captured).
// One thread, median of the runs; ns per call, to compare with the ≈ 10 µs CPU of a request.
//
//   node bench/missing-await.ts [--calls 1000000] [--runs 5]
import { iterationStorage, type IterationContext } from '../packages/engine/src/runtime/context.ts';
import { trackAwait, unawaitedCall } from '../packages/engine/src/runtime/missing-await.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const calls = flag('calls', 1_000_000);
const runs = flag('runs', 5);

const plain = (v: number): Promise<number> => Promise.resolve(v);
const tracked = trackAwait('bench', plain);

async function measure(fn: (v: number) => Promise<number>, vuIterations: number): Promise<number> {
  const ctx = { vu: { iterations: vuIterations } } as unknown as IterationContext;
  return iterationStorage.run(ctx, async () => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) {
      await fn(i);
      // An iteration ends every 100 calls, as a script with 100 requests per iteration would.
      if (i % 100 === 99) unawaitedCall(ctx);
    }
    return Number(process.hrtime.bigint() - start) / calls;
  });
}

const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const rows: Record<string, number[]> = { plain: [], tracked: [], 'tracked, first iteration': [] };
for (let r = 0; r < runs; r++) {
  rows['plain']?.push(await measure(plain, 1));
  rows['tracked']?.push(await measure(tracked, 1));
  rows['tracked, first iteration']?.push(await measure(tracked, 0));
}
for (const [name, xs] of Object.entries(rows)) {
  console.log(
    `${name.padEnd(26)} ${median(xs).toFixed(0).padStart(6)} ns/call (runs: ${xs.map((x) => x.toFixed(0)).join(', ')})`,
  );
}
