/**
 * UNION, INTERSECT and EXCEPT of text with another type in one column: `SELECT 1 UNION ALL SELECT 'a'`. Athena
 * (Trino) fails the query ("column 1 in UNION query has incompatible types: integer, varchar(1)"); DuckDB casts the
 * column to text and answers. The local engine fails it as Athena does.
 *
 * How: each SELECT of a set operation is bound alone (nothing runs) and DuckDB's binder gives its columns' types; a
 * SELECT that cannot be bound alone (it refers to an outer query) leaves the operation as it is.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import {
  bindTree,
  isNullConstant,
  isTreeNode,
  queryNodes,
  selectAlone,
  type StatementTree,
  type TreeNode,
} from './statement-tree';
import { castFromTextOnlyExplicitly, trinoType } from './values';

/** The SELECTs a set operation combines (through nested set operations). */
function operands(node: unknown): TreeNode[] {
  if (!isTreeNode(node)) return [];
  if (node.type === 'SELECT_NODE') return [node];
  if (node.type === 'SET_OPERATION_NODE') return [...operands(node.left), ...operands(node.right)];
  return [];
}

/** Athena's refusal of a set operation's column of text and another type. */
export class SetOperationTypesError extends Error {
  constructor(operation: string, column: number, types: string[]) {
    super(
      `column ${column} in ${operation} query has incompatible types: ${types.join(', ')}. Athena (Trino) casts no ` +
        `other type to text implicitly and fails this query (TYPE_MISMATCH); DuckDB would cast the column to text, ` +
        `so the local engine fails it too. Cast it to one type: CAST(x AS varchar)`,
    );
    this.name = 'SetOperationTypesError';
  }
}

/** The column types (Trino's names) of a SELECT bound alone, or undefined when it cannot be. */
async function columnTypes(
  c: DuckDBConnection,
  node: TreeNode,
  ctes: unknown[],
): Promise<string[] | undefined> {
  const list = Array.isArray(node.select_list) ? (node.select_list as unknown[]) : [];
  const bound = await bindTree(c, selectAlone(node, ctes, {}), (prepared) =>
    Array.from({ length: prepared.columnCount }, (_, i) =>
      isNullConstant(list[i]) ? 'unknown' : trinoType(prepared.columnType(i)),
    ),
  );
  return 'value' in bound ? bound.value : undefined;
}

/** Throws a SetOperationTypesError when a set operation of the statement (its tree) mixes text with another type. */
export async function refuseMixedSetOperations(c: DuckDBConnection, tree: StatementTree): Promise<void> {
  for (const { node, ctes } of queryNodes(tree.statements, 'SET_OPERATION_NODE')) {
    const inner = isTreeNode(node.cte_map) ? [...ctes, node.cte_map] : ctes;
    const selects = operands(node);
    const sides: string[][] = [];
    for (const side of selects) {
      const types = await columnTypes(c, side, inner);
      if (!types) break; // not bound alone (it refers to an outer query): this operation is left as it is
      sides.push(types);
    }
    if (sides.length < selects.length) continue;
    const width = Math.min(...sides.map((s) => s.length));
    for (let i = 0; i < width; i++) {
      const column = sides.map((s) => s[i]!);
      if (column.includes('varchar') && column.some((t) => castFromTextOnlyExplicitly(t)))
        throw new SetOperationTypesError(String(node.setop_type ?? 'UNION'), i + 1, column);
    }
  }
}
