/**
 * A statement as DuckDB's own parser reads it: its tree (json_serialize_sql), walked and edited generically, written
 * back to SQL (json_deserialize_sql) and bound without running — for the local engine's checks that ask DuckDB's
 * binder what it made of the original (lib/query/duckdb/athena-refusals.ts and its checks).
 */
import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';
import { sqlString } from '../../duckdb-sql';
import { parseJsonWithNumberTexts } from '../../exact-json';

export type TreeNode = Record<string, unknown>;
export const isTreeNode = (v: unknown): v is TreeNode =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Every node of a tree (objects inside objects and arrays), depth first, a node before what it holds (read after the
 * caller had it: an edit of it is walked). Iterative: recursive generators cost each node its depth, which made a
 * chain of 900 operators take a second of the lake's main thread.
 */
export function* treeNodes(v: unknown, enterSelects = true): Generator<TreeNode> {
  const stack: unknown[] = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (Array.isArray(x)) {
      for (let i = x.length - 1; i >= 0; i--) stack.push(x[i]);
    } else if (isTreeNode(x)) {
      if (!enterSelects && x.type === 'SELECT_NODE') continue;
      yield x;
      const inside = Object.values(x);
      for (let i = inside.length - 1; i >= 0; i--) stack.push(inside[i]);
    }
  }
}

/** A parsed statement list: the tree json_serialize_sql writes. */
export interface StatementTree {
  error?: boolean;
  statements?: unknown[];
}

/** Numbers as written: the tree holds unsigned 64-bit positions a double would round. */
const parseTree = (json: string) => parseJsonWithNumberTexts(json) as StatementTree;

/** The statement's tree, or undefined when DuckDB's parser refuses it (its prepare then reports why). */
export async function statementTree(c: DuckDBConnection, sql: string): Promise<StatementTree | undefined> {
  const json = (await c.runAndReadAll(`SELECT json_serialize_sql(${sqlString(sql)})`)).getRows()[0]?.[0];
  const tree = parseTree(String(json));
  return tree.error || !tree.statements ? undefined : tree;
}

/** A deep copy of a tree or of one of its nodes, to edit. */
export const copyTree = <T extends StatementTree | TreeNode>(tree: T): T =>
  parseTree(JSON.stringify(tree)) as T;

/** Puts `replacement` in the place of `node` in its tree: the same object, its fields replaced. */
export function replaceNode(node: TreeNode, replacement: TreeNode): void {
  for (const k of Object.keys(node)) delete node[k];
  Object.assign(node, replacement);
}

const isDoubleConstant = (n: TreeNode): boolean =>
  n.class === 'CONSTANT' &&
  isTreeNode(n.value) &&
  isTreeNode(n.value.type) &&
  n.value.type.id === 'DOUBLE' &&
  n.value.is_null !== true;

/**
 * The SQL of an (edited) tree. A double literal (4.7e0) is written back as CAST(4.7 AS DOUBLE): json_deserialize_sql
 * writes it without its exponent (4.7), which DuckDB would read again as a DECIMAL.
 */
export async function treeSql(c: DuckDBConnection, tree: StatementTree): Promise<string> {
  const copy = copyTree(tree);
  for (const n of [...treeNodes(copy)].filter(isDoubleConstant)) {
    const constant = { ...n, alias: '' };
    replaceNode(n, {
      class: 'CAST',
      type: 'OPERATOR_CAST',
      alias: n.alias,
      child: constant,
      cast_type: { id: 'DOUBLE', type_info: null },
      try_cast: false,
    });
  }
  const sql = (
    await c.runAndReadAll(`SELECT json_deserialize_sql(${sqlString(JSON.stringify(copy))})`)
  ).getRows();
  return String(sql[0]?.[0]);
}

/**
 * Binds an (edited) tree — nothing runs — and gives what `read` takes from the prepared statement (its column or
 * parameter types), or the binder's error message when it does not bind.
 */
export async function bindTree<T>(
  c: DuckDBConnection,
  tree: StatementTree,
  read: (prepared: DuckDBPreparedStatement) => T,
): Promise<{ value: T } | { error: string }> {
  let prepared: DuckDBPreparedStatement;
  try {
    prepared = await c.prepare(await treeSql(c, tree));
  } catch (e) {
    return { error: (e as Error).message };
  }
  try {
    return { value: read(prepared) };
  } catch (e) {
    return { error: (e as Error).message };
  } finally {
    prepared.destroySync();
  }
}

/** The nodes of an expression tree below `v`, not entering nested SELECTs (each is looked at on its own). */
export const ownNodes = (v: unknown): Generator<TreeNode> => treeNodes(v, false);

/** Every SELECT node of a tree, with the CTE maps of the queries around it (innermost last). */
export const selectNodes = (v: unknown) => queryNodes(v, 'SELECT_NODE');

/** Every node of a type (e.g. SET_OPERATION_NODE) of a tree, with the CTE maps of the queries around it. */
export function* queryNodes(
  v: unknown,
  type: string,
  ctes: unknown[] = [],
): Generator<{ node: TreeNode; ctes: unknown[] }> {
  const stack: [unknown, unknown[]][] = [[v, ctes]];
  while (stack.length > 0) {
    const [x, around] = stack.pop()!;
    if (Array.isArray(x)) {
      for (let i = x.length - 1; i >= 0; i--) stack.push([x[i], around]);
    } else if (isTreeNode(x)) {
      if (x.type === type) yield { node: x, ctes: around };
      const inner = isTreeNode(x.cte_map) ? [...around, x.cte_map] : around;
      const inside = Object.values(x);
      for (let i = inside.length - 1; i >= 0; i--) stack.push([inside[i], inner]);
    }
  }
}

/**
 * A statement of one SELECT alone (to bind it apart from the query around it): its FROM, WHERE, GROUP BY and the CTEs
 * around it kept, ORDER BY and LIMIT dropped, with `changes` (e.g. another select list) applied.
 */
export function selectAlone(node: TreeNode, ctes: unknown[], changes: TreeNode): StatementTree {
  const map = [...ctes, node.cte_map].flatMap((m) =>
    isTreeNode(m) && Array.isArray(m.map) ? (m.map as unknown[]) : [],
  );
  const select = { ...node, cte_map: { map }, modifiers: [], ...changes };
  return { error: false, statements: [{ node: select, named_param_map: [] }] };
}

/** The FROM of a SELECT without one. */
export const EMPTY_FROM: TreeNode = { type: 'EMPTY', alias: '', sample: null };

/** A SELECT's changes (selectAlone) that bind `select_list` alone over `from_table`: no WHERE, groups or HAVING. */
export const listOver = (select_list: unknown[], from_table: unknown): TreeNode => ({
  from_table,
  select_list,
  where_clause: null,
  group_expressions: [],
  group_sets: [],
  having: null,
  qualify: null,
  aggregate_handling: 'STANDARD_HANDLING',
});

/** A NULL literal (Trino types it by what it stands with; DuckDB's select list makes it an integer). */
export const isNullConstant = (v: unknown): boolean =>
  isTreeNode(v) && v.class === 'CONSTANT' && isTreeNode(v.value) && v.value.is_null === true;
