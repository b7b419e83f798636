/**
 * What Athena (Trino) refuses and DuckDB would answer, refused by the local engine with Athena's message and what to
 * write instead: a function Athena does not have (trino-functions.ts), a table's name used as a value
 * (row-references.ts), a select-list alias in WHERE, GROUP BY or HAVING (alias-references.ts), text compared with
 * another type (text-comparisons.ts), text concatenated or mixed with another type (mixed-operands.ts) or in one
 * column of a UNION (set-operations.ts). All but the first ask DuckDB's binder about an edited copy of the
 * statement's tree (statement-tree.ts); nothing runs.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { TableDef } from '../../catalog/tables';
import { REJECTED_COLUMNS, REJECTED_PARTITION_KEYS, REJECTED_TABLE } from '../../etl/rejected';
import type { CheckedQuery } from '../types';
import { refuseAliasReferences } from './alias-references';
import { refuseMixedOperands } from './mixed-operands';
import { refuseRowReferences } from './row-references';
import { refuseMixedSetOperations } from './set-operations';
import { statementTree } from './statement-tree';
import { refuseTextComparisons } from './text-comparisons';
import { refuseUnknownFunctions } from './trino-functions';

/**
 * The column names that are text in every table the query reads (lake tables and the rejected store): a text literal
 * compared with one of them needs no binding to be judged (the common `event_date = '2026-12-04'`).
 */
export function textColumnsOf(tables: readonly TableDef[], read: readonly string[]): Set<string> {
  const types = new Map<string, Set<string>>();
  const add = (name: string, type: string) =>
    types.set(name.toLowerCase(), (types.get(name.toLowerCase()) ?? new Set()).add(type));
  for (const name of read) {
    if (name === REJECTED_TABLE) {
      for (const c of REJECTED_COLUMNS) add(c.name, c.type);
      for (const k of REJECTED_PARTITION_KEYS) add(k, 'string');
      continue;
    }
    const table = tables.find((t) => t.name === name);
    if (!table) return new Set(); // not known here: every comparison is bound
    for (const c of table.columns) add(c.name, c.type);
    for (const k of table.partitionKeys) add(k.name, k.type);
  }
  return new Set([...types].filter(([, t]) => t.size === 1 && t.has('string')).map(([n]) => n));
}

/**
 * Throws Athena's refusal of a function the `submitted` query calls that Athena lacks (or DuckDB answers otherwise):
 * before DuckDB binds the statement, whose own errors (a column not grouped by) would come first and in its words.
 */
export function refuseFunctionsAthenaLacks(submitted: CheckedQuery): void {
  // TABLESAMPLE BERNOULLI (p) and SYSTEM (p), GROUP BY ROLLUP (…) and CUBE (…): the guard's grammar reads them as
  // calls; they are none (Trino has no such functions; DuckDB groups as Trino does).
  const sampling = [...submitted.sql.matchAll(/\btablesample\s+(bernoulli|system)\s*\(/gi)].map((m) =>
    m[1]!.toLowerCase(),
  );
  const grouping = /\bgroup\s+by\b/i.test(submitted.sql) ? ['rollup', 'cube'] : [];
  refuseUnknownFunctions(
    (submitted.functions ?? []).filter((f) => !sampling.includes(f) && !grouping.includes(f)),
  );
}

/**
 * Throws Athena's refusal of the statement (`sql`: DuckDB's SQL of the `submitted` query), if it has one. `tables`:
 * the lake's tables.
 */
export async function refuseWhatAthenaRefuses(
  c: DuckDBConnection,
  sql: string,
  submitted: CheckedQuery,
  tables: readonly TableDef[],
): Promise<void> {
  const tree = await statementTree(c, sql);
  if (!tree) return; // DuckDB's own prepare reports it
  await refuseRowReferences(c, tree);
  await refuseAliasReferences(c, tree);
  await refuseTextComparisons(c, tree, submitted.sql, textColumnsOf(tables, submitted.tables));
  await refuseMixedOperands(c, tree);
  await refuseMixedSetOperations(c, tree);
}
