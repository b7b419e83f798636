/**
 * The local view of the rejected store (lib/etl/rejected.ts): lake_rejected over the JSON-lines files the ETL writes
 * to <LAKE_DIR>/curated/rejected/table_name=<table>/run_date=<yyyy-MM-dd>/<run_id>-<n>.json, with the partition
 * columns table_name and run_date from the folder names (as Athena's partition projection gives them), the record
 * columns typed as the Glue table types them (lib/catalog/rejected-table.ts). Files and folders whose names start
 * with '.' or '_' are skipped, as Athena skips them.
 */
import { duckdbType, sqlIdent, sqlString } from '../duckdb-sql';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import layout from '../lake-layout.json';
import { REJECTED_COLUMNS, REJECTED_PARTITION_KEYS } from '../etl/rejected';

/**
 * Largest record the view reads (a rejected record holds the raw text of its row; DuckDB reads JSON in buffers of
 * twice this size). A longer record stays in its file, and queries that read its file fail with DuckDB's reason.
 */
export const MAX_REJECTED_RECORD_BYTES = 64 * 1024 * 1024;

export interface StampedFile {
  file: string;
  /** path:size:mtime, which makes the view's signature. */
  stamp: string;
}

export const rejectedDir = (curatedDir: string) =>
  path.join(curatedDir, ...layout.curated.rejectedPrefix.split('/').filter(Boolean));

const hidden = (name: string) => name.startsWith('.') || name.startsWith('_');

/** The rejected store's files, table_name=*\/run_date=*\/*.json, sorted. */
export async function rejectedFiles(curatedDir: string): Promise<StampedFile[]> {
  const out: StampedFile[] = [];
  const dirs = async (dir: string, key: string) =>
    (await fs.readdir(dir, { withFileTypes: true }).catch(() => [])).filter(
      (e) =>
        e.isDirectory() && e.name.startsWith(`${key}=`) && e.name.length > key.length + 1 && !hidden(e.name),
    );
  const root = rejectedDir(curatedDir);
  for (const t of await dirs(root, REJECTED_PARTITION_KEYS[0])) {
    for (const d of await dirs(path.join(root, t.name), REJECTED_PARTITION_KEYS[1])) {
      const folder = path.join(root, t.name, d.name);
      for (const f of await fs.readdir(folder, { withFileTypes: true }).catch(() => [])) {
        if (!f.isFile() || !f.name.endsWith('.json') || hidden(f.name)) continue;
        const file = path.join(folder, f.name);
        const st = await fs.stat(file).catch(() => undefined);
        if (st) out.push({ file, stamp: `${file}:${st.size}:${st.mtimeMs}` });
      }
    }
  }
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** CREATE OR REPLACE VIEW <view> over exactly these files (an empty view with the columns when there are none). */
export function rejectedViewSql(view: string, files: string[]): string {
  const keys = REJECTED_PARTITION_KEYS.map((k) => sqlIdent(k));
  if (files.length === 0) {
    const cols = [
      ...REJECTED_COLUMNS.map((c) => `CAST(NULL AS ${duckdbType(c.type)}) AS ${sqlIdent(c.name)}`),
      ...keys.map((k) => `CAST(NULL AS VARCHAR) AS ${k}`),
    ];
    return `CREATE OR REPLACE VIEW ${view} AS SELECT ${cols.join(', ')} WHERE false`;
  }
  const columns = REJECTED_COLUMNS.map((c) => `${sqlString(c.name)}: ${sqlString(duckdbType(c.type))}`);
  const hiveTypes = REJECTED_PARTITION_KEYS.map((k) => `${sqlString(k)}: VARCHAR`);
  return (
    `CREATE OR REPLACE VIEW ${view} AS SELECT ${[...REJECTED_COLUMNS.map((c) => sqlIdent(c.name)), ...keys].join(', ')} ` +
    `FROM read_json([${files.map(sqlString).join(', ')}], columns = {${columns.join(', ')}}, ` +
    `format = 'newline_delimited', hive_partitioning = true, hive_types = {${hiveTypes.join(', ')}}, ` +
    `maximum_object_size = ${MAX_REJECTED_RECORD_BYTES})`
  );
}
