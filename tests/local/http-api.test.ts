/** The events API through the local runtime (real HTTP on a random port, real local Firehose). */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import http from 'node:http';
import { once } from 'node:events';
import path from 'node:path';
import zlib from 'node:zlib';
import { applyFunctionEnvironment } from '../../local/environment';
import { bodyPassesValidator, compileRequestModel, GATEWAY_RESPONSES, LocalApi } from '../../local/http-api';
import { httpRoutes, loadServiceConfig, projectRoot, type Route } from '../../local/service-config';
import { until } from '../support/until';
import type { RunningLake } from '../../local/lake';
import { pageView } from '../support/api-event';
import { deliveredRecords, tempLake } from '../support/raw-zone';

let lake: RunningLake;
let lakeDir: string;
const accepted: string[] = [];
const refusedIds: string[] = [];

beforeAll(async () => {
  lakeDir = await tempLake('http');
  process.env.LAKE_DIR = lakeDir;
  delete process.env.LAKE_API_KEY;
  const config = await loadServiceConfig('local');
  applyFunctionEnvironment(config);
  const { startLocalLake } = await import('../../local/lake');
  lake = await startLocalLake({ config, stage: 'local', port: 0, accessLog: false });
}, 120_000);

afterAll(async () => {
  await lake?.stop();
});

async function post(body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${lake.url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': lake.apiKey, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

describe('local runtime: POST /events over HTTP', () => {
  it('generates an API key, saves it under the lake directory (0600) and requires it', async () => {
    expect(lake.apiKeySource).toBe('generated');
    const file = path.join(lakeDir, 'api-key');
    expect((await fs.readFile(file, 'utf8')).trim()).toBe(lake.apiKey);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
  });

  it('202: one event', async () => {
    const res = await post(pageView({ id: 'http-1' }));
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: 1, ids: ['http-1'] });
    accepted.push('http-1');
  });

  it('202: a batch, with server-made ids', async () => {
    const res = await post({
      events: [pageView(), { type: 'signup', data: { user_id: 'u1', email: 'a@b.co', plan: 'free' } }],
    });
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(2);
    accepted.push(...res.body.ids);
  });

  it('a header or query parameter named like an Object method (__proto__, constructor, toString) is an ordinary name, as in the event on Lambda', async () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const res = await post(pageView({ id: `http-proto-${name}` }), { [name]: 'x' });
      expect([name, res.status]).toEqual([name, 202]);
      accepted.push(`http-proto-${name}`);
      const tables = await fetch(`${lake.url}/tables?${name}=1`, { headers: { 'x-api-key': lake.apiKey } });
      expect([name, tables.status, await tables.json()]).toEqual([
        name,
        400,
        expect.objectContaining({ code: 'INVALID_PARAMETER', message: expect.stringContaining(`'${name}'`) }),
      ]);
    }
  });

  it("compresses an answer of 1,024 bytes or more when the request accepts gzip or deflate, as serverless.yml's minimumCompressionSize has API Gateway do", async () => {
    expect((await loadServiceConfig('local')).provider.apiGateway?.minimumCompressionSize).toBe(1024);
    // Each request its own ids (the last test counts every accepted id once in the raw zone).
    let n = 0;
    const batch = () => {
      const prefix = `gz${n++}`;
      return Array.from(
        { length: 60 },
        (_, i) => `${prefix}-${String(i).padStart(4, '0')}-${'x'.repeat(12)}`,
      );
    };
    const raw = (headers: Record<string, string>, ids: string[]) =>
      new Promise<{ status: number; encoding?: string; body: Buffer }>((resolve, reject) => {
        const req = http.request(
          `${lake.url}/events`,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-api-key': lake.apiKey, ...headers },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({
                status: res.statusCode!,
                encoding: res.headers['content-encoding'],
                body: Buffer.concat(chunks),
              }),
            );
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify({ events: ids.map((id) => pageView({ id })) }));
        accepted.push(...ids);
      });
    const ids = batch();
    const gzipped = await raw({ 'accept-encoding': 'gzip' }, ids);
    expect([gzipped.status, gzipped.encoding]).toEqual([202, 'gzip']);
    expect(JSON.parse(zlib.gunzipSync(gzipped.body).toString('utf8'))).toEqual({ accepted: 60, ids });
    const more = batch();
    const deflated = await raw({ 'accept-encoding': 'deflate, gzip;q=0.5' }, more);
    expect(deflated.encoding).toBe('deflate');
    expect(JSON.parse(zlib.inflateSync(deflated.body).toString('utf8')).ids).toEqual(more);
    // Not asked for, refused (q=0), or an answer under 1,024 bytes: as it is.
    const unasked: Record<string, string>[] = [
      {},
      { 'accept-encoding': 'identity' },
      { 'accept-encoding': 'gzip;q=0' },
    ];
    for (const headers of unasked) {
      const plain = await raw(headers, batch());
      expect([plain.encoding, JSON.parse(plain.body.toString('utf8')).accepted]).toEqual([undefined, 60]);
    }
    const small = await raw({ 'accept-encoding': 'gzip' }, ['gz-small']);
    expect([small.encoding, JSON.parse(small.body.toString('utf8'))]).toEqual([
      undefined,
      { accepted: 1, ids: ['gz-small'] },
    ]);
  });

  it("403 FORBIDDEN without an API key and with a wrong one, as API Gateway's API_KEY_INVALID; nothing written", async () => {
    const missing = await fetch(`${lake.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(pageView({ id: 'nokey' })),
    });
    const wrong = await post(pageView({ id: 'badkey' }), { 'x-api-key': 'nope' });
    for (const res of [
      { status: missing.status, headers: missing.headers, body: await missing.json() },
      wrong,
    ]) {
      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        code: 'FORBIDDEN',
        message: GATEWAY_RESPONSES.API_KEY_INVALID.message,
        requestId: expect.any(String),
      });
      expect(res.headers.get('x-amzn-requestid')).toBe(res.body.requestId);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
    }
    refusedIds.push('nokey', 'badkey');
  });

  describe("the request validator (request.schemas), before the function, as API Gateway's BAD_REQUEST_BODY", () => {
    const gatewayInvalidBody = {
      code: 'INVALID_BODY',
      message: GATEWAY_RESPONSES.BAD_REQUEST_BODY.message,
      pointer: '',
      requestId: expect.any(String),
    };

    it('400 INVALID_BODY for a body that is not JSON', async () => {
      const res = await post(`{"type": "page_view", "id": "notjson"`);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(gatewayInvalidBody);
      expect(res.headers.get('x-amzn-requestid')).toBe(res.body.requestId);
      refusedIds.push('notjson');
    });

    it('400 INVALID_BODY for JSON that is not of the model type (a string, a number, null)', async () => {
      for (const body of ['"page_view"', '42', 'null', ' \n ']) {
        const res = await post(body);
        expect([body, res.status, res.body]).toEqual([body, 400, gatewayInvalidBody]);
      }
    });

    it('a JSON object or array reaches the function; an empty body is validated as {} and left to it', async () => {
      const array = await post([pageView({ id: 'in-array' })]);
      expect([array.status, array.body.code, array.body.pointer]).toEqual([400, 'INVALID_BODY', '']);
      expect(array.body.message).not.toBe(GATEWAY_RESPONSES.BAD_REQUEST_BODY.message);
      const object = await post({ type: 'page_view', data: {} });
      expect([object.status, object.body.code]).toEqual([400, 'VALIDATION_FAILED']);
      const empty = await post('');
      expect([empty.status, empty.body.code]).toEqual([400, 'MALFORMED_JSON']);
      refusedIds.push('in-array');
    });

    it('judges the content type the function reads: a header sent twice is not a way past it', async () => {
      // Node's req.headers keeps the first of two content-type lines, the proxy event (as API Gateway's `headers`)
      // the last: the validator judged text/plain (no model) while the function read application/json.
      const raw = async (lines: string[], body: string) => {
        const address = new URL(lake.url);
        const socket = net.connect(Number(address.port), address.hostname);
        await once(socket, 'connect');
        let answer = '';
        socket.on('data', (d: Buffer) => (answer += d.toString()));
        socket.write(
          `POST /events HTTP/1.1\r\nHost: x\r\nx-api-key: ${lake.apiKey}\r\n${lines.join('\r\n')}\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
        );
        await once(socket, 'close');
        // (chunked or not: the JSON object in the answer's body)
        return JSON.parse(/\{.*\}/.exec(answer.slice(answer.indexOf('\r\n\r\n')))![0]) as Record<
          string,
          unknown
        >;
      };
      const twice = await raw(['content-type: text/plain', 'content-type: application/json'], '{"type": ');
      expect(twice).toEqual(gatewayInvalidBody);
    });

    it('checks only the media types the route has a model for: another content type reaches the function', async () => {
      const res = await post('{"type": ', { 'content-type': 'text/plain' });
      expect([res.status, res.body.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    });

    it('is driven by the configured schema, not by the route', () => {
      const models = new Map([
        [
          'application/json',
          compileRequestModel(
            { name: 'S', schema: { $schema: 'http://json-schema.org/draft-04/schema#', type: 'string' } },
            'test',
          ),
        ],
      ]);
      expect(bodyPassesValidator(models, 'application/json', Buffer.from('"x"'))).toBe(true);
      expect(bodyPassesValidator(models, 'Application/JSON; charset=utf-8', Buffer.from('{}'))).toBe(false);
      expect(bodyPassesValidator(models, undefined, Buffer.from('[]'))).toBe(false);
      expect(bodyPassesValidator(models, 'text/plain', Buffer.from('{'))).toBe(true);
      expect(bodyPassesValidator(models, 'application/json', Buffer.from([0x22, 0xff, 0x22]))).toBe(false);
      expect(() =>
        compileRequestModel({ schema: { $schema: 'https://json-schema.org/draft/2020-12/schema' } }, 'x'),
      ).toThrow(/draft-04/);
    });
  });

  it('400 VALIDATION_FAILED lists index, pointer and reason; nothing of the batch is written', async () => {
    const res = await post({
      events: [pageView({ id: 'v-ok' }), pageView({ id: 'v-bad', data: { session_id: 'sess-0001' } })],
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { index: 1, pointer: '/data/url', code: 'SCHEMA_VIOLATION', message: 'is required' },
    ]);
    refusedIds.push('v-ok', 'v-bad');
  });

  it('400 TOO_MANY_EVENTS over 500 events', async () => {
    const res = await post({ events: Array.from({ length: 501 }, (_, i) => pageView({ id: `many-${i}` })) });
    expect([res.status, res.body.code]).toEqual([400, 'TOO_MANY_EVENTS']);
    refusedIds.push('many-0');
  });

  it('413 over the body limit', async () => {
    const res = await post({
      events: [
        pageView({
          id: 'huge',
          data: { session_id: 'sess-0001', url: 'https://a.b/', title: 'x'.repeat(5 * 1024 * 1024) },
        }),
      ],
    });
    expect([res.status, res.body.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    refusedIds.push('huge');
  });

  it("413 when the request's Lambda event would be over Lambda's 6 MB payload limit, though the body is under 4 MiB", async () => {
    // Tab-indented JSON: each tab is two bytes once the body is escaped into the proxy event's JSON.
    const send = (tabs: number) =>
      fetch(`${lake.url}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': lake.apiKey },
        body: `{${'\t'.repeat(tabs)}"events": [${JSON.stringify(pageView({ id: `tabs-${tabs}` }))}]}`,
      });
    const over = await send(3.5 * 1024 * 1024);
    expect(over.status).toBe(413);
    expect(await over.json()).toEqual({
      code: 'PAYLOAD_TOO_LARGE',
      message: expect.stringMatching(
        /^the request's Lambda event is \d+ bytes, over Lambda's 6291456-byte invocation payload limit .* on AWS API Gateway cannot invoke the function/,
      ),
      limit: 6291456,
      size: expect.any(Number),
      requestId: expect.any(String),
    });
    refusedIds.push(`tabs-${3.5 * 1024 * 1024}`);
    const under = await send(2.5 * 1024 * 1024);
    expect(under.status).toBe(202);
    accepted.push(`tabs-${2.5 * 1024 * 1024}`);
  });

  it('415 for a non-JSON content type', async () => {
    const res = await post(pageView({ id: 'plain' }), { 'content-type': 'text/plain' });
    expect([res.status, res.body.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    refusedIds.push('plain');
  });

  describe('payload compression (minimumCompressionSize): API Gateway decodes the body before anything sees it', () => {
    const postEncoded = async (bytes: Buffer, encoding: string) => {
      const res = await fetch(`${lake.url}/events`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-encoding': encoding,
          'x-api-key': lake.apiKey,
        },
        body: bytes,
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const batch = (id: string) => Buffer.from(JSON.stringify({ events: [pageView({ id })] }));

    it('202 for a gzip or a deflate body, and for codings listed together', async () => {
      for (const [id, bytes, encoding] of [
        ['gzip-1', zlib.gzipSync(batch('gzip-1')), 'gzip'],
        ['deflate-1', zlib.deflateSync(batch('deflate-1')), 'Deflate'],
        ['both-1', zlib.gzipSync(zlib.deflateSync(batch('both-1'))), 'deflate, identity, gzip'],
        ['identity-1', batch('identity-1'), 'identity'],
      ] as const) {
        expect([id, await postEncoded(bytes, encoding)]).toEqual([
          id,
          { status: 202, body: { accepted: 1, ids: [id] } },
        ]);
        accepted.push(id);
      }
    });

    it("415 UNSUPPORTED_MEDIA_TYPE for another coding or a body that is not encoded with its own, as API Gateway's", async () => {
      for (const [id, bytes, encoding] of [
        ['br-1', zlib.brotliCompressSync(batch('br-1')), 'br'],
        // HTTP's alias of gzip, which API Gateway's list of codings (deflate, gzip, identity) does not hold.
        ['x-gzip-1', zlib.gzipSync(batch('x-gzip-1')), 'x-gzip'],
        ['not-gzip-1', batch('not-gzip-1'), 'gzip'],
        ['raw-deflate-1', zlib.deflateRawSync(batch('raw-deflate-1')), 'deflate'],
        // An empty body: the coding is judged first (br), and nothing is no gzip or deflate stream.
        ['empty-br', Buffer.alloc(0), 'br'],
        ['empty-gzip', Buffer.alloc(0), 'gzip'],
      ] as const) {
        const res = await postEncoded(bytes, encoding);
        expect([id, res.status, res.body]).toEqual([
          id,
          415,
          {
            code: 'UNSUPPORTED_MEDIA_TYPE',
            message: GATEWAY_RESPONSES.UNSUPPORTED_MEDIA_TYPE.message,
            pointer: '',
            requestId: expect.any(String),
          },
        ]);
        refusedIds.push(id);
      }
    });

    it("413 when the decoded body would exceed API Gateway's payload limit", async () => {
      const bomb = zlib.gzipSync(Buffer.alloc(11 * 1024 * 1024, 0x20));
      expect(bomb.length).toBeLessThan(64 * 1024);
      const res = await postEncoded(bomb, 'gzip');
      expect([res.status, res.body.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    });
  });

  it("401 UNAUTHORIZED for an unknown route and a wrong method, as API Gateway's MISSING_AUTHENTICATION_TOKEN", async () => {
    const nf = await fetch(`${lake.url}/nope`, { headers: { 'x-api-key': lake.apiKey } });
    const na = await fetch(`${lake.url}/events`, { headers: { 'x-api-key': lake.apiKey } });
    for (const res of [nf, na]) {
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        code: 'UNAUTHORIZED',
        message: GATEWAY_RESPONSES.MISSING_AUTHENTICATION_TOKEN.message,
        requestId: expect.any(String),
      });
    }
  });

  it('answers CORS preflight for browser producers, and CORS headers on responses', async () => {
    const pre = await fetch(`${lake.url}/events`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(200);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    const allowed = pre.headers.get('access-control-allow-headers')?.toLowerCase().split(',');
    // A browser producer's own correlation id and a compressed body (README "The event envelope").
    expect(allowed).toEqual(expect.arrayContaining(['x-api-key', 'x-correlation-id', 'content-encoding']));
    const res = await post(pageView({ id: 'cors-1' }), { origin: 'https://app.example' });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    // What its script may read of the answer.
    expect(res.headers.get('access-control-expose-headers')).toBe('x-correlation-id, retry-after');
    accepted.push('cors-1');
  });

  it('after a graceful stop, every accepted id is in the raw zone exactly once and nothing refused is', async () => {
    await lake.stop();
    const records = await deliveredRecords(lakeDir);
    const ids = records.map((r) => r.id as string);
    expect(ids.sort()).toEqual([...accepted].sort());
    for (const id of refusedIds) expect(ids).not.toContain(id);
    for (const r of records)
      expect(Object.keys(r)).toEqual(['id', 'type', 'occurred_at', 'received_at', 'data']);
  });
});

describe("local API Gateway: the function's failures, answered as the deployed API's gateway responses", () => {
  let api: LocalApi;
  let url: string;
  let dir: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'http-api-handlers-'));
    await fs.writeFile(
      path.join(dir, 'h.js'),
      `exports.slow = () => new Promise((r) => setTimeout(() => r({ statusCode: 200, body: '{}' }), 3000).unref());
exports.slower = exports.slow;
exports.crash = async () => { throw new Error('boom'); };
exports.remaining = async (e, ctx) => ({ statusCode: 200, body: JSON.stringify({ remaining: ctx.getRemainingTimeInMillis() }) });
exports.malformed = async () => ({ nope: 1 });`,
    );
    const module = path.relative(projectRoot, path.join(dir, 'h'));
    const route = (name: string, timeout?: number): Route => ({
      functionName: name,
      fn: { handler: `${module}.${name}`, timeout, events: [{ http: { path: name, method: 'post' } }] },
      method: 'POST',
      resource: `/${name}`,
      private: false,
      cors: { origin: 'https://app.example', headers: [], allowCredentials: false },
    });
    api = new LocalApi({
      routes: [
        route('slow', 1),
        route('slower', 5),
        route('crash'),
        route('malformed'),
        route('remaining', 1),
      ],
      apiKey: 'k',
      stage: 'local',
      service: 'test',
      integrationTimeoutSeconds: 2,
    });
    url = await api.listen(0);
  });

  afterAll(async () => {
    await api?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("counts the function's time from its invocation, after the body is read, as API Gateway does", async () => {
    const address = new URL(url);
    const socket = net.connect(Number(address.port), address.hostname);
    await once(socket, 'connect');
    const body = '{"a": 1}';
    socket.write(
      `POST /remaining HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\nconnection: close\r\n\r\n`,
    );
    // The body takes longer than the function's whole timeout (1 s) to arrive.
    for (const c of body) {
      socket.write(c);
      await new Promise((r) => setTimeout(r, 200));
    }
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    await once(socket, 'close');
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    // (chunked or not: the JSON object in the answer's body)
    expect(JSON.parse(/\{"remaining":-?[0-9.]+\}/.exec(answer)![0]).remaining).toBeGreaterThan(0);
  });

  it('504 TIMEOUT past the integration timeout; 502 INTERNAL_ERROR past the function timeout (Lambda ends it first), for a crash or a malformed proxy response', async () => {
    const call = async (name: string) => {
      const res = await fetch(`${url}/${name}`, { method: 'POST', body: '{}' });
      return {
        status: res.status,
        cors: res.headers.get('access-control-allow-origin'),
        body: await res.json(),
      };
    };
    // A function whose timeout (5 s) is longer than the integration timeout (29 s on AWS, 2 s here): API Gateway's.
    expect(await call('slower')).toEqual({
      status: 504,
      cors: 'https://app.example',
      body: {
        code: 'TIMEOUT',
        message: GATEWAY_RESPONSES.INTEGRATION_TIMEOUT.message,
        requestId: expect.any(String),
      },
    });
    // Its own timeout (1 s) first: Lambda ends the invocation, API Gateway answers as for a crash.
    for (const name of ['slow', 'crash', 'malformed'])
      expect(await call(name)).toEqual({
        status: 502,
        cors: 'https://app.example',
        body: { code: 'INTERNAL_ERROR', message: 'Internal server error', requestId: expect.any(String) },
      });
  });
});

describe('local API Gateway: its address', () => {
  it('is a URL a client can use, an IPv6 host in brackets', async () => {
    const config = await loadServiceConfig('local');
    const gateway = new LocalApi({
      routes: httpRoutes(config),
      apiKey: 'k',
      stage: 'local',
      service: 'test',
    });
    try {
      const url = await gateway.listen(0, '::1');
      expect(url).toMatch(/^http:\/\/\[::1\]:\d+$/);
      // A client reaches it at that URL (without the brackets, fetch refuses the URL).
      await expect(fetch(`${url}/events`)).resolves.toBeInstanceOf(Response);
    } finally {
      await gateway.close(100);
    }
  });
});

describe('local API Gateway: a client that goes away', () => {
  it('is not an error of the lake: said in a line of its own, no stack, nothing answered', async () => {
    const config = await loadServiceConfig('local');
    const errors: string[] = [];
    const gone: unknown[] = [];
    const gateway = new LocalApi({
      routes: httpRoutes(config),
      apiKey: 'k',
      stage: 'local',
      service: 'test',
      onError: (e) => errors.push(e.message),
      onClientGone: (info) => gone.push(info),
    });
    const address = new URL(await gateway.listen(0));
    try {
      const socket = net.connect(Number(address.port), address.hostname);
      await once(socket, 'connect');
      socket.write(
        'POST /events HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\nContent-Length: 1000\r\n' +
          'x-api-key: k\r\n\r\n{"type":',
      );
      // Gone with most of its body unsent.
      socket.destroy();
      await until('the lake to notice', async () => (gone.length > 0 ? true : undefined), { intervalMs: 10 });
      expect(gone).toEqual([{ method: 'POST', url: '/events' }]);
      expect(errors).toEqual([]);
    } finally {
      await gateway.close(100);
    }
  });
});

describe('local API Gateway: a stop', () => {
  it('cuts a client that never finishes sending its body once the close grace has passed', async () => {
    const gateway = new LocalApi({ routes: [], apiKey: 'k', stage: 'local', service: 'test' });
    const address = new URL(await gateway.listen(0));
    const socket = net.connect(Number(address.port), address.hostname);
    await once(socket, 'connect');
    // A body announced and never sent whole (a slow or stuck client): Node stops timing requests once the server closes.
    socket.write('POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nx-api-key: k\r\n\r\n12345678');
    // The request is being read (here answered at once: no such route), the rest of its body still awaited.
    await once(socket, 'data');
    const ended = once(socket, 'close');
    await gateway.close(300);
    await ended;
    expect(socket.destroyed).toBe(true);
  });
});

describe('the resolved service definition (sls print, cached)', () => {
  it('follows LAKE_DIR: a start with it does not leave its folder to the starts without it', async () => {
    const before = process.env.LAKE_DIR;
    const lakeDirOf = (c: Awaited<ReturnType<typeof loadServiceConfig>>) =>
      Object.values(c.functions).map((f) => f.environment?.LAKE_DIR ?? c.provider.environment?.LAKE_DIR)[0];
    try {
      process.env.LAKE_DIR = '/tmp/another-lake-folder';
      expect(lakeDirOf(await loadServiceConfig('local'))).toBe('/tmp/another-lake-folder');
      delete process.env.LAKE_DIR;
      expect(lakeDirOf(await loadServiceConfig('local'))).toBe(path.join(projectRoot, '.lake'));
    } finally {
      if (before === undefined) delete process.env.LAKE_DIR;
      else process.env.LAKE_DIR = before;
    }
  }, 120_000);
});
