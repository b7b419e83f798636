/**
 * A required property whose type allows null (`"type": ["string", "null"]`): the validators take an explicit null,
 * and so does the ETL (both engines run the plan's checks), where it rejected the row as "required" — unless its enum
 * leaves null out or its const is another value: ajv refuses that null at ingest and in the upload check, and so does
 * the ETL, with a reason (before, it stored the null: the same file was quarantined when the null was inside the
 * upload sample and loaded when it was past it).
 */
import { datasetTable } from '../../lib/catalog/table-from-schema';
import { csvChecker } from '../../lib/uploads/check-csv';
import { sampleLimits } from '../../lib/uploads/types';
import { compileValidator } from '../../lib/validators/compile';
import {
  editedTables,
  fileJob,
  newLake,
  ordersCsv,
  rejectedRows,
  run,
  tableRows,
  useReloadLakes,
  writeRaw,
} from './reload-lake';

useReloadLakes();

it('loads a null in a required column whose type allows null; one that does not allow it is still rejected', async () => {
  const lake = await newLake();
  const nullable = editedTables({
    'datasets/orders.json': (s) => (s.properties.currency.type = ['string', 'null']),
  });
  const csv = await writeRaw(
    lake,
    'uploads/orders/nulls.csv',
    ordersCsv([
      'n1,c1,2026-03-01,placed,10,,1,,2026-03-01T10:00:00Z', // currency: null, allowed
      'n2,,2026-03-01,placed,10,EUR,1,,2026-03-01T10:00:00Z', // customer_id: required, no null
    ]),
  );
  const s = await run(lake, fileJob('orders', csv, 'load-nulls'), { tables: nullable });
  expect(s.tables[0]).toMatchObject({ table: 'orders', rowsRead: 2, rowsWritten: 1, rowsRejected: 1 });
  expect((await tableRows(lake, 'orders', 'order_id')).map((r) => [r.order_id, r.currency])).toEqual([
    ['n1', null],
  ]);
  expect((await rejectedRows(lake, 'orders')).map((r) => r.reason)).toEqual(['customer_id: required']);
});

// status: required; its enum lists no null (or, edited, lists it).
const edit = (enumWithNull: boolean) => ({
  'datasets/orders.json': (s: any) => {
    s.properties.status.type = ['string', 'null'];
    if (enumWithNull) s.properties.status.enum.push(null);
  },
});

it('the ETL rejects the null of a required column whose enum lists no null, naming it; an enum with null takes it', async () => {
  const lake = await newLake();
  const rows = [
    'n1,c1,2026-03-01,,10,EUR,1,,2026-03-01T10:00:00Z',
    'n2,c1,2026-03-01,paid,10,EUR,1,,2026-03-01T10:00:00Z',
  ];
  const csv = await writeRaw(lake, 'uploads/orders/nulls.csv', ordersCsv(rows));
  const refused = await run(lake, fileJob('orders', csv, 'load-nulls'), {
    tables: editedTables(edit(false)),
  });
  expect(refused.tables[0]).toMatchObject({ rowsWritten: 1, rowsRejected: 1 });
  expect((await tableRows(lake, 'orders', 'order_id')).map((r) => [r.order_id, r.status])).toEqual([
    ['n2', 'paid'],
  ]);
  expect((await rejectedRows(lake, 'orders')).map((r) => r.reason)).toEqual([
    'status: null is not one of placed, paid, shipped, delivered, cancelled, refunded',
  ]);

  const other = await newLake();
  const again = await writeRaw(other, 'uploads/orders/nulls.csv', ordersCsv(rows));
  const taken = await run(other, fileJob('orders', again, 'load-nulls'), {
    tables: editedTables(edit(true)),
  });
  expect(taken.tables[0]).toMatchObject({ rowsWritten: 2, rowsRejected: 0 });
  expect((await tableRows(other, 'orders', 'order_id')).map((r) => [r.order_id, r.status])).toEqual([
    ['n1', null],
    ['n2', 'paid'],
  ]);
});

it('the upload check refuses the same null, and takes it where the enum lists null', () => {
  for (const withNull of [false, true]) {
    const schema = {
      type: 'object',
      required: ['id', 'day', 'tier'],
      properties: {
        id: { type: 'string' },
        day: { type: 'string', format: 'date' },
        tier: { type: ['string', 'null'], enum: withNull ? ['gold', 'silver', null] : ['gold', 'silver'] },
      },
      'x-lake': { primaryKey: ['id'], partitionBy: 'day', formats: ['csv' as const] },
    };
    const ds = {
      name: 'things',
      schema,
      table: { ...datasetTable('things', schema as never), maxRejectedRatio: 0 },
      validate: compileValidator('datasets', 'things', schema as never),
    };
    const c = csvChecker(ds, sampleLimits());
    c.push('id,day,tier\na,2026-01-01,\n');
    const finding = c.finish(true);
    if (withNull) expect(finding).toBeNull();
    else expect(finding).toEqual(expect.objectContaining({ code: 'ROW_INVALID', field: 'tier' }));
  }
});

it('the ETL rejects the null of a required column whose const is another value', async () => {
  const lake = await newLake();
  const tables = editedTables({
    'datasets/orders.json': (s: any) => {
      s.required.push('coupon');
      s.properties.coupon = { type: ['string', 'null'], const: 'WELCOME' };
    },
  });
  const rows = [
    'k1,c1,2026-03-01,paid,10,EUR,1,,2026-03-01T10:00:00Z',
    'k2,c1,2026-03-01,paid,10,EUR,1,WELCOME,2026-03-01T10:00:00Z',
  ];
  const csv = await writeRaw(lake, 'uploads/orders/const.csv', ordersCsv(rows));
  const s = await run(lake, fileJob('orders', csv, 'load-const'), { tables });
  expect(s.tables[0]).toMatchObject({ rowsWritten: 1, rowsRejected: 1 });
  expect((await rejectedRows(lake, 'orders')).map((r) => r.reason)).toEqual([
    'coupon: null is not "WELCOME"',
  ]);
});
