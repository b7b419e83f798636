/**
 * A raw event object written again under a key a compaction already took (an operator's second recovery of
 * delivery errors under a name used before, README "Operating it"): its new events were never compacted and nothing
 * said so, as the manifests listed keys only. They now record the version read, its size (the Glue job the same,
 * tests/unit/glue-events-batches.test.ts): an object at another size is compacted again, its events deduplicated by
 * id; a copy, a restore or a touch (other times, the same bytes) is not. A manifest of before (keys only) still counts
 * its objects as compacted.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { MISNAMED_WARNING } from '../../lib/etl/duckdb-runner/events';
import { compactionManifestKey } from '../../lib/etl/plans';
import { logger } from '../../lib/logger';
import { newLake, run, tableRows, useReloadLakes, writeRaw } from './reload-lake';

useReloadLakes();

const KEY = 'events/type=signup/arrival_date=2026-03-01/arrival_hour=10/recovered-errors.gz';
const MANIFEST = compactionManifestKey('signup', '2026-03-01');

const signup = (id: string) =>
  JSON.stringify({
    id,
    type: 'signup',
    occurred_at: '2026-03-01T10:00:00.000Z',
    received_at: '2026-03-01T10:00:00.000Z',
    data: { user_id: `u-${id}`, email: `${id}@example.com`, plan: 'pro' },
  }) + '\n';
const object = (ids: string[]) => gzipSync(ids.map(signup).join(''));

const ids = async (lake: string) => (await tableRows(lake, 'signup', 'event_id')).map((r) => r.event_id);

it('compacts an object written again under a key already compacted, and records its new version', async () => {
  const lake = await newLake();
  await writeRaw(lake, KEY, object(['e1', 'e2']));
  const file = path.join(lake, 'raw', KEY);
  await run(lake, { '--etl_mode': 'events', '--run_id': 'compact-1' });
  expect(await ids(lake)).toEqual(['e1', 'e2']);
  const first = JSON.parse(await fs.readFile(path.join(lake, 'curated', MANIFEST), 'utf8'));
  expect(first.processed).toEqual([KEY]);
  expect(Object.keys(first.versions)).toEqual([KEY]);

  // Written again with two more events (another modification time: a new version; before this run reads its tables).
  await fs.writeFile(file, object(['e1', 'e2', 'e3', 'e4']));
  const later = new Date(Date.now() - 1000);
  await fs.utimes(file, later, later);
  const second = await run(lake, { '--etl_mode': 'events', '--run_id': 'compact-2' });
  expect(second.tables.find((t) => t.table === 'signup')).toMatchObject({ rowsRead: 4, rowsWritten: 2 });
  expect(await ids(lake)).toEqual(['e1', 'e2', 'e3', 'e4']);
  const after = JSON.parse(await fs.readFile(path.join(lake, 'curated', MANIFEST), 'utf8'));
  expect(after.processed).toEqual([KEY]);
  expect(after.versions[KEY]).not.toEqual(first.versions[KEY]);

  // Nothing new: the next run reads nothing.
  const third = await run(lake, { '--etl_mode': 'events', '--run_id': 'compact-3' });
  expect(third.tables.find((t) => t.table === 'signup')).toMatchObject({ rowsRead: 0 });
});

it('does not compact again an object restored or copied with other times (a tar restore, cp -r, touch)', async () => {
  const lake = await newLake();
  await writeRaw(lake, KEY, object(['e1', 'e2']));
  await run(lake, { '--etl_mode': 'events', '--run_id': 'compact-1' });
  const file = path.join(lake, 'raw', KEY);
  await fs.writeFile(file, await fs.readFile(file));
  const whole = new Date(Math.floor(Date.now() / 1000) * 1000 - 2000);
  await fs.utimes(file, whole, whole);
  const second = await run(lake, { '--etl_mode': 'events', '--run_id': 'compact-2' });
  expect(second.tables.find((t) => t.table === 'signup')).toMatchObject({ rowsRead: 0 });
});

it('counts an object a manifest of before lists (keys only) as compacted, whatever its version', async () => {
  const lake = await newLake();
  await writeRaw(lake, KEY, object(['e1']));
  await fs.mkdir(path.dirname(path.join(lake, 'curated', MANIFEST)), { recursive: true });
  await fs.writeFile(path.join(lake, 'curated', MANIFEST), JSON.stringify({ processed: [KEY] }));
  const summary = await run(lake, { '--etl_mode': 'events', '--run_id': 'compact-1' });
  expect(summary.tables.find((t) => t.table === 'signup')).toMatchObject({ rowsRead: 0 });
});

it('reads a version recorded as size and modification time by its size', async () => {
  const lake = await newLake();
  const body = object(['e1']);
  await writeRaw(lake, KEY, body);
  await fs.mkdir(path.dirname(path.join(lake, 'curated', MANIFEST)), { recursive: true });
  await fs.writeFile(
    path.join(lake, 'curated', MANIFEST),
    JSON.stringify({ processed: [KEY], versions: { [KEY]: `${body.length}:1796516904879.4666` } }),
  );
  const summary = await run(lake, { '--etl_mode': 'events', '--run_id': 'compact-1' });
  expect(summary.tables.find((t) => t.table === 'signup')).toMatchObject({ rowsRead: 0 });
  // One recorded as an ETag (no size): as a key listed without a version.
  await fs.writeFile(
    path.join(lake, 'curated', MANIFEST),
    JSON.stringify({ processed: [KEY], versions: { [KEY]: '9b2cf535f27731c974343645a3985328' } }),
  );
  const again = await run(lake, { '--etl_mode': 'events', '--run_id': 'compact-2' });
  expect(again.tables.find((t) => t.table === 'signup')).toMatchObject({ rowsRead: 0 });
});

it.each([
  ['versions not an object', { processed: [KEY], versions: [KEY] }],
  ['a version not a text', { processed: [KEY], versions: { [KEY]: 1 } }],
])('names a compaction manifest with %s as damaged', async (_what, body) => {
  const lake = await newLake();
  await writeRaw(lake, KEY, object(['e1']));
  await fs.mkdir(path.dirname(path.join(lake, 'curated', MANIFEST)), { recursive: true });
  await fs.writeFile(path.join(lake, 'curated', MANIFEST), JSON.stringify(body));
  await expect(run(lake, { '--etl_mode': 'events', '--run_id': 'compact-1' })).rejects.toThrow(
    /arrival_date=2026-03-01\.json is damaged \(not a compaction manifest/,
  );
});

it("does not compact an object whose name starts with '_' (the Glue job's Spark reads no such file), and says so; a '_' folder is read", async () => {
  const lake = await newLake();
  const underscored = KEY.replace(/\/([^/]+)$/, '/_$1');
  const inFolder = KEY.replace(/\/([^/]+)$/, '/_moved/$1');
  await writeRaw(lake, underscored, object(['e1']));
  await writeRaw(lake, inFolder, object(['e2']));
  const warn = jest.spyOn(logger, 'warn');
  try {
    const summary = await run(lake, { '--etl_mode': 'events', '--run_id': 'compact-1' });
    expect(summary.tables.find((t) => t.table === 'signup')).toMatchObject({ rowsRead: 1, rowsWritten: 1 });
    expect(warn).toHaveBeenCalledWith(MISNAMED_WARNING, { table: 'signup', objects: 1, first: underscored });
  } finally {
    warn.mockRestore();
  }
});

it('does not compact an object whose name does not end in .gz, and says so', async () => {
  const lake = await newLake();
  const misnamed = KEY.replace(/\.gz$/, '.jsonl');
  await writeRaw(lake, misnamed, ['e1'].map(signup).join(''));
  const warn = jest.spyOn(logger, 'warn');
  try {
    const summary = await run(lake, { '--etl_mode': 'events', '--run_id': 'compact-1' });
    expect(summary.tables.find((t) => t.table === 'signup')).toMatchObject({ rowsRead: 0 });
    expect(warn).toHaveBeenCalledWith(
      "raw event objects whose names do not end in .gz, or start with '_' (Spark reads no such file), are not compacted: rename them",
      { table: 'signup', objects: 1, first: misnamed },
    );
  } finally {
    warn.mockRestore();
  }
});
