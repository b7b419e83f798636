/**
 * Calls DuckDB answers for argument types Trino has no signature for: length of an array or a map (DuckDB counts
 * its elements), cardinality of text (NULL), sum of booleans and avg of dates or timestamps (DuckDB answers a count
 * and a timestamp), count_if of a number (DuckDB counts the non-zero ones), min, max, min_by and max_by ordering
 * maps (Trino's are not orderable). Athena fails each (FUNCTION_NOT_FOUND: "Unexpected parameters … for function");
 * the local engine fails it too, naming the difference. length of a varbinary, which Trino counts in bytes and
 * DuckDB's length does not take, is answered as Trino does (octet_length). Judged on the operands' types as DuckDB's
 * binder gives them (result-casts.ts), as integer-arguments.ts judges its calls.
 */
import { DuckDBTypeId, type DuckDBType } from '@duckdb/node-api';
import { isNullConstant, isTreeNode, type TreeNode } from './statement-tree';
import { trinoType } from './values';

const INTEGER = [
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.UBIGINT,
];
const NUMERIC_OR_INTERVAL = new Set([
  ...INTEGER,
  DuckDBTypeId.DECIMAL,
  DuckDBTypeId.DOUBLE,
  DuckDBTypeId.FLOAT,
  DuckDBTypeId.INTERVAL,
  DuckDBTypeId.SQLNULL,
]);

/** Whether a map is in the type (itself, or an array's elements, a row's fields). */
function holdsMap(t: DuckDBType): boolean {
  switch (t.typeId) {
    case DuckDBTypeId.MAP:
      return true;
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return holdsMap(t.valueType);
    case DuckDBTypeId.STRUCT:
      return t.entryTypes.some(holdsMap);
    default:
      return false;
  }
}

interface Signature {
  /** The argument judged (0-based) and how many the call has. */
  at: number;
  arity: number[];
  /** Whether Trino has the call for the argument's type. */
  takes: (t: DuckDBType) => boolean;
  /** What Trino takes there, and what to write instead. */
  expected: string;
  advice: string;
}

const ORDERABLE: Omit<Signature, 'at' | 'arity'> = {
  takes: (t) => !holdsMap(t),
  expected: 'an orderable type (a map is none, nor an array or row holding one)',
  advice: 'order by a key or value of it: element_at(m, k), or its keys: array_sort(map_keys(m))',
};

/** By the call's name in DuckDB's tree. */
const SIGNATURES: Record<string, Signature[]> = {
  length: [
    {
      at: 0,
      arity: [1],
      takes: (t) =>
        ![DuckDBTypeId.LIST, DuckDBTypeId.ARRAY, DuckDBTypeId.MAP, DuckDBTypeId.STRUCT].includes(t.typeId),
      expected: 'varchar, char and varbinary',
      advice: 'count the elements with cardinality(x)',
    },
  ],
  cardinality: [
    {
      at: 0,
      arity: [1],
      takes: (t) =>
        [DuckDBTypeId.LIST, DuckDBTypeId.ARRAY, DuckDBTypeId.MAP, DuckDBTypeId.SQLNULL].includes(t.typeId),
      expected: 'array and map',
      advice: 'count the characters of text with length(s)',
    },
  ],
  count_if: [
    {
      at: 0,
      arity: [1],
      takes: (t) => t.typeId === DuckDBTypeId.BOOLEAN || t.typeId === DuckDBTypeId.SQLNULL,
      expected: 'boolean',
      advice: 'give it a condition: count_if(x <> 0)',
    },
  ],
  sum: [
    {
      at: 0,
      arity: [1],
      takes: (t) => NUMERIC_OR_INTERVAL.has(t.typeId),
      expected: 'numbers and intervals',
      advice: 'count the true values with count_if(b)',
    },
  ],
  avg: [
    {
      at: 0,
      arity: [1],
      takes: (t) => NUMERIC_OR_INTERVAL.has(t.typeId),
      expected: 'numbers and intervals',
      advice: "average a number: avg(to_unixtime(ts)), or avg(date_diff('day', DATE '1970-01-01', d))",
    },
  ],
  min: [{ ...ORDERABLE, at: 0, arity: [1, 2] }],
  max: [{ ...ORDERABLE, at: 0, arity: [1, 2] }],
  min_by: [{ ...ORDERABLE, at: 1, arity: [2, 3] }],
  max_by: [{ ...ORDERABLE, at: 1, arity: [2, 3] }],
};

/** Athena's failure of a call with an argument of a type Trino has no signature for. */
export class ArgumentTypeError extends Error {
  constructor(fn: string, type: string, s: Signature) {
    super(
      `Unexpected parameters (${type}) for function ${fn}: Athena (Trino) takes ${s.expected} there and fails ` +
        `this query (FUNCTION_NOT_FOUND); DuckDB would answer, so the local engine fails it too. Instead, ${s.advice}`,
    );
    this.name = 'ArgumentTypeError';
  }
}

/** The call as octet_length: Trino's length of a varbinary is its bytes, a call DuckDB's length does not take. */
const octetLength = (n: TreeNode): TreeNode => ({ ...n, function_name: 'octet_length', schema: '' });

/** The checks of one call (a function, an aggregate or a window's): each judged argument and what its type gives. */
export function argumentTypeChecks(
  n: TreeNode,
): { node: TreeNode; operand: unknown; apply: (t: DuckDBType) => TreeNode | undefined }[] {
  const aggregate = n.class === 'FUNCTION' || (n.class === 'WINDOW' && n.type === 'WINDOW_AGGREGATE');
  if (!aggregate || !Array.isArray(n.children)) return [];
  const name = String(n.function_name).toLowerCase();
  const signatures = Object.hasOwn(SIGNATURES, name) ? SIGNATURES[name]! : [];
  const args = n.children as unknown[];
  return signatures
    .filter(
      (s) =>
        s.arity.includes(args.length) && isTreeNode(args[s.at]) && !isNullConstant(args[s.at] as TreeNode),
    )
    .map((s) => ({
      node: n,
      operand: args[s.at],
      apply: (t: DuckDBType) => {
        if (name === 'length' && t.typeId === DuckDBTypeId.BLOB) return octetLength(n);
        if (!s.takes(t)) throw new ArgumentTypeError(name, trinoType(t), s);
        return undefined;
      },
    }));
}
