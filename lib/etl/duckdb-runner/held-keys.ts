/**
 * The partitions, beside those a batch writes, that already hold a primary key of its incoming rows. A key can be
 * stored under another partition value than its new copy's: an event retried across a UTC midnight (occurred_at
 * defaulted to each receipt), a dataset row whose partition date changed. Such partitions join the batch's merge
 * (resources/glue/etl_job.py: partitions_holding_keys, the same on AWS), so the table keeps one row per key: the
 * merge's winner is written to its partition, and the other is rewritten without the copy it held.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { NO_HIVE_PARTITIONS, sqlStringList } from '../../duckdb-sql';
import type { EtlPlan } from '../plan';
import { query } from './duckdb';
import { failed } from './errors';
import { tablePartitions, type Partition } from './existing';

/** The table's partitions not in `writing` whose files hold a key of `incoming`, sorted by name. */
export async function partitionsHoldingKeys(
  conn: DuckDBConnection,
  curatedDir: string,
  plan: EtlPlan,
  writing: ReadonlySet<string>,
): Promise<Partition[]> {
  const others = (await tablePartitions(curatedDir, plan)).filter((p) => !writing.has(p.name));
  if (others.length === 0) return [];
  const byFile = new Map<string, Partition>();
  for (const p of others) for (const f of p.files) byFile.set(f, { values: p.values, name: p.name });
  const keys = plan.primaryKey.join(', ');
  // Only the key columns are read (DuckDB's join filter may skip files outside the incoming keys' min/max).
  const rows = await query(
    conn,
    `SELECT DISTINCT lake_file FROM read_parquet(${sqlStringList([...byFile.keys()])}, union_by_name = true, ` +
      `${NO_HIVE_PARTITIONS}, filename = 'lake_file') ` +
      `SEMI JOIN (SELECT DISTINCT ${keys} FROM incoming) lake_incoming_keys USING (${keys})`,
  );
  const held = new Map<string, Partition>();
  for (const r of rows) {
    const p = byFile.get(String(r.lake_file));
    if (!p) throw failed(`${plan.table}: DuckDB named a file it was not given: ${String(r.lake_file)}`);
    held.set(p.name, p);
  }
  return [...held.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
