/**
 * Parquet DECIMALs of more digits than the ETL engines read. Spark 3.5's ParquetToSparkSchemaConverter refuses the
 * whole file ("Invalid decimal precision: INT32 cannot store 12 digits (max 9)", "DecimalType can only support
 * precision up to 38"): a DECIMAL in INT32 holds at most 9 digits to it, in INT64 18, in a FIXED_LEN_BYTE_ARRAY of n
 * bytes what n bytes hold (Decimal.maxPrecisionForBytes) and never more than 38, in a BYTE_ARRAY 38; a precision
 * below 1 or a scale above the precision is no decimal type. DuckDB reads one of more than 38 digits as a DOUBLE,
 * not as written (12.50 became 900719925474099200).
 */
import type { SchemaElement } from 'hyparquet';

/** Spark's DecimalType.MAX_PRECISION, DuckDB's widest DECIMAL. */
const MAX_DECIMAL_DIGITS = 38;

export interface DecimalBeyondEngines {
  /** The type as Parquet declares it: "DECIMAL(40,2) in FIXED_LEN_BYTE_ARRAY(17)". */
  declared: string;
  /** The digits Spark reads in that physical type. */
  maxDigits: number;
  /** DuckDB too reads it wrongly (more than 38 digits); else only Spark refuses it. */
  localMisreads: boolean;
}

/** The digits the largest signed integer of n bytes holds whole (Spark's Decimal.maxPrecisionForBytes). */
const digitsInBytes = (n: number) => (2n ** BigInt(8 * n - 1) - 1n).toString().length - 1;

/** A DECIMAL the engines cannot read as written, or undefined (another type, or one they read). */
export function decimalBeyondEngines(el: SchemaElement): DecimalBeyondEngines | undefined {
  const lt = el.logical_type as { type?: string; precision?: number; scale?: number } | undefined;
  const fromLogical = lt?.type === 'DECIMAL';
  if (!fromLogical && !(lt === undefined && el.converted_type === 'DECIMAL')) return undefined;
  const precision = fromLogical ? lt.precision : el.precision;
  const scale = (fromLogical ? lt.scale : el.scale) ?? 0;
  const physical = el.type ?? '?';
  const maxDigits =
    physical === 'INT32'
      ? 9
      : physical === 'INT64'
        ? 18
        : physical === 'FIXED_LEN_BYTE_ARRAY' && typeof el.type_length === 'number' && el.type_length > 0
          ? Math.min(MAX_DECIMAL_DIGITS, digitsInBytes(el.type_length))
          : MAX_DECIMAL_DIGITS;
  if (typeof precision === 'number' && precision >= 1 && precision <= maxDigits && scale <= precision)
    return undefined;
  const stored = physical === 'FIXED_LEN_BYTE_ARRAY' ? `${physical}(${el.type_length ?? '?'})` : physical;
  return {
    declared: `DECIMAL(${precision ?? '?'},${scale}) in ${stored}`,
    maxDigits,
    localMisreads: typeof precision !== 'number' || precision > MAX_DECIMAL_DIGITS,
  };
}

/** Why a DECIMAL is refused, after "is" or "holds" (the upload check's wording). */
export const decimalBeyondEnginesText = (d: DecimalBeyondEngines) =>
  `Parquet ${d.declared}, which the Glue job (Spark 3.5) cannot read (at most ${d.maxDigits} digits there, and a ` +
  `scale no greater than the precision)${d.localMisreads ? ' and the local engine reads as a double, not as written' : ''}`;
