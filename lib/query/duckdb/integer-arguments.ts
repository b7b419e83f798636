/**
 * Arguments Trino takes as integers only: date_add's amount, chr's code point, lpad/rpad's length, split's limit,
 * slice's start and length. A decimal or a double there has no implicit cast to bigint in Trino (TypeCoercion:
 * decimal to real and double only), so Athena fails the call; DuckDB casts it and rounds (date_add('day', 1.6e0, d)
 * added two days, chr(65.5) was 'B'). Judged on the operands' types as DuckDB's binder gives them
 * (result-casts.ts), so that the calls stay as they are: a check in the macros (CASE … error()) made them
 * non-constant, and string_agg refused chr(10) as its separator.
 */
import { DuckDBTypeId, type DuckDBType } from '@duckdb/node-api';
import { isTreeNode, type TreeNode } from './statement-tree';

/** The integer parameters (0-based) of each call, by the name it has in DuckDB's tree; its Athena name; its arity. */
const INTEGER_PARAMETERS: Record<string, { athena: string; at: number[]; arity: number }> = {
  date_add: { athena: 'date_add', at: [1], arity: 3 },
  trino_chr: { athena: 'chr', at: [0], arity: 1 },
  trino_lpad: { athena: 'lpad', at: [1], arity: 3 },
  trino_rpad: { athena: 'rpad', at: [1], arity: 3 },
  split: { athena: 'split', at: [2], arity: 3 },
  slice: { athena: 'slice', at: [1, 2], arity: 3 },
};

const NOT_INTEGER = new Set([DuckDBTypeId.DECIMAL, DuckDBTypeId.DOUBLE, DuckDBTypeId.FLOAT]);

/** Athena's failure of a call given a decimal or a double where it takes an integer. */
export class IntegerArgumentError extends Error {
  constructor(fn: string, type: string) {
    super(
      `Unexpected parameters for function ${fn}: Athena (Trino) takes an integer there, not ${type}, and fails ` +
        'the query; DuckDB would round it. Cast it: CAST(x AS bigint)',
    );
    this.name = 'IntegerArgumentError';
  }
}

/**
 * The check of one call: its integer arguments as one operand (a list of them, typed by their common type), and
 * what to do with that type (throw, or leave the call as it is).
 */
export function integerArgumentsCheck(
  n: TreeNode,
): { node: TreeNode; operand: unknown; apply: (t: DuckDBType) => undefined } | undefined {
  if (n.class !== 'FUNCTION' || !Array.isArray(n.children)) return undefined;
  const spec = INTEGER_PARAMETERS[String(n.function_name).toLowerCase()];
  if (!spec || n.children.length !== spec.arity) return undefined;
  const args = spec.at.map((i) => (n.children as unknown[])[i]).filter(isTreeNode);
  if (args.length !== spec.at.length) return undefined;
  return {
    node: n,
    operand: { ...n, function_name: 'list_value', schema: '', children: args },
    apply: (t) => {
      const element = t.typeId === DuckDBTypeId.LIST ? t.valueType : t;
      if (NOT_INTEGER.has(element.typeId))
        throw new IntegerArgumentError(spec.athena, element.toString().toLowerCase());
      return undefined;
    },
  };
}
