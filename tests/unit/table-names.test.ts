/**
 * The lake's table names by kind (lib/catalog/table-names.ts): locally from schemas/, in Lambda from the environment
 * serverless.yml gives the function (schemas/ is not in a bundle).
 */
import { tableNames } from '../../lib/catalog/table-names';
import { lakeTables } from '../../lib/catalog/tables';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('tableNames', () => {
  it('locally: the tables of schemas/, by kind, events first', () => {
    process.env.LAKE_RUNTIME = 'local';
    const tables = lakeTables();
    expect(tableNames(['events'])).toEqual(tables.filter((t) => t.kind === 'events').map((t) => t.name));
    expect(tableNames(['dataset'])).toEqual(tables.filter((t) => t.kind === 'dataset').map((t) => t.name));
    expect(tableNames()).toEqual([...tableNames(['events']), ...tableNames(['dataset'])]);
    expect(tableNames(['events'])).toContain('page_view');
    expect(tableNames(['dataset'])).toContain('orders');
  });

  it('on AWS: from LAKE_EVENT_TABLES and LAKE_DATASET_TABLES, not from schemas/', () => {
    process.env.LAKE_RUNTIME = 'aws';
    process.env.LAKE_EVENT_TABLES = 'clicks, signup';
    process.env.LAKE_DATASET_TABLES = '';
    expect(tableNames()).toEqual(['clicks', 'signup']);
    expect(tableNames(['events'])).toEqual(['clicks', 'signup']);
    expect(tableNames(['dataset'])).toEqual([]);
  });

  it('on AWS without the variable: an error naming it', () => {
    process.env.LAKE_RUNTIME = 'aws';
    delete process.env.LAKE_EVENT_TABLES;
    process.env.LAKE_DATASET_TABLES = 'orders';
    expect(tableNames(['dataset'])).toEqual(['orders']);
    expect(() => tableNames()).toThrow(/LAKE_EVENT_TABLES is required \(the lake's event tables\)/);
  });
});
