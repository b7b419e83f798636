/**
 * The table lake_upload_order a reload merge joins (plan.ts reloadMergeSql): each upload of the dataset with the
 * order of the run that loaded it (lib/etl/upload-order.ts), from the queue's done records, read once per run.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { TableDef } from '../../catalog/types';
import { sqlString } from '../../duckdb-sql';
import { uploadOrders } from '../upload-order';
import { queueRecords } from './accepted-uploads';

/** What of a run's context this needs (batch.ts RunContext). */
interface RunLake {
  conn: DuckDBConnection;
  curatedDir: string;
}

const read = new WeakMap<RunLake, Map<string, Promise<[string, string][]>>>();

/** Creates (or replaces) lake_upload_order for `table` on the run's connection. */
export async function createUploadOrderTable(ctx: RunLake, table: TableDef): Promise<void> {
  const byTable = read.get(ctx) ?? new Map<string, Promise<[string, string][]>>();
  read.set(ctx, byTable);
  let orders = byTable.get(table.name);
  if (!orders) {
    orders =
      table.kind === 'events'
        ? Promise.resolve([])
        : queueRecords(ctx.curatedDir, table.name).then((records) => uploadOrders(records));
    byTable.set(table.name, orders);
  }
  const rows = await orders;
  await ctx.conn.run(
    'CREATE OR REPLACE TEMP TABLE lake_upload_order (upload_key VARCHAR, upload_order VARCHAR)',
  );
  for (let i = 0; i < rows.length; i += 1000)
    await ctx.conn.run(
      `INSERT INTO lake_upload_order VALUES ${rows
        .slice(i, i + 1000)
        .map(([k, o]) => `(${sqlString(k)}, ${sqlString(o)})`)
        .join(', ')}`,
    );
}
