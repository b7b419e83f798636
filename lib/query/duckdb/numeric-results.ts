/**
 * Numeric results whose type or value differs between DuckDB and Athena, by the operand's type: floor, ceil,
 * truncate, round and sign keep Trino's types (and round(x, n) of an integer its checked rounding), sum and avg of a
 * real are reals, sum of integers and decimals is checked as Trino's, and approx_percentile takes its argument as
 * Trino coerces it. Candidates of result-casts.ts, which binds their operands.
 */
import { DuckDBTypeId, type DuckDBDecimalType, type DuckDBType } from '@duckdb/node-api';
import type { TreeNode } from './statement-tree';
import {
  around,
  castOperand,
  castTo,
  decimalType,
  isArrayConstructor,
  isFunction,
  renamed,
  type Candidate,
  type CastType,
} from './result-cast-nodes';

/** Trino's integer types, as DuckDB names them. */
export const INTEGER_TYPES = new Set([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
]);
const FLOATING_TYPES = new Set([DuckDBTypeId.DOUBLE, DuckDBTypeId.FLOAT]);

/** The operand's own type for an integer (and, for sign, a floating) operand. */
const sameType =
  (floating: boolean) =>
  (t: DuckDBTypeId): string | undefined =>
    INTEGER_TYPES.has(t) || (floating && FLOATING_TYPES.has(t)) ? DuckDBTypeId[t] : undefined;

/** sign's type: the operand's for a number, decimal(1,0) for a decimal (Trino's MathFunctions.Sign), not tinyint. */
const signType = (t: DuckDBTypeId): CastType | undefined =>
  t === DuckDBTypeId.DECIMAL ? DECIMAL_1_0 : sameType(true)(t);

/** The dialect's macro (lib/query/dialect/macros.ts) that turns a double into a real as Java's (float) does. */
export const REAL_OF_DOUBLE = 'trino_real_of_double';

/**
 * A double result as a real, as Trino's real aggregations write theirs: `(float) sum` — a double beyond a real's
 * range is Infinity, not DuckDB's cast error (a sum of 3e38 and 3e38 failed the query). The call is the macro's
 * argument; castResultsAsTrino marks it done.
 */
const realOfDouble = (n: TreeNode): TreeNode => around(n, REAL_OF_DOUBLE);

/**
 * The dialect's macros that check a sum as Trino's: an integer sum beyond a bigint fails ("bigint addition
 * overflow", LongSumAggregation), a decimal sum beyond 38 digits too ("Decimal overflow", DecimalSumAggregation);
 * DuckDB sums into 128 bits, and its decimal(38) sum held 39 digits.
 */
export const CHECKED_BIGINT_SUM = 'trino_checked_bigint_sum';
export const CHECKED_DECIMAL_SUM = 'trino_checked_decimal_sum';

/** The macros whose argument is a call a candidate wrapped (it is a candidate no more). */
export const NUMERIC_WRAPPERS = new Set([REAL_OF_DOUBLE, CHECKED_BIGINT_SUM, CHECKED_DECIMAL_SUM]);

const DECIMAL_1_0 = decimalType(1, 0);

/** The digits of an integer type as Trino's decimal coercion gives them (integer is decimal(10, 0)). */
const INTEGER_DIGITS = new Map([
  [DuckDBTypeId.TINYINT, 3],
  [DuckDBTypeId.SMALLINT, 5],
  [DuckDBTypeId.INTEGER, 10],
  [DuckDBTypeId.BIGINT, 19],
]);

/** A decimal's or integer's [precision, scale], as Trino's decimal arithmetic takes it; undefined for another type. */
function decimalOf(t: DuckDBType): [number, number] | undefined {
  if (t.typeId === DuckDBTypeId.DECIMAL)
    return [(t as DuckDBDecimalType).width, (t as DuckDBDecimalType).scale];
  const digits = INTEGER_DIGITS.get(t.typeId);
  return digits === undefined ? undefined : [digits, 0];
}

/** The candidate of a numeric call (see the module comment), if `n` is one. */
export function numericCandidate(n: TreeNode): Candidate | undefined {
  const args = Array.isArray(n.children) ? (n.children as unknown[]) : [];
  if (args.length === 1 && ['floor', 'ceil', 'ceiling', 'truncate'].some((f) => isFunction(n, f))) {
    // Of a decimal(p, s): decimal(p - s + min(s, 1), 0), truncate's decimal(max(1, p - s), 0) (MathFunctions'
    // Ceiling, Floor, Truncate), where DuckDB's is decimal(p, 0).
    const truncate = isFunction(n, 'truncate');
    return {
      node: n,
      operand: args[0],
      apply: (t) => {
        if (t.typeId !== DuckDBTypeId.DECIMAL) return castTo(n, sameType(false))(t);
        const { width: p, scale: s } = t as DuckDBDecimalType;
        return castTo(n, () => decimalType(truncate ? Math.max(1, p - s) : p - s + Math.min(s, 1), 0))(t);
      },
    };
  }
  // round(x, n) of an integer: Trino's checked rounding (the dialect's trino_round_integer), in x's type. round of
  // a decimal(p, s): Trino's type, decimal(min(38, p + 1), s) with n, decimal(min(38, p - s + min(1, s)), 0) without
  // (MathFunctions.RoundN, Round), where DuckDB's arithmetic gave decimal(p + 2, s) and its round(x, n) scale n.
  if ((args.length === 1 || args.length === 2) && isFunction(n, 'trino_round')) {
    return {
      node: n,
      operand: args[0],
      apply: (t) => {
        if (t.typeId === DuckDBTypeId.DECIMAL) {
          const { width, scale } = t as DuckDBDecimalType;
          const [p, s] =
            args.length === 2
              ? [Math.min(38, width + 1), scale]
              : [Math.min(38, width - scale + Math.min(1, scale)), 0];
          return castTo(n, () => decimalType(p, s))(t);
        }
        return args.length === 2
          ? castTo(renamed(n, 'trino_round_integer', args), sameType(false))(t)
          : undefined;
      },
    };
  }
  // truncate(x, n) of a decimal(p, s): decimal(p, s) (MathFunctions.TruncateN); the dialect's macro subtracts what
  // DuckDB's trunc cuts off, in a wider type.
  if (args.length === 2 && isFunction(n, 'truncate')) {
    return {
      node: n,
      operand: args[0],
      apply: (t) => {
        if (t.typeId !== DuckDBTypeId.DECIMAL) return undefined;
        const { width, scale } = t as DuckDBDecimalType;
        return castTo(n, () => decimalType(width, scale))(t);
      },
    };
  }
  // a % b and mod(a, b) of decimals, or of a decimal and an integer: Trino's decimal(min(p1 - s1, p2 - s2) + max(s1, s2),
  // max(s1, s2)) (DecimalOperators' modulus), where DuckDB's % widened it. Both operands' types, as one row's.
  if (args.length === 2 && (isFunction(n, 'trino_mod') || isFunction(n, 'mod'))) {
    return {
      node: n,
      operand: { ...n, function_name: 'row', schema: '', alias: '' },
      apply: (t) => {
        if (t.typeId !== DuckDBTypeId.STRUCT) return undefined;
        const [a, b] = t.entryTypes.map(decimalOf);
        if (!a || !b || !t.entryTypes.some((e) => e.typeId === DuckDBTypeId.DECIMAL)) return undefined;
        const [[p1, s1], [p2, s2]] = [a, b];
        const scale = Math.max(s1, s2);
        return castTo(n, () => decimalType(Math.min(p1 - s1, p2 - s2) + scale, scale))(t);
      },
    };
  }
  if (args.length === 1 && isFunction(n, 'sign')) {
    return { node: n, operand: args[0], apply: castTo(n, signType) };
  }
  // sum and avg of a real, as aggregates or windows, and approx_percentile(real, p): Trino answers a real
  // (RealSumAggregation, RealAverageAggregation: the double sum cast to float), DuckDB a double (0.30000000447…).
  const aggregate = n.class === 'FUNCTION' || (n.class === 'WINDOW' && n.type === 'WINDOW_AGGREGATE');
  const name = String(n.function_name).toLowerCase();
  if (aggregate && args.length === 1 && (name === 'sum' || name === 'avg')) {
    return {
      node: n,
      operand: args[0],
      apply: (t) => {
        if (t.typeId === DuckDBTypeId.FLOAT) return realOfDouble(n);
        if (name !== 'sum') return undefined;
        if (INTEGER_TYPES.has(t.typeId)) return around(n, CHECKED_BIGINT_SUM);
        return t.typeId === DuckDBTypeId.DECIMAL ? around(n, CHECKED_DECIMAL_SUM) : undefined;
      },
    };
  }
  // approx_percentile takes bigint, double or real in Trino (ApproximateLongPercentileAggregations and the double
  // and real ones): a decimal is coerced to double, a narrower integer to bigint, and the answer has that type.
  // DuckDB's approx_quantile of a decimal answered a whole number (21 for the median of 10.25, 20.75, 30.10).
  if (aggregate && name === 'approx_percentile' && (args.length === 2 || args.length === 3)) {
    return {
      node: n,
      operand: args[0],
      apply: (t) => {
        const coerced =
          t.typeId === DuckDBTypeId.DECIMAL
            ? 'DOUBLE'
            : INTEGER_TYPES.has(t.typeId) && t.typeId !== DuckDBTypeId.BIGINT
              ? 'BIGINT'
              : undefined;
        if (coerced) return { ...n, children: [castOperand(args[0] as TreeNode, coerced), ...args.slice(1)] };
        const single = args.length === 2 && !isArrayConstructor(args[1]);
        return single && t.typeId === DuckDBTypeId.FLOAT ? realOfDouble(n) : undefined;
      },
    };
  }
  return undefined;
}
