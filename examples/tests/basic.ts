// A first test: 10 VUs for 10 s against the echo target. Run with:
//   npx stampede run examples/tests/basic.ts --env TARGET=http://127.0.0.1:8080
import { check, group, http, sleep } from 'stampede';

export const options = {
  vus: 10,
  duration: '10s',
  thresholds: {
    http_req_duration: ['p(95)<200'],
    http_req_failed: ['rate<0.01'],
    checks: ['rate>0.99'],
  },
};

const target = __ENV.TARGET ?? 'http://127.0.0.1:8080';

export default async function () {
  await group('home', async () => {
    const res = await http.get(`${target}/`);
    check(res, {
      'status is 200': (r) => r.status === 200,
      'body is json': (r) => (r.json() as { ok: boolean }).ok === true,
    });
  });
  await sleep(0.1);
}
