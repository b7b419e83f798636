/** The local query engine as the query tests open it: small limits, one DuckDB thread, the local database name. */
import type { TableDef } from '../../lib/catalog/types';
import { DuckDbQueryEngine } from '../../lib/query/duckdb';

/** The Glue database name of the local stage, as queries name it. */
export const TEST_DATABASE = 'data_lake_local';

export function openTestQueryEngine(
  lakeDir: string,
  tables: TableDef[],
  over: Partial<Parameters<typeof DuckDbQueryEngine.open>[0]> = {},
): Promise<DuckDbQueryEngine> {
  return DuckDbQueryEngine.open({
    lakeDir,
    database: TEST_DATABASE,
    tables,
    concurrency: 2,
    maxQueued: 10,
    timeoutMs: 60_000,
    maxResultRows: 10_000,
    memoryLimit: '256MB',
    threads: 1,
    ...over,
  });
}
