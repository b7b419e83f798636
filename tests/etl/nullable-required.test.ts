/**
 * A required property whose type allows null (`"type": ["string", "null"]`): the validators take an explicit null,
 * and so does the ETL (both engines run the plan's checks), where it rejected the row as "required".
 */
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
