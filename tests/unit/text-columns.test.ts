/**
 * The column names the local engine's text-comparison check may judge without binding (lib/query/duckdb/
 * athena-refusals.ts textColumnsOf): text in every table the query reads, from the lake's own schemas.
 */
import { lakeTables, schemasDir } from '../../lib/catalog/tables';
import { textColumnsOf } from '../../lib/query/duckdb/athena-refusals';

const tables = lakeTables(schemasDir);

describe('textColumnsOf', () => {
  it('names the text columns and partition keys of the tables read, never a column of another type', () => {
    const page = textColumnsOf(tables, ['page_view']);
    expect([...page]).toEqual(expect.arrayContaining(['event_date', 'event_id', 'session_id', 'url']));
    for (const typed of ['occurred_at', 'received_at', 'duration_ms']) expect(page.has(typed)).toBe(false);
    const orders = textColumnsOf(tables, ['orders']);
    expect([...orders]).toEqual(expect.arrayContaining(['dt', 'order_id', 'status']));
    for (const typed of ['amount', 'order_date', 'updated_at', 'item_count'])
      expect(orders.has(typed)).toBe(false);
  });

  it("reads the rejected store's columns, and gives nothing for a table it does not know", () => {
    const rejected = textColumnsOf(tables, ['lake_rejected']);
    expect([...rejected]).toEqual(expect.arrayContaining(['table_name', 'run_date', 'reason', 'raw_record']));
    expect(rejected.has('schema_version')).toBe(false);
    expect(textColumnsOf(tables, ['page_view', 'no_such_table']).size).toBe(0);
  });
});
