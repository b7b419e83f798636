/**
 * Mode 'rebuild' of the local Glue runner (lib/etl/duckdb-runner/rebuild.ts), end to end on real files: every raw
 * object again, rows whose raw object is gone kept, a renamed column's values carried everywhere, crash-safe, and
 * nothing changed the second time; schema versions recorded in the figures.
 */
import { cpSync, promises as fs, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { checkSchemas, recordSchemas } from '../../lib/catalog/schema-check';
import { lakeTable, loadLake, schemasDir } from '../../lib/catalog/tables';
import { SimulatedCrash } from '../../lib/etl/duckdb-runner';
import { logger } from '../../lib/logger';
import { compactionManifestKey } from '../../lib/etl/plans';
import { rebuildingStateKey } from '../../lib/etl/rejected';
import type { EtlRunSummary } from '../../lib/etl/run';
import { pendingUploadKey, uploadResultKey, type UploadResult } from '../../lib/etl/upload-queue';
import {
  clock,
  editedTables,
  fileJob,
  newLake,
  diesReading,
  ordersCsv,
  rejectedOrderIds,
  rejectedRows,
  run,
  tableRows,
  useReloadLakes,
  twoUploadsWithFailingRows,
  withoutIngestedAt,
  writeRaw,
} from './reload-lake';

useReloadLakes();

describe('mode rebuild: every raw object again, merged with the rows', () => {
  it('migrates a renamed column everywhere, keeps rows whose raw object is gone, and changes nothing twice', async () => {
    const lake = await newLake();
    const a = await writeRaw(
      lake,
      'uploads/orders/a.csv',
      ordersCsv([
        'o1,c1,2026-03-01,placed,10,EUR,1,WELCOME,2026-03-01T10:00:00Z',
        'o2,c2,2026-03-01,paid,20,EUR,1,,2026-03-01T10:00:00Z',
      ]),
    );
    const b = await writeRaw(
      lake,
      'uploads/orders/b.csv',
      ordersCsv(['o3,c3,2026-03-02,paid,30,EUR,1,SPRING,2026-03-02T10:00:00Z']),
    );
    // Not uploads of the dataset: left alone and reported.
    await writeRaw(lake, 'uploads/orders/notes.txt', 'not a file of orders');
    await writeRaw(lake, 'uploads/orders/c.csv.part', 'being written');
    await run(lake, fileJob('orders', a, 'load-a'), { now: clock('2026-03-03T00:00:00Z') });
    await run(lake, fileJob('orders', b, 'load-b'), { now: clock('2026-03-03T01:00:00Z') });
    // b.csv's raw object is gone: its row must stay.
    await fs.rm(path.join(lake, 'raw', b));

    const renamed = editedTables({
      'datasets/orders.json': (s) => {
        s.properties.promo_code = { ...s.properties.coupon, 'x-lake': { renamedFrom: 'coupon' } };
        delete s.properties.coupon;
      },
    });
    const orders = renamed.find((t) => t.name === 'orders')!;
    expect(orders.columns.find((c) => c.name === 'coupon')).toMatchObject({ retired: true });
    const first = await run(
      lake,
      { '--etl_mode': 'rebuild', '--table': 'orders', '--run_id': 'rebuild-1' },
      { tables: renamed, now: clock('2026-03-10T00:00:00Z') },
    );
    expect(first.rebuild).toEqual({
      table: 'orders',
      sources: 1,
      skipped: ['uploads/orders/c.csv.part', 'uploads/orders/notes.txt'],
      skippedCount: 2,
      partitionsRewritten: 1,
      figures: expect.objectContaining({
        schemaVersion: orders.version,
        rowsRead: 2,
        rowsWritten: 0,
        rowsRejected: 0,
        duplicatesRemoved: 2,
        partitions: ['dt=2026-03-01', 'dt=2026-03-02'],
      }),
    });
    const rows = await tableRows(lake, 'orders', 'order_id');
    // o1, o2 re-read: the new column's value from the raw file's old column name; the old (retired) column keeps
    // what it stored. o3's raw object is gone: kept, the renamed column filled from its stored value.
    expect(
      rows.map((r) => [r.order_id, r.promo_code, r.coupon, r.lake_source_file, r.lake_schema_version]),
    ).toEqual([
      ['o1', 'WELCOME', 'WELCOME', a, String(orders.version)],
      ['o2', null, null, a, String(orders.version)],
      ['o3', 'SPRING', 'SPRING', b, String(lakeTable('orders')!.version)],
    ]);
    expect(rows.map((r) => r.lake_ingested_at)).toEqual([
      '2026-03-10 00:00:00',
      '2026-03-10 00:00:00',
      '2026-03-03 01:00:00',
    ]);

    const second = await run(
      lake,
      { '--etl_mode': 'rebuild', '--table': 'orders', '--run_id': 'rebuild-2' },
      { tables: renamed, now: clock('2026-03-11T00:00:00Z') },
    );
    expect(second.rebuild!.figures).toMatchObject({ rowsRead: 2, rowsWritten: 0, duplicatesRemoved: 2 });
    const again = await tableRows(lake, 'orders', 'order_id');
    expect(withoutIngestedAt(again)).toEqual(withoutIngestedAt(rows));
  });

  it("keeps a renamed-away column's stored values when the same file is dropped again after the rename", async () => {
    const lake = await newLake();
    const csv = ordersCsv(['o1,c1,2026-03-01,placed,10,EUR,1,WELCOME,2026-03-01T10:00:00Z']);
    const a = await writeRaw(lake, 'uploads/orders/a.csv', csv);
    await run(lake, fileJob('orders', a, 'load-a'), { now: clock('2026-03-03T00:00:00Z') });
    const renamed = editedTables({
      'datasets/orders.json': (s) => {
        s.properties.promo_code = { ...s.properties.coupon, 'x-lake': { renamedFrom: 'coupon' } };
        delete s.properties.coupon;
      },
    });
    // The same file again (its header still says coupon, which promo_code reads): the retired coupon column has
    // no source, so the incoming row holds NULL there; the value the table stored stays.
    const again = await writeRaw(lake, 'uploads/orders/a.csv', csv);
    await run(lake, fileJob('orders', again, 'load-a-again'), {
      tables: renamed,
      now: clock('2026-03-10T00:00:00Z'),
    });
    const rows = await tableRows(lake, 'orders', 'order_id');
    expect(rows.map((r) => [r.order_id, r.promo_code, r.coupon])).toEqual([['o1', 'WELCOME', 'WELCOME']]);
    // A file that sends a new value: the new column takes it; the retired one still holds what was stored.
    const b = await writeRaw(
      lake,
      'uploads/orders/b.csv',
      ordersCsv(['o1,c1,2026-03-01,placed,10,EUR,1,SPRING,2026-03-02T10:00:00Z']),
    );
    await run(lake, fileJob('orders', b, 'load-b'), { tables: renamed, now: clock('2026-03-11T00:00:00Z') });
    const after = await tableRows(lake, 'orders', 'order_id');
    expect(after.map((r) => [r.order_id, r.promo_code, r.coupon])).toEqual([['o1', 'SPRING', 'WELCOME']]);
  });

  it('reads again only uploads the upload check accepted as they are now: a file it never checked stays out', async () => {
    const lake = await newLake();
    // Accepted (its pending record carries the version checked), and loaded.
    const a = await writeRaw(
      lake,
      'uploads/orders/a.csv',
      ordersCsv(['o1,c1,2026-03-01,placed,10,EUR,1,,2026-03-01T10:00:00Z']),
    );
    const etag = createHash('md5')
      .update(readFileSync(path.join(lake, 'raw', a)))
      .digest('hex');
    const pending = path.join(lake, 'curated', pendingUploadKey('load-a'));
    await fs.mkdir(path.dirname(pending), { recursive: true });
    writeFileSync(
      pending,
      JSON.stringify({
        execution: 'load-a',
        table: 'orders',
        key: a,
        etag,
        acceptedAt: '2026-03-03T00:00:00Z',
      }),
    );
    await run(lake, fileJob('orders', a, 'load-a'), { now: clock('2026-03-03T00:00:00Z') });
    const result = JSON.parse(readFileSync(path.join(lake, 'curated', uploadResultKey('load-a')), 'utf8'));
    expect(result).toMatchObject({ status: 'SUCCEEDED', key: a, etag });
    // Dropped while no check ran (the lake stopped): a file the check would refuse (an unknown column).
    const z = await writeRaw(lake, 'uploads/orders/z.csv', 'order_id,bogus\nz1,xx\n');
    const first = await run(lake, { '--etl_mode': 'rebuild', '--table': 'orders', '--run_id': 'rebuild-1' });
    expect(first.rebuild).toMatchObject({ sources: 1, skipped: [z] });
    expect((await tableRows(lake, 'orders', 'order_id')).map((r) => r.order_id)).toEqual(['o1']);
    // The accepted file replaced by content the check has not seen: skipped too, its stored row kept.
    await writeRaw(lake, a, ordersCsv(['o9,c9,2026-03-01,placed,10,EUR,1,,2026-03-01T10:00:00Z']));
    const second = await run(lake, { '--etl_mode': 'rebuild', '--table': 'orders', '--run_id': 'rebuild-2' });
    expect(second.rebuild).toMatchObject({ sources: 0, skipped: [a, z] });
    expect((await tableRows(lake, 'orders', 'order_id')).map((r) => r.order_id)).toEqual(['o1']);

    // The curated zone lost, records and all: a rebuild from the raw zone alone reads every upload by its name
    // (the check's records went with it), so that no accepted upload is lost.
    await fs.rm(path.join(lake, 'curated'), { recursive: true, force: true });
    await fs.writeFile(path.join(lake, 'raw', z), ordersCsv(['z1,c1,2026-03-01,placed,10,EUR,1,,']));
    const third = await run(lake, { '--etl_mode': 'rebuild', '--table': 'orders', '--run_id': 'rebuild-3' });
    expect(third.rebuild).toMatchObject({ sources: 2, skipped: [] });
    expect((await tableRows(lake, 'orders', 'order_id')).map((r) => r.order_id)).toEqual(['o9', 'z1']);
    // It recorded what it read as accepted (_state/uploads/restored/): a later upload's record does not make a later
    // rebuild skip them, nor put a restored upload's copy of a key back over the later upload's.
    const n = await writeRaw(
      lake,
      'uploads/orders/n.csv',
      ordersCsv(['n1,c1,2026-03-01,placed,10,EUR,1,,', 'z1,c1,2026-03-01,placed,20,EUR,1,,']),
    );
    await run(lake, fileJob('orders', n, 'load-n'), { now: clock('2026-03-12T00:00:00Z') });
    await writeRaw(lake, 'uploads/orders/late.csv', ordersCsv(['l1,c1,2026-03-01,placed,10,EUR,1,,']));
    const warn = jest.spyOn(logger, 'warn');
    const fourth = await run(lake, { '--etl_mode': 'rebuild', '--table': 'orders', '--run_id': 'rebuild-4' });
    expect(fourth.rebuild).toMatchObject({ sources: 3, skipped: ['uploads/orders/late.csv'] });
    expect(warn).toHaveBeenCalledWith("rebuild: files under the dataset's uploads/ not read", {
      table: 'orders',
      count: 1,
      skipped: [{ key: 'uploads/orders/late.csv', reason: expect.stringMatching(/has not accepted it/) }],
    });
    warn.mockRestore();
    expect((await tableRows(lake, 'orders', 'order_id')).map((r) => [r.order_id, Number(r.amount)])).toEqual([
      ['n1', 10],
      ['o9', 10],
      ['z1', 20],
    ]);
  });

  it('carries values through two renames (coupon → promo_code, recorded, → voucher), from files and stored rows', async () => {
    const lake = await newLake();
    const a = await writeRaw(
      lake,
      'uploads/orders/a.csv',
      ordersCsv(['o1,c1,2026-03-01,placed,10,EUR,1,WELCOME,2026-03-01T10:00:00Z']),
    );
    await run(lake, fileJob('orders', a, 'load-a'), { now: clock('2026-03-03T00:00:00Z') });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'schemas-renames-'));
    cpSync(schemasDir, dir, { recursive: true });
    const edit = (change: (s: any) => void) => {
      const file = path.join(dir, 'datasets', 'orders.json');
      const schema = JSON.parse(readFileSync(file, 'utf8'));
      change(schema);
      writeFileSync(file, JSON.stringify(schema, null, 2));
    };
    edit((s) => {
      s.properties.promo_code = { ...s.properties.coupon, 'x-lake': { renamedFrom: 'coupon' } };
      delete s.properties.coupon;
    });
    recordSchemas(checkSchemas(dir), dir);
    edit((s) => {
      s.properties.voucher = { ...s.properties.promo_code, 'x-lake': { renamedFrom: 'promo_code' } };
      delete s.properties.promo_code;
    });
    expect(checkSchemas(dir).violations).toEqual([]);
    const tables = loadLake(dir).tables;
    const orders = tables.find((t) => t.name === 'orders')!;
    expect(orders.columns.find((c) => c.name === 'voucher')).toMatchObject({
      formerNames: ['promo_code', 'coupon'],
    });
    // A file still using the oldest name, accepted after both renames.
    const b = await writeRaw(
      lake,
      'uploads/orders/b.csv',
      ordersCsv(['o2,c2,2026-03-01,paid,20,EUR,1,SPRING,2026-03-01T10:00:00Z']),
    );
    await run(lake, fileJob('orders', b, 'load-b'), { tables, now: clock('2026-03-04T00:00:00Z') });
    await run(
      lake,
      { '--etl_mode': 'rebuild', '--table': 'orders', '--run_id': 'rebuild-renames' },
      { tables, now: clock('2026-03-10T00:00:00Z') },
    );
    expect(
      (await tableRows(lake, 'orders', 'order_id')).map((r) => [r.order_id, r.voucher, r.coupon]),
    ).toEqual([
      ['o1', 'WELCOME', 'WELCOME'],
      ['o2', 'SPRING', null],
    ]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the value of a retired column that a file accepted before the retirement carries (never NULL)', async () => {
    const lake = await newLake();
    // Accepted while coupon was a column; loaded (or replayed) after it was retired.
    const a = await writeRaw(
      lake,
      'uploads/orders/before-retire.csv',
      ordersCsv([
        'o1,c1,2026-03-01,placed,10,EUR,1,KEEPME,2026-03-01T10:00:00Z',
        'o2,c2,2026-03-01,paid,20,EUR,1,,',
      ]),
    );
    const retired = editedTables({
      'datasets/orders.json': (s) => {
        delete s.properties.coupon;
        s['x-lake'].retired = ['coupon'];
      },
    });
    expect(retired.find((t) => t.name === 'orders')!.columns.find((c) => c.name === 'coupon')).toMatchObject({
      retired: true,
    });
    const summary = await run(lake, fileJob('orders', a, 'after-retire'), { tables: retired });
    expect(summary.tables.find((t) => t.table === 'orders')).toMatchObject({
      rowsWritten: 2,
      rowsRejected: 0,
    });
    expect((await tableRows(lake, 'orders', 'order_id')).map((r) => [r.order_id, r.coupon])).toEqual([
      ['o1', 'KEEPME'],
      ['o2', null],
    ]);
  });

  it('keeps what a retired column stored when the column comes back and a rebuild reads the rows again', async () => {
    const lake = await newLake();
    const a = await writeRaw(
      lake,
      'uploads/orders/a.csv',
      ordersCsv(['o1,c1,2026-03-01,placed,10,EUR,1,KEEPME,2026-03-01T10:00:00Z']),
    );
    await run(lake, fileJob('orders', a, 'load-a'), { now: clock('2026-03-02T00:00:00Z') });
    const retired = editedTables({
      'datasets/orders.json': (s) => {
        delete s.properties.coupon;
        s['x-lake'].retired = ['coupon'];
      },
    });
    // A newer version of o1, sent while coupon was retired: the file has no coupon column.
    const b = await writeRaw(
      lake,
      'uploads/orders/b.csv',
      'order_id,customer_id,order_date,status,amount,currency,item_count,updated_at\n' +
        'o1,c1,2026-03-01,paid,10,EUR,1,2026-03-02T10:00:00Z\n',
    );
    await run(lake, fileJob('orders', b, 'load-b'), { tables: retired, now: clock('2026-03-03T00:00:00Z') });
    const coupon = async () =>
      (await tableRows(lake, 'orders', 'order_id')).map((r) => [r.order_id, r.status, r.coupon]);
    expect(await coupon()).toEqual([['o1', 'paid', 'KEEPME']]);
    // coupon back in the schema (as it was), then a rebuild: b.csv, which never carried it, is read again.
    await run(
      lake,
      { '--etl_mode': 'rebuild', '--table': 'orders', '--run_id': 'rebuild-back' },
      { now: clock('2026-03-04T00:00:00Z') },
    );
    expect(await coupon()).toEqual([['o1', 'paid', 'KEEPME']]);
    // A newer copy from another file that clears it on purpose still clears it.
    const c = await writeRaw(
      lake,
      'uploads/orders/c.csv',
      ordersCsv(['o1,c1,2026-03-01,shipped,10,EUR,1,,2026-03-03T10:00:00Z']),
    );
    await run(lake, fileJob('orders', c, 'load-c'), { now: clock('2026-03-05T00:00:00Z') });
    expect(await coupon()).toEqual([['o1', 'shipped', null]]);
    await run(
      lake,
      { '--etl_mode': 'rebuild', '--table': 'orders', '--run_id': 'rebuild-after-clear' },
      { now: clock('2026-03-06T00:00:00Z') },
    );
    expect(await coupon()).toEqual([['o1', 'shipped', null]]);
  });

  it('is crash-safe: a rebuild that dies mid-swap is finished by the next run, and can simply run again', async () => {
    const lake = await newLake();
    const a = await writeRaw(
      lake,
      'uploads/orders/a.csv',
      ordersCsv(['o1,c1,2026-03-01,paid,1,EUR,1,,', 'o2,c2,2026-03-02,paid,2,EUR,1,,']),
    );
    await run(lake, fileJob('orders', a, 'load-a'), { now: clock('2026-03-03T00:00:00Z') });
    const before = await tableRows(lake, 'orders', 'order_id');
    let swaps = 0;
    const crashed = await run(
      lake,
      { '--etl_mode': 'rebuild', '--table': 'orders', '--run_id': 'rebuild-crash' },
      {
        now: clock('2026-03-04T00:00:00Z'),
        hooks: {
          afterPartitionSwap: () => {
            if (++swaps === 1) throw new SimulatedCrash('the process dies between two partition swaps');
          },
        },
      },
    ).catch((e: Error) => e);
    expect(crashed).toBeInstanceOf(SimulatedCrash);
    // The next run of the lake rolls the journal forward: both partitions are the rebuild's, no row lost.
    await run(lake, { '--etl_mode': 'events', '--run_id': 'after-crash' });
    const recovered = await tableRows(lake, 'orders', 'order_id');
    expect(recovered.map((r) => [r.order_id, r.lake_ingested_at])).toEqual([
      ['o1', '2026-03-04 00:00:00'],
      ['o2', '2026-03-04 00:00:00'],
    ]);
    expect(withoutIngestedAt(recovered)).toEqual(withoutIngestedAt(before));
    const again = await run(lake, {
      '--etl_mode': 'rebuild',
      '--table': 'orders',
      '--run_id': 'rebuild-again',
    });
    expect(again.rebuild).toMatchObject({ sources: 1, partitionsRewritten: 0 });
    expect(withoutIngestedAt(await tableRows(lake, 'orders', 'order_id'))).toEqual(withoutIngestedAt(before));
  });

  it('skips a file that cannot be read as rows (a gzip stream cut short, a quote never closed, mixed line ends), as its upload failed', async () => {
    const lake = await newLake();
    const good = await writeRaw(
      lake,
      'uploads/orders/good.csv',
      ordersCsv(['g1,c1,2026-03-01,placed,1,EUR,1,,']),
    );
    await run(lake, fileJob('orders', good, 'load-good'), { now: clock('2026-03-03T00:00:00Z') });
    const rows = Array.from({ length: 3000 }, (_, i) => `q${i},c1,2026-03-01,placed,1,EUR,1,,`);
    rows[1500] = 'qX,c1,2026-03-01,placed,1,EUR,1,"oops,';
    await writeRaw(lake, 'uploads/orders/quote.csv', ordersCsv(rows));
    const gz = gzipSync(Buffer.from(ordersCsv(rows.map((r) => r.replace(/^q/, 'z').replace('"oops', 'ok')))));
    await writeRaw(lake, 'uploads/orders/cut.csv.gz', gz.subarray(0, gz.length - 200));
    // The header ends in CRLF, the rows in LF: DuckDB's reader fails the whole file (a row ending in an empty
    // field it reads).
    await writeRaw(
      lake,
      'uploads/orders/mixed.csv',
      ordersCsv(['m1,c1,2026-03-01,placed,1,EUR,1,,2026-03-01T00:00:00Z']).replace('\n', '\r\n'),
    );
    const s = await run(
      lake,
      { '--etl_mode': 'rebuild', '--table': 'orders', '--run_id': 'rebuild-unreadable' },
      { now: clock('2026-03-05T00:00:00Z') },
    );
    expect(s.rebuild).toMatchObject({
      sources: 1,
      skipped: ['uploads/orders/cut.csv.gz', 'uploads/orders/mixed.csv', 'uploads/orders/quote.csv'],
    });
    expect((await tableRows(lake, 'orders', 'order_id')).map((r) => r.order_id)).toEqual(['g1']);
  });

  it('skips an accepted file DuckDB cannot read (a gzip stream followed by zeros), which failed its own upload; the others load', async () => {
    const lake = await newLake();
    // gzip -d takes the zeros after the stream, as Node's gunzip does (so the upload check took it); DuckDB does not.
    const padded = await writeRaw(
      lake,
      'uploads/orders/padded.csv.gz',
      Buffer.concat([gzipSync(ordersCsv(['p1,c1,2026-03-01,placed,1,EUR,1,,'])), Buffer.alloc(512)]),
    );
    const good = await writeRaw(
      lake,
      'uploads/orders/good.csv',
      ordersCsv(['g1,c1,2026-03-01,placed,1,EUR,1,,']),
    );
    const later = await writeRaw(
      lake,
      'uploads/orders/later.csv',
      ordersCsv(['h1,c1,2026-03-02,paid,2,EUR,1,,']),
    );
    await run(lake, fileJob('orders', good, 'load-good'), { now: clock('2026-03-03T00:00:00Z') });
    await run(lake, fileJob('orders', padded, 'load-padded'), { now: clock('2026-03-03T01:00:00Z') });
    await run(lake, fileJob('orders', later, 'load-later'), { now: clock('2026-03-03T02:00:00Z') });
    // The upload fails alone, as the Glue job fails it (its gzip check refuses the zeros): Etl.InvalidInput, named
    // as the job names it (not DuckDB's bare "Input is not a GZIP stream").
    const result = JSON.parse(
      readFileSync(path.join(lake, 'curated', uploadResultKey('load-padded')), 'utf8'),
    );
    expect(result).toMatchObject({
      status: 'FAILED',
      error: 'Etl.InvalidInput',
      cause: expect.stringMatching(
        /'uploads\/orders\/padded\.csv\.gz' is not a complete gzip stream \(512 byte\(s\) after its last member/,
      ),
    });
    const s = await run(
      lake,
      { '--etl_mode': 'rebuild', '--table': 'orders', '--run_id': 'rebuild-padded' },
      { now: clock('2026-03-05T00:00:00Z') },
    );
    expect(s.rebuild).toMatchObject({ sources: 2, skipped: [padded] });
    expect((await tableRows(lake, 'orders', 'order_id')).map((r) => r.order_id)).toEqual(['g1', 'h1']);
  });

  it('keeps the version of a key the table kept, when the raw files tie on latestBy', async () => {
    const lake = await newLake();
    // o9 without updated_at twice: the later upload won (the newest run), though its name sorts first.
    const late = await writeRaw(
      lake,
      'uploads/orders/a-late.csv',
      ordersCsv(['o9,c9,2026-03-01,shipped,5,EUR,1,,']),
    );
    const early = await writeRaw(
      lake,
      'uploads/orders/b-early.csv',
      ordersCsv(['o9,c9,2026-03-01,placed,5,EUR,1,,']),
    );
    await run(lake, fileJob('orders', early, 'load-early'), { now: clock('2026-03-03T00:00:00Z') });
    await run(lake, fileJob('orders', late, 'load-late'), { now: clock('2026-03-04T00:00:00Z') });
    expect((await tableRows(lake, 'orders', 'order_id')).map((r) => r.status)).toEqual(['shipped']);
    const s = await run(
      lake,
      { '--etl_mode': 'rebuild', '--table': 'orders', '--run_id': 'rebuild-tie' },
      { now: clock('2026-03-05T00:00:00Z') },
    );
    expect(s.rebuild).toMatchObject({ sources: 2, partitionsRewritten: 0 });
    const rows = await tableRows(lake, 'orders', 'order_id');
    expect(rows.map((r) => [r.status, r.lake_source_file])).toEqual([['shipped', late]]);
  });

  it('rebuilds an event type from every raw object: the manifests list them all, a second rebuild changes nothing', async () => {
    const lake = await newLake();
    const ev = (id: string, day: string) =>
      JSON.stringify({
        id,
        type: 'signup',
        occurred_at: `${day}T10:00:00.000Z`,
        received_at: `${day}T10:00:01.000Z`,
        data: { user_id: `u-${id}`, email: `${id}@example.com`, plan: 'pro' },
      });
    const objectKey = (day: string, n: number) =>
      `events/type=signup/arrival_date=${day}/arrival_hour=10/events-1-${day}-10-00-00-${n}.gz`;
    const k1 = await writeRaw(lake, objectKey('2026-03-01', 1), gzipSync(`${ev('s1', '2026-03-01')}\n`));
    await run(lake, { '--etl_mode': 'events', '--run_id': 'compact-1' });
    // Delivered after the compaction: pending until the rebuild reads it.
    const k2 = await writeRaw(
      lake,
      objectKey('2026-03-02', 2),
      gzipSync(`${ev('s2', '2026-03-02')}\n${ev('s1', '2026-03-01')}\n`),
    );
    const first = await run(lake, {
      '--etl_mode': 'rebuild',
      '--table': 'signup',
      '--run_id': 'rebuild-ev-1',
    });
    expect(first.rebuild).toMatchObject({ table: 'signup', sources: 2, skipped: [], partitionsRewritten: 0 });
    // The compaction of the same run finds nothing left.
    expect(first.tables.filter((t) => t.table === 'signup')).toHaveLength(1);
    expect(first.rebuild!.figures).toMatchObject({ rowsRead: 3, rowsWritten: 1, duplicatesRemoved: 2 });
    for (const [day, key] of [
      ['2026-03-01', k1],
      ['2026-03-02', k2],
    ]) {
      expect(
        JSON.parse(
          await fs.readFile(path.join(lake, 'curated', compactionManifestKey('signup', day!)), 'utf8'),
        ),
      ).toEqual({ processed: [key], versions: { [key!]: expect.stringMatching(/^\d+$/) } });
    }
    const rows = await tableRows(lake, 'signup', 'event_id');
    expect(rows.map((r) => r.event_id)).toEqual(['s1', 's2']);
    await run(lake, { '--etl_mode': 'rebuild', '--table': 'signup', '--run_id': 'rebuild-ev-2' });
    expect(await tableRows(lake, 'signup', 'event_id')).toEqual(rows);
    // A raw object that is no longer a whole gzip stream (damaged): skipped and listed, as the Glue job does; the
    // rows it gave are kept.
    const whole = await fs.readFile(path.join(lake, 'raw', k2));
    await fs.writeFile(path.join(lake, 'raw', k2), whole.subarray(0, whole.length - 12));
    const damaged = await run(lake, {
      '--etl_mode': 'rebuild',
      '--table': 'signup',
      '--run_id': 'rebuild-ev-3',
    });
    expect(damaged.rebuild).toMatchObject({ sources: 1, skipped: [k2] });
    expect(await tableRows(lake, 'signup', 'event_id')).toEqual(rows);
  });

  it('repairs an id an earlier version left in two partitions: the first received copy stays', async () => {
    const lake = await newLake();
    // A retry across a UTC midnight without occurred_at: each copy took its own receipt time.
    const copy = (at: string) =>
      JSON.stringify({
        id: 'm1',
        type: 'signup',
        occurred_at: at,
        received_at: at,
        data: { user_id: 'u-m1', email: 'm1@example.com', plan: 'pro' },
      });
    const objectKey = (day: string, n: number) =>
      `events/type=signup/arrival_date=${day}/arrival_hour=00/events-1-${day}-00-00-00-${n}.gz`;
    await writeRaw(lake, objectKey('2026-03-01', 1), gzipSync(`${copy('2026-03-01T23:59:59.900Z')}\n`));
    await run(lake, { '--etl_mode': 'events', '--run_id': 'compact-m1' });
    await writeRaw(lake, objectKey('2026-03-02', 2), gzipSync(`${copy('2026-03-02T00:00:00.100Z')}\n`));
    await run(lake, { '--etl_mode': 'events', '--run_id': 'compact-m2' });
    expect((await tableRows(lake, 'signup', 'event_id')).map((r) => r.event_date)).toEqual(['2026-03-01']);

    // As an earlier version of the runner left it: the second copy stored in its own partition too.
    const table = path.join(lake, 'curated', lakeTable('signup')!.prefix);
    const day1 = path.join(table, 'event_date=2026-03-01');
    await fs.mkdir(path.join(table, 'event_date=2026-03-02'), { recursive: true });
    for (const f of await fs.readdir(day1))
      await fs.copyFile(path.join(day1, f), path.join(table, 'event_date=2026-03-02', f));
    expect((await tableRows(lake, 'signup', 'event_id')).map((r) => r.event_date)).toEqual([
      '2026-03-01',
      '2026-03-02',
    ]);
    const rebuilt = await run(lake, {
      '--etl_mode': 'rebuild',
      '--table': 'signup',
      '--run_id': 'rebuild-m',
    });
    expect(rebuilt.rebuild!.figures).toMatchObject({ rowsRead: 2, rowsWritten: 0, duplicatesRemoved: 2 });
    const rows = await tableRows(lake, 'signup', 'event_id');
    expect(rows.map((r) => [r.event_id, r.event_date, r.received_at])).toEqual([
      ['m1', '2026-03-01', '2026-03-01 23:59:59.9'],
    ]);
  });

  it('records the schema version in upload results and run figures', async () => {
    const lake = await newLake();
    const key = await writeRaw(
      lake,
      'uploads/orders/v.csv',
      ordersCsv(['o1,c1,2026-03-01,placed,1,EUR,1,,']),
    );
    const s: EtlRunSummary = await run(lake, fileJob('orders', key, 'versioned'));
    const result = JSON.parse(
      await fs.readFile(path.join(lake, 'curated', uploadResultKey('versioned')), 'utf8'),
    ) as UploadResult;
    expect(result.schemaVersion).toBe(lakeTable('orders')!.version);
    expect(result.tables[0]!.schemaVersion).toBe(lakeTable('orders')!.version);
    for (const t of s.tables) expect(t.schemaVersion).toBe(lakeTable(t.table)!.version);
  });
});

describe('mode rebuild run again after its process died', () => {
  it('reads only the raw objects whose batches were not in: each row that fails is recorded once under its run id', async () => {
    const lake = await newLake();
    const [, b] = await twoUploadsWithFailingRows(lake);
    const rebuild = { '--etl_mode': 'rebuild', '--table': 'orders', '--run_id': 'rebuild-k' };
    await expect(run(lake, rebuild, diesReading(b))).rejects.toThrow(SimulatedCrash);
    const again = await run(lake, rebuild, { maxBatchBytes: 1 });
    // Its figures count what it read now (the attempt that died loaded a.csv; the lake's log says so).
    expect(again.rebuild).toMatchObject({ sources: 1 });
    expect(await rejectedOrderIds(lake, 'rebuild-k')).toEqual(['o1', 'o2']);
    await expect(fs.stat(path.join(lake, 'curated', rebuildingStateKey('orders')))).rejects.toThrow();
  });

  it('an event type too: the objects whose batches were in are not read again', async () => {
    const lake = await newLake();
    const ev = (id: string, plan: string) =>
      JSON.stringify({
        id,
        type: 'signup',
        occurred_at: '2026-03-01T10:00:00.000Z',
        received_at: '2026-03-01T10:00:01.000Z',
        data: { user_id: `u-${id}`, email: `${id}@example.com`, plan },
      });
    const objectKey = (n: number) =>
      `events/type=signup/arrival_date=2026-03-01/arrival_hour=10/events-1-2026-03-01-10-00-00-${n}.gz`;
    // Each object with a row that fails (no such plan), rejected once by the compaction.
    const k1 = await writeRaw(lake, objectKey(1), gzipSync(`${ev('s1', 'pro')}\n${ev('x1', 'nope')}\n`));
    const k2 = await writeRaw(lake, objectKey(2), gzipSync(`${ev('s2', 'pro')}\n${ev('x2', 'nope')}\n`));
    await run(lake, { '--etl_mode': 'events', '--run_id': 'compact-1' });
    const rebuild = { '--etl_mode': 'rebuild', '--table': 'signup', '--run_id': 'rebuild-ev-k' };
    await expect(run(lake, rebuild, diesReading(k2))).rejects.toThrow(SimulatedCrash);
    const again = await run(lake, rebuild, { maxBatchBytes: 1 });
    expect(again.rebuild).toMatchObject({ sources: 1 });
    const ids = (await rejectedRows(lake, 'signup'))
      .filter((r) => r.run_id === 'rebuild-ev-k')
      .map((r) => JSON.stringify(r.raw).match(/"(x[12])"/)?.[1]);
    expect(ids.sort()).toEqual(['x1', 'x2']);
    expect((await tableRows(lake, 'signup', 'event_id')).map((r) => r.event_id)).toEqual(['s1', 's2']);
    expect(k1).not.toBe(k2);
  });
});
