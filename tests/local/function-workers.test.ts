/**
 * Function workers (local/function-workers.ts): the ingest function in worker threads, its delivery stream relayed
 * to the one local Firehose writer of the lake's thread. Real HTTP, real worker threads, a real write-ahead log.
 */
import { promises as fs } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseSegment } from '../../lib/firehose/local';
import { LocalFirehose } from '../../lib/firehose/local';
import { setEventStream } from '../../lib/firehose';
import { applyFunctionEnvironment } from '../../local/environment';
import { FunctionWorkers, functionWorkerCount, WORKER_FUNCTIONS } from '../../local/function-workers';
import { GATEWAY_RESPONSES, LocalApi } from '../../local/http-api';
import { httpRoutes, loadServiceConfig, type Route } from '../../local/service-config';
import { pageView } from '../support/api-event';
import { tempLake } from '../support/raw-zone';

const KEY = 'function-workers-test-key';
let lakeDir: string;
let stream: LocalFirehose;
let workers: FunctionWorkers;
let api: LocalApi;
let url: string;
const errors: Error[] = [];

/** Every record in the write-ahead segments (none is delivered: the buffer is an hour). */
async function walRecords(): Promise<{ id: string; type: string }[]> {
  const dir = stream.stateDir;
  const out: { id: string; type: string }[] = [];
  for (const f of (await fs.readdir(dir)).filter((n) => /\.(wal|sealed)$/.test(n)).sort())
    for (const r of parseSegment(await fs.readFile(path.join(dir, f))).records)
      out.push(JSON.parse(r.data) as { id: string; type: string });
  return out;
}

beforeAll(async () => {
  lakeDir = await tempLake('function-workers');
  process.env.LAKE_DIR = lakeDir;
  const config = await loadServiceConfig('local');
  applyFunctionEnvironment(config);
  const routes = httpRoutes(config);
  const ingest = routes.find((r) => r.functionName === 'ingest')!;
  // A second function in the workers, whose handler ends its thread.
  const exiting: Route = {
    ...ingest,
    functionName: 'exiting',
    resource: '/exit',
    fn: { ...ingest.fn, handler: 'tests/support/fixtures/exiting-handler.handler', events: [] },
  };
  stream = await LocalFirehose.open({
    lakeDir,
    streamName: 'fw-test',
    bufferBytes: 64 * 1024 * 1024,
    bufferIntervalMs: 3_600_000,
  });
  workers = await FunctionWorkers.start({
    routes: [ingest, exiting],
    size: 2,
    logFormat: 'json',
    stream: async () => stream,
    onError: (e) => errors.push(e),
  });
  api = new LocalApi({
    routes: [...routes, exiting],
    apiKey: KEY,
    stage: 'local',
    service: config.service,
    functions: workers,
  });
  url = await api.listen(0);
}, 120_000);

afterAll(async () => {
  await api?.close();
  await workers?.close();
  await stream?.close();
});

const post = async (p: string, body: string) => {
  const res = await fetch(`${url}${p}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEY },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('function workers', () => {
  it('run the functions whose only port is the delivery stream; LAKE_FUNCTION_WORKERS sizes the pool', () => {
    expect(WORKER_FUNCTIONS).toEqual(['ingest']);
    expect(functionWorkerCount({ LAKE_FUNCTION_WORKERS: '0' })).toBe(0);
    expect(functionWorkerCount({ LAKE_FUNCTION_WORKERS: '3' })).toBe(3);
    expect(functionWorkerCount({})).toBeGreaterThanOrEqual(1);
    expect(() => functionWorkerCount({ LAKE_FUNCTION_WORKERS: 'two' })).toThrow(/LAKE_FUNCTION_WORKERS/);
  });

  it('202 from a worker means the records are in the lake thread’s write-ahead log; each id once', async () => {
    const before = workers.stats.invoked;
    const commits = stream.stats.commits;
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        post(
          '/events',
          JSON.stringify({ events: [pageView({ id: `fw-${i}-a` }), pageView({ id: `fw-${i}-b` })] }),
        ),
      ),
    );
    for (const a of answers) expect(a.status).toBe(202);
    expect(workers.stats.invoked - before).toBe(20);
    // Written by the lake's writer (its group commits), not by a writer of the workers.
    expect(stream.stats.commits).toBeGreaterThan(commits);
    const ids = (await walRecords()).map((r) => r.id).sort();
    expect(ids).toEqual(answers.flatMap((a) => a.body.ids as string[]).sort());
    expect(new Set(ids).size).toBe(40);
    // One owner for the segments: the lake thread's writer (names start with this process's tag).
    const segs = (await fs.readdir(stream.stateDir)).filter((n) => n.endsWith('.wal'));
    expect(segs.length).toBe(1);
  });

  it('the request validator runs in the worker: a body that is not JSON is refused, nothing is written', async () => {
    const before = (await walRecords()).length;
    const res = await post('/events', '{"events": [');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(GATEWAY_RESPONSES.BAD_REQUEST_BODY.code);
    const invalid = await post('/events', JSON.stringify({ type: 'page_view', data: { session_id: 'x' } }));
    expect(invalid.status).toBe(400);
    expect(invalid.body.code).toBe('VALIDATION_FAILED');
    expect((await walRecords()).length).toBe(before);
  });

  it('a worker that dies fails its invocation with 502 and is replaced; the next requests are answered', async () => {
    const res = await post('/exit', '{}');
    expect(res.status).toBe(502);
    expect(res.body.code).toBe('INTERNAL_ERROR');
    for (let i = 0; i < 50 && workers.stats.replaced === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(workers.stats.replaced).toBe(1);
    expect(workers.size).toBe(2);
    const after = await Promise.all(
      [0, 1, 2, 3].map((i) => post('/events', JSON.stringify(pageView({ id: `fw-after-${i}` })))),
    );
    for (const a of after) expect(a.status).toBe(202);
    expect(errors.some((e) => /exited \(code 3\)/.test(e.message))).toBe(true);
  });
});

describe("the lake's thread as an execution environment of a client alone (idleLakeThread)", () => {
  let pool: FunctionWorkers;
  let gateway: LocalApi;
  let base: string;

  beforeAll(async () => {
    const config = await loadServiceConfig('local');
    const routes = httpRoutes(config);
    // The invocations in this thread write where the workers' puts go (FunctionWorkers.start checks it).
    setEventStream(stream);
    pool = await FunctionWorkers.start({
      routes: routes.filter((r) => WORKER_FUNCTIONS.includes(r.functionName)),
      size: 1,
      logFormat: 'json',
      stream: async () => stream,
      idleLakeThread: true,
    });
    gateway = new LocalApi({ routes, apiKey: KEY, stage: 'local', service: config.service, functions: pool });
    base = await gateway.listen(0);
  }, 120_000);

  afterAll(async () => {
    await gateway?.close();
    await pool?.close();
    setEventStream(undefined);
  });

  /** POSTs through `agent` (its sockets are the clients the gateway tells apart). */
  const postVia = (agent: http.Agent, body: string) =>
    new Promise<{ status: number; ids: string[] }>((resolve, reject) => {
      const req = http.request(
        `${base}/events`,
        { method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-api-key': KEY } },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () =>
            resolve({ status: res.statusCode!, ids: (JSON.parse(text).ids ?? []) as string[] }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  it('refuses to start when an invocation in this thread would write to another stream than the workers', async () => {
    const other = { putRecords: async () => ({ failed: [] }) };
    await expect(
      FunctionWorkers.start({
        routes: [],
        size: 1,
        logFormat: 'json',
        stream: async () => other,
        idleLakeThread: true,
      }),
    ).rejects.toThrow(/idleLakeThread/);
  });

  it('runs one client’s requests there, and concurrent clients’ in the worker; every 202 is in the write-ahead log', async () => {
    const one = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const many = new http.Agent({ keepAlive: true, maxSockets: 8 });
    try {
      const alone = [];
      for (let i = 0; i < 5; i++)
        alone.push(await postVia(one, JSON.stringify(pageView({ id: `alone-${i}` }))));
      expect(alone.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
      expect(pool.stats).toMatchObject({ inLakeThread: 5, invoked: 0 });

      const together = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          postVia(many, JSON.stringify(pageView({ id: `together-${i}` }))),
        ),
      );
      for (const a of together) expect(a.status).toBe(202);
      // Each of the 16 arrived while another client had just sent one (the first, too: `one` did).
      expect(pool.stats).toMatchObject({ inLakeThread: 5, invoked: 16 });

      const written = new Set((await walRecords()).map((r) => r.id));
      const answered = [...alone, ...together].flatMap((a) => a.ids);
      expect(answered).toHaveLength(21);
      for (const id of answered) expect(written.has(id)).toBe(true);
    } finally {
      one.destroy();
      many.destroy();
    }
  });
});
