/**
 * The rewrites of a statement that need DuckDB's binder to know its operands' types, on one reading of its tree:
 * UNNEST as Trino reads it (unnest-columns.ts), then results cast to Athena's types (result-casts.ts, which binds
 * the tree as the UNNEST rewrite left it). The statement is parsed and written back once, and only when it names
 * something either rewrites.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { castResultsAsTrino, MAY_CAST } from './result-casts';
import { statementTree, treeSql } from './statement-tree';
import { MAY_UNNEST, unnestAsTrino } from './unnest-columns';

/** The statement (DuckDB's SQL) with the typed rewrites applied; as it was when none applies. */
export async function typedRewrites(c: DuckDBConnection, sql: string): Promise<string> {
  if (!MAY_UNNEST.test(sql) && !MAY_CAST.test(sql)) return sql;
  const tree = await statementTree(c, sql);
  if (!tree) return sql; // DuckDB's own prepare reports it
  const unnested = MAY_UNNEST.test(sql) && (await unnestAsTrino(c, tree));
  const cast = MAY_CAST.test(sql) && (await castResultsAsTrino(c, tree));
  return unnested || cast ? treeSql(c, tree) : sql;
}
