/**
 * What Athena (Trino) refuses and DuckDB would answer, refused by the local engine with Athena's message and what to
 * write instead: a function Athena does not have (trino-functions.ts), a table's name used as a value
 * (row-references.ts), a select-list alias in WHERE, GROUP BY or HAVING (alias-references.ts), text compared with
 * another type (text-comparisons.ts), text concatenated or mixed with another type (mixed-operands.ts), in one column of a UNION (set-operations.ts). The last four ask
 * DuckDB's binder about an edited copy of the statement's tree; nothing runs.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CheckedQuery } from '../types';
import { refuseAliasReferences } from './alias-references';
import { refuseMixedOperands } from './mixed-operands';
import { refuseRowReferences } from './row-references';
import { refuseMixedSetOperations } from './set-operations';
import { statementTree } from './statement-tree';
import { refuseTextComparisons } from './text-comparisons';
import { refuseUnknownFunctions } from './trino-functions';

/** Throws Athena's refusal of the statement (`sql`: DuckDB's SQL of the `submitted` query), if it has one. */
export async function refuseWhatAthenaRefuses(
  c: DuckDBConnection,
  sql: string,
  submitted: CheckedQuery,
): Promise<void> {
  refuseUnknownFunctions(submitted.functions ?? []);
  const tree = await statementTree(c, sql);
  if (!tree) return; // DuckDB's own prepare reports it
  await refuseRowReferences(c, tree);
  await refuseAliasReferences(c, tree);
  await refuseTextComparisons(c, tree, submitted.sql);
  await refuseMixedOperands(c, tree);
  await refuseMixedSetOperations(c, tree);
}
