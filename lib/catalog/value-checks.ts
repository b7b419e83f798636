/**
 * Whether a text is a value of an integer or decimal column, checked exactly (BigInt, never a double), with the
 * reasons the ETL gives (lib/etl/column-rules.ts uses these texts): validateUpload's sample check (CSV fields, JSON
 * numbers by their source text) and ingest (event data) judge a value as the Glue job and the local runner will.
 * Out-of-range values are refused, never rounded or clamped.
 * No dependency beyond lib/catalog/lake-types.ts and lib/etl/value-patterns.ts: the Lambda bundles take it.
 */
import { DECIMAL_PATTERN, INTEGER_PATTERN, decimalScalePattern } from '../etl/value-patterns';
import { INTEGER_RANGES, decimalOf, type DecimalType, type IntegerType } from './lake-types';

export const NOT_AN_INTEGER = 'not an integer';
export const NOT_A_DECIMAL = 'not a decimal number (digits, optionally a point and digits; no exponent)';

export const integerOutOfRange = (t: IntegerType) =>
  `out of range for ${t} (${INTEGER_RANGES[t][0]} to ${INTEGER_RANGES[t][1]})`;

export const decimalScaleExceeded = (t: DecimalType) =>
  `more than ${decimalOf(t)!.scale} decimal places for ${t} (not rounded)`;

export const decimalOutOfRange = (t: DecimalType) => {
  const { precision, scale } = decimalOf(t)!;
  return `out of range for ${t} (at most ${precision - scale} digits before the decimal point)`;
};

const integerRe = new RegExp(INTEGER_PATTERN);
const decimalRe = new RegExp(DECIMAL_PATTERN);

/** Why `text` is not a value of the integer type `t` (a reason of the ETL's), or undefined if it is one. */
export function integerProblem(text: string, t: IntegerType): string | undefined {
  if (!integerRe.test(text)) return NOT_AN_INTEGER;
  const n = BigInt(text);
  const [min, max] = INTEGER_RANGES[t];
  return n < min || n > max ? integerOutOfRange(t) : undefined;
}

/** Why `text` is not a value of the decimal type `t` (the ETL's reasons), or undefined if it is one exactly. */
export function decimalProblem(text: string, t: DecimalType): string | undefined {
  if (!decimalRe.test(text)) return NOT_A_DECIMAL;
  const { precision, scale } = decimalOf(t)!;
  if (!new RegExp(decimalScalePattern(scale)).test(text)) return decimalScaleExceeded(t);
  const integerDigits = text.replace(/^-/, '').split('.')[0]!.replace(/^0+/, '').length;
  return integerDigits > precision - scale ? decimalOutOfRange(t) : undefined;
}

/** The reason a text is not a value of an integer or decimal type, or undefined (also for the other types). */
export function exactValueProblem(text: string, t: string): string | undefined {
  if (Object.hasOwn(INTEGER_RANGES, t)) return integerProblem(text, t as IntegerType);
  if (decimalOf(t)) return decimalProblem(text, t as DecimalType);
  return undefined;
}
