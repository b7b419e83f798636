/** The query API through the local runtime (real HTTP, local API Gateway, DuckDB over a temporary lake). */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { lakeTables } from '../../lib/catalog/tables';
import { applyFunctionEnvironment } from '../../local/environment';
import type { RunningLake } from '../../local/lake';
import { loadServiceConfig, type ServiceConfig } from '../../local/service-config';
import { tempLake } from '../support/raw-zone';

let lake: RunningLake;
let lakeDir: string;
let config: ServiceConfig;

async function startLake(): Promise<RunningLake> {
  const { startLocalLake } = await import('../../local/lake');
  return startLocalLake({ config, stage: 'local', port: 0, accessLog: false });
}

beforeAll(async () => {
  lakeDir = await tempLake('query-http');
  process.env.LAKE_DIR = lakeDir;
  delete process.env.LAKE_API_KEY;
  // Curated data as the ETL writes it: one Parquet file per partition.
  const writer = await (await DuckDBInstance.create(':memory:')).connect();
  const pv = lakeTables().find((t) => t.name === 'page_view')!;
  for (const day of ['2024-03-01', '2024-03-02']) {
    const dir = path.join(lakeDir, 'curated', pv.prefix, `event_date=${day}`);
    await fs.mkdir(dir, { recursive: true });
    await writer.run(`COPY (
      SELECT 'pv-${day}-' || lpad(CAST(i AS VARCHAR), 3, '0') AS event_id,
             TIMESTAMP '${day} 09:00:00' + to_seconds(i) AS occurred_at,
             TIMESTAMP '${day} 09:00:01' + to_seconds(i) AS received_at,
             'sess-' || (i % 3) AS session_id, NULL::VARCHAR AS user_id, 'https://shop.example/p/' || i AS url,
             NULL::VARCHAR AS referrer, NULL::VARCHAR AS title, NULL::VARCHAR AS user_agent,
             CAST(i AS BIGINT) AS duration_ms, NULL::VARCHAR AS viewport
      FROM range(120) t(i)) TO '${path.join(dir, 'part-0.parquet')}' (FORMAT parquet)`);
  }
  config = await loadServiceConfig('local');
  applyFunctionEnvironment(config);
  lake = await startLake();
}, 120_000);

afterAll(async () => {
  await lake?.stop();
});

async function api(method: string, route: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${lake.url}${route}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-api-key': lake.apiKey, ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

async function until(id: string, state: string) {
  for (let i = 0; i < 300; i++) {
    const res = await api('GET', `/queries/${id}`);
    if (res.body.state === state) return res;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`query ${id} did not reach ${state}`);
}

describe('local runtime: /queries over HTTP', () => {
  it('requires the API key on the IAM-authorised routes: 401 without, 403 with a wrong one', async () => {
    const missing = await fetch(`${lake.url}/queries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sql: 'SELECT 1' }),
    });
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { code: string }).code).toBe('UNAUTHORIZED');
    const wrong = await api('GET', '/queries/00000000-0000-4000-8000-000000000000', undefined, {
      'x-api-key': 'nope',
    });
    expect([wrong.status, wrong.body.code]).toEqual([403, 'FORBIDDEN']);
  });

  it('POST → 202 with the id; GET shows it finish; GET results pages typed rows', async () => {
    const started = await api('POST', '/queries', {
      sql: "SELECT event_id, duration_ms, user_id, occurred_at FROM page_view WHERE event_date = '2024-03-02' ORDER BY event_id",
    });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      state: expect.stringMatching(/QUEUED|RUNNING/),
    });
    expect(started.headers.get('location')).toBe(`queries/${started.body.id}`);
    const done = await until(started.body.id, 'SUCCEEDED');
    expect(done.body).toMatchObject({
      id: started.body.id,
      engine: 'duckdb',
      submittedAt: expect.any(String),
      completedAt: expect.any(String),
      dataScannedBytes: expect.any(Number),
      engineTimeMs: expect.any(Number),
    });
    expect(done.body.dataScannedBytes).toBeGreaterThan(0);

    const first = await api('GET', `/queries/${started.body.id}/results?maxRows=100`);
    expect(first.status).toBe(200);
    expect(first.body.columns).toEqual([
      { name: 'event_id', type: 'varchar' },
      { name: 'duration_ms', type: 'bigint' },
      { name: 'user_id', type: 'varchar' },
      { name: 'occurred_at', type: 'timestamp' },
    ]);
    expect(first.body.rows[0]).toEqual(['pv-2024-03-02-000', 0, null, '2024-03-02 09:00:00.000']);
    expect(first.body.rows).toHaveLength(100);
    const second = await api(
      'GET',
      `/queries/${started.body.id}/results?maxRows=100&nextToken=${encodeURIComponent(first.body.nextToken)}`,
    );
    expect(second.body.rows).toHaveLength(20);
    expect(second.body.rows[19][0]).toBe('pv-2024-03-02-119');
    expect(second.body.nextToken).toBeNull();
  });

  it('POST with wait → 200 with the first page', async () => {
    const res = await api('POST', '/queries', {
      sql: 'SELECT event_date, count(*) AS views, 7 / 2 AS trino_division FROM page_view GROUP BY event_date ORDER BY event_date',
      wait: 10,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      state: 'SUCCEEDED',
      columns: [
        { name: 'event_date', type: 'varchar' },
        { name: 'views', type: 'bigint' },
        { name: 'trino_division', type: 'integer' },
      ],
      rows: [
        ['2024-03-01', 120, 3],
        ['2024-03-02', 120, 3],
      ],
      nextToken: null,
    });
  });

  it('POST with wait on a failing query → 200 with state FAILED and the reason', async () => {
    const res = await api('POST', '/queries', { sql: 'SELECT nope FROM page_view', wait: 10 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'FAILED', reason: expect.stringMatching(/nope/) });
    const results = await api('GET', `/queries/${res.body.id}/results`);
    expect([results.status, results.body.code, results.body.state]).toEqual([
      409,
      'QUERY_NOT_SUCCEEDED',
      'FAILED',
    ]);
  });

  it('400 QUERY_NOT_ALLOWED with the reason', async () => {
    for (const [sql, reason] of [
      ['DROP TABLE page_view', /DDL/],
      ["SELECT * FROM read_csv('/etc/passwd')", /read_csv/],
      ['SELECT 1; SELECT 2', /one statement/],
      ['SELECT * FROM other_db.page_view', /other_db/],
    ] as const) {
      const res = await api('POST', '/queries', { sql });
      expect([res.status, res.body.code]).toEqual([400, 'QUERY_NOT_ALLOWED']);
      expect(res.body.reason).toMatch(reason);
    }
  });

  it('400 for bad parameters, 404 for an unknown id', async () => {
    expect((await api('POST', '/queries', { sql: 'SELECT 1', wait: -1 })).body).toMatchObject({
      code: 'INVALID_PARAMETER',
      field: 'wait',
    });
    // Not JSON: refused by the request validator (API Gateway's, emulated locally) before the function runs.
    expect((await api('POST', '/queries', '{"sql": ')).body.code).toBe('INVALID_BODY');
    const badId = await api('GET', '/queries/not-a-uuid');
    expect([badId.status, badId.body.code, badId.body.field]).toEqual([400, 'INVALID_PARAMETER', 'id']);
    const unknown = await api('GET', '/queries/00000000-0000-4000-8000-000000000000/results');
    expect([unknown.status, unknown.body.code]).toEqual([404, 'QUERY_NOT_FOUND']);
    expect((await api('DELETE', '/queries/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    // SQL over its limit: refused by the guard naming the limit; a body too large even for that, naming it too.
    const long = await api('POST', '/queries', { sql: `SELECT '${'x'.repeat(70_000)}'` });
    expect([long.status, long.body.code, long.body.field]).toEqual([400, 'INVALID_PARAMETER', 'sql']);
    expect(long.body.message).toMatch(/at most 65536/);
    const huge = await api('POST', '/queries', { sql: `SELECT '${'x'.repeat(140_000)}'` });
    expect(huge.status).toBe(413);
    expect(huge.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', field: 'sql', maxSqlBytes: 65536 });
    expect(huge.body.message).toMatch(/a query's SQL may be at most 65536 bytes \(QUERY_MAX_SQL_BYTES\)/);
  });

  it('cuts a page to what a response carries (Lambda: 6 MB), going on from there; one row over it is 409', async () => {
    const wide = await api('POST', '/queries', {
      sql: "SELECT x, lpad('', 10000, 'x') AS pad FROM UNNEST(sequence(1, 1000)) AS t(x) ORDER BY x",
      wait: 20,
      maxRows: 1,
    });
    expect(wide.body.state).toBe('SUCCEEDED');
    const seen: number[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const res = await fetch(
        `${lake.url}/queries/${wide.body.id}/results?maxRows=1000${token ? `&nextToken=${encodeURIComponent(token)}` : ''}`,
        { headers: { 'x-api-key': lake.apiKey } },
      );
      const text = await res.text();
      expect(res.status).toBe(200);
      // The proxy response holds the body as a string: within 6 MB so.
      expect(Buffer.byteLength(JSON.stringify(text))).toBeLessThanOrEqual(6 * 1024 * 1024);
      const page = JSON.parse(text) as { rows: [number, string][]; nextToken: string | null };
      seen.push(...page.rows.map((r) => r[0]));
      token = page.nextToken;
      pages++;
    } while (token);
    expect(pages).toBeGreaterThan(1);
    expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));

    const huge = await api('POST', '/queries', { sql: "SELECT lpad('', 7000000, 'x') AS v", wait: 20 });
    expect(huge.status).toBe(409);
    expect(huge.body).toMatchObject({ code: 'ROW_TOO_LARGE', limit: 6 * 1024 * 1024 - 16 * 1024 });
    // A row no response could carry is refused once four times the limit of it is read, not read whole (a 100 MB
    // row took the function past its 28 s: a 500).
    const giant = await api('POST', '/queries', { sql: "SELECT lpad('', 60000000, 'x') AS v", wait: 20 });
    expect(giant.status).toBe(409);
    expect(giant.body).toMatchObject({
      code: 'ROW_TOO_LARGE',
      message: expect.stringMatching(
        /^a row of query \S+ is more than \d+ bytes as JSON: a response carries at most/,
      ),
    });
    expect(giant.body.bytes).toBeLessThan(60_000_000);
  });

  it('DELETE cancels a running query; 409 once it has finished', async () => {
    const started = await api('POST', '/queries', {
      sql: 'SELECT count(*) FROM page_view a, page_view b, page_view c, page_view d',
    });
    await until(started.body.id, 'RUNNING');
    const cancelled = await api('DELETE', `/queries/${started.body.id}`);
    expect([cancelled.status, cancelled.body.state]).toEqual([200, 'CANCELLED']);
    const again = await api('DELETE', `/queries/${started.body.id}`);
    expect([again.status, again.body.code]).toEqual([409, 'QUERY_ALREADY_FINISHED']);
  });

  it('a finished query can be read after the lake restarts', async () => {
    const res = await api('POST', '/queries', {
      sql: 'SELECT count(DISTINCT session_id) AS sessions FROM page_view',
      wait: 10,
    });
    expect(res.body.rows).toEqual([[3]]);
    await lake.stop();
    lake = await startLake();
    const status = await api('GET', `/queries/${res.body.id}`);
    expect(status.body).toMatchObject({ state: 'SUCCEEDED', dataScannedBytes: res.body.dataScannedBytes });
    const page = await api('GET', `/queries/${res.body.id}/results`);
    expect(page.body).toMatchObject({ columns: [{ name: 'sessions', type: 'bigint' }], rows: [[3]] });
  });
});
