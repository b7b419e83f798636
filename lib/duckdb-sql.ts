/** SQL text helpers for the local DuckDB stand-ins (the ETL runner, the query engine, the bench). */

/** A string literal. */
export const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** A quoted identifier. */
export const sqlIdent = (s: string) => `"${s.replaceAll('"', '""')}"`;

/** A list literal of strings, e.g. a file list for read_parquet. */
export const sqlStringList = (xs: string[]) => `[${xs.map(sqlString).join(', ')}]`;

/** The DuckDB type that stores each lake type (what the ETL writes and the query views expose). */
export { duckdbType } from './catalog/lake-types';
