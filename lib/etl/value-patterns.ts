/**
 * The text forms the lake types values from, as ECMAScript regular expressions: validateUpload's sample check tests
 * them as they are (lib/dataset-registry.ts), the ETL plans through lib/etl/portable-regex.ts
 * (lib/etl/column-rules.ts), so a value that passes the sample check is typed the same way by the Glue job and the
 * local runner.
 * No dependency beyond this file: the validateUpload bundle takes it.
 */

/**
 * Years 1000-9999 (year 0 is 1 BC in DuckDB and would name a partition '0001-01-01 (BC)'); the calendar check is
 * the cast's (TRY_CAST gives NULL for 2024-02-30).
 */
export const DATE_PATTERN = '^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}$';

/**
 * Dataset timestamps are UTC: a trailing Z, +00:00, or no offset (taken as UTC). Other offsets are refused by both
 * engines (DuckDB's TIMESTAMP cast would silently drop them) and by validateUpload's sample check. Hours 00-23
 * (DuckDB reads 24:00:00 as the next day, Spark as invalid). At most six fraction digits (the lake stores
 * microseconds; a seventh that is not 0 would be cut off by both engines, never stored as written).
 */
export const UTC_TIMESTAMP_RE =
  '^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,6}0{0,3})?(Z|[+]00:00)?$';

/**
 * Integers the ETL casts to TINYINT, SMALLINT, INT or BIGINT: any number of digits (leading zeros included); the
 * width's range is the cast's (TRY_CAST gives NULL beyond it in both engines) and is checked exactly.
 */
export const INTEGER_PATTERN = '^-?[0-9]+$';

/**
 * Decimals the ETL casts to DECIMAL(p,s): plain notation (no exponent, as both engines render a DECIMAL as text).
 * Scale and precision are checked apart (decimalScalePattern, and the cast's range), never rounded.
 */
export const DECIMAL_PATTERN = '^-?[0-9]+([.][0-9]+)?$';

/** A plain decimal text with at most `scale` decimal places (more digits only if they are trailing zeros). */
export const decimalScalePattern = (scale: number) => `^-?[0-9]+([.][0-9]{0,${scale}}0*)?$`;

/** Numbers the ETL casts to DOUBLE (JSON's number syntax). */
export const DOUBLE_PATTERN = '^-?(0|[1-9][0-9]*)([.][0-9]+)?([eE][-+]?[0-9]+)?$';

/**
 * A number text (DOUBLE_PATTERN) whose digits before the exponent are not all zero: if its double is 0, the text was
 * too small for a double (1e-400) and rounded; if its double is infinite, too large (1e400). Both are refused, never
 * stored rounded or clamped, by the ETL (lib/etl/column-rules.ts) and validateUpload's sample check alike.
 */
export const NONZERO_MANTISSA_PATTERN = '^-?[0-9.]*[1-9]';
export const DOUBLE_OUT_OF_RANGE = 'out of range for double (magnitudes from 4.9e-324 to 1.8e308)';

/** Whether a number text that matches DOUBLE_PATTERN has no double: it overflows or underflows. */
export const doubleOutOfRange = (text: string, value: number): boolean =>
  !Number.isFinite(value) || (value === 0 && new RegExp(NONZERO_MANTISSA_PATTERN).test(text));
