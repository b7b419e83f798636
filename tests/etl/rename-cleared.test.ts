/**
 * A renamed column (x-lake.renamedFrom) takes its former column's stored value only in rows written before the
 * rename: a row written since holds its own value, and a null it sent (a value cleared on purpose) is never filled
 * again from the old name when its partition is rewritten (lib/etl/plan.ts existingSql, both engines).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkSchemas, recordSchemas } from '../../lib/catalog/schema-check';
import { loadLake, schemasDir } from '../../lib/catalog/tables';
import type { TableDef } from '../../lib/catalog/types';
import { readSchemasInUse, writeSchemasInUse } from '../../local/schemas-in-use';
import {
  editedTables,
  fileJob,
  newLake,
  ordersCsv,
  run,
  tableRows,
  useReloadLakes,
  writeRaw,
} from './reload-lake';

useReloadLakes();

/** The schema edit: coupon renamed to promo_code. */
const couponToPromoCode = (s: any) => {
  s.properties.promo_code = { ...s.properties.coupon, 'x-lake': { renamedFrom: 'coupon' } };
  delete s.properties.coupon;
};

/** A newer version of o1, loaded under `tables`, that clears its promo code on purpose. */
async function loadCleared(lake: string, tables: TableDef[]): Promise<void> {
  const cleared = await writeRaw(
    lake,
    'uploads/orders/cleared.csv',
    `${RENAMED_HEADER}\no1,c1,2026-03-01,paid,10,EUR,1,,2026-03-02T10:00:00Z\n`,
  );
  await run(lake, fileJob('orders', cleared, 'load-cleared'), { tables });
}

/** A lake whose orders o1 (coupon OLD) and o2 (coupon KEEP) were loaded under the project's schema. */
async function lakeWithCoupons(): Promise<string> {
  const lake = await newLake();
  const before = await writeRaw(
    lake,
    'uploads/orders/before.csv',
    ordersCsv([
      'o1,c1,2026-03-01,placed,10,EUR,1,OLD,2026-03-01T10:00:00Z',
      'o2,c2,2026-03-01,placed,20,EUR,1,KEEP,2026-03-01T10:00:00Z',
    ]),
  );
  await run(lake, fileJob('orders', before, 'load-before'));
  return lake;
}

const RENAMED_HEADER =
  'order_id,customer_id,order_date,status,amount,currency,item_count,promo_code,updated_at';

it('keeps a value cleared after a rename cleared when an unrelated file rewrites the partition', async () => {
  const lake = await lakeWithCoupons();
  const renamed = editedTables({ 'datasets/orders.json': couponToPromoCode });
  // A newer version of o1 that clears the promo code on purpose.
  await loadCleared(lake, renamed);
  const promo = async () =>
    (await tableRows(lake, 'orders', 'order_id')).map((r) => [r.order_id, r.status, r.promo_code]);
  expect(await promo()).toEqual([
    ['o1', 'paid', null],
    ['o2', 'placed', 'KEEP'],
  ]);
  // An unrelated row in the same partition: the partition is rewritten from its stored rows.
  const other = await writeRaw(
    lake,
    'uploads/orders/other.csv',
    `${RENAMED_HEADER}\no9,c9,2026-03-01,placed,5,EUR,1,NEW,2026-03-03T10:00:00Z\n`,
  );
  await run(lake, fileJob('orders', other, 'load-other'), { tables: renamed });
  expect(await promo()).toEqual([
    ['o1', 'paid', null],
    ['o2', 'placed', 'KEEP'],
    ['o9', 'placed', 'NEW'],
  ]);
});

/** A copy of the project's schemas, edited and recorded one step after another (npm run schemas:accept). */
const stepDirs: string[] = [];
afterAll(() => stepDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function recordedSteps(): { step: (edit: (orders: any) => void) => TableDef[] } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'schemas-steps-'));
  stepDirs.push(dir);
  cpSync(schemasDir, dir, { recursive: true });
  return {
    step(edit) {
      const file = path.join(dir, 'datasets', 'orders.json');
      const schema = JSON.parse(readFileSync(file, 'utf8'));
      edit(schema);
      writeFileSync(file, JSON.stringify(schema, null, 2));
      const report = checkSchemas(dir);
      expect(report.violations).toEqual([]);
      recordSchemas(report, dir);
      return loadLake(dir).tables;
    },
  };
}

it('a second rename fills the new name from the name each row was written under: a value cleared under the middle name stays cleared, and the middle column keeps its stored values', async () => {
  const steps = recordedSteps();
  const lake = await lakeWithCoupons();
  // v2: coupon renamed to promo_code; o1 sent again with the code cleared on purpose.
  await loadCleared(lake, steps.step(couponToPromoCode));
  // v3: promo_code renamed to voucher; an unrelated order rewrites the partition from its stored rows.
  const v3 = steps.step((s) => {
    s.properties.voucher = { ...s.properties.promo_code, 'x-lake': { renamedFrom: 'promo_code' } };
    delete s.properties.promo_code;
  });
  const other = await writeRaw(
    lake,
    'uploads/orders/other.csv',
    `${RENAMED_HEADER.replace('promo_code', 'voucher')}\no9,c9,2026-03-01,placed,5,EUR,1,NEW,2026-03-03T10:00:00Z\n`,
  );
  await run(lake, fileJob('orders', other, 'load-other'), { tables: v3 });
  const rows = (await tableRows(lake, 'orders', 'order_id')).map((r) => [
    r.order_id,
    r.voucher,
    r.promo_code,
    r.coupon,
    r.lake_schema_version,
  ]);
  expect(rows).toEqual([
    ['o1', null, null, 'OLD', '2'],
    ['o2', 'KEEP', 'KEEP', 'KEEP', '1'],
    ['o9', 'NEW', null, null, '3'],
  ]);
});

it('a rename the lake used before it was recorded keeps its rows cleared under a later edit, and when recorded', async () => {
  // Locally an edit is used before schemas:accept records it (local/schemas-follower.ts): the lake's record of the
  // versions it used (local/schemas-in-use.ts) says which version took the rename first.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'schemas-unrecorded-'));
  const inUseDir = mkdtempSync(path.join(os.tmpdir(), 'in-use-'));
  stepDirs.push(dir, inUseDir);
  cpSync(schemasDir, dir, { recursive: true });
  const edit = (change: (orders: any) => void) => {
    const file = path.join(dir, 'datasets', 'orders.json');
    const schema = JSON.parse(readFileSync(file, 'utf8'));
    change(schema);
    writeFileSync(file, JSON.stringify(schema, null, 2));
  };
  /** What the lake does when it applies schemas/: checks against its versions in use, records what it uses. */
  const apply = () => {
    const report = checkSchemas(dir, undefined, readSchemasInUse(inUseDir));
    expect(report.violations).toEqual([]);
    writeSchemasInUse(inUseDir, report.defs);
    return report;
  };
  const lake = await lakeWithCoupons();
  apply();
  // v2, not recorded: coupon renamed to promo_code; o1 sent again with the code cleared on purpose.
  edit(couponToPromoCode);
  await loadCleared(lake, apply().defs);
  // v3, not recorded either: an unrelated optional column; an unrelated order rewrites the partition.
  edit((s) => {
    s.properties.gift_note = { type: ['string', 'null'] };
  });
  const v3 = apply();
  expect(v3.defs.find((t) => t.name === 'orders')!.version).toBe(3);
  const promo = async () =>
    (await tableRows(lake, 'orders', 'order_id')).map((r) => [r.order_id, r.promo_code, r.coupon]);
  const other = async (name: string, tables: TableDef[]) => {
    const key = await writeRaw(
      lake,
      `uploads/orders/${name}.csv`,
      `${RENAMED_HEADER}\n${name},c9,2026-03-01,placed,5,EUR,1,NEW,2026-03-03T10:00:00Z\n`,
    );
    await run(lake, fileJob('orders', key, `load-${name}`), { tables });
  };
  await other('o8', v3.defs);
  expect(await promo()).toEqual([
    ['o1', null, 'OLD'],
    ['o2', 'KEEP', 'KEEP'],
    ['o8', 'NEW', null],
  ]);
  // Recorded now (npm run schemas:accept): the history says since when the rename was in use, and keeps to it.
  recordSchemas(v3, dir);
  const history = JSON.parse(readFileSync(path.join(dir, 'history', 'orders.json'), 'utf8'));
  expect(history.versions.at(-1).changes).toContain(
    'promo_code: renamed from coupon (in use since version 2)',
  );
  await other('o9', apply().defs);
  expect(await promo()).toEqual([
    ['o1', null, 'OLD'],
    ['o2', 'KEEP', 'KEEP'],
    ['o8', 'NEW', null],
    ['o9', 'NEW', null],
  ]);
});
