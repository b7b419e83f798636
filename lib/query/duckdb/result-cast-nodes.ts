/**
 * The pieces of DuckDB's serialized statement tree that the rewrites of results by their operands' types build
 * (result-casts.ts, numeric-results.ts): a candidate call, and the call cast, renamed or wrapped.
 */
import type { DuckDBType, DuckDBTypeId } from '@duckdb/node-api';
import { isTreeNode, type TreeNode } from './statement-tree';

/**
 * A call or operator whose result depends on its operand's type: `apply` gives what stands in its place for the
 * operand's type (the call cast to a type, or another call), or undefined to leave it; it throws where Athena fails
 * the query.
 */
export interface Candidate {
  node: TreeNode;
  operand: unknown;
  apply: (operand: DuckDBType) => TreeNode | undefined;
  /** Where the operand's type cannot be told (it does not bind alone: a lambda's, a correlated subquery's). */
  unbound?: () => void;
}

/** A type in DuckDB's serialized tree: its name, with its parameters where it has some (a decimal's). */
export type CastType = string | { id: string; type_info: Record<string, unknown> };

/** The call cast to `type` (DuckDB's name), or undefined. */
export const castTo =
  (node: TreeNode, target: (t: DuckDBTypeId) => CastType | undefined) =>
  (t: DuckDBType): TreeNode | undefined => {
    const type = target(t.typeId);
    if (!type) return undefined;
    return {
      class: 'CAST',
      type: 'OPERATOR_CAST',
      alias: node.alias,
      child: { ...node, alias: '' },
      cast_type: typeof type === 'string' ? { id: type, type_info: null } : type,
      try_cast: false,
    };
  };

/** An operand cast to `type` (an argument coerced as Trino coerces it). */
export const castOperand = (operand: TreeNode, type: string): TreeNode => ({
  class: 'CAST',
  type: 'OPERATOR_CAST',
  alias: '',
  child: operand,
  cast_type: { id: type, type_info: null },
  try_cast: false,
});

/** The call as a call of another function (the dialect's macros) with these arguments. */
export const renamed = (node: TreeNode, name: string, children: unknown[]): TreeNode => ({
  ...node,
  function_name: name,
  schema: '',
  children,
});

export const isFunction = (n: TreeNode, name: string) =>
  n.class === 'FUNCTION' && String(n.function_name).toLowerCase() === name;

/** A decimal(width, scale) as a cast's type. */
export const decimalType = (width: number, scale: number): CastType => ({
  id: 'DECIMAL',
  type_info: { type: 'DECIMAL_TYPE_INFO', alias: '', extension_info: null, width, scale },
});

export const isArrayConstructor = (v: unknown) => isTreeNode(v) && v.type === 'ARRAY_CONSTRUCTOR';

/** The call `n` as the argument of the dialect's macro `name`, in n's place. */
export const around = (n: TreeNode, name: string): TreeNode => ({
  class: 'FUNCTION',
  type: 'FUNCTION',
  alias: n.alias,
  function_name: name,
  schema: '',
  catalog: '',
  children: [{ ...n, alias: '' }],
  filter: null,
  order_bys: { type: 'ORDER_MODIFIER', orders: [] },
  distinct: false,
  is_operator: false,
  export_state: false,
});
