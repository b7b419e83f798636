/**
 * The cast macros of the dialect rewrites (./casts.ts): CAST and TRY_CAST to an integer type, boolean, timestamp,
 * date or double as Trino reads and rounds (trino_cast_<type>, trino_try_cast_<type>), to timestamp with time zone
 * (trino_cast_timestamptz) and to a decimal (trino_decimal_text). Added to the connection through ./macros.ts.
 */
import { millisRoundedSql, sqlString } from '../../duckdb-sql';
import type { MacroDef } from './macro-def';

/** A helper macro: not an Athena function, so not documented as one. */
const m = (name: string, params: string[], body: string): MacroDef => ({
  name,
  overloads: [{ params, body }],
  doc: [],
});

/** DuckDB's typeof of a double and a real. */
export const FLOATING_TYPES = "('DOUBLE', 'FLOAT')";

/**
 * CAST and TRY_CAST to an integer type, boolean, timestamp or date (calls.ts; date(x) too): trino_cast_<type>(x) and
 * trino_try_cast_<type>(x). A double or real is rounded half away from zero for an integer, as Trino
 * (DoubleMath.roundToLong(x, HALF_UP); 2.5 is 3, 0.5 is 1), where DuckDB rounds half to even (2, 0). A string must be
 * what Trino reads: an integer as Java's parseLong reads it ('2.5' and ' 12 ' fail: "Cannot cast '2.5' to BIGINT",
 * where DuckDB rounds '2.5' to 3 and trims blanks), a boolean as t, f, 1, 0, true or false in any case ('yes' fails;
 * DuckDB read yes, no, on, off…), a timestamp as Trino's DateTimes.DATETIME_PATTERN (a space between date and time:
 * '2021-01-03T14:05:06' fails, "Value cannot be cast to timestamp", where DuckDB reads it; no zone) with its fraction
 * rounded half up to milliseconds (timestamp(3): .123556 is .124, where DuckDB truncated it), a date as yyyy-MM-dd
 * alone ('2024-03-01 10:00:00' fails; DuckDB dropped the time), a double as Java's Double.parseDouble reads it ('inf'
 * and 'nan' fail; 'Infinity', 'NaN', '1.5d' are read). TRY_CAST answers NULL instead of failing. Every other type is
 * DuckDB's cast (a decimal is rounded half up by both).
 */
const INTEGER_TEXT = '[+-]?[0-9]+';
/** What java.math.BigDecimal(String) reads: a sign, digits with a point, an exponent; nothing around them. */
const BIG_DECIMAL_TEXT = '[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?';
const TIMESTAMP_TEXT =
  '[-+]?[0-9]{4,}-[0-9]{1,2}-[0-9]{1,2}( ([0-9]{1,2}:[0-9]{1,2}(:[0-9]{1,2}([.][0-9]+)?)?)?)?';
/**
 * A text CAST AS timestamp with time zone reads (Trino's DateTimes: a date, a time, then the zone after optional
 * white space): group 1 the date and time, group 2 the zone.
 */
const ZONED_TEXT =
  '^([-+]?[0-9]{4,}-[0-9]{1,2}-[0-9]{1,2}(?:[ T][0-9]{1,2}(?::[0-9]{1,2}(?::[0-9]{1,2}(?:[.][0-9]+)?)?)?)?)\\s*(.*)$';
/**
 * The zones Trino reads as UTC itself (TimeZoneKey.normalizeZoneId: an Etc/ prefix dropped, the UTC-equivalent names,
 * then a UTC, GMT or UT prefix dropped and an offset of 0 hours: ±0, ±00, ±0000, ±00:00).
 */
const UTC_ZONE =
  '(?i)(etc/)?(utc|z|ut|uct|gmt|gmt0|greenwich|universal|zulu|(utc|gmt|ut)?[+-](0|00|00:?00))?';
const DATE_TEXT = '\\s*[-+]?[0-9]{4,}-[0-9]{1,2}-[0-9]{1,2}\\s*';
const JAVA_DOUBLE_TEXT =
  '\\s*[+-]?(NaN|Infinity|(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|0[xX]([0-9a-fA-F]+[.]?[0-9a-fA-F]*|' +
  '[.][0-9a-fA-F]+)[pP][+-]?[0-9]+)[fFdD]?)\\s*';
interface StrictCastTarget {
  type: string;
  /** What the failure says: "Cannot cast '<text>' to <cannot>", or "Value cannot be cast to <value>: <text>". */
  failure: { cannot: string } | { value: string };
  text: string;
  rounds: boolean;
  /** The value of a text that matches `text`, when not DuckDB's cast (`cast`: CAST or TRY_CAST). */
  fromText?: (cast: string) => string;
}
const STRICT_CAST_TARGETS: StrictCastTarget[] = [
  { type: 'BIGINT', failure: { cannot: 'BIGINT' }, text: INTEGER_TEXT, rounds: true },
  { type: 'INTEGER', failure: { cannot: 'INT' }, text: INTEGER_TEXT, rounds: true },
  { type: 'SMALLINT', failure: { cannot: 'SMALLINT' }, text: INTEGER_TEXT, rounds: true },
  { type: 'TINYINT', failure: { cannot: 'TINYINT' }, text: INTEGER_TEXT, rounds: true },
  { type: 'BOOLEAN', failure: { cannot: 'BOOLEAN' }, text: '(?i)t|f|1|0|true|false', rounds: false },
  {
    type: 'TIMESTAMP',
    failure: { value: 'timestamp' },
    text: TIMESTAMP_TEXT,
    rounds: false,
    // Milliseconds rounded half up (toward the later instant, as Trino rounds the fraction's digits).
    fromText: (cast) => millisRoundedSql(`${cast}(TRY_CAST(x AS VARCHAR) AS TIMESTAMP)`),
  },
  { type: 'DATE', failure: { value: 'date' }, text: DATE_TEXT, rounds: false },
  // Java's Double.parseDouble and Float.parseFloat (Trino's casts of a varchar to DOUBLE and REAL): NaN and Infinity
  // spelt so, a d or f suffix, hex; DuckDB read 'inf', 'nan', '1_000' and ' 1 ' alike and refused '1d'.
  ...(['DOUBLE', 'REAL'] as const).map((type): StrictCastTarget => ({
    type,
    failure: { cannot: type },
    text: JAVA_DOUBLE_TEXT,
    rounds: false,
    fromText: (cast) =>
      `CASE WHEN regexp_matches(TRY_CAST(x AS VARCHAR), '0[xX]') THEN error('not supported by the local engine: ` +
      `a hexadecimal floating-point text (Java''s 0x1.8p1), which Athena reads; write the number in decimal') ` +
      `ELSE ${cast}(regexp_replace(trim(TRY_CAST(x AS VARCHAR)), '[fFdD]$', '') AS ${type}) END`,
  })),
];

/** The types with a trino_cast_<type> and a trino_try_cast_<type> macro, in lower case. */
export const STRICT_CAST_TYPES = STRICT_CAST_TARGETS.map((t) => t.type.toLowerCase());

const STRICT_CASTS: MacroDef[] = STRICT_CAST_TARGETS.flatMap(({ type, failure, text, rounds, fromText }) => {
  const notRead = `typeof(x) = 'VARCHAR' AND NOT regexp_full_match(TRY_CAST(x AS VARCHAR), ${sqlString(text)})`;
  const cast = (name: string, failed: string) =>
    m(
      `trino_${name.toLowerCase()}_${type.toLowerCase()}`,
      ['x'],
      'CASE ' +
        (rounds
          ? `WHEN typeof(x) IN ${FLOATING_TYPES} THEN ${name}(round(TRY_CAST(x AS DOUBLE)) AS ${type}) ` +
            // A JSON number with a fraction is rounded half up too (Trino's JsonUtil: castToLong → round).
            `WHEN typeof(x) = 'JSON' AND json_type(TRY_CAST(x AS JSON)) = 'DOUBLE' ` +
            `THEN ${name}(round(TRY_CAST(x AS DOUBLE)) AS ${type}) `
          : '') +
        `WHEN ${notRead} THEN ${failed} ` +
        (fromText ? `WHEN typeof(x) = 'VARCHAR' THEN ${fromText(name)} ` : '') +
        `ELSE ${name}(x AS ${type}) END`,
    );
  const message =
    'cannot' in failure
      ? `'Cannot cast ''' || TRY_CAST(x AS VARCHAR) || ''' to ${failure.cannot}'`
      : `'Value cannot be cast to ${failure.value}: ' || TRY_CAST(x AS VARCHAR)`;
  return [cast('CAST', `error(${message})`), cast('TRY_CAST', 'NULL')];
});

/** The cast macros, for ./macros.ts. */
export const CAST_MACROS: MacroDef[] = [
  ...STRICT_CASTS,
  // CAST(text AS TIMESTAMP WITH TIME ZONE) (./casts.ts): Trino keeps the zone the text names, and hour(), date() and
  // CAST AS timestamp read its wall clock; DuckDB keeps the instant only (its wall clock read in UTC). A text in UTC
  // (or without a zone: Athena's session zone is UTC) is the same value; one in another zone is refused.
  // A text in UTC is cast without its zone (DuckDB reads no zone after a space in offset form, ' +00:00', nor ' Z'),
  // its fraction rounded half up to milliseconds as Trino's timestamp(3) with time zone (as the timestamp cast).
  ...(['CAST', 'TRY_CAST'] as const).map((cast) =>
    m(
      `trino_${cast.toLowerCase()}_timestamptz`,
      ['x'],
      `CASE WHEN typeof(x) = 'VARCHAR' AND NOT regexp_full_match(coalesce(regexp_extract(trim(TRY_CAST(x AS VARCHAR)), ` +
        `${sqlString(ZONED_TEXT)}, 2), ''), ${sqlString(UTC_ZONE)}) ` +
        `THEN error('not supported by the local engine: CAST(''' || TRY_CAST(x AS VARCHAR) || ''' AS timestamp with ` +
        `time zone): Athena keeps the zone the text names, and reads its wall clock where the value is used; the ` +
        `local engine keeps only the instant, in UTC. Write the text in UTC, or cast it without its zone AS ` +
        `timestamp and convert it with AT TIME ZONE') ` +
        `WHEN typeof(x) = 'VARCHAR' AND regexp_full_match(trim(TRY_CAST(x AS VARCHAR)), ${sqlString(ZONED_TEXT)}) ` +
        `THEN ${cast}(${millisRoundedSql(
          `${cast}(regexp_extract(trim(TRY_CAST(x AS VARCHAR)), ${sqlString(ZONED_TEXT)}, 1) AS TIMESTAMP)`,
        )} AS TIMESTAMPTZ) ELSE ${cast}(x AS TIMESTAMPTZ) END`,
    ),
  ),
  // CAST(x AS DECIMAL(p,s)) (calls.ts) casts this text. Trino rounds a double half up on its shortest text
  // (DecimalConversions: BigDecimal.valueOf(x).setScale(s, HALF_UP), Double.toString's digits; a real through
  // String.valueOf of the float): 0.015e0, 0.01499999999999999944… in binary, becomes 0.02, 1.005e0 1.01,
  // 1.2345678901234568e29 keeps the text's zeros. DuckDB's own cast scales the binary value (1.005e0: 1.00); its
  // text of a double or real is the same shortest one (1e-07, 1.2345678901234568e+29), which its cast of a text
  // rounds half up as BigDecimal does. A boolean is 1 or 0 as in Trino; every other type is its text, exact for
  // integers and decimals. A text is read as Java's new BigDecimal(text) reads it (Trino's varcharToDecimal): no
  // white space, no underscore, no inf or nan, which DuckDB's cast took (' 1.5', '1_0'); one it refuses fails the
  // CAST with Trino's message, or is NULL (trino_try_decimal_text: TRY_CAST, and a CAST inside try()).
  ...(
    [
      ['trino_decimal_text', true],
      ['trino_try_decimal_text', false],
    ] as const
  ).map(([name, fails]) =>
    m(
      name,
      ['x', 'p', 's'],
      "CASE WHEN typeof(x) = 'BOOLEAN' THEN CAST(CAST(x AS INTEGER) AS VARCHAR) " +
        `WHEN typeof(x) = 'VARCHAR' AND NOT regexp_full_match(CAST(x AS VARCHAR), ${sqlString(BIG_DECIMAL_TEXT)}) ` +
        (fails
          ? "THEN error('Cannot cast VARCHAR ''' || CAST(x AS VARCHAR) || ''' to DECIMAL(' || p || ', ' || s || " +
            "'). Value is not a number.') "
          : 'THEN NULL ') +
        'ELSE CAST(x AS VARCHAR) END',
    ),
  ),
];
