/**
 * The staged write of a batch's merged rows: one `COPY … PARTITION_BY`, or, for a batch of more partitions than the
 * memory limit holds the write buffers of, one COPY per group of partitions. DuckDB's partitioned write keeps
 * buffers for every partition of a COPY at once: a file of one order a day over ten years (3,000 partitions of a
 * 13-column table) ran out of 1 GB and failed its upload, and a rebuild of such a table failed whole, where the Glue
 * job writes it. Measured (DuckDB 1.5, 2 threads, zstd, a 13-column table): ~700 partitions fit in 244 MB, ~2,500 in
 * 1 GB — about 27 KB per column and partition; the groups allow 64 KB.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../../duckdb-sql';
import { query } from './duckdb';
import type { Partition } from './existing';

/** Memory the groups allow per column of each partition. */
const BYTES_PER_COLUMN_AND_PARTITION = 64 * 1024;

const UNITS: Record<string, number> = {
  bytes: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** The connection's memory_limit in bytes (DuckDB writes it as e.g. '953.6 MiB'); undefined when unreadable. */
export async function memoryLimitBytes(conn: DuckDBConnection): Promise<number | undefined> {
  const [row] = await query(conn, `SELECT current_setting('memory_limit') AS v`);
  const m = /^([0-9.]+)\s*([a-z]+)$/i.exec(String(row?.v ?? '').trim());
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  return m && unit ? Number(m[1]) * unit : undefined;
}

/** How many partitions of `columns` columns one COPY may write within `limitBytes`. */
export const partitionsPerCopy = (limitBytes: number, columns: number): number =>
  Math.max(1, Math.floor(limitBytes / (Math.max(1, columns) * BYTES_PER_COLUMN_AND_PARTITION)));

export interface PartitionedCopy {
  /** The columns written, the partition keys last. */
  columns: string[];
  keys: string[];
  /** A table or view of the rows. */
  from: string;
  orderBy: string[];
  partitions: Partition[];
  /** The folder the partition folders go to. */
  target: string;
  /** FILENAME_PATTERN. */
  pattern: string;
}

/** Writes the rows of `c.partitions` to `c.target`, a folder per partition, in as many COPYs as memory needs. */
export async function copyPartitioned(conn: DuckDBConnection, c: PartitionedCopy): Promise<void> {
  const copy = async (from: string, more = ''): Promise<void> => {
    await conn.run(
      `COPY (SELECT ${c.columns.join(', ')} FROM ${from} ORDER BY ${c.orderBy.join(', ')}) ` +
        `TO ${sqlString(c.target)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (${c.keys.join(', ')}), ` +
        `FILENAME_PATTERN ${sqlString(c.pattern)}, WRITE_PARTITION_COLUMNS false${more})`,
    );
  };
  const limit = await memoryLimitBytes(conn);
  const perCopy = limit === undefined ? Infinity : partitionsPerCopy(limit, c.columns.length);
  if (c.partitions.length <= perCopy) return copy(c.from);
  for (let i = 0; i < c.partitions.length; i += perCopy) {
    const group = c.partitions.slice(i, i + perCopy);
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE lake_copy_group AS SELECT * FROM (VALUES ` +
        group.map((p) => `(${p.values.map(sqlString).join(', ')})`).join(', ') +
        `) AS v(${c.keys.join(', ')})`,
    );
    // Each group writes folders of its own: the later COPYs go into the folder the first one made.
    await copy(
      `${c.from} SEMI JOIN lake_copy_group USING (${c.keys.join(', ')})`,
      i > 0 ? ', OVERWRITE_OR_IGNORE true' : '',
    );
  }
  await conn.run('DROP TABLE IF EXISTS lake_copy_group');
}
