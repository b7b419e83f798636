/**
 * What a person sees (issue 12 §4): the lake in readable mode (LOG_FORMAT=pretty, what a terminal gets) prints one
 * short line per request, delivery, ETL execution and notice, and no JSON; then `npm run executions -- <name>`
 * summarises the real execution of a two-row file in a few lines, its full history behind --history.
 * (JSON mode — the default off a terminal — is what tests/system/shutdown.test.ts parses.)
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ExecutionRecord } from '../../lib/workflow/local';
import { killLaunch, launchLake, type LaunchedLake } from '../support/lake-launch';
import { tempLake } from '../support/raw-zone';
import { until } from '../support/until';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');
const KEY = 'readable-logs-key';
const ORDERS = [
  'order_id,customer_id,order_date,status,amount,currency,item_count,coupon,updated_at',
  'o-1,u-42,2026-11-20,paid,25.00,EUR,2,,2026-11-20T10:00:00Z',
  'o-2,u-42,2026-11-21,shipped,12.50,EUR,1,WELCOME,2026-11-21T09:00:00Z',
].join('\n');

const post = (lake: LaunchedLake, body: unknown) =>
  fetch(`${lake.url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEY },
    body: JSON.stringify(body),
  });

const executions = (lakeDir: string, ...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', 'local/cli/executions.ts', ...args], {
    cwd: root,
    env: { ...process.env, LAKE_DIR: lakeDir },
  });

it('prints one readable line per request, delivery, execution and notice; executions summarise', async () => {
  const lakeDir = await tempLake('readable');
  let lake: LaunchedLake | undefined;
  try {
    lake = await launchLake('node', {
      LAKE_DIR: lakeDir,
      LAKE_API_KEY: KEY,
      LOG_FORMAT: 'pretty',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      LAKE_UPLOADS_POLL_MS: '100',
      LAKE_FIREHOSE_BUFFER_SECONDS: '1',
    });
    const view = (over: object = {}) => ({
      type: 'page_view',
      data: { session_id: 'sess-0001', url: 'https://shop.example/' },
      ...over,
    });
    expect((await post(lake, { events: [view(), view()] })).status).toBe(202);
    expect((await post(lake, view({ data: { session_id: 'short' } }))).status).toBe(400);
    await fs.mkdir(path.join(lakeDir, 'raw', 'uploads', 'orders'), { recursive: true });
    await fs.writeFile(path.join(lakeDir, 'raw', 'uploads', 'orders', 'orders.csv'), ORDERS + '\n');

    const out = () => lake!.output();
    const execution = await until(
      'the ETL line',
      async () => /ETL (orders-\S+) SUCCEEDED$/m.exec(out())?.[1],
      {
        context: out,
      },
    );
    await until(
      'the delivery line',
      async () => (/ delivered \d+ records? to raw\//.test(out()) ? true : undefined),
      {
        context: out,
      },
    );
    lake.signal('SIGTERM');
    expect((await lake.exited).code).toBe(0);

    const lines = out().split('\n');
    expect(lines.filter((l) => l.startsWith('{'))).toEqual([]); // no JSON on a terminal
    const logLines = lines.filter((l) => /^\d\d:\d\d:\d\d /.test(l));
    const one = (re: RegExp) => expect(logLines.filter((l) => re.test(l))).toHaveLength(1);
    one(/^\d\d:\d\d:\d\d POST \/events 202 2 accepted \(\d+ ms\)$/);
    one(/^\d\d:\d\d:\d\d POST \/events 400 VALIDATION_FAILED \(\d+ ms\)$/);
    one(/^\d\d:\d\d:\d\d upload uploads\/orders\/orders\.csv → ETL orders-\S+$/);
    one(/^\d\d:\d\d:\d\d notice ETL_SUCCEEDED: .*\(uploads\/orders\/orders\.csv, 2 rows written\)$/);
    one(/^\d\d:\d\d:\d\d ETL orders-\S+ SUCCEEDED$/);
    one(
      /^\d\d:\d\d:\d\d delivered 2 records to raw\/events\/type=page_view\/\S+\.gz \(\d+(\.\d)? [KMG]?i?B\)$/,
    );
    one(/^\d\d:\d\d:\d\d stopped: every accepted event is delivered recordsDelivered=2 objectsDelivered=1$/);
    // The lines that repeat a request line are not printed.
    expect(out()).not.toContain('events accepted');

    // The execution of the two-row file, summarised: a few lines instead of its whole history.
    const summary = (await executions(lakeDir, execution)).stdout;
    expect(summary.split('\n').length).toBeLessThan(25);
    expect(summary).toMatch(/^ {2}Status {4}SUCCEEDED in \d+(\.\d)? m?s \(requested /m);
    expect(summary).toContain('  Input     uploads/orders/orders.csv (table orders, ');
    expect(summary).toMatch(/^ {12}RunEtlJob +Task +\d+(\.\d)? m?s$/m);
    expect(summary).toMatch(/^ {12}PublishSuccess +Task +\d+ ms$/m);
    expect(summary).toContain('  Waits     none');
    expect(summary).toContain(
      '  Result    2 rows read, 2 written, 0 rejected; orders: 2 partitions (dt=2026-11-20, dt=2026-11-21)',
    );
    const history = JSON.parse((await executions(lakeDir, execution, '--history')).stdout) as ExecutionRecord;
    expect(history.name).toBe(execution);
    expect(history.events!.length).toBeGreaterThan(10);
    expect(summary).toContain(
      `${history.events!.length} events: npm run executions -- ${execution} --history`,
    );
  } finally {
    killLaunch(lake);
    await fs.rm(lakeDir, { recursive: true, force: true });
  }
}, 90_000);
