/**
 * Data scanned: DuckDB's FileSystem log records every read of a file; the engine sums the bytes of the reads of
 * the query's own statements (its connection and query ids) under the curated tables — the Parquet footers and
 * column chunks actually read after partition pruning. The external file cache is off so repeated queries count
 * their reads again, as Athena would.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../../duckdb-sql';

/** The connection's latest query id: the reads of the statements after it are those of the query about to run. */
export async function currentQueryId(c: DuckDBConnection): Promise<number> {
  return Number((await (await c.runAndReadAll('SELECT current_query_id()')).getRowsJS())[0]![0]);
}

/**
 * Bytes and files the connection's statements after `afterQueryId` read from these folders: the curated tables, the
 * rejected store, and the links the views read them through (partition-paths.ts).
 */
export async function scanned(
  c: DuckDBConnection,
  afterQueryId: number,
  dirs: string[],
): Promise<[number, number]> {
  const under = dirs.map((d) => `starts_with(path, ${sqlString(d)})`).join(' OR ');
  const reader = await c.runAndReadAll(
    `SELECT coalesce(sum(bytes), 0), count(DISTINCT path) FROM duckdb_logs_parsed('FileSystem') ` +
      `WHERE op = 'READ' AND connection_id = current_connection_id() AND query_id > ${afterQueryId} AND (${under})`,
  );
  const [bytes, files] = reader.getRowsJS()[0] ?? [0, 0];
  return [Number(bytes), Number(files)];
}
