// The scripted path of bench/peers.ts: one GET and one check per iteration, the smallest script
// that exercises the script runtime (VU loop, response object, checks) on top of the HTTP client.
import { check, http } from 'stampede';

const target = __ENV.TARGET ?? 'http://127.0.0.1:8080/';

export default async function () {
  const r = await http.get(target);
  check(r, { ok: (x) => x.status === 200 });
}
