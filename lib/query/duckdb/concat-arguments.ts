/**
 * Concatenation of text with another type. Athena (Trino) concatenates text with text (and arrays with arrays or
 * their elements) and fails `'order-' || 42` or `concat('a', 1)` ("Unexpected parameters (varchar(6), integer) for
 * function concat"); DuckDB casts the number to text and answers. The local engine fails such a query as Athena does.
 *
 * How: for each SELECT of the statement's tree (DuckDB's parser) that concatenates (`||`, `concat`), the arguments
 * are bound as the select list of that SELECT alone (its FROM, WHERE, GROUP BY and CTEs kept; nothing runs), and
 * DuckDB's binder gives their types. A SELECT that cannot be bound alone (it refers to an outer query) is left as it
 * is.
 */
import { DuckDBTypeId, type DuckDBConnection } from '@duckdb/node-api';
import {
  isTreeNode,
  ownNodes,
  selectAlone,
  selectNodes,
  treeSql,
  type StatementTree,
  type TreeNode,
} from './statement-tree';
import { trinoType } from './values';

const CONCATENATIONS = new Set(['||', 'concat']);

/** The concatenations of a SELECT's own expressions (not those of its nested SELECTs). */
function concatenations(node: TreeNode): TreeNode[] {
  const found: TreeNode[] = [];
  for (const [key, v] of Object.entries(node)) {
    if (key === 'from_table' || key === 'cte_map') continue; // a FROM's subqueries are SELECTs of their own
    for (const n of ownNodes(v))
      if (n.class === 'FUNCTION' && CONCATENATIONS.has(String(n.function_name)) && Array.isArray(n.children))
        found.push(n);
  }
  return found;
}

const isNullLiteral = (v: unknown) =>
  isTreeNode(v) && v.class === 'CONSTANT' && isTreeNode(v.value) && v.value.is_null === true;

/** Athena's refusal of a concatenation of text with another type. */
export class ConcatenationError extends Error {
  constructor(types: string[]) {
    super(
      `Unexpected parameters (${types.join(', ')}) for function concat: Athena (Trino) concatenates text with ` +
        `text only and fails this query (FUNCTION_NOT_FOUND); DuckDB would cast the others to text, so the local ` +
        `engine fails it too. Cast them: CAST(x AS varchar) (or format('%s', x))`,
    );
    this.name = 'ConcatenationError';
  }
}

/** Throws a ConcatenationError when the statement (its tree) concatenates text with another type. */
export async function refuseTextConcatenations(c: DuckDBConnection, tree: StatementTree): Promise<void> {
  for (const { node, ctes } of selectNodes(tree.statements)) {
    const calls = concatenations(node);
    if (calls.length === 0) continue;
    const args = calls.flatMap((call) => call.children as unknown[]);
    let types: ReturnType<typeof trinoType>[];
    let lists: boolean[];
    try {
      const prepared = await c.prepare(
        await treeSql(
          c,
          selectAlone(node, ctes, {
            select_list: args.map((e, i) => ({ ...(e as TreeNode), alias: `lake_probe_${i}` })),
          }),
        ),
      );
      try {
        types = args.map((_, i) => trinoType(prepared.columnType(i)));
        lists = args.map((_, i) => prepared.columnTypeId(i) === DuckDBTypeId.LIST);
      } finally {
        prepared.destroySync();
      }
    } catch {
      continue; // not bound alone (it refers to an outer query): left as it is
    }
    let at = 0;
    for (const call of calls) {
      const n = (call.children as unknown[]).length;
      const callTypes = types.slice(at, at + n);
      const callLists = lists.slice(at, at + n);
      at += n;
      if (callLists.some(Boolean)) continue; // arrays and their elements: Trino's array concat
      // A NULL literal has no type of its own in Trino (it takes varchar's); DuckDB's select list makes it an integer.
      const named = callTypes.map((t, i) => (isNullLiteral((call.children as unknown[])[i]) ? 'unknown' : t));
      if (named.some((t) => t !== 'varchar' && t !== 'unknown')) throw new ConcatenationError(named);
    }
  }
}
