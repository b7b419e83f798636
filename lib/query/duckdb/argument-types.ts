/**
 * Calls DuckDB answers for argument types Trino has no signature for: length of an array or a map (DuckDB counts
 * its elements), cardinality of text (NULL), sum of booleans and avg of dates or timestamps (DuckDB answers a count
 * and a timestamp), count_if of a number (DuckDB counts the non-zero ones), min, max, min_by and max_by ordering
 * maps or json (Trino's are comparable, not orderable). sum of an interval, which Trino answers and DuckDB cannot, is
 * refused naming that. Athena fails each (FUNCTION_NOT_FOUND: "Unexpected parameters … for function");
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

/** Whether Trino cannot order the type: a map or json (comparable, not orderable), or an array or row holding one. */
function unorderable(t: DuckDBType): boolean {
  switch (t.typeId) {
    case DuckDBTypeId.MAP:
      return true;
    case DuckDBTypeId.VARCHAR:
      return t.alias?.toUpperCase() === 'JSON';
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return unorderable(t.valueType);
    case DuckDBTypeId.STRUCT:
      return t.entryTypes.some(unorderable);
    default:
      return false;
  }
}

const isJson = (t: DuckDBType) => t.typeId === DuckDBTypeId.VARCHAR && t.alias?.toUpperCase() === 'JSON';
const isText = (t: DuckDBType) => t.typeId === DuckDBTypeId.VARCHAR && !isJson(t);
const isContainer = (t: DuckDBType) =>
  [DuckDBTypeId.LIST, DuckDBTypeId.ARRAY, DuckDBTypeId.MAP].includes(t.typeId);

interface Signature {
  /** The argument judged (0-based) and how many the call has. */
  at: number;
  arity: number[];
  /** Whether Trino has the call for the argument's type. */
  takes: (t: DuckDBType) => boolean;
  /** What Trino takes there, and what to write instead for an argument of this type. */
  expected: string;
  advice: (t: DuckDBType) => string;
}

/** What to sum or average instead of an argument that is no number. */
const aNumber = (t: DuckDBType): string =>
  t.typeId === DuckDBTypeId.BOOLEAN
    ? 'count the true values with count_if(b)'
    : isText(t)
      ? 'cast the text to a number first: CAST(x AS double)'
      : [DuckDBTypeId.DATE, DuckDBTypeId.TIMESTAMP, DuckDBTypeId.TIMESTAMP_TZ].includes(t.typeId)
        ? "use a number: to_unixtime(ts), or date_diff('day', DATE '1970-01-01', d)"
        : 'use a number';

const ORDERABLE: Omit<Signature, 'at' | 'arity'> = {
  takes: (t) => !unorderable(t),
  expected: 'an orderable type (a map or json is none, nor an array or row holding one)',
  advice: (t) =>
    isJson(t)
      ? "order by a value extracted from it: json_extract_scalar(j, '$.path'), or CAST(j AS varchar)"
      : 'order by a key or value of it: element_at(m, k), or its keys: array_sort(map_keys(m))',
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
      advice: (t) => (isContainer(t) ? 'count the elements with cardinality(x)' : 'a row has no length'),
    },
  ],
  cardinality: [
    {
      at: 0,
      arity: [1],
      takes: (t) =>
        [DuckDBTypeId.LIST, DuckDBTypeId.ARRAY, DuckDBTypeId.MAP, DuckDBTypeId.SQLNULL].includes(t.typeId),
      expected: 'array and map',
      advice: (t) =>
        isJson(t)
          ? 'count a JSON array with json_array_length(j)'
          : isText(t)
            ? 'count the characters of text with length(s)'
            : 'give it an array or a map',
    },
  ],
  count_if: [
    {
      at: 0,
      arity: [1],
      takes: (t) => t.typeId === DuckDBTypeId.BOOLEAN || t.typeId === DuckDBTypeId.SQLNULL,
      expected: 'boolean',
      advice: () => 'give it a condition: count_if(x <> 0)',
    },
  ],
  sum: [
    {
      at: 0,
      arity: [1],
      takes: (t) => NUMERIC_OR_INTERVAL.has(t.typeId),
      expected: 'numbers and intervals',
      advice: aNumber,
    },
  ],
  avg: [
    {
      at: 0,
      arity: [1],
      takes: (t) => NUMERIC_OR_INTERVAL.has(t.typeId),
      expected: 'numbers and intervals',
      advice: aNumber,
    },
  ],
  min: [{ ...ORDERABLE, at: 0, arity: [1, 2] }],
  max: [{ ...ORDERABLE, at: 0, arity: [1, 2] }],
  min_by: [{ ...ORDERABLE, at: 1, arity: [2, 3] }],
  max_by: [{ ...ORDERABLE, at: 1, arity: [2, 3] }],
};

/**
 * codepoint takes a varchar(1) in Trino (StringFunctions.codepoint): a literal of one character or chr(n) has that
 * type; a column, or any other text, is a varchar, and Athena fails the query. DuckDB's unicode() answered the first
 * character's code of any text.
 */
const CODEPOINT: Signature = {
  at: 0,
  arity: [1],
  takes: (t) => t.typeId === DuckDBTypeId.SQLNULL,
  expected:
    "varchar(1) — a text of one character by its type: a literal such as 'a', chr(n), or lower, upper, coalesce " +
    "or CASE of those (a table's column is a varchar; locally, a VALUES column is taken for one too)",
  advice: () =>
    'on Athena cast it: codepoint(CAST(x AS varchar(1))), which the local engine does not run (a bounded varchar ' +
    "cast); codepoint(chr(n)) and codepoint('a') run on both",
};

/**
 * Whether the argument is text of one character by its type (Trino's varchar(1)): a literal of one code point or a
 * NULL, chr(n), lower or upper of one (varchar(x) → varchar(x)), or a coalesce or CASE whose every value is one.
 */
function oneCharacter(v: unknown): boolean {
  if (!isTreeNode(v)) return false;
  if (isNullConstant(v)) return true;
  const name = String(v.function_name ?? '').toLowerCase();
  if (v.class === 'FUNCTION' && ['chr', 'trino_chr'].includes(name)) return true;
  const args = Array.isArray(v.children) ? (v.children as unknown[]) : [];
  if (v.class === 'FUNCTION' && ['lower', 'upper'].includes(name))
    return args.length === 1 && oneCharacter(args[0]);
  if (v.type === 'OPERATOR_COALESCE') return args.length > 0 && args.every(oneCharacter);
  if (v.class === 'CASE' && Array.isArray(v.case_checks))
    return (v.case_checks as TreeNode[]).every((c) => oneCharacter(c.then_expr)) && oneCharacter(v.else_expr);
  if (v.class !== 'CONSTANT' || !isTreeNode(v.value)) return false;
  const value = (v.value as { value?: unknown }).value;
  return typeof value === 'string' && [...value].length === 1;
}

/** Athena's failure of a call with an argument of a type Trino has no signature for. */
export class ArgumentTypeError extends Error {
  constructor(fn: string, type: DuckDBType, s: Signature) {
    super(
      `Unexpected parameters (${trinoType(type)}) for function ${fn}: Athena (Trino) takes ${s.expected} there ` +
        `and fails this query (FUNCTION_NOT_FOUND); the local engine fails it as Athena does, where DuckDB would ` +
        `answer or fail in its own words. ` +
        `Instead, ${s.advice(type)}`,
    );
    this.name = 'ArgumentTypeError';
  }
}

/** sum of an interval: Trino answers it, DuckDB has no such sum (it failed with its binder's words). */
export const SUM_OF_INTERVALS =
  'sum of an interval: Athena (Trino) answers it, but DuckDB has no sum of intervals, so the local engine fails this ' +
  'query; sum their length instead: sum(to_milliseconds(x)) for intervals of days to seconds';

/** The call as octet_length: Trino's length of a varbinary is its bytes, a call DuckDB's length does not take. */
const octetLength = (n: TreeNode): TreeNode => ({ ...n, function_name: 'octet_length', schema: '' });

/** The checks of one call (a function, an aggregate or a window's): each judged argument and what its type gives. */
export function argumentTypeChecks(
  n: TreeNode,
): { node: TreeNode; operand: unknown; apply: (t: DuckDBType) => TreeNode | undefined }[] {
  const aggregate = n.class === 'FUNCTION' || (n.class === 'WINDOW' && n.type === 'WINDOW_AGGREGATE');
  if (!aggregate || !Array.isArray(n.children)) return [];
  const name = String(n.function_name).toLowerCase();
  const [only] = n.children;
  if (name === 'codepoint' && n.children.length === 1 && !oneCharacter(only))
    return [
      {
        node: n,
        operand: only,
        apply: (t: DuckDBType) => {
          if (!CODEPOINT.takes(t)) throw new ArgumentTypeError(name, t, CODEPOINT);
          return undefined;
        },
      },
    ];
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
        if (!s.takes(t)) throw new ArgumentTypeError(name, t, s);
        if (name === 'sum' && t.typeId === DuckDBTypeId.INTERVAL) throw new Error(SUM_OF_INTERVALS);
        return undefined;
      },
    }));
}
