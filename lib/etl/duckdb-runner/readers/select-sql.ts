/**
 * SQL shared by the readers: the lineage columns, and a (nested) input path as a column expression.
 */
import { sqlIdent, sqlString } from '../../../duckdb-sql';
import type { ReadContext } from './types';

export function lineageSql(ctx: ReadContext, key: string | null): string {
  const source =
    key === null
      ? `substr(filename, ${[...ctx.rawDir].length + 2})` // '<rawDir>/' removed from the file path
      : sqlString(key);
  return `${source} AS lake_source_file, ${sqlString(ctx.ingestedAt)} AS lake_ingested_at`;
}

export function pathSql(p: string[]): string {
  let expr = sqlIdent(p[0]!);
  for (const field of p.slice(1)) expr = `struct_extract(${expr}, ${sqlString(field)})`;
  return expr;
}
