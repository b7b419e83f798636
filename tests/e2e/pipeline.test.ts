/**
 * The whole local lake, as a user runs it (`npm start` in a child process): events posted over HTTP and a CSV and a
 * broken file dropped into raw/uploads/ go through validateUpload → the ETL state machine → the DuckDB Glue runner
 * into curated Parquet, the schedule's compaction turns the streamed events into tables, and the query API reads
 * exactly the expected rows back.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { isFinal, listExecutions, type ExecutionRecord } from '../../lib/workflow/local';
import { startLakeProcess, type LakeProcess } from '../support/lake-process';
import { queryClient } from '../support/query-client';
import { deliveredRecords, tempLake } from '../support/raw-zone';
import { until as waitUntil } from '../support/until';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');
const KEY = 'e2e-key';

let lake: LakeProcess;
let lakeDir: string;

const until = <T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000) =>
  waitUntil(what, fn, { timeoutMs, context: () => lake?.output() ?? '' });

const executions = () => listExecutions(lakeDir);
type Execution = ExecutionRecord & { input: { mode?: string } };

const finished = (e: ExecutionRecord) => isFinal(e.status);

async function api(method: string, url: string, body?: unknown) {
  const res = await fetch(`${lake.url}${url}`, {
    method,
    headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const query = (sql: string) => queryClient(() => lake.url, KEY).objects(sql);

beforeAll(async () => {
  lakeDir = await tempLake('e2e');
  lake = await startLakeProcess({
    LAKE_DIR: lakeDir,
    LAKE_API_KEY: KEY,
    LAKE_FIREHOSE_BUFFER_SECONDS: '1',
    LAKE_UPLOADS_POLL_MS: '200',
    LAKE_COMPACTION_INTERVAL_SECONDS: '0', // compaction on demand below
  });
}, 120_000);

afterAll(async () => {
  if (lake) expect(await lake.kill('SIGTERM')).toBe(0);
});

const ORDERS_HEADER = 'order_id,customer_id,order_date,status,amount,currency,item_count,coupon,updated_at';

it('takes events and files from the raw zone to curated tables and answers queries over them', async () => {
  // 1. Stream events, one id twice (a client retry).
  const events = [
    {
      type: 'page_view',
      id: 'pv-1',
      occurred_at: '2026-11-20T10:00:00Z',
      data: { session_id: 'sess-0001', url: 'https://shop.example/a', duration_ms: 1000 },
    },
    {
      type: 'page_view',
      id: 'pv-2',
      occurred_at: '2026-11-20T11:00:00Z',
      data: { session_id: 'sess-0001', url: 'https://shop.example/b', duration_ms: 3000 },
    },
    {
      type: 'page_view',
      id: 'pv-3',
      occurred_at: '2026-11-21T09:00:00Z',
      data: { session_id: 'sess-0002', url: 'https://shop.example/a' },
    },
    {
      type: 'signup',
      id: 'su-1',
      occurred_at: '2026-11-21T09:30:00Z',
      data: { user_id: 'c-1', email: 'ada@example.com', plan: 'pro' },
    },
  ];
  expect((await api('POST', '/events', { events })).status).toBe(202);
  expect((await api('POST', '/events', events[0])).status).toBe(202); // the same pv-1 again

  // 2. Drop a CSV with one bad row, the same CSV again under another name, and a broken file.
  const uploads = path.join(lakeDir, 'raw', 'uploads', 'orders');
  await fs.mkdir(uploads, { recursive: true });
  // 40 good rows and one bad one: under the dataset's 5% rejected-rows threshold, so the file is curated and
  // the bad row goes to the rejected output.
  const rows = [
    'o-1,c-1,2026-11-20,paid,10.50,EUR,1,,2026-11-20T10:00:00Z',
    'o-2,c-1,2026-11-21,shipped,20,EUR,2,WELCOME,2026-11-21T10:00:00Z',
    'o-3,c-2,2026-11-21,paid,5.25,USD,1,,2026-11-21T11:00:00Z',
  ];
  for (let i = 4; i <= 40; i++) rows.push(`o-${i},c-9,2026-11-22,paid,1,EUR,1,,2026-11-22T08:00:00Z`);
  rows.splice(20, 0, 'o-bad,c-2,2026-11-22,paid,not-a-number,USD,1,,2026-11-22T11:00:00Z');
  const csv = [ORDERS_HEADER, ...rows].join('\n');
  // Copied in place the way a user's `cp` does it: write elsewhere, then move in.
  const stage = path.join(lakeDir, 'stage.csv');
  await fs.writeFile(stage, csv + '\n');
  await fs.rename(stage, path.join(uploads, 'orders-2026-11-22.csv'));
  await fs.writeFile(path.join(uploads, 'broken.csv'), 'order_id,nonsense\nx,y\n');

  const fileRun = await until('the orders ETL execution', async () => {
    return ((await executions()) as Execution[]).find((x) => x.input.mode === 'file' && finished(x));
  });
  expect(fileRun.status).toBe('SUCCEEDED');

  // The broken file is quarantined with its reason, and nothing of it reached curated.
  const reason = await until('the quarantine reason', async () => {
    const day = new Date().toISOString().slice(0, 10);
    const file = path.join(lakeDir, 'raw', 'quarantine', day, 'orders', 'broken.csv.reason.json');
    return fs.readFile(file, 'utf8').then(
      (t) => JSON.parse(t) as { code: string },
      () => undefined,
    );
  });
  expect(reason.code).toBe('HEADER_MISMATCH');
  await expect(fs.access(path.join(uploads, 'broken.csv'))).rejects.toThrow();

  // The same content again under another name: a second run, no duplicate rows.
  await fs.writeFile(stage, csv + '\n');
  await fs.rename(stage, path.join(uploads, 'orders-again.csv'));
  await until('the second orders execution', async () => {
    const runs = ((await executions()) as Execution[]).filter((x) => x.input.mode === 'file' && finished(x));
    return runs.length >= 2 ? runs : undefined;
  });

  // 3. Compaction of the streamed events (what the schedule runs), once the stream has delivered them.
  await until('delivery of the events into the raw zone', async () => {
    const ids = (await deliveredRecords(lakeDir)).map((r) => r.id);
    return ids.length >= 5 ? ids : undefined;
  });
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'local/cli/compact.ts'], {
    cwd: root,
    env: { ...process.env, LAKE_DIR: lakeDir, POWERTOOLS_LOG_LEVEL: 'WARN' },
  });
  expect(stdout).toMatch(/SUCCEEDED/);

  // 4. Queries through the API read exactly what went in.
  expect(await query('SELECT event_id, event_date, duration_ms FROM page_view ORDER BY event_id')).toEqual([
    { event_id: 'pv-1', event_date: '2026-11-20', duration_ms: 1000 },
    { event_id: 'pv-2', event_date: '2026-11-20', duration_ms: 3000 },
    { event_id: 'pv-3', event_date: '2026-11-21', duration_ms: null },
  ]);
  expect(
    await query(
      "SELECT order_id, amount, item_count, dt FROM orders WHERE order_id IN ('o-1', 'o-2', 'o-3') ORDER BY order_id",
    ),
  ).toEqual([
    { order_id: 'o-1', amount: 10.5, item_count: 1, dt: '2026-11-20' },
    { order_id: 'o-2', amount: 20, item_count: 2, dt: '2026-11-21' },
    { order_id: 'o-3', amount: 5.25, item_count: 1, dt: '2026-11-21' },
  ]);
  // Each order once although the file was loaded twice; the bad row is not there.
  expect(
    await query('SELECT count(*) AS n, count(DISTINCT order_id) AS ids, sum(amount) AS total FROM orders'),
  ).toEqual([{ n: 40, ids: 40, total: 10.5 + 20 + 5.25 + 37 }]);
  expect(
    await query(
      "SELECT s.user_id, count(o.order_id) AS orders FROM signup s JOIN orders o ON o.customer_id = s.user_id WHERE o.dt >= '2026-11-20' GROUP BY s.user_id",
    ),
  ).toEqual([{ user_id: 'c-1', orders: 2 }]);

  // The bad row is in the rejected store (lake_rejected, through the query API) with its reason and raw values;
  // notifications were sent for each outcome.
  const rejected = (await query(
    "SELECT reason, raw_record FROM lake_rejected WHERE table_name = 'orders'",
  )) as { reason: string; raw_record: string }[];
  expect(
    rejected.length >= 1 &&
      rejected.every(
        (r) =>
          (JSON.parse(r.raw_record) as { order_id: string }).order_id === 'o-bad' &&
          /amount: not a number/.test(r.reason),
      ),
  ).toBe(true);
  const notices = (await fs.readFile(path.join(lakeDir, 'notifications.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string });
  const kinds = notices.map((n) => n.kind);
  expect(kinds).toContain('UPLOAD_QUARANTINED');
  expect(kinds.filter((k) => k === 'ETL_SUCCEEDED').length).toBeGreaterThanOrEqual(3);
}, 240_000);
