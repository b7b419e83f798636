/**
 * The table's current rows in the partitions a batch writes: the view lake_existing_files (every output column,
 * typed, NULL where a file lacks it) read from their Parquet files, then `existing` through the plan's existingSql.
 */
import { duckdbType, NO_HIVE_PARTITIONS, sqlIdent, sqlString, sqlStringList } from '../../duckdb-sql';
import type { DuckDBConnection } from '@duckdb/node-api';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { TableDef } from '../../catalog/tables';
import type { EtlPlan } from '../plan';
import { count, query } from './duckdb';
import { listFiles } from './fs-util';

/** A partition of the table: its values (in plan.partitionKeys order) and its folder name k=v[/k2=v2]. */
export interface Partition {
  values: string[];
  name: string;
}

/** The Parquet files of a partition folder (not below it; names starting with '.' or '_' skipped). */
async function partitionFiles(dir: string): Promise<string[]> {
  return (await listFiles(dir))
    .filter((f) => !f.includes('/') && f.endsWith('.parquet') && !f.startsWith('.') && !f.startsWith('_'))
    .map((f) => path.join(dir, f));
}

/** Creates `existing` for these partitions; returns how many rows it has. */
export async function loadExisting(
  conn: DuckDBConnection,
  curatedDir: string,
  table: TableDef,
  plan: EtlPlan,
  partitions: Partition[],
): Promise<number> {
  const keys = plan.partitionKeys;
  const typeOf = new Map(table.columns.map((c) => [c.name, duckdbType(c.type)]));
  const tableColumns = table.columns.map((c) => c.name);
  const existingFiles: { file: string; values: string[] }[] = [];
  for (const p of partitions) {
    for (const file of await partitionFiles(path.join(curatedDir, plan.prefix, p.name))) {
      existingFiles.push({ file, values: p.values });
    }
  }
  const outputTyped = (name: string, present: boolean) =>
    `CAST(${present ? sqlIdent(name) : 'NULL'} AS ${typeOf.get(name) ?? 'VARCHAR'}) AS ${name}`;
  if (existingFiles.length > 0) {
    const source = (withFile: boolean) =>
      `read_parquet(${sqlStringList(existingFiles.map((f) => f.file))}, union_by_name = true, ${NO_HIVE_PARTITIONS}` +
      `${withFile ? ", filename = 'lake_file'" : ''})`;
    const present = new Set(
      (await query(conn, `DESCRIBE SELECT * FROM ${source(false)}`)).map((r) => String(r.column_name)),
    );
    await conn.run(
      `CREATE TEMP TABLE lake_existing_paths AS SELECT * FROM (VALUES ${existingFiles
        .map((f) => `(${[f.file, ...f.values].map(sqlString).join(', ')})`)
        .join(', ')}) v(lake_file, ${keys.join(', ')})`,
    );
    await conn.run(
      `CREATE TEMP TABLE lake_existing_files AS SELECT ${tableColumns.map((c) => outputTyped(c, present.has(c))).join(', ')}, ` +
        `${keys.map((k) => `f.${k}`).join(', ')} FROM ${source(true)} p JOIN lake_existing_paths f USING (lake_file)`,
    );
  } else {
    await conn.run(
      `CREATE TEMP VIEW lake_existing_files AS SELECT ${tableColumns.map((c) => outputTyped(c, false)).join(', ')}, ` +
        `${keys.map((k) => `CAST(NULL AS VARCHAR) AS ${k}`).join(', ')} WHERE false`,
    );
  }
  // The plan's view of them (a renamed column takes its old column's value where it has none).
  await conn.run(`CREATE TEMP TABLE existing AS ${plan.existingSql}`);
  return count(conn, 'SELECT 1 FROM existing');
}

/** A partition of the table in the curated zone: its Parquet files (paths) and their bytes. */
export interface StoredPartition extends Partition {
  files: string[];
  bytes: number;
}

/**
 * Every partition the table has in the curated zone (a folder k=v[/k2=v2] holding Parquet files), with its files
 * and their bytes, sorted by name.
 */
export async function tablePartitions(curatedDir: string, plan: EtlPlan): Promise<StoredPartition[]> {
  const out: StoredPartition[] = [];
  const walk = async (dir: string, depth: number, values: string[]): Promise<void> => {
    if (depth === plan.partitionKeys.length) {
      const files = await partitionFiles(dir);
      if (files.length === 0) return;
      let bytes = 0;
      for (const f of files) bytes += (await fs.stat(f)).size;
      const name = plan.partitionKeys.map((k, i) => `${k}=${values[i]}`).join('/');
      out.push({ values, name, files, bytes });
      return;
    }
    const prefix = `${plan.partitionKeys[depth]}=`;
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (e.isDirectory() && e.name.startsWith(prefix) && e.name.length > prefix.length) {
        await walk(path.join(dir, e.name), depth + 1, [...values, e.name.slice(prefix.length)]);
      }
    }
  };
  await walk(path.join(curatedDir, plan.prefix), 0, []);
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
