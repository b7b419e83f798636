/**
 * Trino's date and time functions as DuckDB macros (date_format, from_unixtime, date_diff, day_of_week, …); the
 * statement rewrites convert a literal format (calls.ts, date-formats.ts) and zoned values (time-zone.ts).
 */
import { sqlString } from '../../duckdb-sql';
import { compatMacro as m } from './compat-macro';
import { LocalDialectError } from './local-error';
import { ISO_DATE, type MacroDef } from './macros';

/**
 * A call whose format is not a string literal (a column, NULL, an expression): the statement rewrites convert a
 * literal format only (calls.ts). Trino answers NULL when an argument is NULL and formats or parses each other row
 * with its own format; the local engine answers the NULL and refuses the rest, naming the difference. (Mapping the
 * format in SQL, row by row, nested ~50 replace() macros that DuckDB never finished planning.)
 */
function needsLiteralFormat(name: string, value: string, type: string): string {
  const reason = new LocalDialectError(
    `${name}() with a format that is not a string literal`,
    "it converts a literal format to DuckDB's; write the format as a literal (a CASE over the formats a column holds)",
  ).message;
  return `CASE WHEN ${value} IS NULL OR fmt IS NULL THEN CAST(NULL AS ${type}) ELSE error(${sqlString(reason)}) END`;
}

export const DATETIME_FUNCTIONS: MacroDef[] = [
  m('date_format', ['ts', 'fmt'], needsLiteralFormat('date_format', 'ts', 'VARCHAR'), {
    signature: 'date_format(timestamp, format)',
    duckdb: "strftime(ts, '<format mapped>') (rewritten; the format must be a string literal)",
    note: 'MySQL specifiers %Y %y %m %c %M %b %d %e %j %H %k %h %I %l %i %s %S %f %p %r %T %a %W %v %x %%; a literal format as Trino reads it: %w %U %u %V %X %D fail as on Athena, %q is q',
  }),
  m('date_parse', ['s', 'fmt'], needsLiteralFormat('date_parse', 's', 'TIMESTAMP'), {
    signature: 'date_parse(string, format)',
    duckdb: "strptime(s, '<format mapped>') (rewritten; the format must be a string literal)",
    note: 'same specifiers as date_format',
  }),
  m('format_datetime', ['ts', 'fmt'], needsLiteralFormat('format_datetime', 'ts', 'VARCHAR'), {
    signature: 'format_datetime(timestamp, format)',
    duckdb: "strftime(ts, '<Joda pattern mapped>') (rewritten; the format must be a string literal)",
    note: 'Joda letters yyyy yy MMMM MMM MM M dd d DDD D HH H hh h mm m ss s SSS SSSSSS a EEEE EEE Z ZZ and quoted text, from a literal pattern',
  }),
  m('parse_datetime', ['s', 'fmt'], needsLiteralFormat('parse_datetime', 's', 'TIMESTAMPTZ'), {
    signature: 'parse_datetime(string, format)',
    duckdb: "strptime(s, '<Joda pattern mapped>') (rewritten; the format must be a string literal)",
    note: 'returns timestamp (Trino: timestamp with time zone)',
  }),
  // Trino's value has milliseconds (Joda's parser drops further digits): .123456 is .123.
  m(
    'from_iso8601_timestamp',
    ['s'],
    "date_trunc('millisecond', CAST(trino_iso8601_text(s) AS TIMESTAMPTZ))",
    {
      signature: 'from_iso8601_timestamp(string)',
      duckdb: 'CAST(s AS TIMESTAMPTZ)',
      note: "text not in ISO 8601's form ('2021-01-03 14:05:06', a space for the T) fails as on Athena; milliseconds, further digits dropped",
    },
  ),
  m(
    'from_iso8601_date',
    ['s'],
    `CAST(CASE WHEN regexp_full_match(s, ${sqlString(ISO_DATE)}) THEN s ` +
      "ELSE 'not an ISO 8601 date (from_iso8601_date): ' || s END AS DATE)",
    {
      signature: 'from_iso8601_date(string)',
      duckdb: 'CAST(s AS DATE)',
      note: "text with a time ('2021-01-03T10:00:00') fails as on Athena (DuckDB's cast reads it)",
    },
  ),
  // Trino: Math.round(unixtime * 1000) milliseconds (from_unixtime(1.9996) is 00:00:02.000).
  m(
    'from_unixtime',
    ['x'],
    'CAST(epoch_ms(CAST(floor(CAST(x AS DOUBLE) * 1000 + 0.5) AS BIGINT)) AS TIMESTAMPTZ)',
    {
      signature: 'from_unixtime(unixtime)',
      duckdb: 'to_timestamp(x)',
      note: 'timestamp with time zone (UTC), rounded half up to the millisecond',
    },
  ),
  m('to_unixtime', ['ts'], 'epoch(ts)', { signature: 'to_unixtime(timestamp)', note: 'double' }),
  m(
    'date_add',
    ['unit', 'n', 'ts'],
    `ts + CASE lower(unit) WHEN 'millisecond' THEN to_milliseconds(CAST(n AS BIGINT)) ` +
      `WHEN 'second' THEN to_seconds(CAST(n AS BIGINT)) WHEN 'minute' THEN to_minutes(CAST(n AS BIGINT)) ` +
      `WHEN 'hour' THEN to_hours(CAST(n AS BIGINT)) WHEN 'day' THEN to_days(CAST(n AS INTEGER)) ` +
      `WHEN 'week' THEN to_weeks(CAST(n AS INTEGER)) WHEN 'month' THEN to_months(CAST(n AS INTEGER)) ` +
      `WHEN 'quarter' THEN to_months(CAST(3 * n AS INTEGER)) WHEN 'year' THEN to_years(CAST(n AS INTEGER)) END`,
    {
      signature: 'date_add(unit, value, timestamp)',
      duckdb: 'ts + to_<unit>s(value)',
      note: 'on a date a date, as Trino (lib/query/duckdb/result-casts.ts casts it)',
    },
  ),
  m('date_diff', ['unit', 'a', 'b'], 'date_sub(unit, a, b)', {
    signature: 'date_diff(unit, a, b)',
    note: "whole units elapsed, as Trino (DuckDB's own date_diff counts boundaries crossed)",
  }),
  m('day_of_week', ['x'], 'isodow(x)', {
    signature: 'day_of_week(x) / dow(x)',
    note: 'ISO: Monday = 1 … Sunday = 7',
  }),
  m('dow', ['x'], 'isodow(x)', { signature: 'dow(x)' }),
  m('day_of_month', ['x'], 'dayofmonth(x)', { signature: 'day_of_month(x)' }),
  m('day_of_year', ['x'], 'dayofyear(x)', { signature: 'day_of_year(x) / doy(x)' }),
  m('doy', ['x'], 'dayofyear(x)', { signature: 'doy(x)' }),
  m('week_of_year', ['x'], 'week(x)', { signature: 'week_of_year(x)', note: 'ISO week' }),
  m('year_of_week', ['x'], 'isoyear(x)', { signature: 'year_of_week(x) / yow(x)' }),
  m('yow', ['x'], 'isoyear(x)', { signature: 'yow(x)' }),
  m('millisecond', ['x'], 'system.main.millisecond(x) % 1000', {
    signature: 'millisecond(x)',
    note: '0-999',
  }),
  m('last_day_of_month', ['x'], 'last_day(x)', { signature: 'last_day_of_month(x)' }),
];
