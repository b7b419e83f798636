/**
 * Arguments Trino takes as integers only: date_add's amount, chr's code point, lpad/rpad's length, split's limit,
 * slice's start and length, the bitwise functions' operands, ntile's bucket count, split_part's index, repeat's count.
 * A decimal, a double or a text there has no implicit cast to bigint in Trino (TypeCoercion: decimal to real and double
 * only; no varchar to a number), so Athena fails the call; DuckDB casts it and rounds (date_add('day', 1.6e0, d) added
 * two days, chr(65.5) was 'B') or reads the text (lpad('a', '3', 'x')). Judged on the operands' types as DuckDB's
 * binder gives them (result-casts.ts), so that the calls stay as they are: a check in the macros (CASE … error())
 * made them non-constant, and string_agg refused chr(10) as its separator.
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
  bitwise_and: { athena: 'bitwise_and', at: [0, 1], arity: 2 },
  bitwise_or: { athena: 'bitwise_or', at: [0, 1], arity: 2 },
  bitwise_xor: { athena: 'bitwise_xor', at: [0, 1], arity: 2 },
  bitwise_not: { athena: 'bitwise_not', at: [0], arity: 1 },
  ntile: { athena: 'ntile', at: [0], arity: 1 },
  split_part: { athena: 'split_part', at: [2], arity: 3 },
  repeat: { athena: 'repeat', at: [1], arity: 2 },
};

/** A text there (lpad('a', '3', 'x')) too: Trino casts no varchar to a number implicitly; DuckDB reads the text. */
const NOT_INTEGER = new Set([
  DuckDBTypeId.DECIMAL,
  DuckDBTypeId.DOUBLE,
  DuckDBTypeId.FLOAT,
  DuckDBTypeId.VARCHAR,
]);

/** Athena's failure of a call given a decimal or a double where it takes an integer. */
export class IntegerArgumentError extends Error {
  constructor(fn: string, type: string) {
    super(
      `Unexpected parameters for function ${fn}: Athena (Trino) takes an integer there, not ${type}, and fails ` +
        `the query; DuckDB would ${type === 'varchar' ? 'read the text as a number' : 'round it'}. Cast it: ` +
        'CAST(x AS bigint)',
    );
    this.name = 'IntegerArgumentError';
  }
}

/** The checks of one call: each integer argument as an operand, and what to do with its type (throw, or nothing). */
export function integerArgumentsChecks(
  n: TreeNode,
): { node: TreeNode; operand: unknown; apply: (t: DuckDBType) => undefined }[] {
  const call = n.class === 'FUNCTION' || (n.class === 'WINDOW' && n.type === 'WINDOW_NTILE');
  if (!call || !Array.isArray(n.children)) return [];
  const spec = INTEGER_PARAMETERS[String(n.function_name).toLowerCase()];
  if (!spec || n.children.length !== spec.arity) return [];
  return spec.at
    .map((i) => (n.children as unknown[])[i])
    .filter(isTreeNode)
    .map((operand) => ({
      node: n,
      operand,
      apply: (t: DuckDBType) => {
        if (NOT_INTEGER.has(t.typeId))
          throw new IntegerArgumentError(spec.athena, t.toString().toLowerCase());
        return undefined;
      },
    }));
}
