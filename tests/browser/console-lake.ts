/**
 * A real local lake for the console's browser tests (and the screenshots in docs/console/): `npm start`'s entry
 * point in a child process on a temporary lake, filled the way users fill it — events posted (and one refused), a
 * good, a broken and a mostly-good upload dropped, `npm run compact` run — and left until every execution ended.
 * What it put in is returned, for the tests to compare the page with.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { startLakeProcess, type LakeProcess } from '../support/lake-process';
import { tempLake } from '../support/raw-zone';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');

export const CONSOLE_TEST_KEY = 'console-browser-test-key-0123456789';

const ORDERS_HEADER = 'order_id,customer_id,order_date,status,amount,currency,item_count,coupon,updated_at';

export interface ConsoleLake {
  proc: LakeProcess;
  lakeDir: string;
  /** Signups posted per plan. */
  signupsByPlan: Record<string, number>;
  /** The file refused by validateUpload (quarantined) and the code it must be refused with. */
  quarantined: { file: string; code: string };
  /** The file whose execution fails (rejected rows above the threshold) and the state it fails in. */
  failing: { key: string; failedState: string };
  /** A file execution that failed with nothing of its file loaded (a retry may run it again). */
  unreadable: { key: string };
}

/** `npm run <script> -- args` against the lake (as schema-evolution.test.ts runs them): exit code and output. */
export async function npmRun(lakeDir: string, script: string, ...args: string[]): Promise<string> {
  const scripts = JSON.parse(await fs.readFile(path.join(root, 'package.json'), 'utf8')).scripts;
  const [, ...nodeArgs] = (scripts[script] as string).split(' ');
  const r = await run(process.execPath, [...nodeArgs, ...args], {
    cwd: root,
    env: { ...process.env, LAKE_DIR: lakeDir },
    timeout: 300_000,
  });
  return r.stdout + r.stderr;
}

async function postEvents(url: string, events: unknown[]): Promise<number> {
  const res = await fetch(`${url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': CONSOLE_TEST_KEY },
    body: JSON.stringify({ events }),
  });
  await res.text();
  return res.status;
}

async function drop(lakeDir: string, dataset: string, file: string, text: string): Promise<void> {
  const dir = path.join(lakeDir, 'raw', 'uploads', dataset);
  await fs.mkdir(dir, { recursive: true });
  // Written beside, then renamed: the watcher never sees a half-written file.
  await fs.writeFile(path.join(dir, `.${file}.tmp`), text);
  await fs.rename(path.join(dir, `.${file}.tmp`), path.join(dir, file));
}

export async function startConsoleLake(): Promise<ConsoleLake> {
  const lakeDir = await tempLake('console');
  const proc = await startLakeProcess(
    {
      LAKE_DIR: lakeDir,
      LAKE_API_KEY: CONSOLE_TEST_KEY,
      LAKE_UPLOADS_POLL_MS: '200',
      LAKE_SFN_WAIT_MS: '50',
      LAKE_FIREHOSE_BUFFER_SECONDS: '0',
    },
    120_000,
  );
  const day = (d: number) => new Date(Date.UTC(2026, 10, 20 + d, 9, 30)).toISOString();
  const plans = ['free', 'pro', 'free', 'enterprise', 'free', 'pro'];
  const signupsByPlan: Record<string, number> = {};
  for (const p of plans) signupsByPlan[p] = (signupsByPlan[p] ?? 0) + 1;
  const events = [
    ...plans.map((plan, i) => ({
      type: 'signup',
      id: `console-signup-${i}`,
      occurred_at: day(i % 3),
      data: { user_id: `u-${i}`, email: `user${i}@example.com`, plan },
    })),
    ...Array.from({ length: 12 }, (_, i) => ({
      type: 'page_view',
      id: `console-pv-${i}`,
      occurred_at: day(i % 4),
      data: {
        session_id: `session-${String(i).padStart(4, '0')}`,
        url: `https://shop.example/p/${i}`,
        duration_ms: 100 * i,
      },
    })),
  ];
  if ((await postEvents(proc.url, events)) !== 202) throw new Error('the seed events were not accepted');
  // One refused batch: the ingest page's refusals.
  const refused = await postEvents(proc.url, [
    { type: 'signup', data: { user_id: 'u-x', email: 'not-an-email', plan: 'gold' } },
  ]);
  if (refused !== 400) throw new Error(`the invalid event was answered ${refused}, not 400`);

  const today = new Date().toISOString().slice(0, 10);
  await drop(
    lakeDir,
    'orders',
    'orders-good.csv',
    `${ORDERS_HEADER}\no-1,u-1,2026-11-20,paid,25.00,EUR,2,,2026-11-20T10:00:00Z\no-2,u-2,2026-11-21,shipped,12.50,EUR,1,WELCOME,2026-11-21T09:00:00Z\n`,
  );
  await drop(lakeDir, 'orders', 'orders-broken.csv', 'order_id,nonsense\nx,y\n');
  // Passes validateUpload's sample (the first 1,000 rows are good), but a fifth of it is not: its execution fails
  // with ETL_REJECTED_ROWS_ABOVE_THRESHOLD (orders allow 5 %), its bad rows go to lake_rejected.
  const good = Array.from(
    { length: 1000 },
    (_, i) => `m-${i},c-${i % 7},${today},paid,1.5,EUR,1,,${today}T08:00:00Z`,
  );
  const bad = Array.from({ length: 250 }, (_, i) => `m-bad-${i},c-1,${today},paid,not-a-number,EUR,1,,`);
  await drop(lakeDir, 'orders', 'orders-mixed.csv', [ORDERS_HEADER, ...good, ...bad].join('\n') + '\n');
  // Passes the sample too, then a quote is never closed: the file cannot be read as rows (Etl.InvalidInput) and
  // nothing of it is loaded — an execution a retry may run again (orders-mixed's loaded its good rows: refused).
  const unclosed = Array.from(
    { length: 1000 },
    (_, i) => `q-${i},c-${i % 7},${today},paid,1.5,EUR,1,,${today}T08:00:00Z`,
  );
  await drop(
    lakeDir,
    'orders',
    'orders-unclosed.csv',
    [ORDERS_HEADER, ...unclosed, `q-x,c-1,${today},paid,1.5,EUR,1,"never closed,`].join('\n') + '\n',
  );

  await npmRun(lakeDir, 'compact');
  await npmRun(lakeDir, 'executions', '--wait');
  return {
    proc,
    lakeDir,
    signupsByPlan,
    quarantined: { file: 'orders-broken.csv', code: 'HEADER_MISMATCH' },
    failing: { key: 'uploads/orders/orders-mixed.csv', failedState: 'RejectedRowsAboveThreshold' },
    unreadable: { key: 'uploads/orders/orders-unclosed.csv' },
  };
}
