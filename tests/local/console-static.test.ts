/**
 * The console's static files (local/console-static.ts over local/console-build.ts): the page and its assets from
 * the build of the current sources, gzip when asked, only files of the build, read-only methods.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { consoleSourceHash } from '../../local/console-build';
import { consoleBuild, isConsolePath, serveConsole } from '../../local/console-static';

let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!isConsolePath(url.pathname)) {
      res.writeHead(418).end();
      return;
    }
    void serveConsole(req, res, url);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** A GET without fetch's automatic decompression (to see the bytes as sent). */
function get(path: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>(
    (resolve, reject) => {
      const req = http.request(`${base}${path}`, { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      });
      req.on('error', reject);
      req.end();
    },
  );
}

it('is the build of the current sources, named by their hash', async () => {
  const build = await consoleBuild();
  expect(build.id).toBe(consoleSourceHash());
  expect(build.files.map((f) => f.name)).toEqual(
    expect.arrayContaining([
      'index.html',
      expect.stringMatching(/^assets\/app-\w+\.js$/),
      expect.stringMatching(/^assets\/app-\w+\.css$/),
    ]),
  );
}, 120_000);

it('serves the page at /console and /console/ with its policy, and the assets it names', async () => {
  for (const path of ['/console', '/console/']) {
    const page = await get(path);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self';/);
    expect(page.body.toString()).toContain('<div id="app">');
  }
  const html = (await get('/console')).body.toString();
  const js = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)![1]!;
  const css = /href="(\/console\/assets\/[^"]+\.css)"/.exec(html)![1]!;
  const plain = await get(js);
  expect(plain.status).toBe(200);
  expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
  expect(plain.headers['cache-control']).toMatch(/immutable/);
  const zipped = await get(js, { 'accept-encoding': 'gzip, br' });
  expect(zipped.headers['content-encoding']).toBe('gzip');
  expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
  // q=0 refuses a coding, as the API's own answers read it (local/response-compression.ts); * accepts it.
  for (const [accept, coding] of [
    ['gzip;q=0, identity', undefined],
    ['identity, *;q=0', undefined],
    ['deflate, *', 'gzip'],
    ['GZIP;q=0.5', 'gzip'],
  ] as const) {
    const r = await get(js, { 'accept-encoding': accept });
    expect([accept, r.headers['content-encoding']]).toEqual([accept, coding]);
    expect([accept, (coding ? gunzipSync(r.body) : r.body).equals(plain.body)]).toEqual([accept, true]);
  }
  expect((await get(css)).headers['content-type']).toBe('text/css; charset=utf-8');
  const head = await get(js, {}, 'HEAD');
  expect([head.status, head.body.length, head.headers['content-length']]).toEqual([
    200,
    0,
    String(plain.body.length),
  ]);
});

it('answers nothing but the build’s own files, and only to GET and HEAD', async () => {
  for (const path of [
    '/console/manifest.json',
    '/console/assets/nope.js',
    '/console/..%2F..%2Fpackage.json',
    '/console/index.html.gz',
  ])
    expect([path, (await get(path)).status]).toEqual([path, 404]);
  // Dot segments are resolved by the URL parser before the path is looked at: outside /console, not its business.
  expect(isConsolePath(new URL('http://h/console/%2e%2e/serverless.yml').pathname)).toBe(false);
  const post = await get('/console', {}, 'POST');
  expect([post.status, post.headers.allow]).toEqual([405, 'GET, HEAD']);
});
