/**
 * DuckDB macros for the dialect rewrites (lib/query/dialect/) and for Trino functions added for issue 13: zoned
 * timestamps (time-zone.ts), Java's format (java-format.ts), the *_match functions, to_iso8601, weighted
 * approx_percentile, JSON functions that return NULL on text that is not JSON (Trino's JsonExtract). Each is a
 * MacroDef (below), which ../trino-compat.ts adds to the connection's macros.
 */
import { millisRoundedSql, sqlString } from '../../duckdb-sql';
import { CAST_MACROS, FLOATING_TYPES } from './cast-macros';
import type { MacroDef } from './macro-def';
import { DECIMAL_AVERAGE_REFUSAL, DECIMAL_QUOTIENT_REFUSAL } from './decimals';
import { ESCAPE_FOLLOWED, ESCAPE_SINGLE } from './like-escape';
import { LocalDialectError } from './local-error';

export type { CompatFunction, MacroDef } from './macro-def';

const m = (name: string, params: string[], body: string, signature?: string, note?: string): MacroDef => ({
  name,
  overloads: [{ params, body }],
  doc: signature ? [{ signature, duckdb: body, ...(note ? { note } : {}) }] : [],
});

const OFFSET = "'^[+-][0-9]{1,2}(:?[0-9]{2})?$'";
const TIMESTAMP_TYPES =
  "('TIMESTAMP', 'TIMESTAMP WITH TIME ZONE', 'TIMESTAMP_S', 'TIMESTAMP_MS', 'TIMESTAMP_NS')";

/** ISO 8601 as Joda's ISODateTimeFormat reads a date (dateElementParser) and a date-time (dateTimeParser). */
export const ISO_DATE = '[+-]?[0-9]{4,}(-[0-9]{2}(-[0-9]{2})?)?';
const ISO_DATE_TIME = `${ISO_DATE}(T[0-9]{2}(:?[0-9]{2}(:?[0-9]{2}([.,][0-9]+)?)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?`;

/**
 * The operand types ("<type of a>|<type of b>", DuckDB's typeof) of a decimal quotient: a decimal and a decimal or
 * an integer. One test of one text, so that trino_div writes each operand only once more (division.ts).
 */
const INTEGER_TYPE = 'U?(?:TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)';
const DECIMAL_TYPE = 'DECIMAL\\([0-9]+,[0-9]+\\)';
const DECIMAL_QUOTIENT_TYPES = `${DECIMAL_TYPE}\\|(?:${DECIMAL_TYPE}|${INTEGER_TYPE})|${INTEGER_TYPE}\\|${DECIMAL_TYPE}`;

/** Internal helpers (names start with trino_; not Athena functions, so not documented as such). */
const HELPERS: MacroDef[] = [
  // The value format_datetime and date_format write: Joda holds milliseconds, rounded half up (Trino's formatters
  // round the timestamp to 3 digits): 23:59:59.9996 is written as the next day's 00:00:00.000 (calls.ts).
  m('trino_millis_rounded', ['ts'], millisRoundedSql('ts')),
  // format_datetime and date_format of a literal pattern (calls.ts): the value rounded as Joda holds it, after the
  // pattern's checks. With Z (zone) of a timestamp without a zone it fails as Trino fails it (FormatDateTime); of
  // one with a zone (UTC here: another zone is refused, time-zone.ts) Z and ZZ are written as Joda writes UTC's
  // offset. With y or yyy (year: Joda writes the year's own digits, at least one or three) a year before 1000,
  // which strftime's %Y writes with four, is refused naming the difference (the lake stores years 1000 to 9999).
  m(
    'trino_strftime',
    ['ts', 'fmt', 'zone', 'year'],
    "strftime(trino_millis_rounded(CASE WHEN zone AND typeof(ts) <> 'TIMESTAMP WITH TIME ZONE' THEN error(" +
      sqlString(
        "format_datetime for TIMESTAMP type, cannot use 'Z' nor 'z' in format, as this type does not contain TZ " +
          'information',
      ) +
      `) WHEN year AND year(ts) < 1000 THEN error(${sqlString(
        new LocalDialectError(
          'format_datetime() with y or yyy of a year before 1000',
          "Athena (Joda) writes the year's own digits (987), the local engine four (0987, strftime's %Y); write " +
            'yyyy for four digits on both',
        ).message,
      )}) ELSE ts END), fmt)`,
  ),
  // to_milliseconds(interval day to second): a bigint (DuckDB's to_milliseconds makes an interval of a number, and
  // builds interval literals: not shadowed, calls.ts renames Trino's). Another type fails as on Athena.
  m(
    'trino_to_milliseconds',
    ['x'],
    "CASE WHEN typeof(x) NOT IN ('INTERVAL', '\"NULL\"') THEN error('Unexpected parameters (' || lower(typeof(x)) || " +
      "') for function to_milliseconds. Expected: to_milliseconds(interval day to second)') WHEN x IS NULL THEN NULL " +
      "WHEN date_part('year', CAST(CAST(x AS VARCHAR) AS INTERVAL)) * 12 + " +
      "date_part('month', CAST(CAST(x AS VARCHAR) AS INTERVAL)) <> 0 THEN error('Unexpected parameters (interval " +
      "year to month) for function to_milliseconds. Expected: to_milliseconds(interval day to second)') " +
      'ELSE CAST(epoch_us(CAST(CAST(x AS VARCHAR) AS INTERVAL)) // 1000 AS BIGINT) END',
  ),
  // A double as a real, as Java's (float) casts it (Trino's real sum and average, lib/query/duckdb/result-casts.ts):
  // beyond the largest real, rounded to it up to half a unit past it, else an infinity; DuckDB's cast fails there.
  m(
    'trino_real_of_double',
    ['d'],
    'CASE WHEN d IS NULL OR isnan(d) OR isinf(d) OR abs(d) <= 3.4028234663852886e38 THEN CAST(d AS FLOAT) ' +
      'WHEN abs(d) < 3.4028235677973366e38 THEN CAST(sign(d) * 3.4028234663852886e38 AS FLOAT) ' +
      "ELSE CAST(CASE WHEN d > 0 THEN 'Infinity' ELSE '-Infinity' END AS FLOAT) END",
  ),
  // sum of integers and of decimals, checked as Trino's (lib/query/duckdb/result-casts.ts): DuckDB sums into 128
  // bits, so a sum beyond a bigint, or a decimal sum of more than 38 digits, is Athena's failure, not an answer that
  // arithmetic on the sum (sum(x) - 1, sum(x) > 0) would hide.
  m(
    'trino_checked_bigint_sum',
    ['s'],
    "CASE WHEN s NOT BETWEEN -9223372036854775808 AND 9223372036854775807 THEN error('bigint overflow: ' || s || " +
      "' is beyond a bigint (-9223372036854775808 to 9223372036854775807); Athena (Trino) fails the query " +
      "(NUMERIC_VALUE_OUT_OF_RANGE) where DuckDB sums into 128 bits. Sum a decimal: sum(CAST(x AS DECIMAL(38, 0)))') " +
      'ELSE CAST(s AS BIGINT) END',
  ),
  m(
    'trino_checked_decimal_sum',
    ['s'],
    "CASE WHEN length(replace(replace(CAST(s AS VARCHAR), '-', ''), '.', '')) > 38 THEN error('Decimal overflow: the " +
      "sum has more than 38 digits; Athena (Trino) fails the query') ELSE s END",
  ),
  // The pattern of `x LIKE p ESCAPE e` known only row by row (like-escape.ts), with Trino's errors: each escape
  // character followed by %, _ or itself (pairs of escape characters first, so that an escaped one escapes nothing),
  // and an escape of one character.
  m(
    'trino_like_pattern',
    ['p', 'e'],
    `CASE WHEN p IS NULL OR e IS NULL THEN p WHEN length(e) <> 1 THEN error(${sqlString(ESCAPE_SINGLE)}) ` +
      "WHEN strpos(replace(replace(replace(p, e || e, ''), e || '%', ''), e || '_', ''), e) > 0 " +
      `THEN error(${sqlString(ESCAPE_FOLLOWED)}) ELSE p END`,
  ),
  // The text a regexp function with a `$` anchor searches (./calls.ts): Trino's `$` (Joni, Java syntax) also matches
  // before a final line break, RE2's only at the end: where the match's text or place counts, such a text fails.
  m(
    'trino_regexp_input',
    ['s'],
    "CASE WHEN ends_with(s, chr(10)) THEN error('not supported by the local engine: a pattern with $ on a text that " +
      "ends in a line break: Athena''s $ also matches before that line break, the local engine''s only at the end; " +
      "remove the final line break first') ELSE s END",
  ),
  // A timestamp parsed with a two-digit year (%y: 2000-2068 and 1969-1999) moved into Trino's window:
  // date_parse's 1970-2069, parse_datetime's (Joda's yy) current year − 80 … current year + 19.
  m('trino_two_digit_year_mysql', ['t'], "CASE WHEN year(t) = 1969 THEN t + INTERVAL '100' YEAR ELSE t END"),
  m(
    'trino_two_digit_year_joda',
    ['t'],
    "CASE WHEN year(t) > year(current_date) + 19 THEN t - INTERVAL '100' YEAR ELSE t END",
  ),
  m(
    'trino_ts_instant',
    ['x'],
    `CASE WHEN typeof(x) IN ${TIMESTAMP_TYPES} THEN CAST(x AS TIMESTAMPTZ) ELSE error('AT TIME ZONE and at_timezone() take a timestamp') END`,
  ),
  m(
    'trino_offset_minutes',
    ['z'],
    "(CASE WHEN starts_with(z, '-') THEN -1 ELSE 1 END) * (CAST(regexp_extract(z, '^[+-]([0-9]{1,2})', 1) AS INTEGER) * 60 + coalesce(TRY_CAST(regexp_extract(z, '^[+-][0-9]{1,2}:?([0-9]{2})$', 1) AS INTEGER), 0))",
  ),
  // The wall clock of an instant in a zone (a zone id, or an offset ±HH:MM), and back.
  m(
    'trino_wall',
    ['i', 'z'],
    `CASE WHEN regexp_matches(z, ${OFFSET}) THEN CAST(i AS TIMESTAMP) + to_minutes(trino_offset_minutes(z)) ELSE timezone(z, i) END`,
  ),
  // A wall clock that a zone shows twice (the hour clocks are set back) is the earlier instant, with the summer
  // offset, as java.time (ZonedDateTime.of) and Joda read it; ICU's timezone(z, w) gives the later one. The earlier
  // is ICU's answer less the shift: two hours, one, or half an hour (Lord Howe) in the zone database.
  m(
    'trino_instant',
    ['w', 'z'],
    `CASE WHEN regexp_matches(z, ${OFFSET}) THEN CAST(w - to_minutes(trino_offset_minutes(z)) AS TIMESTAMPTZ) ` +
      'ELSE trino_earlier_instant(timezone(z, w), w, z) END',
  ),
  m(
    'trino_earlier_instant',
    ['e', 'w', 'z'],
    'CASE ' +
      [120, 60, 30]
        .map((m) => `WHEN timezone(z, e - to_minutes(${m})) = w THEN e - to_minutes(${m}) `)
        .join('') +
      'ELSE e END',
  ),
  // Minutes the zone is ahead of UTC at that instant.
  m('trino_zoned_offset', ['i', 'w'], 'CAST((epoch(w) - epoch(CAST(i AS TIMESTAMP))) / 60 AS BIGINT)'),
  // from_iso8601_timestamp's text: what Joda's ISO date-time parser reads (a date, then T, a time and an offset),
  // else a text DuckDB's cast refuses with the value in its message (a space for the T, as in '2021-01-03
  // 14:05:06', fails on Athena: "Invalid format"). Not error(), so that try() still answers NULL.
  m(
    'trino_iso8601_text',
    ['s'],
    `CASE WHEN regexp_full_match(s, ${sqlString(ISO_DATE_TIME)}) THEN s ` +
      "ELSE 'not an ISO 8601 date-time (from_iso8601_timestamp): ' || s END",
  ),
  // from_iso8601_timestamp's zone: the string's offset (UTC when it has none or it is zero).
  m(
    'trino_iso8601_zone',
    ['s'],
    "CASE WHEN regexp_matches(s, 'T[0-9:.,]+[+-][0-9]{2}(:?[0-9]{2})?$') AND NOT regexp_matches(s, '[+-]00:?(00)?$') " +
      "THEN regexp_extract(s, '([+-][0-9]{2}):?([0-9]{2})?$', 1) || ':' || coalesce(nullif(regexp_extract(s, '[+-][0-9]{2}:?([0-9]{2})$', 1), ''), '00') ELSE 'UTC' END",
  ),
  // Java's String.valueOf for format('%s').
  m(
    'trino_java_string',
    ['a'],
    "CASE WHEN a IS NULL THEN 'null' " +
      "WHEN typeof(a) IN ('DOUBLE', 'FLOAT') THEN CASE WHEN abs(TRY_CAST(a AS DOUBLE)) >= 0.001 AND abs(TRY_CAST(a AS DOUBLE)) < 10000000 OR TRY_CAST(a AS DOUBLE) = 0 THEN CAST(a AS VARCHAR) " +
      "ELSE error('format(): %s of a double outside [0.001, 1e7) is not translated by the local engine (Java prints 1.0E7)') END " +
      "WHEN typeof(a) = 'TIMESTAMP' THEN trino_java_ldt(TRY_CAST(CAST(a AS VARCHAR) AS TIMESTAMP)) " +
      "WHEN typeof(a) LIKE 'STRUCT%' OR typeof(a) LIKE '%[]' OR typeof(a) LIKE 'MAP%' OR typeof(a) LIKE 'TIME%' OR typeof(a) = 'BLOB' " +
      "THEN error('format(): %s of ' || typeof(a) || ' is not translated by the local engine (Java prints it differently)') " +
      'ELSE CAST(a AS VARCHAR) END',
  ),
  m(
    'trino_java_ldt',
    ['t'],
    "strftime(t, '%Y-%m-%dT%H:%M') || CASE WHEN microsecond(t) = 0 THEN '' WHEN microsecond(t) % 1000000 = 0 THEN strftime(t, ':%S') " +
      "WHEN microsecond(t) % 1000 = 0 THEN strftime(t, ':%S.%g') ELSE strftime(t, ':%S.%f') END",
  ),
  // 1234567.50 → 1,234,567.50 (DuckDB's own split_part and contains: the Trino macros of the same names differ).
  m(
    'trino_group_digits',
    ['v'],
    "(CASE WHEN starts_with(v, '-') THEN '-' ELSE '' END) || " +
      "printf('%,d', CAST(system.main.split_part(ltrim(v, '-'), '.', 1) AS HUGEINT)) || " +
      "CASE WHEN system.main.contains(v, '.') THEN '.' || system.main.split_part(v, '.', 2) ELSE '' END",
  ),
  // any_match/all_match/none_match over the predicate's results (the rewrite applies the lambda).
  m(
    'trino_any_match',
    ['t'],
    'CASE WHEN t IS NULL THEN NULL WHEN list_contains(t, true) THEN true WHEN list_count(t) < len(t) THEN NULL ELSE false END',
  ),
  m(
    'trino_all_match',
    ['t'],
    'CASE WHEN t IS NULL THEN NULL WHEN list_contains(t, false) THEN false WHEN list_count(t) < len(t) THEN NULL ELSE true END',
  ),
  m(
    'trino_none_match',
    ['t'],
    'CASE WHEN t IS NULL THEN NULL WHEN list_contains(t, true) THEN false WHEN list_count(t) < len(t) THEN NULL ELSE true END',
  ),
  // a / b and a % b (division.ts): Athena's "Division by zero" for integers and decimals; a double or real divided
  // by zero (Infinity or NaN on Athena) fails too, saying so; a double or real remainder by zero is NaN on both; a
  // NULL operand gives NULL, as on Athena. A decimal divided by a decimal or an integer is refused (Athena's quotient
  // is a decimal rounded half up to the larger scale, DuckDB's a double; ./decimals.ts). Each operand is written
  // three times: division.ts bounds how deep they nest.
  m(
    'trino_div',
    ['a', 'b'],
    "CASE WHEN b = 0 AND a IS NOT NULL THEN error('Division by zero (an error on Athena too for integers and " +
      'decimals; a double or real divided by zero is Infinity or NaN on Athena, which the local engine does not ' +
      `answer)') WHEN regexp_full_match(typeof(a) || '|' || typeof(b), ${sqlString(DECIMAL_QUOTIENT_TYPES)}) ` +
      `THEN error(${sqlString(DECIMAL_QUOTIENT_REFUSAL)}) ELSE a / b END`,
  ),
  // avg(x) (./decimals.ts wraps its argument): Athena's average of a decimal(p,s) is a decimal(p,s) rounded half up,
  // DuckDB's a double: refused by name.
  m(
    'trino_avg_arg',
    ['x'],
    `CASE WHEN starts_with(typeof(x), 'DECIMAL') THEN error(${sqlString(DECIMAL_AVERAGE_REFUSAL)}) ELSE x END`,
  ),
  // round(x [, n]) (./decimals.ts renames it): Trino's round(decimal(p,s), n) keeps the scale s (round(1.25, 1) is
  // 1.30), DuckDB's has scale n (1.3); adding x - x (0, of scale s) gives the rounded value Athena's scale. Other
  // types, and round(x), are DuckDB's round.
  {
    name: 'trino_round',
    overloads: [
      { params: ['x'], body: 'round(x)' },
      {
        params: ['x', 'n'],
        body: "CASE WHEN starts_with(typeof(x), 'DECIMAL') THEN x - x + round(x, n) ELSE round(x, n) END",
      },
    ],
    doc: [],
  },
  // round(x, n) of an integer type (lib/query/duckdb/result-casts.ts calls it, and casts its answer back to x's
  // type): Trino's MathFunctions.roundLong — half away from zero to a multiple of 10^-n, failing where 10^-n or the
  // answer is beyond a bigint ("numerical overflow") or the answer beyond x's type, where DuckDB's round wrapped
  // (round(CAST(125 AS TINYINT), -1) was -126).
  m(
    'trino_round_integer',
    ['x', 'n'],
    'CASE WHEN n >= 0 THEN CAST(x AS HUGEINT) ' +
      "WHEN n < -18 THEN error('numerical overflow: ' || x) " +
      'ELSE trino_round_integer_checked(x, sign(x) * ((abs(CAST(x AS HUGEINT)) + CAST(pow(10, -n) AS HUGEINT) // 2) ' +
      '// CAST(pow(10, -n) AS HUGEINT)) * CAST(pow(10, -n) AS HUGEINT)) END',
  ),
  m(
    'trino_round_integer_checked',
    ['x', 'r'],
    "CASE WHEN r NOT BETWEEN -9223372036854775808 AND 9223372036854775807 THEN error('numerical overflow: ' || x) " +
      "WHEN typeof(x) = 'TINYINT' AND r NOT BETWEEN -128 AND 127 THEN error('Out of range for tinyint: ' || r) " +
      "WHEN typeof(x) = 'SMALLINT' AND r NOT BETWEEN -32768 AND 32767 THEN error('Out of range for smallint: ' || r) " +
      "WHEN typeof(x) = 'INTEGER' AND r NOT BETWEEN -2147483648 AND 2147483647 THEN error('integer overflow') " +
      'ELSE r END',
  ),
  m(
    'trino_mod',
    ['a', 'b'],
    `CASE WHEN b = 0 AND a IS NOT NULL AND typeof(a) NOT IN ${FLOATING_TYPES} AND typeof(b) NOT IN ${FLOATING_TYPES} ` +
      "THEN error('Division by zero') " +
      // The least integer of a width % -1 is 0 in Java (Trino's remainder); DuckDB's overflows.
      "WHEN b = -1 AND typeof(a) IN ('TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT') THEN a - a ELSE a % b END",
  ),
  // CAST(x AS VARCHAR) (calls.ts): a double or real as Java's Double.toString/Float.toString writes it, which is
  // DuckDB's text from 0.001 up to 10^7 (shortest digits, ".0" for whole numbers) and NaN, Infinity, -Infinity for
  // DuckDB's nan, inf, -inf; elsewhere Java writes 1.0E10 where DuckDB writes 10000000000.0: refused by name.
  m(
    'trino_float_text',
    ['t'],
    "CASE t WHEN 'nan' THEN 'NaN' WHEN 'inf' THEN 'Infinity' WHEN '-inf' THEN '-Infinity' ELSE (CASE " +
      'WHEN t IS NULL THEN NULL ' +
      'WHEN CAST(t AS DOUBLE) = 0 OR abs(CAST(t AS DOUBLE)) >= 0.001 AND abs(CAST(t AS DOUBLE)) < 10000000 THEN t ' +
      "ELSE error('not supported by the local engine: a double or real outside [0.001, 1e7) cast to varchar: " +
      "Athena writes it as Java does (1.0E10), DuckDB as 10000000000.0') END) END",
  ),
  // A timestamp's text (DuckDB's: 2024-01-01 10:00:00.12, fractions without trailing zeros) as Athena writes a
  // timestamp(3), the lake's timestamps: 2024-01-01 10:00:00.120. (regexp_extract is Trino's here: NULL when the
  // pattern does not match.)
  m(
    'trino_timestamp_text',
    ['t'],
    "regexp_extract(t, '^(.*?:[0-9]{2}:[0-9]{2})', 1) || '.' || " +
      "rpad(coalesce(regexp_extract(t, ':[0-9]{2}\\.([0-9]{1,3})', 1), ''), 3, '0')",
  ),
  // CAST(json AS VARCHAR) of a JSON text j, as Trino's JsonOperators: a string's value, a number's text (a fraction
  // or exponent as Java writes the double), true/false, NULL for null; an array or object fails.
  m(
    'trino_json_text',
    ['j'],
    "CASE json_type(j) WHEN 'VARCHAR' THEN json_extract_string(j, '$') WHEN 'NULL' THEN NULL " +
      "WHEN 'ARRAY' THEN error('Unable to cast ' || j || ' to varchar') " +
      "WHEN 'OBJECT' THEN error('Unable to cast ' || j || ' to varchar') " +
      "WHEN 'DOUBLE' THEN (CASE WHEN regexp_full_match(trim(j), '-?[0-9]+') THEN trim(j) " +
      'ELSE trino_float_text(CAST(CAST(j AS DOUBLE) AS VARCHAR)) END) ELSE trim(j) END',
  ),
  // CAST(x AS VARCHAR) and TRY_CAST (calls.ts): Athena's text of a double or real, a timestamp (milliseconds; " UTC"
  // after a timestamp with time zone, which is UTC here: zoned values are rewritten by time-zone.ts) and JSON; an
  // array, map or row cannot be cast to varchar (Trino's error too); an interval is refused (Athena writes
  // 1 00:00:00.000, DuckDB 1 day). Every other type is DuckDB's text, which is Athena's.
  m(
    'trino_cast_varchar',
    ['x'],
    `CASE WHEN typeof(x) IN ${FLOATING_TYPES} THEN trino_float_text(CAST(x AS VARCHAR)) ` +
      "WHEN typeof(x) IN ('TIMESTAMP', 'TIMESTAMP_S', 'TIMESTAMP_MS', 'TIMESTAMP_NS') " +
      'THEN trino_timestamp_text(CAST(x AS VARCHAR)) ' +
      "WHEN typeof(x) = 'TIMESTAMP WITH TIME ZONE' THEN trino_timestamp_text(CAST(x AS VARCHAR)) || ' UTC' " +
      "WHEN typeof(x) = 'JSON' THEN trino_json_text(CAST(x AS VARCHAR)) " +
      // A decimal below 1 with its 0 (Trino's Decimals.toString: 0.5, -0.05; DuckDB's text of a decimal(p, p): .5).
      "WHEN typeof(x) LIKE 'DECIMAL%' THEN regexp_replace(CAST(x AS VARCHAR), '^(-?)\\.', '\\10.') " +
      "WHEN regexp_matches(typeof(x), '\\]$|^(MAP|STRUCT|UNION)\\(') " +
      "THEN error('Cannot cast ' || lower(typeof(x)) || ' to varchar') " +
      // Trino has no cast of varbinary to varchar (DuckDB's writes \xC3\xA9 for é): from_utf8 decodes the bytes.
      "WHEN typeof(x) = 'BLOB' THEN error('Cannot cast varbinary to varchar: Athena (Trino) fails this query; " +
      "write from_utf8(b) for the text the bytes encode, or to_hex(b)') " +
      "WHEN typeof(x) = 'INTERVAL' THEN error('not supported by the local engine: an interval cast to varchar: " +
      "Athena writes 1 00:00:00.000 or 1-2, DuckDB 1 day or 1 year 2 months') " +
      'ELSE CAST(x AS VARCHAR) END',
  ),
  // TRY_CAST(x AS VARCHAR): NULL where the cast fails when the query runs — JSON that is an array or an object
  // (Trino's JsonOperators.castToVarchar) —; what fails for the type (an array, a map) fails as CAST does.
  m(
    'trino_try_cast_varchar',
    ['x'],
    // (Read from the JSON's text: json_type() of another type's text fails, and DuckDB evaluates both sides of AND.)
    "CASE WHEN typeof(x) = 'JSON' AND regexp_matches(CAST(x AS VARCHAR), '^\\s*[\\[{]') THEN NULL " +
      'ELSE trino_cast_varchar(x) END',
  ),
  ...CAST_MACROS,
  // x[i] (subscripts.ts): Trino's errors for an array index out of bounds and a missing map key, where DuckDB
  // answers NULL (or, below 0, counts from the end); inside try(), NULL there instead (trino_try_subscript). The
  // bounds are read from the JSON of the value only when the answer is NULL or the index below 1 (to_json and
  // json_keys bind for an array and a map alike); a row's field by position is DuckDB's.
  ...(
    [
      ['trino_subscript', (message: string) => `error(${message})`],
      ['trino_try_subscript', () => 'NULL'],
    ] as const
  ).map(([name, fail]) =>
    m(
      name,
      ['x', 'i'],
      // The index compared as a number through TRY_CAST: a map's key of text (m[k] of a varchar column) binds
      // too, in the array branches the map's value never takes.
      "CASE WHEN x IS NULL OR i IS NULL OR starts_with(typeof(x), 'STRUCT(') THEN x[i] " +
        `WHEN ends_with(typeof(x), ']') THEN (CASE WHEN TRY_CAST(i AS BIGINT) < 0 THEN ${fail("'Array subscript is negative: ' || i")} ` +
        `WHEN TRY_CAST(i AS BIGINT) = 0 THEN ${fail("'SQL array indices start at 1'")} ` +
        'WHEN x[i] IS NULL AND TRY_CAST(i AS BIGINT) > json_array_length(to_json(x)) THEN ' +
        fail(
          "'Array subscript must be less than or equal to array length: ' || i || ' > ' || json_array_length(to_json(x))",
        ) +
        ' ELSE x[i] END) ' +
        'WHEN x[i] IS NULL AND NOT list_contains(json_keys(to_json(x)), CAST(i AS VARCHAR)) ' +
        `THEN ${fail("'Key not present in map: ' || i")} ELSE x[i] END`,
    ),
  ),
  // map_agg's map (./aggregate-functions.ts): of entries {k, v} in the order read, each key with its first value —
  // the entries sorted by key, then by where they were read, and each kept where the one before it has another key
  // (n log n; a search of every entry's key among the others took 39 s for 30,000 rows).
  m(
    'trino_first_of_sorted',
    ['s'],
    'map_from_entries(list_transform(list_filter(list_zip(s, list_prepend(NULL, s), true), ' +
      'p -> p[2] IS NULL OR p[2].k IS DISTINCT FROM p[1].k), p -> struct_pack(k := p[1].k, v := p[1].v)))',
  ),
  m(
    'trino_first_entries',
    ['l'],
    'CASE WHEN l IS NOT NULL THEN ' +
      'trino_first_of_sorted(list_sort(list_transform(l, (e, i) -> struct_pack(k := e.k, i := i, v := e.v)))) END',
  ),
  // The smallest value whose cumulative weight reaches p of the total (weights of equal values added up).
  m(
    'trino_weighted_percentile',
    ['l', 'p'],
    '(SELECT min(s.v) FROM (SELECT s, sum(s.w) OVER (ORDER BY s.v ROWS UNBOUNDED PRECEDING) AS cw, sum(s.w) OVER () AS tw ' +
      'FROM (SELECT unnest(list_filter(l, e -> e.v IS NOT NULL AND e.w > 0)) AS s)) WHERE cw >= p * tw)',
  ),
];

/** Athena functions added here (documented in docs/sql-dialect.md with the others). */
const FUNCTIONS: MacroDef[] = [
  m(
    'to_iso8601',
    ['x'],
    "CASE WHEN typeof(x) = 'DATE' THEN strftime(x, '%Y-%m-%d') WHEN typeof(x) = 'TIMESTAMP WITH TIME ZONE' THEN strftime(x, '%Y-%m-%dT%H:%M:%S.%gZ') " +
      "ELSE strftime(x, '%Y-%m-%dT%H:%M:%S.%g') END",
    'to_iso8601(date | timestamp)',
    'timestamps with milliseconds; with time zone in UTC: Z (other zones: see AT TIME ZONE)',
  ),
  m(
    'timezone_hour',
    ['x'],
    "CASE WHEN typeof(x) = 'TIMESTAMP WITH TIME ZONE' THEN CAST(0 AS BIGINT) ELSE error('timezone_hour() takes a timestamp with time zone') END",
    'timezone_hour(timestamp with time zone)',
    'the zone offset at that instant (the rewrite of AT TIME ZONE and at_timezone gives other zones)',
  ),
  m(
    'timezone_minute',
    ['x'],
    "CASE WHEN typeof(x) = 'TIMESTAMP WITH TIME ZONE' THEN CAST(0 AS BIGINT) ELSE error('timezone_minute() takes a timestamp with time zone') END",
    'timezone_minute(timestamp with time zone)',
  ),
  m(
    'json_extract',
    ['j', 'p'],
    'CASE WHEN json_valid(j) THEN system.main.json_extract(j, p) END',
    'json_extract(json, path)',
    'NULL when the text is not JSON, as Trino',
  ),
  m(
    'json_array_length',
    ['j'],
    "CASE WHEN json_valid(j) AND json_type(j) = 'ARRAY' THEN system.main.json_array_length(j) END",
    'json_array_length(json)',
    'NULL for text that is not a JSON array, as Trino',
  ),
];

export const DIALECT_MACROS: MacroDef[] = [...HELPERS, ...FUNCTIONS];
