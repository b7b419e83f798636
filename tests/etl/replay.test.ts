/**
 * Mode 'replay' of the local Glue runner (lib/etl/duckdb-runner/replay.ts), end to end on real files: rows rejected
 * under one schema come in when a relaxed schema replays them, exactly once; rows that still fail are rejected again;
 * raw objects that are gone are reported. Edited schemas reach the runner through its `tables` option.
 */
import { createHash } from 'node:crypto';
import { promises as fs, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { lakeTable } from '../../lib/catalog/tables';
import { SimulatedCrash } from '../../lib/etl/duckdb-runner';
import { listFiles } from '../../lib/etl/duckdb-runner/fs-util';
import { compactionManifestKey } from '../../lib/etl/plans';
import { replayedStateKey, replayingStateKey } from '../../lib/etl/rejected';
import { pendingUploadKey, uploadResultKey, type UploadResult } from '../../lib/etl/upload-queue';
import {
  clock,
  editedTables,
  fileJob,
  newLake,
  ordersCsv,
  diesReading,
  rejectedOrderIds,
  rejectedRows,
  run,
  twoUploadsWithFailingRows,
  tableRows,
  useReloadLakes,
  withoutIngestedAt,
  writeRaw,
  type Row,
} from './reload-lake';

useReloadLakes();

/** An upload of orders as validateUpload accepts it (its pending record names the content checked), then loaded. */
/** A replay of orders whose schema now takes the status 'lost' (which the uploads' rows were rejected for). */
const replayTakingLost = (lake: string, runId: string) =>
  run(
    lake,
    { '--etl_mode': 'replay', '--table': 'orders', '--run_id': runId },
    { tables: editedTables({ 'datasets/orders.json': (s) => s.properties.status.enum.push('lost') }) },
  );

async function acceptUpload(lake: string, key: string, execution: string): Promise<void> {
  const etag = createHash('md5')
    .update(readFileSync(path.join(lake, 'raw', key)))
    .digest('hex');
  const pending = path.join(lake, 'curated', pendingUploadKey(execution));
  await fs.mkdir(path.dirname(pending), { recursive: true });
  writeFileSync(
    pending,
    JSON.stringify({ execution, table: 'orders', key, etag, acceptedAt: '2026-03-03T00:00:00Z' }),
  );
  await run(lake, fileJob('orders', key, execution));
}

it("an upload into a partition whose stored Parquet file does not read fails naming it, with README's section", async () => {
  const lake = await newLake();
  const a = await writeRaw(lake, 'uploads/orders/a.csv', ordersCsv(['a1,c1,2026-03-01,paid,1,EUR,1,,']));
  await acceptUpload(lake, a, 'load-a');
  const tables = path.join(lake, 'curated', 'tables');
  const stored = path.join(
    tables,
    (await listFiles(tables)).find((f) => /orders.*\.parquet$/.test(f))!,
  );
  await fs.writeFile(stored, 'garbage');
  const b = await writeRaw(lake, 'uploads/orders/b.csv', ordersCsv(['b1,c1,2026-03-01,paid,1,EUR,1,,']));
  await acceptUpload(lake, b, 'load-b');
  const result = JSON.parse(
    readFileSync(path.join(lake, 'curated', uploadResultKey('load-b')), 'utf8'),
  ) as UploadResult;
  expect([result.status, result.error]).toEqual(['FAILED', 'Etl.TableFailed']);
  expect(result.cause).toContain(
    `orders: ${stored} does not read as Parquet (DuckDB: File '${stored}' too small to be a Parquet file): ` +
      'README "Damaged state files" says what to do with it',
  );
});

describe('mode replay: rejected rows again through the current plan', () => {
  it('brings in the rows a relaxed schema accepts, exactly once; rows that still fail are rejected again', async () => {
    const lake = await newLake();
    const csv = await writeRaw(
      lake,
      'uploads/orders/day-1.csv',
      ordersCsv([
        'o1,c1,2026-03-01,placed,10,EUR,1,,2026-03-01T10:00:00Z',
        'o2,c2,2026-03-01,lost,20,EUR,1,,2026-03-01T10:00:00Z', // not a status (yet)
        'o3,c3,2026-03-02,paid,30,EUR,1,,2026-03-02T10:00:00Z',
        'o4,c4,2026-03-02,lost,lots,EUR,1,,2026-03-02T10:00:00Z', // never a number
      ]),
    );
    const first = await run(lake, fileJob('orders', csv, 'load-1'), { now: clock('2026-03-05T08:00:00Z') });
    expect(first.tables[0]).toMatchObject({ table: 'orders', rowsRead: 4, rowsWritten: 2, rowsRejected: 2 });
    const before = await tableRows(lake, 'orders', 'order_id');
    expect(before.map((r) => r.order_id)).toEqual(['o1', 'o3']);

    // A replay under the same schema changes nothing: the rows fail again, into the replay's own file.
    const same = await run(
      lake,
      { '--etl_mode': 'replay', '--table': 'orders', '--run_id': 'replay-same' },
      { now: clock('2026-03-05T09:00:00Z') },
    );
    expect(same.replay).toMatchObject({ table: 'orders', rejectedFiles: 1, sources: 1, missing: [] });
    expect(withoutIngestedAt(await tableRows(lake, 'orders', 'order_id'))).toEqual(withoutIngestedAt(before));

    // The schema now accepts 'lost' (a compatible change: a new version).
    const relaxed = editedTables({
      'datasets/orders.json': (s) => s.properties.status.enum.push('lost'),
    });
    const orders = relaxed.find((t) => t.name === 'orders')!;
    expect(orders.version).toBe(lakeTable('orders')!.version + 1);
    const replay = await run(
      lake,
      { '--etl_mode': 'replay', '--table': 'orders', '--run_id': 'replay-1' },
      { now: clock('2026-03-06T08:00:00Z'), tables: relaxed },
    );
    expect(replay.mode).toBe('replay');
    // It takes the replay-same file only: load-1's file was taken by the first replay.
    expect(replay.replay).toEqual({
      table: 'orders',
      rejectedFiles: 1,
      sources: 1,
      missing: [],
      missingCount: 0,
      figures: expect.objectContaining({
        table: 'orders',
        schemaVersion: orders.version,
        rowsRead: 4,
        rowsWritten: 1,
        rowsRejected: 1,
        duplicatesRemoved: 2,
      }),
    });
    expect(replay.tables.find((t) => t.table === 'orders')).toMatchObject({ schemaVersion: orders.version });
    const after = await tableRows(lake, 'orders', 'order_id');
    // Every row of the file was read again through the current plan: all record the new schema version.
    expect(after.map((r) => [r.order_id, r.status, r.lake_schema_version])).toEqual([
      ['o1', 'placed', String(orders.version)],
      ['o2', 'lost', String(orders.version)],
      ['o3', 'paid', String(orders.version)],
    ]);
    // Rows already curated are what they were (o1 and o3 were replaced by themselves: only the lineage moved on).
    const data = (rows: Row[]) => withoutIngestedAt(rows).map(({ lake_schema_version: _v, ...rest }) => rest);
    expect(data(after.filter((r) => r.order_id !== 'o2'))).toEqual(data(before));

    // o4 fails again, with its current reason and the schema version that judged it, in the replay's own file.
    const rejected = await rejectedRows(lake, 'orders');
    expect(rejected.map((r) => [r._file, (r.raw as Row).order_id, r.schema_version])).toEqual([
      ['run_date=2026-03-05/load-1-0.json', 'o2', lakeTable('orders')!.version],
      ['run_date=2026-03-05/load-1-0.json', 'o4', lakeTable('orders')!.version],
      ['run_date=2026-03-05/replay-same-0.json', 'o2', lakeTable('orders')!.version],
      ['run_date=2026-03-05/replay-same-0.json', 'o4', lakeTable('orders')!.version],
      ['run_date=2026-03-06/replay-1-0.json', 'o4', orders.version],
    ]);
    expect(rejected.at(-1)).toMatchObject({
      run_id: 'replay-1',
      reason: 'amount: not a number',
      source_file: csv,
    });
    const state = JSON.parse(
      await fs.readFile(path.join(lake, 'curated', replayedStateKey('orders')), 'utf8'),
    ) as { replayed: string[] };
    expect(state.replayed).toEqual([
      'rejected/table_name=orders/run_date=2026-03-05/load-1-0.json',
      'rejected/table_name=orders/run_date=2026-03-05/replay-same-0.json',
    ]);

    // Once more: only the file of rows that still failed is taken; o2 is there once, the rows unchanged.
    const again = await run(
      lake,
      { '--etl_mode': 'replay', '--table': 'orders', '--run_id': 'replay-2' },
      { now: clock('2026-03-07T08:00:00Z'), tables: relaxed },
    );
    expect(again.replay).toMatchObject({ rejectedFiles: 1, sources: 1 });
    expect(again.replay!.figures).toMatchObject({ rowsWritten: 0, rowsRejected: 1 });
    expect(data(await tableRows(lake, 'orders', 'order_id'))).toEqual(data(after));
  });

  it("a newer copy of a key from the stored row's own file, rejected then and replayed now, stands as read (nothing of the older copy filled in)", async () => {
    const lake = await newLake();
    const csv = await writeRaw(
      lake,
      'uploads/orders/two-copies.csv',
      ordersCsv([
        'o1,c1,2026-03-01,placed,10,EUR,3,SPRING,2026-03-01T10:00:00Z',
        'o1,c1,2026-03-01,lost,20,EUR,,,2026-03-01T11:00:00Z', // newer, not a status (yet), no item_count or coupon
        'o2,c2,2026-03-01,placed,5,EUR,1,,2026-03-01T10:00:00Z',
      ]),
    );
    await run(lake, fileJob('orders', csv, 'load-1'), { now: clock('2026-03-05T08:00:00Z') });
    const row = async () =>
      (await tableRows(lake, 'orders', 'order_id'))
        .filter((r) => r.order_id === 'o1')
        .map((r) => [r.status, r.amount, r.item_count, r.coupon, r.updated_at]);
    expect(await row()).toEqual([['placed', 10, '3', 'SPRING', '2026-03-01 10:00:00']]);
    const relaxed = editedTables({ 'datasets/orders.json': (s) => s.properties.status.enum.push('lost') });
    await run(
      lake,
      { '--etl_mode': 'replay', '--table': 'orders', '--run_id': 'replay-lost' },
      { now: clock('2026-03-05T09:00:00Z'), tables: relaxed },
    );
    expect(await row()).toEqual([['lost', 20, null, null, '2026-03-01 11:00:00']]);
  });

  it("a later upload's copy rejected then, equal to the stored row by latestBy, replaces it on replay, as it would have had the rules allowed it (upload order, whatever the batches)", async () => {
    for (const maxBatchBytes of [undefined, 1]) {
      const lake = await newLake();
      const at = '2026-03-01T10:00:00Z';
      // Stored: o1 from the first upload. Then two later uploads, each with a copy of o1 equal by updated_at that
      // the schema rejects; the last one uploaded is the one the table would hold had the schema allowed 'lost'.
      const first = await writeRaw(
        lake,
        'uploads/orders/m-first.csv',
        ordersCsv([`o1,c1,2026-03-01,placed,10,EUR,1,,${at}`]),
      );
      await run(lake, fileJob('orders', first, 'load-1'), { now: clock('2026-03-05T08:00:00Z') });
      const second = await writeRaw(
        lake,
        'uploads/orders/z-second.csv',
        ordersCsv([`o1,c1,2026-03-01,lost,20,EUR,1,,${at}`]),
      );
      await run(lake, fileJob('orders', second, 'load-2'), { now: clock('2026-03-05T09:00:00Z') });
      const third = await writeRaw(
        lake,
        'uploads/orders/a-third.csv',
        ordersCsv([`o1,c1,2026-03-01,lost,30,EUR,1,,${at}`]),
      );
      await run(lake, fileJob('orders', third, 'load-3'), { now: clock('2026-03-05T10:00:00Z') });
      const stored = async () =>
        (await tableRows(lake, 'orders', 'order_id')).map((r) => [
          r.order_id,
          r.status,
          r.amount,
          r.lake_source_file,
        ]);
      expect(await stored()).toEqual([['o1', 'placed', 10, first]]);
      const relaxed = editedTables({ 'datasets/orders.json': (s) => s.properties.status.enum.push('lost') });
      await run(
        lake,
        { '--etl_mode': 'replay', '--table': 'orders', '--run_id': 'replay-ties' },
        { now: clock('2026-03-06T08:00:00Z'), tables: relaxed, ...(maxBatchBytes ? { maxBatchBytes } : {}) },
      );
      expect({ maxBatchBytes, rows: await stored() }).toEqual({
        maxBatchBytes,
        rows: [['o1', 'lost', 30, third]],
      });
      // A rebuild afterwards keeps it: the same upload order.
      await run(
        lake,
        { '--etl_mode': 'rebuild', '--table': 'orders', '--run_id': 'rebuild-ties' },
        { now: clock('2026-03-07T08:00:00Z'), tables: relaxed, ...(maxBatchBytes ? { maxBatchBytes } : {}) },
      );
      expect({ maxBatchBytes, rows: await stored() }).toEqual({
        maxBatchBytes,
        rows: [['o1', 'lost', 30, third]],
      });
    }
  });

  it('between uploads one run loaded together, a copy rejected then and valid now wins as that run would have had it (the greatest file name)', async () => {
    const lake = await newLake();
    const at = '2026-03-01T10:00:00Z';
    const a = await writeRaw(
      lake,
      'uploads/orders/a.csv',
      ordersCsv([`o1,c1,2026-03-01,placed,10,EUR,1,,${at}`]),
    );
    const z = await writeRaw(
      lake,
      'uploads/orders/z.csv',
      ordersCsv([`o1,c1,2026-03-01,lost,20,EUR,1,,${at}`]),
    );
    // Both accepted, then taken by one run (the queue: up-a's run takes up-z too).
    for (const [key, execution] of [
      [a, 'up-a'],
      [z, 'up-z'],
    ] as const) {
      const pending = path.join(lake, 'curated', pendingUploadKey(execution));
      await fs.mkdir(path.dirname(pending), { recursive: true });
      writeFileSync(
        pending,
        JSON.stringify({ execution, table: 'orders', key, acceptedAt: '2026-03-05T07:00:00Z' }),
      );
    }
    await run(lake, fileJob('orders', a, 'up-a'), { now: clock('2026-03-05T08:00:00Z') });
    const stored = async () =>
      (await tableRows(lake, 'orders', 'order_id')).map((r) => [r.status, r.amount, r.lake_source_file]);
    expect(await stored()).toEqual([['placed', 10, a]]);
    const relaxed = editedTables({ 'datasets/orders.json': (s) => s.properties.status.enum.push('lost') });
    await run(
      lake,
      { '--etl_mode': 'replay', '--table': 'orders', '--run_id': 'replay-both' },
      { now: clock('2026-03-06T08:00:00Z'), tables: relaxed },
    );
    expect(await stored()).toEqual([['lost', 20, z]]);
  });

  it('a row rejected for a column retired since loads by a replay without that value: the column holds only what its rules took', async () => {
    const lake = await newLake();
    const long = 'X'.repeat(70); // coupon: maxLength 64
    const csv = await writeRaw(
      lake,
      'uploads/orders/long-coupon.csv',
      ordersCsv([
        `o1,c1,2026-03-01,placed,10,EUR,1,${long},2026-03-01T10:00:00Z`,
        'o2,c2,2026-03-01,placed,20,EUR,-5,OK,2026-03-01T10:00:00Z', // item_count: below its minimum
        'o3,c3,2026-03-01,placed,30,EUR,1,FINE,2026-03-01T10:00:00Z',
      ]),
    );
    await run(lake, fileJob('orders', csv, 'load-1'), { now: clock('2026-03-05T08:00:00Z') });
    const retired = editedTables({
      'datasets/orders.json': (s) => {
        delete s.properties.coupon;
        s['x-lake'].retired = ['coupon'];
      },
    });
    const replay = await run(
      lake,
      { '--etl_mode': 'replay', '--table': 'orders', '--run_id': 'replay-retired' },
      { now: clock('2026-03-05T09:00:00Z'), tables: retired },
    );
    expect(replay.replay?.figures).toMatchObject({ rowsWritten: 1, rowsRejected: 1 });
    expect((await tableRows(lake, 'orders', 'order_id')).map((r) => [r.order_id, r.coupon])).toEqual([
      ['o1', null],
      ['o3', 'FINE'],
    ]);
    expect(await rejectedOrderIds(lake, 'replay-retired')).toEqual(['o2']);
  });

  it('a row rejected for a value its type cannot read, in a column retired since, loads by a replay without it', async () => {
    const lake = await newLake();
    const csv = await writeRaw(
      lake,
      'uploads/orders/bad-count.csv',
      ordersCsv([
        'o1,c1,2026-03-01,placed,10,EUR,abc,,2026-03-01T10:00:00Z', // item_count: not an integer
        'o3,c3,2026-03-01,placed,30,EUR,1,FINE,2026-03-01T10:00:00Z',
      ]),
    );
    await run(lake, fileJob('orders', csv, 'load-1'), { now: clock('2026-03-05T08:00:00Z') });
    expect(await rejectedOrderIds(lake, 'load-1')).toEqual(['o1']);
    const retired = editedTables({
      'datasets/orders.json': (s) => {
        delete s.properties.item_count;
        s['x-lake'].retired = ['item_count'];
      },
    });
    const replay = await run(
      lake,
      { '--etl_mode': 'replay', '--table': 'orders', '--run_id': 'replay-retired-type' },
      { now: clock('2026-03-05T09:00:00Z'), tables: retired },
    );
    // It could never load before: no later schema may change the retired column's type.
    expect(replay.replay?.figures).toMatchObject({ rowsWritten: 1, rowsRejected: 0 });
    expect((await tableRows(lake, 'orders', 'order_id')).map((r) => [r.order_id, r.item_count])).toEqual([
      ['o1', null],
      ['o3', '1'],
    ]);
  });

  it('run again after its process died mid-run, records each row that still fails once under its run id', async () => {
    const lake = await newLake();
    const [, b] = await twoUploadsWithFailingRows(lake);
    const replay = { '--etl_mode': 'replay', '--table': 'orders', '--run_id': 'replay-k' };
    // A batch per object; the process dies as the second batch reads, after the first was swapped in.
    await expect(run(lake, replay, diesReading(b))).rejects.toThrow(SimulatedCrash);
    // A new process runs the same execution again (the same run id): it reads only what the first did not finish.
    const again = await run(lake, replay, { maxBatchBytes: 1 });
    // Its figures count what it read now (the attempt that died loaded a.csv; the lake's log says so).
    expect(again.replay).toMatchObject({ rejectedFiles: 2, sources: 1 });
    expect(await rejectedOrderIds(lake, 'replay-k')).toEqual(['o1', 'o2']);
    // Done: a later replay takes its files, not the first ones again.
    const later = await run(lake, { ...replay, '--run_id': 'replay-later' });
    expect(later.replay).toMatchObject({ rejectedFiles: 2, sources: 2 });
    expect(await rejectedOrderIds(lake, 'replay-later')).toEqual(['o1', 'o2']);
  });

  it('run again after its process died, it remembers what the attempt that died read: an upload replaced since is reported', async () => {
    const lake = await newLake();
    const [a, b] = await twoUploadsWithFailingRows(lake);
    const replay = { '--etl_mode': 'replay', '--table': 'orders', '--run_id': 'replay-k2' };
    const stateFile = path.join(lake, 'curated', replayedStateKey('orders'));
    const readBy = (runId: string) =>
      Object.keys(JSON.parse(readFileSync(stateFile, 'utf8')).read[runId] ?? {}).sort();
    // Recorded before any batch (the content each upload holds as it is read): an attempt that dies in its first
    // batch, or a replay that fails, has said what it read.
    await expect(run(lake, replay, diesReading(a))).rejects.toThrow(SimulatedCrash);
    expect(readBy('replay-k2')).toEqual([a, b]);
    await expect(run(lake, replay, diesReading(b))).rejects.toThrow(SimulatedCrash);
    // Run again: it reads b only, and keeps what the attempts before it read.
    const again = await run(lake, replay, { maxBatchBytes: 1 });
    expect(again.replay).toMatchObject({ rejectedFiles: 2, sources: 1 });
    expect(readBy('replay-k2')).toEqual([a, b]);
    // a.csv replaced after the replay rejected its row again: a later replay reports it rather than read the new
    // content in that row's place.
    await writeRaw(lake, a, ordersCsv(['o9,c9,2026-03-01,paid,1,EUR,1,,']));
    const later = await run(lake, { ...replay, '--run_id': 'replay-later' });
    expect(later.replay).toMatchObject({ rejectedFiles: 2, sources: 1, missing: [a], missingCount: 1 });
  });

  it('a progress record that does not read is taken for none, and stops no run; a file taken and gone since is not read', async () => {
    const lake = await newLake();
    // A valid row beside the failing one: its replay batch has a partition to swap.
    const a = await writeRaw(
      lake,
      'uploads/orders/a.csv',
      ordersCsv(['o1,c1,2026-03-01,placed,1,EUR,1,,', 'o4,c4,2026-03-01,lost,x,EUR,1,,']),
    );
    const b = await writeRaw(lake, 'uploads/orders/b.csv', ordersCsv(['o2,c2,2026-03-01,lost,y,EUR,1,,']));
    await run(lake, fileJob('orders', a, 'load-a'));
    await run(lake, fileJob('orders', b, 'load-b'));
    const replay = { '--etl_mode': 'replay', '--table': 'orders', '--run_id': 'replay-d' };
    // Dies in the middle of its first batch's swap: the journal (with the progress) is left for the next run.
    const swapCrash = {
      maxBatchBytes: 1,
      hooks: {
        afterPartitionSwap: () => {
          throw new SimulatedCrash('kill -9');
        },
      },
    };
    await expect(run(lake, replay, swapCrash)).rejects.toThrow(SimulatedCrash);
    const progress = path.join(lake, 'curated', replayingStateKey('orders'));
    const taken = (JSON.parse(await fs.readFile(progress, 'utf8')) as { taken: string[] }).taken;
    await fs.writeFile(progress, '{"runId":"replay-d","tak');
    // Another run finishes the swap left behind: the damaged record stops it not.
    const c = await writeRaw(lake, 'uploads/orders/c.csv', ordersCsv(['o3,c3,2026-03-02,placed,1,EUR,1,,']));
    await expect(run(lake, fileJob('orders', c, 'load-c'))).resolves.toMatchObject({ mode: 'file' });
    // A progress record of this run again, naming a file moved aside since: that file is not read, no error.
    await fs.writeFile(progress, JSON.stringify({ runId: 'replay-d', taken, done: [] }));
    await fs.rename(path.join(lake, 'curated', taken[1]!), path.join(lake, 'aside.json'));
    const again = await run(lake, replay);
    expect(again.replay).toMatchObject({ rejectedFiles: 1, sources: 1 });
    await expect(fs.stat(progress)).rejects.toThrow();
  });

  /**
   * Two orders uploads whose one row each is rejected ('lost' not yet a status), the first one (a) then damaged as
   * `damage` does; then a replay under a schema that takes 'lost'.
   */
  async function replayAfterDamage(
    aKey: string,
    aBody: string | Buffer,
    damage: (file: string) => Promise<void>,
    runId: string,
  ) {
    const lake = await newLake();
    const a = await writeRaw(lake, aKey, aBody);
    const b = await writeRaw(lake, 'uploads/orders/b.csv', ordersCsv(['o2,c2,2026-03-01,lost,1,EUR,1,,']));
    await run(lake, fileJob('orders', a, 'load-a'));
    await run(lake, fileJob('orders', b, 'load-b'));
    await damage(path.join(lake, 'raw', a));
    const relaxed = editedTables({ 'datasets/orders.json': (s) => s.properties.status.enum.push('lost') });
    const s = await run(
      lake,
      { '--etl_mode': 'replay', '--table': 'orders', '--run_id': runId },
      { tables: relaxed },
    );
    return { lake, a, s };
  }

  it('reports rejected rows whose raw object is gone, and reads the others', async () => {
    const { lake, a, s } = await replayAfterDamage(
      'uploads/orders/a.csv',
      ordersCsv(['o1,c1,2026-03-01,lost,1,EUR,1,,']),
      (file) => fs.rm(file),
      'replay-gone',
    );
    expect(s.replay).toMatchObject({ rejectedFiles: 2, sources: 1, missing: [a], missingCount: 1 });
    expect((await tableRows(lake, 'orders', 'order_id')).map((r) => r.order_id)).toEqual(['o2']);
  });

  it('reports a raw object that no longer reads as rows (a gzip stream cut short) with the missing ones, not as read', async () => {
    const { lake, a, s } = await replayAfterDamage(
      'uploads/orders/a.csv.gz',
      gzipSync(ordersCsv(['o1,c1,2026-03-01,lost,1,EUR,1,,'])),
      async (file) => fs.writeFile(file, (await fs.readFile(file)).subarray(0, -10)),
      'replay-cut',
    );
    expect(s.replay).toMatchObject({ rejectedFiles: 2, sources: 1, missing: [a], missingCount: 1 });
    expect((await tableRows(lake, 'orders', 'order_id')).map((r) => r.order_id)).toEqual(['o2']);
  });

  it('reports an upload replaced since its rows were rejected, rather than read the new content in their place', async () => {
    const lake = await newLake();
    const accept = (key: string, execution: string) => acceptUpload(lake, key, execution);
    const w = await writeRaw(
      lake,
      'uploads/orders/w.csv',
      ordersCsv(['w1,c1,2026-03-01,lost,1,EUR,1,,', 'w2,c2,2026-03-01,paid,1,EUR,1,,']),
    );
    await accept(w, 'load-w-1');
    // The same name uploaded again with other rows, and accepted.
    await writeRaw(lake, w, ordersCsv(['w3,c3,2026-03-01,paid,1,EUR,1,,']));
    await accept(w, 'load-w-2');
    // Another upload, rejected and not replaced: replayed as before.
    const v = await writeRaw(lake, 'uploads/orders/v.csv', ordersCsv(['v1,c1,2026-03-01,lost,1,EUR,1,,']));
    await accept(v, 'load-v');
    const s = await replayTakingLost(lake, 'replay-replaced');
    expect(s.replay).toMatchObject({ rejectedFiles: 2, sources: 1, missing: [w], missingCount: 1 });
    expect((await tableRows(lake, 'orders', 'order_id')).map((r) => r.order_id)).toEqual(['v1', 'w2', 'w3']);
    // w1 stays where it was, rejected with its reason.
    expect((await rejectedRows(lake, 'orders')).map((r) => r.source_file)).toContain(w);
  });

  it('reports an upload replaced by content with rejected rows of its own, and reads it again for those', async () => {
    const lake = await newLake();
    const accept = (key: string, execution: string) => acceptUpload(lake, key, execution);
    const p = await writeRaw(
      lake,
      'uploads/orders/p.csv',
      ordersCsv(['p1,c1,2026-03-01,lost,1,EUR,1,,', 'p2,c2,2026-03-01,paid,1,EUR,1,,']),
    );
    await accept(p, 'load-p-1');
    // The same name uploaded again with other rows, one of them rejected too, and accepted.
    await writeRaw(
      lake,
      p,
      ordersCsv(['q1,c1,2026-03-01,lost,1,EUR,1,,', 'q2,c2,2026-03-01,paid,1,EUR,1,,']),
    );
    await accept(p, 'load-p-2');
    const s = await replayTakingLost(lake, 'replay-both');
    // p1's content is gone: listed; q1 comes back from the content there now.
    expect(s.replay).toMatchObject({ rejectedFiles: 2, sources: 1, missing: [p], missingCount: 1 });
    expect((await tableRows(lake, 'orders', 'order_id')).map((r) => r.order_id)).toEqual(['p2', 'q1', 'q2']);
    expect((await rejectedRows(lake, 'orders')).map((r) => r.run_id)).toContain('load-p-1');
  });

  it("tells an upload replaced after a replay rejected its rows again (no queue record names a replay's run)", async () => {
    const lake = await newLake();
    const accept = (key: string, execution: string) => acceptUpload(lake, key, execution);
    const e = await writeRaw(
      lake,
      'uploads/orders/e.csv',
      ordersCsv(['e1,c1,2026-03-01,lost,1,EUR,1,,', 'e2,c2,2026-03-01,paid,1,EUR,1,,']),
    );
    await accept(e, 'load-e-1');
    // A replay before anything is fixed: e1 is rejected again, now under the replay's run id.
    const early = await run(lake, {
      '--etl_mode': 'replay',
      '--table': 'orders',
      '--run_id': 'replay-early',
    });
    expect(early.replay).toMatchObject({ rejectedFiles: 1, sources: 1, missing: [] });
    const state = JSON.parse(readFileSync(path.join(lake, 'curated', replayedStateKey('orders')), 'utf8'));
    expect(Object.keys(state.read)).toEqual(['replay-early']);
    // e.csv uploaded again with other rows, and accepted; then the schema is fixed and replayed.
    await writeRaw(lake, e, ordersCsv(['e3,c3,2026-03-01,paid,1,EUR,1,,']));
    await accept(e, 'load-e-2');
    const s = await replayTakingLost(lake, 'replay-fixed');
    // The content e1 came from is gone: reported, not read (reading the new e.csv would bring e3 "again", not e1).
    expect(s.replay).toMatchObject({ rejectedFiles: 1, sources: 0, missing: [e], missingCount: 1 });
    expect((await tableRows(lake, 'orders', 'order_id')).map((r) => r.order_id)).toEqual(['e2', 'e3']);
    expect((await rejectedRows(lake, 'orders')).filter((r) => r.run_id === 'replay-early')).toHaveLength(1);
  });

  it('names a damaged state file it cannot read, and the README section that says what to do', async () => {
    const lake = await newLake();
    const state = path.join(lake, 'curated', replayedStateKey('orders'));
    await fs.mkdir(path.dirname(state), { recursive: true });
    await fs.writeFile(state, '{"replayed": ["rejected/tab');
    const err = await run(lake, {
      '--etl_mode': 'replay',
      '--table': 'orders',
      '--run_id': 'replay-damaged',
    }).catch((e: Error) => e);
    expect(String((err as Error).message)).toMatch(
      new RegExp(
        `${state.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is damaged \\(not JSON: .*README "Damaged state files"`,
      ),
    );
  });

  it('names a rejected file whose line is JSON but no record (null), with the line and the README section', async () => {
    const lake = await newLake();
    await twoUploadsWithFailingRows(lake);
    const rejected = path.join(lake, 'curated', 'rejected', 'table_name=orders');
    const damaged = path.join(rejected, (await listFiles(rejected)).filter((f) => f.endsWith('.json'))[0]!);
    const lines = readFileSync(damaged, 'utf8').split('\n').filter(Boolean).length;
    await fs.appendFile(damaged, 'null\n');
    const err = await run(lake, {
      '--etl_mode': 'replay',
      '--table': 'orders',
      '--run_id': 'replay-null',
    }).catch((e: Error) => e);
    const key = path.relative(path.join(lake, 'curated'), damaged).split(path.sep).join('/');
    expect((err as Error).message).toBe(
      `the ETL run failed: ${key} at line ${lines + 1} is damaged (not a rejected record: null); README "Damaged ` +
        'state files" says what to do with it',
    );
  });

  it('replays events regardless of the compaction manifests: rows already curated stay as they were', async () => {
    const lake = await newLake();
    const line = (id: string, title: string, receivedAt: string) =>
      JSON.stringify({
        id,
        type: 'page_view',
        occurred_at: '2026-03-01T10:00:00.000Z',
        received_at: receivedAt,
        data: { session_id: 'sess-0123456789', url: `https://shop.example/${id}`, title },
      });
    const key = await writeRaw(
      lake,
      'events/type=page_view/arrival_date=2026-03-01/arrival_hour=10/events-1-2026-03-01-10-00-00-a.gz',
      gzipSync(
        [
          line('v1', 'short', '2026-03-01T10:00:01.000Z'),
          line('v2', 'x'.repeat(600), '2026-03-01T10:00:02.000Z'),
        ].join('\n') + '\n',
      ),
    );
    const compact = await run(lake, { '--etl_mode': 'events', '--run_id': 'compact-1' });
    expect(compact.tables.find((t) => t.table === 'page_view')).toMatchObject({
      rowsWritten: 1,
      rowsRejected: 1,
    });
    const before = await tableRows(lake, 'page_view', 'event_id');

    const relaxed = editedTables({ 'events/page_view.json': (s) => (s.properties.title.maxLength = 4096) });
    const s = await run(
      lake,
      { '--etl_mode': 'replay', '--table': 'page_view', '--run_id': 'replay-ev' },
      { tables: relaxed },
    );
    expect(s.replay).toMatchObject({ table: 'page_view', rejectedFiles: 1, sources: 1, missing: [] });
    expect(s.replay!.figures).toMatchObject({
      rowsRead: 2,
      rowsWritten: 1,
      rowsRejected: 0,
      duplicatesRemoved: 1,
    });
    expect(s.rejectedAboveThreshold).toBe(false);
    const rows = await tableRows(lake, 'page_view', 'event_id');
    expect(rows.map((r) => r.event_id)).toEqual(['v1', 'v2']);
    expect(rows[0]).toEqual(before[0]); // the curated row, untouched
    // The manifests are the compaction's: the replay read the object again without listing it twice.
    expect(
      JSON.parse(
        await fs.readFile(
          path.join(lake, 'curated', compactionManifestKey('page_view', '2026-03-01')),
          'utf8',
        ),
      ),
    ).toEqual({ processed: [key], versions: { [key]: expect.stringMatching(/^\d+$/) } });
  });

  it('needs a table that exists', async () => {
    const lake = await newLake();
    for (const [args, name] of [
      [{ '--etl_mode': 'replay', '--run_id': 'r' }, 'Glue.InvalidInputException'],
      [{ '--etl_mode': 'rebuild', '--table': 'nope', '--run_id': 'r' }, 'Glue.EntityNotFoundException'],
      [
        { '--etl_mode': 'replay', '--table': 'orders', '--inputs': '["x"]', '--run_id': 'r' },
        'Glue.InvalidInputException',
      ],
    ] as const) {
      expect(await run(lake, args).catch((e: Error) => e)).toMatchObject({ name });
    }
  });
});
