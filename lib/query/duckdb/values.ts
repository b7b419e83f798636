/**
 * Values and types → Athena's names and JSON: DuckDB's column types as the Trino type names Athena reports, DuckDB
 * values as the JSON cells the API returns (timestamps rendered as Athena renders timestamp(3)), and expressions
 * without an alias named _col<position> as Athena names them.
 */
import { jsonCell } from '../json-cell';
import { DuckDBTypeId, type DuckDBDecimalValue, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import type { Cell } from '../types';
import { intervalText } from './intervals';

const pad = (n: number | bigint, w = 2) => String(n).padStart(w, '0');

/** yyyy-MM-dd HH:mm:ss.SSS from microseconds since the epoch (UTC), as Athena renders timestamp(3). */
export function formatMicros(micros: bigint): string {
  const ms = Number(micros / 1000n) - (micros % 1000n < 0n ? 1 : 0);
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return String(micros);
  const year = d.getUTCFullYear();
  return (
    `${year < 0 ? '-' : ''}${pad(Math.abs(year), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`
  );
}

/**
 * A timestamp with time zone in a zone other than UTC, as the dialect rewrite returns it (lib/query/dialect/
 * time-zone.ts): a struct of the instant, the wall clock in the zone and the zone.
 */
const ZONED = ['__trino_tstz_instant', '__trino_tstz_wall', '__trino_tstz_zone'];
const isZoned = (t: DuckDBType) =>
  t.typeId === DuckDBTypeId.STRUCT &&
  t.entryNames.length === 3 &&
  t.entryNames.every((n, i) => n === ZONED[i]);

export function trinoType(t: DuckDBType): string {
  if (isZoned(t)) return 'timestamp with time zone';
  switch (t.typeId) {
    case DuckDBTypeId.VARCHAR:
      return t.alias?.toUpperCase() === 'JSON' ? 'json' : 'varchar';
    case DuckDBTypeId.BOOLEAN:
      return 'boolean';
    case DuckDBTypeId.TINYINT:
      return 'tinyint';
    case DuckDBTypeId.SMALLINT:
      return 'smallint';
    case DuckDBTypeId.INTEGER:
      return 'integer';
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT: // DuckDB's sum(bigint); Trino's is bigint
    case DuckDBTypeId.UHUGEINT:
      return 'bigint';
    case DuckDBTypeId.FLOAT:
      return 'real';
    case DuckDBTypeId.DOUBLE:
      return 'double';
    case DuckDBTypeId.DECIMAL:
      return `decimal(${t.width},${t.scale})`;
    case DuckDBTypeId.DATE:
      return 'date';
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return 'timestamp';
    case DuckDBTypeId.TIMESTAMP_TZ:
      return 'timestamp with time zone';
    case DuckDBTypeId.TIME:
    case DuckDBTypeId.TIME_NS:
      return 'time';
    case DuckDBTypeId.TIME_TZ:
      return 'time with time zone';
    case DuckDBTypeId.INTERVAL:
      return 'interval day to second';
    case DuckDBTypeId.UUID:
      return 'uuid';
    case DuckDBTypeId.BLOB:
      return 'varbinary';
    case DuckDBTypeId.ENUM:
      return 'varchar';
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return `array(${trinoType(t.valueType)})`;
    case DuckDBTypeId.MAP:
      return `map(${trinoType(t.keyType)}, ${trinoType(t.valueType)})`;
    case DuckDBTypeId.STRUCT:
      return `row(${t.entryNames.map((n, i) => `${n ? `${n} ` : ''}${trinoType(t.entryTypes[i]!)}`).join(', ')})`;
    case DuckDBTypeId.SQLNULL:
      return 'unknown';
    default:
      return t.toString().toLowerCase();
  }
}

function integer(v: bigint | number): Cell {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : String(v);
}

const BIGINT_MIN = -(2n ** 63n);
const BIGINT_MAX = 2n ** 63n - 1n;

/**
 * DuckDB's 128-bit integer (its sum of integers) as Trino's bigint, which it is on Athena: beyond a bigint Athena
 * fails the query (sum overflows), so the local engine does too rather than answer a number Athena cannot hold.
 */
function bigintOf(v: bigint): Cell {
  if (v < BIGINT_MIN || v > BIGINT_MAX) {
    throw new Error(
      `bigint overflow: ${v} is beyond a bigint (-9223372036854775808 to 9223372036854775807); Athena (Trino) ` +
        'fails the query (NUMERIC_VALUE_OUT_OF_RANGE) where DuckDB sums into 128 bits. Sum a decimal: ' +
        'sum(CAST(x AS DECIMAL(38, 0)))',
    );
  }
  return integer(v);
}

/**
 * -0 as the results file keeps it: JSON.stringify writes -0 as 0, and Athena's API answers a double or real -0 as
 * "-0.0" (JSON.parse reads "-0" back as -0; the query API's JSON answer, as on AWS, has 0).
 */
const NEGATIVE_ZERO = (JSON as unknown as { rawJSON: (text: string) => Cell }).rawJSON('-0');

function float(v: number): Cell {
  if (v === 0 && Object.is(v, -0)) return NEGATIVE_ZERO;
  if (Number.isFinite(v)) return v;
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

/**
 * The shortest decimal that reads back as the same 32-bit float: a REAL as Athena shows it (Java's Float.toString
 * digits: 0.1, where the float widened to a double is 0.10000000149011612).
 */
export function shortestFloat(n: number): number {
  if (!Number.isFinite(n) || n === 0) return n;
  // From two digits: of one and two, Java's Float.toString takes the nearest to the exact value (1.4E-45, not 1e-45).
  for (let p = 2; p <= 9; p++) {
    const candidate = Number(n.toPrecision(p));
    if (Math.fround(candidate) === n) return candidate;
  }
  return n;
}

/** Java's Double.toString / Float.toString of a number whose shortest digits are `digits` (a JS number). */
export function javaNotation(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(n);
    return s.includes('.') ? s : `${s}.0`;
  }
  // Shortest digits, but at least two: of one digit and two, the decimal nearest the exact value (Java 19+'s
  // Double.toString: 4.9E-324 for the least subnormal, whose shortest form is 5e-324).
  let [mantissa = '', exponent = ''] = n.toExponential().split('e');
  if (!mantissa.includes('.')) {
    const two = n.toExponential(1);
    if (Number(two) === n) [mantissa = '', exponent = ''] = two.split('e');
  }
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exponent.replace('+', '')}`;
}

/** A new object for a row's fields or a map's entries: no prototype, so a key named __proto__ is a key. */
const record = (): Record<string, Cell> => Object.create(null) as Record<string, Cell>;

/**
 * A map key as Athena writes it in the map's text: a row, an array or a map in Athena's notation, a decimal with
 * its scale (1.50), a double or real in Java's notation (1.0, 1.0E20), anything else as its text.
 */
function keyText(v: DuckDBValue, t: DuckDBType): string {
  if (v === null) return 'null';
  switch (t.typeId) {
    case DuckDBTypeId.DECIMAL:
      return (v as DuckDBDecimalValue).toString();
    case DuckDBTypeId.DOUBLE:
      return javaNotation(v as number);
    case DuckDBTypeId.FLOAT:
      return javaNotation(shortestFloat(v as number));
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return `[${(v as { items: readonly DuckDBValue[] }).items.map((x) => keyText(x, t.valueType)).join(', ')}]`;
    case DuckDBTypeId.STRUCT: {
      if (isZoned(t)) break;
      const entries = (v as { entries: Record<string, DuckDBValue> }).entries;
      const fields = t.entryNames.map(
        (name, i) => `${name || `field${i}`}=${keyText(entries[name] ?? null, t.entryTypes[i]!)}`,
      );
      return `{${fields.join(', ')}}`;
    }
    case DuckDBTypeId.MAP: {
      const entries = (v as { entries: { key: DuckDBValue; value: DuckDBValue }[] }).entries;
      return `{${entries.map((e) => `${keyText(e.key, t.keyType)}=${keyText(e.value, t.valueType)}`).join(', ')}}`;
    }
  }
  const cell = toCell(v, t);
  return cell !== null && typeof cell === 'object' ? JSON.stringify(cell) : String(cell);
}

/** A DuckDB value as the JSON cell the API returns (see Cell in lib/query/types.ts). */
export function toCell(v: DuckDBValue, t: DuckDBType): Cell {
  if (v === null || v === undefined) return null;
  switch (t.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return Boolean(v);
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
      return integer(v as bigint | number);
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return bigintOf(v as bigint);
    case DuckDBTypeId.FLOAT:
      return float(shortestFloat(v as number));
    case DuckDBTypeId.DOUBLE:
      return float(v as number);
    case DuckDBTypeId.DECIMAL: {
      const text = (v as DuckDBDecimalValue).toString();
      return t.width <= 15 ? Number(text) : text;
    }
    case DuckDBTypeId.VARCHAR:
      // A json value (inside an array, map or row too): its integers beyond a double's exact range keep their digits.
      return t.alias?.toUpperCase() === 'JSON' ? jsonCell(v as string) : (v as string);
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ: {
      const micros = (v as { micros: bigint }).micros;
      const text = formatMicros(micros);
      return t.typeId === DuckDBTypeId.TIMESTAMP_TZ ? `${text} UTC` : text;
    }
    case DuckDBTypeId.TIMESTAMP_S:
      return formatMicros((v as { seconds: bigint }).seconds * 1_000_000n);
    case DuckDBTypeId.TIMESTAMP_MS:
      return formatMicros((v as { millis: bigint }).millis * 1000n);
    case DuckDBTypeId.TIMESTAMP_NS:
      return formatMicros((v as { nanos: bigint }).nanos / 1000n);
    case DuckDBTypeId.INTERVAL:
      return intervalText(v as { months: number; days: number; micros: bigint });
    case DuckDBTypeId.BLOB:
      return Buffer.from((v as { bytes: Uint8Array }).bytes)
        .toString('hex')
        .replace(/(..)(?!$)/g, '$1 ');
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return (v as { items: readonly DuckDBValue[] }).items.map((x) => toCell(x, t.valueType));
    case DuckDBTypeId.STRUCT: {
      const entries = (v as { entries: Record<string, DuckDBValue> }).entries;
      if (isZoned(t)) {
        // Athena's rendering: the wall clock in the zone, then the zone (2012-10-30 18:00:00.000 America/Los_Angeles).
        const wall = entries[ZONED[1]!] as { micros: bigint } | null;
        return wall ? `${formatMicros(wall.micros)} ${String(entries[ZONED[2]!])}` : null;
      }
      const out = record();
      // Anonymous fields (ROW(1, 'x')) are field0, field1, … as Athena renders them.
      t.entryNames.forEach(
        (name, i) => (out[name || `field${i}`] = toCell(entries[name] ?? null, t.entryTypes[i]!)),
      );
      return out;
    }
    case DuckDBTypeId.MAP: {
      const out = record();
      for (const e of (v as { entries: { key: DuckDBValue; value: DuckDBValue }[] }).entries) {
        out[keyText(e.key, t.keyType)] = toCell(e.value, t.valueType);
      }
      return out;
    }
    default:
      return String(v);
  }
}

/**
 * Trino's types (as trinoType names them) that text is never cast to or from implicitly: Athena refuses comparing,
 * concatenating or mixing them with varchar where DuckDB casts (lib/query/duckdb/athena-refusals.ts).
 */
const NOT_FROM_TEXT =
  /^(boolean|tinyint|smallint|integer|bigint|real|double|decimal\(\d+,\d+\)|date|timestamp|timestamp with time zone|time|time with time zone|interval day to second|uuid|json|varbinary)$/;

export const castFromTextOnlyExplicitly = (trinoTypeName: string): boolean =>
  NOT_FROM_TEXT.test(trinoTypeName);
