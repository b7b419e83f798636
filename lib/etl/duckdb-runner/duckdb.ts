/**
 * DuckDB: the run's in-memory database (limits, prelude, access to the lake only) and small query helpers.
 */
import { sqlIdent, sqlStringList } from '../../duckdb-sql';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
// Strings read back with a leading byte order mark kept (DuckDB's decoder dropped it).
import '../../duckdb-text';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DUCKDB_PRELUDE } from '../plan';

export type Row = Record<string, unknown>;

export async function query(conn: DuckDBConnection, sql: string): Promise<Row[]> {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Row[];
}

/** Drops every temporary table and view (what the previous batch of the run left). */
export async function dropTempObjects(conn: DuckDBConnection): Promise<void> {
  for (const r of await query(
    conn,
    'SELECT view_name AS name FROM duckdb_views() WHERE temporary AND NOT internal',
  )) {
    await conn.run(`DROP VIEW IF EXISTS ${sqlIdent(String(r.name))}`);
  }
  for (const r of await query(conn, 'SELECT table_name AS name FROM duckdb_tables() WHERE temporary')) {
    await conn.run(`DROP TABLE IF EXISTS ${sqlIdent(String(r.name))}`);
  }
}

export async function count(conn: DuckDBConnection, sql: string): Promise<number> {
  const rows = await query(conn, `SELECT count(*) AS n FROM (${sql})`);
  return Number(rows[0]?.n ?? 0);
}

export async function openDuckDb(opts: {
  threads: number;
  memoryLimit: string;
  spillDir: string;
  lakeDir: string;
}) {
  await fs.mkdir(opts.spillDir, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:', {
    threads: String(opts.threads),
    memory_limit: opts.memoryLimit,
    temp_directory: opts.spillDir,
    // Row order only matters where a statement says ORDER BY (the Parquet files are sorted by primary key).
    preserve_insertion_order: 'false',
  });
  const conn = await instance.connect();
  try {
    await conn.run("SET TimeZone = 'UTC'");
    // Partitions are written by one COPY; keep every partition's file open so each gets exactly one.
    await conn.run('SET partitioned_write_max_open_files = 100000');
    for (const s of DUCKDB_PRELUDE) await conn.run(s);
    // The run reads and writes only the lake.
    await conn.run(`SET allowed_directories = ${sqlStringList([opts.lakeDir + path.sep])}`);
    await conn.run('SET enable_external_access = false');
    await conn.run('SET lock_configuration = true');
  } catch (e) {
    conn.closeSync();
    instance.closeSync();
    throw e;
  }
  return {
    conn,
    close: () => {
      conn.closeSync();
      instance.closeSync();
    },
  };
}
