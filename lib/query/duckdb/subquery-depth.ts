/**
 * Expression subqueries nested deeper than DuckDB can plan in bounded time. DuckDB's planner takes time exponential
 * in how deep subqueries nest inside expressions (measured with @duckdb/node-api 1.5, 10-row tables: scalar
 * subqueries each in the WHERE of the next, 8 levels 76 ms, 12 levels 16 s; `IN (SELECT …)` chains 10 levels 1.3 s,
 * 12 levels 12 s) and does not look at an interrupt while it plans: such a query went on past its time limit and
 * cancel, holding one of the engine's connections until it ended. The local engine refuses them before DuckDB sees
 * them; Athena plans them.
 */
import { LocalDialectError } from '../dialect/local-error';
import { expressionSubqueryDepth, QueryNotAllowedError } from '../sql-guard';
import type { CheckedQuery } from '../types';

/** The deepest nesting of expression subqueries the local engine runs. */
export const MAX_SUBQUERY_DEPTH = 10;

export function refuseDeepSubqueries(query: CheckedQuery): void {
  let depth: number;
  try {
    depth = expressionSubqueryDepth(query.sql);
  } catch (e) {
    // Text the guard read with its metadata statements' Hive quoting (DESCRIBE db.`t`): no subquery in it.
    if (e instanceof QueryNotAllowedError) return;
    throw e;
  }
  if (depth <= MAX_SUBQUERY_DEPTH) return;
  throw new LocalDialectError(
    `subqueries nested ${depth} deep in expressions`,
    `DuckDB plans them in time exponential in their depth and cannot be stopped while it plans, so the local ` +
      `engine takes at most ${MAX_SUBQUERY_DEPTH} levels (Athena takes more); compute the inner ones once in a ` +
      'WITH query, or join',
  );
}
