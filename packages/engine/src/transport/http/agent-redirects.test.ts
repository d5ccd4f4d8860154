import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CookieJar } from 'tough-cookie';
import { HttpAgent } from './agent.ts';
import { spec, startHttpServer } from './test-servers.ts';
import type { TestServer } from './test-servers.ts';
import type { HttpResponse } from './types.ts';

interface Seen {
  method: string;
  url: string;
  body: string;
  headers: Record<string, string | undefined>;
}

describe('HttpAgent redirects and cookies', () => {
  let server: TestServer;
  let other: TestServer;
  before(async () => {
    other = await startHttpServer((req, res) => {
      res.end(JSON.stringify({ url: req.url, headers: req.headers }));
    });
    server = await startHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url!, 'http://x');
        const redirect = (status: number, location: string): void => {
          res.writeHead(status, { Location: location }).end();
        };
        switch (url.pathname) {
          case '/a/relative':
            return redirect(302, '../b/target?x=1');
          case '/303':
            return redirect(303, '/echo');
          case '/307':
            return redirect(307, '/echo');
          case '/301':
            return redirect(301, '/echo');
          case '/loop':
            return redirect(302, `/loop?n=${Number(url.searchParams.get('n') ?? 0) + 1}`);
          case '/cross':
            return redirect(302, `${other.url}/landed`);
          case '/set-and-redirect':
            res.setHeader('Set-Cookie', ['hop=1; Path=/', 'second=2; Path=/']);
            return redirect(302, '/echo');
          case '/set':
            res.setHeader('Set-Cookie', 'session=abc; Path=/');
            return res.end('set');
          default:
            res.setHeader('Content-Type', 'application/json');
            return res.end(
              JSON.stringify({
                method: req.method,
                url: req.url,
                body: Buffer.concat(chunks).toString(),
                headers: req.headers,
              }),
            );
        }
      });
    });
  });
  after(async () => {
    await server.close();
    await other.close();
  });

  const seen = (res: HttpResponse): Seen => JSON.parse(res.body!.toString()) as Seen;

  it('follows a relative Location and reports every hop', async () => {
    const agent = new HttpAgent({});
    const hops: HttpResponse[] = [];
    const res = await agent.request(spec(`${server.url}/a/relative`), (h) => hops.push(h));
    assert.equal(res.status, 200);
    assert.equal(seen(res).url, '/b/target?x=1');
    assert.deepEqual(
      hops.map((h) => [h.status, h.url]),
      [
        [302, `${server.url}/a/relative`],
        [200, `${server.url}/b/target?x=1`],
      ],
    );
    assert.equal(hops[1], res);
    assert.equal(res.reusedConnection, true);
    agent.close();
  });

  it('turns POST into GET without body on 303 (and 301), keeps both on 307', async () => {
    const agent = new HttpAgent({});
    const post = { method: 'POST', body: 'payload', headers: { 'Content-Type': 'text/plain' } };
    for (const path of ['/303', '/301']) {
      const res = seen(await agent.request(spec(`${server.url}${path}`, post)));
      assert.equal(res.method, 'GET', path);
      assert.equal(res.body, '');
      assert.equal(res.headers['content-length'], undefined);
      assert.equal(res.headers['content-type'], undefined);
    }
    const kept = seen(await agent.request(spec(`${server.url}/307`, post)));
    assert.equal(kept.method, 'POST');
    assert.equal(kept.body, 'payload');
    assert.equal(kept.headers['content-type'], 'text/plain');
    agent.close();
  });

  it('stops a redirect loop at maxRedirects with EREDIRECTS', async () => {
    const agent = new HttpAgent({});
    const hops: HttpResponse[] = [];
    const res = await agent.request(spec(`${server.url}/loop`, { maxRedirects: 3 }), (h) =>
      hops.push(h),
    );
    assert.equal(res.errorCode, 'EREDIRECTS');
    assert.equal(res.status, 302);
    assert.equal(hops.length, 4);
    assert.equal(res.url, `${server.url}/loop?n=3`);
    agent.close();
  });

  it('returns the 3xx as is when maxRedirects is 0', async () => {
    const agent = new HttpAgent({});
    const res = await agent.request(spec(`${server.url}/loop`, { maxRedirects: 0 }));
    assert.equal(res.errorCode, null);
    assert.equal(res.status, 302);
    assert.equal(res.headers['location'], '/loop?n=1');
    agent.close();
  });

  it('drops Authorization and Cookie headers on a cross-origin redirect', async () => {
    const agent = new HttpAgent({});
    const headers = { Authorization: 'Bearer secret', Cookie: 'user=1', 'X-Keep': 'yes' };
    const same = seen(await agent.request(spec(`${server.url}/303`, { headers })));
    assert.equal(same.headers['authorization'], 'Bearer secret');
    assert.equal(same.headers['cookie'], 'user=1');
    const cross = seen(await agent.request(spec(`${server.url}/cross`, { headers })));
    assert.equal(cross.url, '/landed');
    assert.equal(cross.headers['authorization'], undefined);
    assert.equal(cross.headers['cookie'], undefined);
    assert.equal(cross.headers['x-keep'], 'yes');
    agent.close();
  });

  it('stores cookies set on a redirect hop and sends them on the next hop', async () => {
    const jar = new CookieJar();
    const agent = new HttpAgent({ cookieJar: jar });
    const res = seen(await agent.request(spec(`${server.url}/set-and-redirect`)));
    assert.equal(res.headers['cookie'], 'hop=1; second=2');
    agent.close();
  });

  it('keeps cookies in the jar across requests and merges them with a user Cookie', async () => {
    const jar = new CookieJar();
    const agent = new HttpAgent({ cookieJar: jar });
    const set = await agent.request(spec(`${server.url}/set`));
    assert.equal(set.headers['set-cookie'], 'session=abc; Path=/');
    const plain = seen(await agent.request(spec(`${server.url}/echo`)));
    assert.equal(plain.headers['cookie'], 'session=abc');
    const merged = seen(
      await agent.request(spec(`${server.url}/echo`, { headers: { Cookie: 'mine=1' } })),
    );
    assert.equal(merged.headers['cookie'], 'mine=1; session=abc');
    const withoutJar = new HttpAgent({});
    const none = seen(await withoutJar.request(spec(`${server.url}/echo`)));
    assert.equal(none.headers['cookie'], undefined);
    agent.close();
    withoutJar.close();
  });
});
