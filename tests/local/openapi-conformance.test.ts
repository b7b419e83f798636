/**
 * The OpenAPI document against the API as it really answers: the local lake (npm start's entry point, a child
 * process) serves GET /openapi.json; the document must be valid OpenAPI 3.1; then every route is driven for its
 * success and for each error it really answers here, and every answer (status and body) is validated against the
 * document with ajv. A route, a status or an error code the document lacks fails; so does a documented route this
 * test does not drive (the document and the test cannot fall behind the API).
 */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ETL_STATE_MACHINE, writeRecord } from '../../lib/workflow/local';
import { startLakeProcess, type LakeProcess } from '../support/lake-process';
import { FAILED, localRecord } from '../support/execution-fixtures';
import { tempLake } from '../support/raw-zone';
import { until } from '../support/until';
import { lakeTables } from '../../lib/catalog/tables';
import { schemasInUseDir, writeSchemasInUse } from '../../local/schemas-in-use';

const KEY = 'conformance-key-0123456789';
const ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:data-lake-local-etl';
let lake: LakeProcess;
let lakeDir: string;
let doc: { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const driven = new Set<string>();

beforeAll(async () => {
  const dir = await tempLake('openapi');
  lakeDir = dir;
  // A failed execution to retry, and a file the uploads watcher quarantines.
  await writeRecord(
    dir,
    ETL_STATE_MACHINE,
    localRecord({ ...FAILED, input: { mode: 'replay', table: 'orders' } }, ARN),
  );
  await fs.mkdir(path.join(dir, 'raw', 'uploads', 'orders'), { recursive: true });
  await fs.writeFile(path.join(dir, 'raw', 'uploads', 'orders', 'broken.csv'), 'order_id,nonsense\n1,2\n');
  lake = await startLakeProcess({ LAKE_DIR: dir, LAKE_API_KEY: KEY, LAKE_UPLOADS_POLL_MS: '200' }, 120_000);
  const res = await fetch(`${lake.url}/openapi.json`);
  expect(res.status).toBe(200);
  doc = (await res.json()) as typeof doc;
  ajv.addSchema(doc, 'openapi');
}, 180_000);

afterAll(async () => {
  await lake?.kill('SIGTERM');
});

const pointer = (...parts: string[]) =>
  parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/** Sends a request and checks the answer against the document: route, status, then the body by its schema. */
async function call(
  method: string,
  template: string,
  opts: {
    path?: string;
    query?: string;
    body?: unknown;
    raw?: string;
    key?: string | null;
    contentType?: string;
    contentEncoding?: string;
  } = {},
) {
  const headers: Record<string, string> = {};
  if (opts.contentEncoding) headers['content-encoding'] = opts.contentEncoding;
  if (opts.key !== null) headers['x-api-key'] = opts.key ?? KEY;
  const body = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  if (body !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
  const res = await fetch(`${lake.url}${opts.path ?? template}${opts.query ? `?${opts.query}` : ''}`, {
    method,
    headers,
    body,
  });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as Record<string, unknown>) : null;
  const m = method.toLowerCase();
  const op = doc.paths[template]?.[m];
  expect({ route: `${method} ${template}`, documented: !!op }).toEqual({
    route: `${method} ${template}`,
    documented: true,
  });
  const where = `${method} ${template} ${res.status} ${typeof json?.code === 'string' ? json.code : ''}`;
  expect({ where, documented: String(res.status) in op!.responses }).toEqual({ where, documented: true });
  // The headers a client reads are documented where they are sent.
  const documentedHeaders = (op!.responses[String(res.status)] as { headers?: Record<string, unknown> })
    .headers;
  for (const header of ['retry-after', 'x-correlation-id'])
    if (res.headers.has(header))
      expect({ where, header, documented: !!documentedHeaders?.[header] }).toEqual({
        where,
        header,
        documented: true,
      });
  const validate = ajv.getSchema(
    `openapi#/${pointer('paths', template, m, 'responses', String(res.status), 'content', 'application/json', 'schema')}`,
  )!;
  const ok = validate(json);
  expect({ where, body: json, errors: ok ? null : validate.errors }).toEqual({
    where,
    body: json,
    errors: null,
  });
  driven.add(`${method} ${template}`);
  return { status: res.status, body: json as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1', async () => {
    // The validator is an ES module: run in a Node process of its own (jest here loads CommonJS).
    const script =
      "import('@seriousme/openapi-schema-validator').then(async ({ Validator }) => " +
      'process.stdout.write(JSON.stringify(await new Validator().validate(JSON.parse(process.argv[1])))))';
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script, JSON.stringify(doc)], {
      cwd: path.resolve(__dirname, '../..'),
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(JSON.parse(stdout)).toEqual({ valid: true });
    await call('GET', '/openapi.json', { key: null });
  });

  it('names this lake as its local server, and bounds what POST /queries takes as the function does', async () => {
    const d = doc as unknown as {
      servers: { url: string }[];
      components: { schemas: { QueryRequest: { properties: { wait: { maximum: number } } } } };
    };
    expect(d.servers[0]!.url).toBe(lake.url.replace(/\/$/, ''));
    expect(d.components.schemas.QueryRequest.properties.wait.maximum).toBe(20);
    const over = await call('POST', '/queries', { body: { sql: 'SELECT 1', wait: 21 } });
    expect(over).toMatchObject({ status: 400 });
  });

  it('documents POST /events: accepted, invalid events, bad JSON, wrong media type, the body model, no key', async () => {
    expect(
      (
        await call('POST', '/events', {
          body: { type: 'page_view', data: { session_id: 'sess-0001', url: 'https://x.example/' } },
        })
      ).status,
    ).toBe(202);
    expect(
      (await call('POST', '/events', { body: { type: 'page_view', data: { session_id: 'short' } } })).body
        .code,
    ).toBe('VALIDATION_FAILED');
    expect((await call('POST', '/events', { raw: '{"type":' })).body.code).toBe('INVALID_BODY');
    expect((await call('POST', '/events', { raw: '{}', contentType: 'text/plain' })).body.code).toBe(
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expect((await call('POST', '/events', { body: { events: [] } })).body.code).toBe('INVALID_BODY');
    expect((await call('POST', '/events', { body: { events: new Array(501).fill({}) } })).body.code).toBe(
      'TOO_MANY_EVENTS',
    );
    expect((await call('POST', '/events', { body: {}, key: null })).body.code).toBe('FORBIDDEN');
    // An array of events is refused, and the body model says so.
    const events = [{ type: 'page_view', data: { session_id: 'sess-0001', url: 'https://x.example/' } }];
    expect((await call('POST', '/events', { body: events })).body.code).toBe('INVALID_BODY');
    expect(ajv.getSchema('openapi#/components/schemas/IngestBody')!(events)).toBe(false);
    expect(ajv.getSchema('openapi#/components/schemas/IngestBody')!({ events })).toBe(true);
    // No route lists a 405: the gateway routes the declared methods only and answers any other itself.
    const statuses = Object.values(doc.paths).flatMap((ops) =>
      Object.values(ops as Record<string, { responses: object }>).flatMap((op) => Object.keys(op.responses)),
    );
    expect(statuses).not.toContain('405');
  });

  it('documents the query routes and GET /tables', async () => {
    const q = await call('POST', '/queries', { body: { sql: 'SELECT 1 AS one', wait: 20 } });
    expect({
      status: q.status,
      body: q.body,
      out: q.status === 200 ? '' : lake.output().slice(-1500),
    }).toMatchObject({ status: 200 });
    const id = String(q.body.id);
    expect((await call('POST', '/queries', { body: { sql: 'DROP TABLE orders' } })).body.code).toBe(
      'QUERY_NOT_ALLOWED',
    );
    expect((await call('POST', '/queries', { body: { sql: 'SELECT 1', wait: -1 } })).body.code).toBe(
      'INVALID_PARAMETER',
    );
    expect((await call('POST', '/queries', { body: { sql: 'SELECT 1' }, key: null })).body.code).toBe(
      'UNAUTHORIZED',
    );
    expect((await call('POST', '/queries', { body: { sql: 'SELECT 1' }, key: 'wrong' })).body.code).toBe(
      'FORBIDDEN',
    );
    // Accepted and not finished yet (wait 0): 202, completedAt null.
    const slow = await call('POST', '/queries', {
      body: {
        sql: 'SELECT count(*) FROM UNNEST(sequence(1, 10000)) AS a(x) CROSS JOIN UNNEST(sequence(1, 3000)) AS b(y)',
        wait: 0,
      },
    });
    expect(slow.status).toBe(202);
    expect(slow.body.completedAt).toBeNull();
    expect((await call('GET', '/queries/{id}', { path: '/queries/not-a-uuid' })).body.code).toBe(
      'INVALID_PARAMETER',
    );
    expect((await call('DELETE', '/queries/{id}', { path: '/queries/not-a-uuid' })).body.code).toBe(
      'INVALID_PARAMETER',
    );
    const other = '00000000-0000-4000-8000-000000000000';
    expect((await call('GET', '/queries/{id}', { path: `/queries/${id}` })).status).toBe(200);
    expect((await call('GET', '/queries/{id}', { path: `/queries/${other}` })).body.code).toBe(
      'QUERY_NOT_FOUND',
    );
    expect((await call('GET', '/queries/{id}/results', { path: `/queries/${id}/results` })).status).toBe(200);
    expect(
      (await call('GET', '/queries/{id}/results', { path: `/queries/${id}/results`, query: 'maxRows=0' }))
        .body.code,
    ).toBe('INVALID_PARAMETER');
    expect(
      (await call('GET', '/queries/{id}/results', { path: `/queries/${other}/results` })).body.code,
    ).toBe('QUERY_NOT_FOUND');
    expect((await call('DELETE', '/queries/{id}', { path: `/queries/${id}` })).body.code).toBe(
      'QUERY_ALREADY_FINISHED',
    );
    expect((await call('DELETE', '/queries/{id}', { path: `/queries/${other}` })).body.code).toBe(
      'QUERY_NOT_FOUND',
    );
    expect((await call('GET', '/tables')).status).toBe(200);
    expect((await call('GET', '/tables', { query: 'x=1' })).body.code).toBe('INVALID_PARAMETER');
    // A body in an encoding the API's payload compression does not decode: API Gateway's 415, on any route.
    expect(
      (await call('DELETE', '/queries/{id}', { path: `/queries/${id}`, raw: 'x', contentEncoding: 'br' }))
        .body.code,
    ).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('documents the execution routes', async () => {
    const started = await call('POST', '/executions', { body: { mode: 'replay', table: 'orders' } });
    expect(started.status).toBe(202);
    expect((await call('POST', '/executions', { body: { mode: 'replay', table: 'nope' } })).body.code).toBe(
      'UNKNOWN_TABLE',
    );
    expect(
      (await call('POST', '/executions', { body: { mode: 'compact', table: 'orders' } })).body.code,
    ).toBe('INVALID_PARAMETER');
    expect((await call('POST', '/executions', { body: ['replay'] })).body.code).toBe('INVALID_BODY');
    // schemas/ holding a change the lake refused (here: against a version in use with item_count as text): no
    // replay or rebuild starts, as `npm run replay` refuses it (lib/catalog/refused-edits.ts).
    const record = path.join(schemasInUseDir(lakeDir), 'orders.json');
    const kept = await fs.readFile(record, 'utf8');
    const orders = lakeTables().find((t) => t.name === 'orders')!;
    writeSchemasInUse(lakeDir, [
      {
        ...orders,
        columns: orders.columns.map((c) => (c.name === 'item_count' ? { ...c, type: 'string' as const } : c)),
      },
    ]);
    try {
      const refused = await call('POST', '/executions', { body: { mode: 'rebuild', table: 'orders' } });
      expect(refused).toMatchObject({ status: 409, body: { code: 'SCHEMAS_REFUSED' } });
      expect(refused.body.message).toMatch(
        /^schemas\/ has changes that are not safe:\n {2}REFUSED .*item_count/,
      );
    } finally {
      await fs.writeFile(record, kept);
    }
    expect((await call('POST', '/executions', { raw: 'not json' })).body.code).toBe('INVALID_BODY');
    expect((await call('GET', '/executions')).body.executions.length).toBeGreaterThanOrEqual(2);
    expect((await call('GET', '/executions', { query: 'status=NOPE' })).body.code).toBe('INVALID_PARAMETER');
    const one = await call('GET', '/executions/{name}', { path: `/executions/${started.body.name}` });
    expect(one.body.definition).toMatchObject({ StartAt: expect.any(String) });
    expect((await call('GET', '/executions/{name}', { path: '/executions/nope' })).body.code).toBe(
      'EXECUTION_NOT_FOUND',
    );
    expect(
      (await call('POST', '/executions/{name}/retry', { path: `/executions/${FAILED.name}/retry` })).status,
    ).toBe(202);
    expect(
      (await call('POST', '/executions/{name}/retry', { path: `/executions/${started.body.name}/retry` }))
        .body.code,
    ).toBe('EXECUTION_NOT_RETRYABLE');
    expect(
      (await call('POST', '/executions/{name}/retry', { path: '/executions/nope/retry' })).body.code,
    ).toBe('EXECUTION_NOT_FOUND');
  }, 60_000);

  it('documents the quarantine and the ingest statistics', async () => {
    await until(
      'the quarantined upload',
      async () =>
        ((await call('GET', '/uploads/quarantine')).body.items as unknown[]).length ? true : undefined,
      { timeoutMs: 30_000, context: () => lake.output() },
    );
    const q = await call('GET', '/uploads/quarantine');
    expect(q.body.items[0]).toMatchObject({ dataset: 'orders', reason: { code: 'HEADER_MISMATCH' } });
    expect((await call('GET', '/uploads/quarantine', { query: 'limit=500' })).body.code).toBe(
      'INVALID_PARAMETER',
    );
    // The ingest function may run in a worker thread (local/function-workers.ts): its counts are appended within
    // lib/ingest-stats/local-store.ts FLUSH_MS.
    await until(
      'the ingest counts',
      async () =>
        (await call('GET', '/ingest/stats', { query: 'hours=1' })).body.series.length ? true : undefined,
      { timeoutMs: 10_000 },
    );
    expect((await call('GET', '/ingest/stats', { query: 'hours=0' })).body.code).toBe('INVALID_PARAMETER');
  }, 60_000);

  it('has no route this test did not drive', () => {
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect([...driven].sort()).toEqual(documented.sort());
  });
});
