/** SQL text helpers for the local DuckDB stand-ins (the ETL runner, the query engine, the bench). */

/** A string literal. */
export const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** A quoted identifier. */
export const sqlIdent = (s: string) => `"${s.replaceAll('"', '""')}"`;

/**
 * A timestamp as Athena's timestamp(3): rounded half up to the millisecond, toward the later instant on either side
 * of the epoch (Trino's Timestamps.roundDiv of the microseconds), for a stored column read
 * (lib/query/duckdb/views.ts) and a text cast to TIMESTAMP (lib/query/dialect/macros.ts). In DuckDB's integer
 * microseconds: half a millisecond added, then cut to the millisecond (date_trunc cuts toward the earlier instant,
 * before 1970 too). A double holds the microseconds only within 2^53 of the epoch (1685 to 2255): rounded in
 * doubles, 2600-01-01 00:00:00.000499 read as .001.
 */
export const millisRoundedSql = (timestamp: string) =>
  `date_trunc('millisecond', ${timestamp} + INTERVAL 500 MICROSECOND)`;

/** A list literal of strings, e.g. a file list for read_parquet. */
export const sqlStringList = (xs: string[]) => `[${xs.map(sqlString).join(', ')}]`;

/** The DuckDB type that stores each lake type (what the ETL writes and the query views expose). */
/**
 * A read of lake files as they are. DuckDB's hive partitioning, on by default, reads each `key=value` folder of a
 * file's path — the raw zone's type=…/arrival_date=… folders, any in the path of the lake itself — as a column that
 * replaces the file's own column of that name: an upload read from /home/ann/email=x/.lake/… stored 'x' as every
 * row's email. (The query views want the partition columns, and read through links: lib/query/duckdb/partition-paths.ts.)
 */
export const NO_HIVE_PARTITIONS = 'hive_partitioning = false';

export { duckdbType } from './catalog/lake-types';

/** DuckDB's failures to read a Parquet file that is damaged (cut short, not Parquet, a page that does not decode). */
const DAMAGED_PARQUET = [
  /No magic bytes found at end of file '([^']+\.parquet)'/,
  /File '([^']+\.parquet)' too small to be a Parquet file/,
  /Failed to read file "([^"]+\.parquet)": [^\n]+/,
];

/**
 * A failure that is a stored Parquet file not reading, said as the lake says a damaged file (named, with where to
 * read what to do), without the statement DuckDB quotes (the local engine's, not what was written); else undefined.
 */
export function damagedParquetReason(message: string): string | undefined {
  for (const re of DAMAGED_PARQUET) {
    const m = re.exec(message);
    if (!m) continue;
    const said = message
      .replace(/^[A-Za-z ]*Error: /, '')
      .split('\n')[0]!
      .trim();
    return `${m[1]} does not read as Parquet (DuckDB: ${said}): README "Damaged state files" says what to do with it`;
  }
  return undefined;
}
