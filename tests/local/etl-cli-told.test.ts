/**
 * What `npm run replay|rebuild` tell beside the run (local/cli/etl-execution.ts): a refused schemas/ on a running lake
 * (it runs on the schemas it accepted before; nothing is started, as with the lake stopped), acknowledged events
 * still in the delivery stream when an event table is rebuilt (they are not in the run), and a disk too full for the
 * lake to record the execution while the command waits for it.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { lakeTables } from '../../lib/catalog/tables';
import { thisProcess } from '../../lib/process-identity';
import {
  engineFile,
  ETL_STATE_MACHINE,
  executionsDir,
  readExecution,
  requestExecution,
  writeRecord,
} from '../../lib/workflow/local';
import { runEtlExecution, waitOnRunningLake } from '../../local/cli/etl-execution';
import { writeSchemasInUse } from '../../local/schemas-in-use';
import { tempLake } from '../support/raw-zone';

function sink() {
  const s = new PassThrough();
  let text = '';
  s.on('data', (b: Buffer) => (text += b.toString('utf8')));
  return { s, text: () => text };
}

const saved = process.env.LAKE_DIR;
afterEach(() => {
  if (saved === undefined) delete process.env.LAKE_DIR;
  else process.env.LAKE_DIR = saved;
});

it('on a running lake, refuses to start a run while schemas/ holds a change the lake refused, saying which', async () => {
  const dir = await tempLake('etl-cli-refused');
  await fs.mkdir(path.join(dir, 'raw'), { recursive: true });
  // The lake used orders with item_count as text: the project's integer column narrows it, which the check refuses.
  const orders = lakeTables().find((t) => t.name === 'orders')!;
  const wider = {
    ...orders,
    columns: orders.columns.map((c) => (c.name === 'item_count' ? { ...c, type: 'string' as const } : c)),
  };
  writeSchemasInUse(dir, [wider]);
  // A lake running in the folder: its engine file names a live process (this one).
  await fs.mkdir(executionsDir(dir, ETL_STATE_MACHINE), { recursive: true });
  await fs.writeFile(engineFile(dir, ETL_STATE_MACHINE), JSON.stringify(thisProcess()));
  process.env.LAKE_DIR = dir;
  const out = sink();
  const err = sink();
  const code = await runEtlExecution({
    input: { mode: 'rebuild', table: 'orders' },
    prefix: 'rebuild-orders',
    wait: false,
    out: out.s,
    err: err.s,
  });
  expect(code).toBe(1);
  expect(out.text()).toBe('');
  expect(err.text()).toMatch(
    /^nothing ran: schemas\/ has changes that are not safe:\n {2}REFUSED .*orders.*item_count/,
  );
  expect(err.text()).toContain('the local lake running in this folder refused them too');
  // Nothing was asked of the lake.
  expect((await fs.readdir(executionsDir(dir, ETL_STATE_MACHINE))).filter((f) => !f.startsWith('.'))).toEqual(
    [],
  );
}, 60_000);

it('a rebuild of an event table with the lake stopped tells of acknowledged events still in .firehose/', async () => {
  const dir = await tempLake('etl-cli-wal');
  await fs.mkdir(path.join(dir, 'raw'), { recursive: true });
  const wal = path.join(dir, '.firehose', 'data-lake-local-events');
  await fs.mkdir(wal, { recursive: true });
  await fs.writeFile(path.join(wal, '99999999.1.abc.1~1-0-abcdef.wal'), `${Date.now()}\tpage_view\t{}\n`);
  process.env.LAKE_DIR = dir;
  const out = sink();
  const err = sink();
  const code = await runEtlExecution({
    input: { mode: 'rebuild', table: 'page_view' },
    prefix: 'rebuild-page_view',
    out: out.s,
    err: err.s,
  });
  expect(code).toBe(0);
  expect(out.text().trim().split('\n').at(-1)).toBe(
    'events the lake accepted before it stopped are still in its delivery stream (.firehose/), not in this run: ' +
      'they reach raw/events/ when npm start runs again (it delivers them first), and page_view at the ' +
      'compaction after',
  );
}, 120_000);

it('waiting on a running lake, says once when the disk is nearly full (the lake may be unable to record the end)', async () => {
  const dir = await tempLake('etl-cli-low-disk');
  await fs.mkdir(executionsDir(dir, ETL_STATE_MACHINE), { recursive: true });
  await fs.writeFile(engineFile(dir, ETL_STATE_MACHINE), JSON.stringify(thisProcess()));
  await requestExecution(dir, ETL_STATE_MACHINE, 'compact-low', { mode: 'events' });
  const out = sink();
  const asked: string[] = [];
  const waiting = waitOnRunningLake(dir, 'compact-low', out.s, async (d) => {
    asked.push(d);
    return 150 * 1024;
  });
  // The lake records the end once space is freed (here: after the command has looked twice).
  await new Promise((r) => setTimeout(r, 10_500));
  const r = (await readExecution(dir, ETL_STATE_MACHINE, 'compact-low'))!;
  await writeRecord(dir, ETL_STATE_MACHINE, {
    ...r,
    status: 'SUCCEEDED',
    stopDate: new Date().toISOString(),
  });
  expect((await waiting)!.status).toBe('SUCCEEDED');
  expect(asked.length).toBeGreaterThanOrEqual(1);
  expect(out.text()).toBe(
    `the disk holding ${dir} has 150 KB free: the lake may be unable to record compact-low's progress or end (its ` +
      'log then says ENOSPC); free some space and it goes on by itself\n',
  );
}, 30_000);
