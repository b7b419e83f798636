/**
 * Trino's math functions where DuckDB's built-in of the same name answers otherwise, and those DuckDB names
 * differently, as DuckDB macros (lib/query/trino-compat.ts). Trino's are Java's Math.
 */
import { compatMacro as m } from './compat-macro';
import type { MacroDef } from './macros';

const NAN = "CAST('NaN' AS DOUBLE)";
const MINUS_INFINITY = "CAST('-Infinity' AS DOUBLE)";

/**
 * An operand of Trino's bitwise functions as the bigint they take (BitwiseFunctions: bigint, bigint); one that is no
 * integer fails as on Athena, judged on its bound type (lib/query/duckdb/integer-arguments.ts), so that the call stays
 * a constant where its operands are.
 */
const asBigint = (v: string) => `CAST(${v} AS BIGINT)`;

export const MATH_FUNCTIONS: MacroDef[] = [
  m('rand', [], 'random()', { signature: 'rand()' }),
  // DuckDB's cbrt(27) is 3.0000000000000004; Java's Math.cbrt (Trino's) gives a perfect cube's root exactly.
  m(
    'cbrt',
    ['x'],
    'CASE WHEN round(system.main.cbrt(x)) * round(system.main.cbrt(x)) * round(system.main.cbrt(x)) = x ' +
      'THEN round(system.main.cbrt(x)) ELSE system.main.cbrt(x) END',
    {
      signature: 'cbrt(x)',
      duckdb: 'cbrt(x), rounded when that is the exact root',
      note: "a perfect cube's root exactly (cbrt(27) = 3.0; DuckDB: 3.0000000000000004)",
    },
  ),
  // Java's Math (Trino's) outside a function's domain: NaN, and -Infinity for the logarithm of 0, where DuckDB fails
  // the query ("cannot take square root of a negative number", "cannot take logarithm of zero").
  m('sqrt', ['x'], `CASE WHEN x < 0 THEN ${NAN} ELSE system.main.sqrt(x) END`, {
    signature: 'sqrt(x)',
    duckdb: 'sqrt(x), NaN below 0',
    note: "NaN for a negative x, as Java's Math.sqrt (DuckDB fails the query)",
  }),
  ...['ln', 'log2', 'log10'].map((name) =>
    m(
      name,
      ['x'],
      `CASE WHEN x < 0 THEN ${NAN} WHEN x = 0 THEN ${MINUS_INFINITY} ELSE system.main.${name}(x) END`,
      {
        signature: `${name}(x)`,
        duckdb: `${name}(x), NaN below 0, -Infinity at 0`,
        note: "NaN for a negative x and -Infinity for 0, as Java's Math.log (DuckDB fails the query)",
      },
    ),
  ),
  ...['acos', 'asin'].map((name) =>
    m(name, ['x'], `CASE WHEN x < -1 OR x > 1 THEN ${NAN} ELSE system.main.${name}(x) END`, {
      signature: `${name}(x)`,
      duckdb: `${name}(x), NaN outside [-1, 1]`,
      note: `NaN outside [-1, 1], as Java's Math.${name} (DuckDB fails the query)`,
    }),
  ),
  {
    name: 'truncate',
    overloads: [
      { params: ['x'], body: 'trunc(x)' },
      // A decimal keeps its scale (Trino's decimal(p, s): truncate(1.2345, 2) is 1.2300; DuckDB's trunc has scale
      // n): x less what trunc cuts off, whose scale is x's.
      {
        params: ['x', 'n'],
        body: "CASE WHEN typeof(x) LIKE 'DECIMAL%' THEN x - (x - trunc(x, n)) ELSE trunc(x, n) END",
      },
    ],
    doc: [
      {
        signature: 'truncate(x [, n])',
        duckdb: 'trunc(x [, n])',
        note: "n decimal places kept; a decimal keeps its scale (DuckDB's has scale n)",
      },
    ],
  },
  // Trino's to_base is Java's Long.toString(x, radix): lower-case digits, a '-' before a negative number; DuckDB's
  // writes upper case and fails a negative one.
  m(
    'to_base',
    ['x', 'radix'],
    "CASE WHEN x < 0 THEN '-' || lower(system.main.to_base(-x, radix)) ELSE lower(system.main.to_base(x, radix)) END",
    {
      signature: 'to_base(x, radix)',
      duckdb: 'lower(to_base(x, radix)), a negative x as - and its absolute value',
      note: "lower-case digits and negative numbers (to_base(-10, 16) is '-a'), as Java's Long.toString; DuckDB: 'FF', and fails below 0",
    },
  ),
  m('bitwise_not', ['x'], `(~${asBigint('x')})`, {
    signature: 'bitwise_not(x)',
    note: 'bigint, as Trino (DuckDB keeps the operand’s type: a tinyint)',
  }),
  m('infinity', [], "CAST('infinity' AS DOUBLE)", { signature: 'infinity()' }),
  m('nan', [], "CAST('nan' AS DOUBLE)", { signature: 'nan()' }),
  m('is_nan', ['x'], 'isnan(x)', { signature: 'is_nan(x)' }),
  m('is_finite', ['x'], 'isfinite(x)', { signature: 'is_finite(x)' }),
  m('is_infinite', ['x'], 'isinf(x)', { signature: 'is_infinite(x)' }),
  ...(
    [
      ['bitwise_and', '&'],
      ['bitwise_or', '|'],
      ['bitwise_xor', 'xor'],
    ] as const
  ).map(([name, op]) => {
    const [a, b] = [asBigint('a'), asBigint('b')];
    return m(name, ['a', 'b'], op === 'xor' ? `xor(${a}, ${b})` : `(${a} ${op} ${b})`, {
      signature: `${name}(a, b)`,
      note: 'bigint, as Trino (DuckDB keeps the operands’ type: bitwise_and(2147483647, 2147483647) + 1 overflowed)',
    });
  }),
  // Trino's bit_count(x, bits) (BitwiseFunctions.bitCount): x as a bits-bit two's complement integer, its failures
  // word for word; DuckDB's bit_count(x) takes no width (a call with one argument fails in ./calls.ts, as on Athena).
  m(
    'bit_count',
    ['x', 'bits'],
    "CASE WHEN typeof(x) NOT IN ('TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', '\"NULL\"') " +
      "THEN error('Unexpected parameters (' || lower(typeof(x)) || ', bigint) for function bit_count. " +
      "Expected: bit_count(bigint, bigint)') " +
      'WHEN bits = 64 THEN CAST(system.main.bit_count(CAST(x AS BIGINT)) AS BIGINT) ' +
      "WHEN bits <= 1 OR bits > 64 THEN error('Bits specified in bit_count must be between 2 and 64, got ' || bits) " +
      'WHEN x > (CAST(1 AS HUGEINT) << (bits - 1)) - 1 OR x < -(CAST(1 AS HUGEINT) << (bits - 1)) ' +
      "THEN error('Number must be representable with the bits specified. ' || x || ' cannot be represented with ' " +
      "|| bits || ' bits') " +
      'ELSE CAST(system.main.bit_count(CAST(x AS HUGEINT) & ((CAST(1 AS HUGEINT) << bits) - 1)) AS BIGINT) END',
    {
      signature: 'bit_count(x, bits)',
      duckdb: 'bit_count(x & (2^bits - 1))',
      note: "x as a bits-bit two's complement integer (bit_count(-7, 8) is 6), failing outside its range or for bits outside 2–64; DuckDB's bit_count(x) has no width",
    },
  ),
];
