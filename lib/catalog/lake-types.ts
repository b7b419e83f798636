/**
 * The lake's column types and their names in every engine, defined once. A column's type is its Glue (Hive) type
 * name, which is also what schemas/history records:
 *
 *   declared in the schema                      lake/Glue        Spark SQL + DuckDB cast   DuckDB view    Athena result
 *   "type": "string"                            string           STRING                    VARCHAR        varchar
 *   "type": "integer", "x-lake.type" tinyint    tinyint          TINYINT                   TINYINT        tinyint
 *   … smallint                                  smallint         SMALLINT                  SMALLINT       smallint
 *   … int (or integer)                          int              INT                       INTEGER        integer
 *   "type": "integer" (or x-lake.type bigint)   bigint           BIGINT                    BIGINT         bigint
 *   "type": "string", "x-lake.type" decimal(p,s) decimal(p,s)    DECIMAL(p,s)              DECIMAL(p,s)   decimal(p,s)
 *   "type": "number"                            double           DOUBLE                    DOUBLE         double
 *   "type": "boolean"                           boolean          BOOLEAN                   BOOLEAN        boolean
 *   "format": "date" / "date-time"              date / timestamp DATE / TIMESTAMP          DATE/TIMESTAMP date/timestamp
 *
 * A decimal is declared on a JSON string (its text, "12.50"): both ETL engines read a JSON number with a fraction
 * through a double (DuckDB's read_json; Spark 3.5's JacksonParser, whose Java 17 Double.toString even renders
 * 2.82879384806159E17 as 2.82879384806159008E17), which would change the value; a string is read as written.
 * No dependency beyond this file: the validateUpload and ingest bundles take it.
 */

export type IntegerType = 'tinyint' | 'smallint' | 'int' | 'bigint';
export type DecimalType = `decimal(${number},${number})`;
export type LakeType = 'string' | IntegerType | DecimalType | 'double' | 'boolean' | 'date' | 'timestamp';

/** The range of each integer width (two's complement, as Parquet, Spark, DuckDB and Athena store them). */
export const INTEGER_RANGES: Record<IntegerType, readonly [min: bigint, max: bigint]> = {
  tinyint: [-128n, 127n],
  smallint: [-32768n, 32767n],
  int: [-2147483648n, 2147483647n],
  bigint: [-9223372036854775808n, 9223372036854775807n],
};

/** Athena's (Trino's) largest decimal precision. */
export const MAX_DECIMAL_PRECISION = 38;

export const isIntegerType = (t: string): t is IntegerType => Object.hasOwn(INTEGER_RANGES, t);

const DECIMAL_RE = /^decimal\((\d{1,2}),(\d{1,2})\)$/;

/** Precision and scale of a decimal type, or undefined for any other type. */
export function decimalOf(t: string): { precision: number; scale: number } | undefined {
  const m = DECIMAL_RE.exec(t);
  return m ? { precision: Number(m[1]), scale: Number(m[2]) } : undefined;
}

/** Whether the type holds numbers the ETL compares with minimum/maximum. */
export const isNumericType = (t: string) => isIntegerType(t) || t === 'double' || decimalOf(t) !== undefined;

/**
 * The lake type an `x-lake.type` declares on a property of the given JSON type, or an error naming what is wrong:
 * integer widths on "integer", decimal(p,s) (1 ≤ p ≤ 38, 0 ≤ s ≤ p) on "string".
 */
export function declaredType(declared: unknown, jsonType: string, where: string): IntegerType | DecimalType {
  if (typeof declared !== 'string') throw new Error(`${where}: x-lake.type must be a string`);
  const name = declared.trim().toLowerCase().replace(/\s+/g, '');
  const integer = name === 'integer' ? 'int' : name;
  if (isIntegerType(integer)) {
    if (jsonType !== 'integer')
      throw new Error(`${where}: x-lake.type ${declared} needs "type": "integer" (it is "${jsonType}")`);
    return integer;
  }
  const m = /^decimal\((\d+),(\d+)\)$/.exec(name);
  if (m) {
    const p = Number(m[1]);
    const s = Number(m[2]);
    if (p < 1 || p > MAX_DECIMAL_PRECISION || s > p)
      throw new Error(
        `${where}: x-lake.type ${declared}: the precision must be 1 to ${MAX_DECIMAL_PRECISION} and the scale 0 to the precision`,
      );
    if (jsonType !== 'string')
      throw new Error(
        `${where}: x-lake.type ${declared} needs "type": "string" (the decimal's text, e.g. "12.50"): a JSON number ` +
          'with a fraction is read through a double by the ETL engines, which cannot hold every decimal exactly',
      );
    return `decimal(${p},${s})`;
  }
  throw new Error(
    `${where}: x-lake.type '${declared}' is not a lake type (tinyint, smallint, int, integer, bigint, decimal(p,s))`,
  );
}

/** The type's name in the SQL that Spark SQL and DuckDB share (the ETL plan's casts). */
export function sqlType(t: LakeType): string {
  if (t === 'string') return 'STRING';
  if (t === 'int') return 'INT';
  return t.toUpperCase();
}

/** The DuckDB type that stores a lake type (what the local ETL writes and the local query views expose). */
export function duckdbType(t: LakeType): string {
  if (t === 'string') return 'VARCHAR';
  if (t === 'int') return 'INTEGER';
  return t.toUpperCase();
}

/** The type name Athena gives a column of this type in query results (ResultSetMetadata.ColumnInfo). */
export function athenaType(t: LakeType): string {
  if (t === 'string') return 'varchar';
  if (t === 'int') return 'integer';
  return t;
}

/** A JSON value's type as JSON Schema names it (a whole number is an integer). */
export function jsonTypeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Whether JSON Schema's `type` keyword takes the value (an integer is a number too). */
export const isOfJsonType = (v: unknown, type: string): boolean =>
  jsonTypeOf(v) === type || (type === 'number' && jsonTypeOf(v) === 'integer');

/** The JSON type a column of the lake type is sent as (the table above; a decimal, a date, a timestamp: text). */
export function jsonTypeOfLakeType(type: string): string {
  if (type === 'boolean') return 'boolean';
  if (type === 'double') return 'number';
  return isIntegerType(type) ? 'integer' : 'string';
}
