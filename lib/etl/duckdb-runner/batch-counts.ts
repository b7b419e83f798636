/**
 * A batch's figures, counted in as few passes as DuckDB allows: what was read (typed rows by their raw key, and the
 * records that did not parse) in one grouping each, and what the merge keeps (rows by partition, and source) in one.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { query } from './duckdb';
import type { SourceFigures } from './figures';

export interface ReadCounts {
  rowsRead: number;
  rowsRejected: number;
  malformed: number;
  /** Rows read and rejected by raw key (typed rows and records that did not parse). */
  bySource: Map<string, { rowsRead: number; rowsRejected: number }>;
}

/** What the batch read: the rows of `typed` (rejected: with a reason) and of `lake_malformed`, by raw key. */
export async function countRead(conn: DuckDBConnection): Promise<ReadCounts> {
  const out: ReadCounts = { rowsRead: 0, rowsRejected: 0, malformed: 0, bySource: new Map() };
  const add = (key: unknown, read: number, rejected: number) => {
    const k = String(key);
    const s = out.bySource.get(k) ?? { rowsRead: 0, rowsRejected: 0 };
    s.rowsRead += read;
    s.rowsRejected += rejected;
    out.bySource.set(k, s);
    out.rowsRead += read;
    out.rowsRejected += rejected;
  };
  for (const r of await query(
    conn,
    'SELECT raw_lake_source_file AS k, count(*) AS n, count(reject_reason) AS r FROM typed GROUP BY 1',
  ))
    add(r.k, Number(r.n), Number(r.r));
  for (const r of await query(
    conn,
    'SELECT lake_source_file AS k, count(*) AS n FROM lake_malformed GROUP BY 1',
  )) {
    add(r.k, Number(r.n), Number(r.n));
    out.malformed += Number(r.n);
  }
  return out;
}

/** What the merge keeps: its rows, the partitions they are in and, where asked, per source its rows and partitions. */
export interface MergedCounts {
  rows: number;
  /** Partition names (k=v[/k2=v2]) the merged rows are in. */
  partitions: Set<string>;
  bySource: Map<string, { rows: number; partitions: Set<string> }>;
}

/**
 * What the merge keeps, `merged` (a table or view with the partition keys, and lake_source_file when `bySource`), from
 * one grouping by partition (and source).
 */
export async function countMerged(
  conn: DuckDBConnection,
  merged: string,
  keys: string[],
  bySource: boolean,
): Promise<MergedCounts> {
  const partition = keys.map((k) => `'${k}=' || ${k}`).join(` || '/' || `);
  const out: MergedCounts = { rows: 0, partitions: new Set(), bySource: new Map() };
  for (const r of await query(
    conn,
    `SELECT ${bySource ? 'lake_source_file' : 'NULL'} AS k, ${partition} AS p, count(*) AS n FROM ${merged} GROUP BY ALL`,
  )) {
    out.rows += Number(r.n);
    out.partitions.add(String(r.p));
    if (!bySource) continue;
    const k = String(r.k);
    const s = out.bySource.get(k) ?? { rows: 0, partitions: new Set<string>() };
    s.rows += Number(r.n);
    s.partitions.add(String(r.p));
    out.bySource.set(k, s);
  }
  return out;
}

/**
 * Each input object's share of a batch (tables with a lake_source_file column: datasets): rows read and rejected,
 * rows written (its rows the merge kept whose key the table did not have: the batch's new keys, as the table's
 * rowsWritten counts them — a row that replaced a stored one, whichever file stored it, is a duplicate) and the
 * partitions its rows went to.
 */
export async function figuresBySource(
  conn: DuckDBConnection,
  read: ReadCounts,
  merged: MergedCounts,
  mergedTable: string,
  primaryKey: string[],
  existingRows: number,
): Promise<Record<string, SourceFigures>> {
  const out: Record<string, SourceFigures> = {};
  const of = (key: string) => (out[key] ??= { rowsRead: 0, rowsRejected: 0, rowsWritten: 0, partitions: [] });
  for (const [k, s] of read.bySource) {
    of(k).rowsRead += s.rowsRead;
    of(k).rowsRejected += s.rowsRejected;
  }
  for (const [k, s] of merged.bySource) {
    of(k).rowsWritten += s.rows;
    of(k).partitions = [...s.partitions].sort();
  }
  if (existingRows > 0) {
    for (const s of Object.values(out)) s.rowsWritten = 0;
    const newKeys =
      `SELECT m.lake_source_file AS k, count(*) AS n FROM ${mergedTable} m ` +
      `ANTI JOIN (SELECT DISTINCT ${primaryKey.join(', ')} FROM existing) USING (${primaryKey.join(', ')}) GROUP BY 1`;
    for (const r of await query(conn, newKeys)) of(String(r.k)).rowsWritten = Number(r.n);
  }
  return out;
}
