/**
 * A table or alias name used as a value — `SELECT o FROM orders o`, or `CROSS JOIN UNNEST(a) AS y` then `SELECT y` —
 * is the whole row as a struct in DuckDB (its "row variables"); Athena (Trino) has no such reference and fails the
 * query with `Column 'o' cannot be resolved`. The local engine fails it the same way instead of answering.
 *
 * How it tells a row variable from a column of the same name: DuckDB's own parser gives the statement's tree
 * (json_serialize_sql); only when a one-part column reference names one of its FROM items is there anything to ask.
 * Then the statement is bound again with that FROM item renamed (its qualified references too, through
 * json_deserialize_sql): if the name no longer resolves, it was the row, not a column.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { bindTree, copyTree, treeNodes, type StatementTree, type TreeNode } from './statement-tree';

/** The name a FROM item is referred to by (its alias, or a table's name), lower case; '' for none. */
function fromItemName(ref: TreeNode): string {
  const alias = typeof ref.alias === 'string' ? ref.alias : '';
  if (alias !== '') return alias.toLowerCase();
  return ref.type === 'BASE_TABLE' && typeof ref.table_name === 'string' ? ref.table_name.toLowerCase() : '';
}

const FROM_ITEM_TYPES = new Set(['BASE_TABLE', 'SUBQUERY', 'TABLE_FUNCTION', 'EXPRESSION_LIST']);

/** One-part column references that name a FROM item of the statement: the names to look at, lower case. */
function candidates(tree: StatementTree): Set<string> {
  const fromItems = new Set<string>();
  const bare = new Set<string>();
  for (const n of treeNodes(tree)) {
    if (typeof n.type === 'string' && FROM_ITEM_TYPES.has(n.type) && 'sample' in n) {
      const name = fromItemName(n);
      if (name !== '') fromItems.add(name);
    } else if (n.class === 'COLUMN_REF' && Array.isArray(n.column_names) && n.column_names.length === 1) {
      bare.add(String(n.column_names[0]).toLowerCase());
    }
  }
  return new Set([...bare].filter((b) => fromItems.has(b)));
}

/** The tree with every FROM item named `name` given the alias `probe`, and its qualified references with it. */
function renamed(tree: StatementTree, name: string, probe: string): StatementTree {
  const copy = copyTree(tree);
  for (const n of treeNodes(copy)) {
    if (typeof n.type === 'string' && FROM_ITEM_TYPES.has(n.type) && 'sample' in n) {
      if (fromItemName(n) === name) n.alias = probe;
    } else if (n.class === 'COLUMN_REF' && Array.isArray(n.column_names) && n.column_names.length >= 2) {
      const parts = n.column_names as string[];
      const at = parts.length - 2;
      if (parts[at]!.toLowerCase() === name) parts[at] = probe;
    } else if (
      n.class === 'STAR' &&
      typeof n.relation_name === 'string' &&
      n.relation_name.toLowerCase() === name
    ) {
      n.relation_name = probe;
    }
  }
  return copy;
}

/** Athena's answer to a row reference: Column '<name>' cannot be resolved, with what to write instead. */
export class RowReferenceError extends Error {
  constructor(name: string) {
    super(
      `Column '${name}' cannot be resolved: '${name}' names a table or alias of the FROM clause, not a column. ` +
        `Athena (Trino) has no whole-row reference and fails this query (COLUMN_NOT_FOUND); DuckDB would answer ` +
        `the row as a struct, so the local engine fails it too. Name the columns (${name}.<column>); for UNNEST, ` +
        `name its column: UNNEST(…) AS t(${name})`,
    );
    this.name = 'RowReferenceError';
  }
}

/** Throws a RowReferenceError when the statement (its tree: one SELECT) uses a FROM item's name as a value. */
export async function refuseRowReferences(c: DuckDBConnection, tree: StatementTree): Promise<void> {
  for (const name of candidates(tree)) {
    const probe = `lake_row_probe_${Math.random().toString(36).slice(2)}`;
    const bound = await bindTree(c, renamed(tree, name, probe), () => true);
    if ('error' in bound && bound.error.toLowerCase().includes(`"${name}"`) && /not found/i.test(bound.error))
      throw new RowReferenceError(name);
  }
}
