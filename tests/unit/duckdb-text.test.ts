/**
 * lib/duckdb-text.ts: a VARCHAR that begins with a byte order mark is read back with it (DuckDB's node API dropped
 * one leading U+FEFF from every value), by the query engine's sandbox and the ETL's DuckDB alike.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import '../../lib/duckdb-text';

it('reads text that begins with a byte order mark as it is stored', async () => {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const rows = (
    await c.runAndReadAll(
      "SELECT chr(65279) || 'x', 'y' || chr(65279), chr(65279) || chr(65279) || 'z', 'plain'",
    )
  ).getRows()[0];
  expect(rows).toEqual(['\uFEFFx', 'y\uFEFF', '\uFEFF\uFEFFz', 'plain']);
  c.closeSync();
  db.closeSync();
});
