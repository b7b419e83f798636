/**
 * Schema evolution on a running local lake, as a user lives it (a copy of the project whose schemas/ is edited while
 * `npm start` runs; the CLIs run as `npm run` runs them):
 *  - a rename is used at once: producers still sending the old name are accepted, the old name's values and the
 *    values stored before fill the new column, the old column keeps its stored values, and every row says which
 *    schema version wrote it; a rebuild rewrites every partition without changing a stored value;
 *  - a row the schema rejects is kept in lake_rejected with its reason; once the schema is relaxed (a safe change),
 *    `npm run replay` loads it.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { startLakeProcess, type LakeProcess } from '../support/lake-process';
import { projectCopy, type ProjectCopy } from '../support/project-copy';
import { queryClient, type QueryClient } from '../support/query-client';
import { tempLake } from '../support/raw-zone';
import { until } from '../support/until';

const run = promisify(execFile);
const API_KEY = 'schema-evolution-test-key-0123456789';

let copy: ProjectCopy;
let lake: string;
let proc: LakeProcess;
let q: QueryClient;

/** `npm run <script> -- args` of the copy, against the running lake; its exit code and output. */
async function npmRun(script: string, ...args: string[]): Promise<{ code: number; output: string }> {
  const scripts = JSON.parse(await fs.readFile(path.join(copy.dir, 'package.json'), 'utf8')).scripts;
  const [, ...nodeArgs] = (scripts[script] as string).split(' '); // "node --import tsx local/cli/x.ts"
  try {
    const r = await run(process.execPath, [...nodeArgs, ...args], {
      cwd: copy.dir,
      env: { ...process.env, LAKE_DIR: lake },
    });
    return { code: 0, output: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

async function post(data: Record<string, unknown>[]): Promise<number> {
  const res = await fetch(`${proc.url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
    body: JSON.stringify({
      events: data.map((d, i) => ({
        id: d.id,
        type: 'page_view',
        data: { session_id: `sess-evolution-${i}`, url: 'https://shop.example/', ...d, id: undefined },
      })),
    }),
  });
  return res.status;
}

async function tables(): Promise<Record<string, { version: number; columns: Record<string, unknown>[] }>> {
  const res = await fetch(`${proc.url}/tables`, { headers: { 'x-api-key': API_KEY } });
  const body = (await res.json()) as { tables: { name: string; version: number; columns: [] }[] };
  return Object.fromEntries(body.tables.map((t) => [t.name, t]));
}

beforeAll(async () => {
  copy = projectCopy();
  lake = await tempLake('evolution');
  proc = await startLakeProcess(
    {
      LAKE_DIR: lake,
      LAKE_API_KEY: API_KEY,
      LAKE_UPLOADS_POLL_MS: '200',
      LAKE_SFN_WAIT_MS: '50',
      // Each accepted write delivered at once: compaction sees it without waiting for the buffer.
      LAKE_FIREHOSE_BUFFER_SECONDS: '0',
    },
    120_000,
    copy.dir,
  );
  q = queryClient(() => proc.url, API_KEY);
}, 180_000);

afterAll(async () => {
  await proc?.kill('SIGTERM');
  copy?.remove();
});

describe('schema evolution on a running lake', () => {
  it('a rename: old names still accepted, stored values carried, versions recorded, rebuild changes nothing', async () => {
    expect(await post([{ id: 'pv-before', referrer: 'https://before.example/' }])).toBe(202);
    expect((await npmRun('compact')).code).toBe(0);
    expect(
      await q.objects(`SELECT event_id, referrer, lake_schema_version FROM page_view ORDER BY event_id`),
    ).toEqual([{ event_id: 'pv-before', referrer: 'https://before.example/', lake_schema_version: 1 }]);

    copy.editJson('schemas/events/page_view.json', (s) => {
      const { referrer, ...rest } = s.properties;
      s.properties = { ...rest, referrer_url: { ...referrer, 'x-lake': { renamedFrom: 'referrer' } } };
    });
    await until('the rename to be used', async () => {
      const pv = (await tables()).page_view!;
      return pv.version === 2 ? pv : undefined;
    });
    const columns = (await tables()).page_view!.columns;
    expect(columns).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'referrer_url', renamedFrom: 'referrer' }),
        expect.objectContaining({ name: 'referrer', retired: true }),
      ]),
    );

    // A producer not yet changed, and one that is.
    expect(
      await post([
        { id: 'pv-old-name', referrer: 'https://old-name.example/' },
        { id: 'pv-new-name', referrer_url: 'https://new-name.example/' },
      ]),
    ).toBe(202);
    expect((await npmRun('compact')).code).toBe(0);
    const rows = () =>
      q.objects(
        `SELECT event_id, referrer_url, referrer, lake_schema_version FROM page_view ORDER BY event_id`,
      );
    const after = await rows();
    expect(after).toEqual([
      // Stored before the rename: its value also in the new column; the row still says version 1 wrote it.
      {
        event_id: 'pv-before',
        referrer_url: 'https://before.example/',
        referrer: 'https://before.example/',
        lake_schema_version: 1,
      },
      {
        event_id: 'pv-new-name',
        referrer_url: 'https://new-name.example/',
        referrer: null,
        lake_schema_version: 2,
      },
      {
        event_id: 'pv-old-name',
        referrer_url: 'https://old-name.example/',
        referrer: null,
        lake_schema_version: 2,
      },
    ]);

    const rebuilt = await npmRun('rebuild', 'page_view');
    expect(rebuilt.output).toMatch(/SUCCEEDED/);
    expect(rebuilt.code).toBe(0);
    expect(await rows()).toEqual(after);
  }, 240_000);

  it('a rejected row is kept with its reason, and loaded by a replay once the schema takes it', async () => {
    const header = 'order_id,customer_id,order_date,status,amount,currency';
    const rows = Array.from({ length: 20 }, (_, i) =>
      [`ev-${i}`, 'c-1', '2026-11-30', i === 7 ? 'returned' : 'paid', '10.00', 'EUR'].join(','),
    );
    const file = path.join(lake, 'raw', 'uploads', 'orders', 'evolution.csv');
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(`${file}.part`, [header, ...rows].join('\n') + '\n');
    await fs.rename(`${file}.part`, file);

    await until('the upload to be loaded', async () =>
      (await q.count(`SELECT count(*) FROM orders WHERE order_id LIKE 'ev-%'`)) === 19 ? true : undefined,
    );
    const rejected = await until('the rejected row', async () => {
      const r = await q.objects(
        `SELECT reason, raw_record, schema_version, source_file FROM lake_rejected WHERE table_name = 'orders'`,
      );
      return r.length ? r : undefined;
    });
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toMatch(/status/);
    expect(JSON.parse(rejected[0]!.raw_record as string)).toMatchObject({
      order_id: 'ev-7',
      status: 'returned',
    });
    expect(rejected[0]!.source_file).toBe('uploads/orders/evolution.csv');

    // Relaxing the schema (one more allowed value) is safe; the running lake uses it at once.
    copy.editJson('schemas/datasets/orders.json', (s) => s.properties.status.enum.push('returned'));
    await until('the relaxed schema', async () =>
      (await tables()).orders!.version === 2 ? true : undefined,
    );
    const replayed = await npmRun('replay', 'orders');
    expect(replayed.output).toMatch(/SUCCEEDED/);
    expect(replayed.code).toBe(0);
    expect(
      await q.objects(`SELECT order_id, status, lake_schema_version FROM orders WHERE order_id = 'ev-7'`),
    ).toEqual([{ order_id: 'ev-7', status: 'returned', lake_schema_version: 2 }]);
    expect(await q.count(`SELECT count(*) FROM orders WHERE order_id LIKE 'ev-%'`)).toBe(20);
  }, 240_000);
});
