/**
 * A compatibility macro: a Trino function as a DuckDB macro, with its row in docs/sql-dialect.md's table (the
 * documented DuckDB side is the body unless the row says otherwise).
 */
import type { CompatFunction, MacroDef } from './macros';

export const compatMacro = (
  name: string,
  params: string[],
  body: string,
  doc: Omit<CompatFunction, 'duckdb'> & { duckdb?: string },
): MacroDef => ({
  name,
  overloads: [{ params, body }],
  doc: [{ duckdb: body, ...doc }],
});
