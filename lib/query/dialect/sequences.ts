/**
 * Trino's sequence() on DuckDB (SequenceFunction): sequence(start, stop) steps by 1 or, when stop is before start, by
 * -1 (DuckDB's generate_series gave []); a step of 0, or one away from stop, fails; at most 10,000 entries. Over
 * dates (lib/query/duckdb/result-casts.ts renames such a call once DuckDB's binder says its start is a date) the
 * result is an array of dates (DuckDB's: timestamps), by days, weeks, months or years: a month step counts from the
 * start each time (2021-01-31, 2021-02-28, 2021-03-31), where DuckDB's added to the day before (…, 2021-03-28). Over
 * timestamps with an interval literal step likewise (with Trino's checks: DuckDB's generate_series gave [] for a zero
 * step or one away from stop, and no limit).
 */
import { compatMacro } from './compat-macro';
import type { MacroDef } from './macros';

const MAX_ENTRIES = 10_000;

/** Microseconds in a step of each day-to-second unit (a timestamp sequence's step). */
const MICROS_PER_UNIT: Record<string, number> = {
  week: 7 * 86_400_000_000,
  day: 86_400_000_000,
  hour: 3_600_000_000,
  minute: 60_000_000,
  second: 1_000_000,
  millisecond: 1_000,
};
const ZERO_STEP = "error('step must not be zero')";
const WRONG_WAY =
  "error('sequence stop value should be greater than or equal to start value if step is greater than zero " +
  "otherwise stop should be less than or equal to start')";
const TOO_LONG = `error('result of sequence function must not have more than ${MAX_ENTRIES} entries')`;

/** The checks of a sequence from a to b by n (integers or dates), its length being `length`, then `body`. */
const checked = (length: string, body: string) =>
  `CASE WHEN n = 0 THEN ${ZERO_STEP} WHEN (n > 0 AND a > b) OR (n < 0 AND a < b) THEN ${WRONG_WAY} ` +
  `WHEN ${length} > ${MAX_ENTRIES} THEN ${TOO_LONG} ELSE ${body} END`;

/** A date sequence by `unit` (day or month) steps of n: each element computed from the start. */
const dateSequence = (unit: 'day' | 'month', to: string) =>
  checked(
    `date_sub('${unit}', a, b) // n + 1`,
    `list_transform(range(0, date_sub('${unit}', a, b) // n + 1), i -> CAST(a + ${to}(CAST(i * n AS INTEGER)) AS DATE))`,
  );

/**
 * A timestamp sequence by n months (SequenceIntervalYearToMonth: start plus i steps, so a month end is kept) or by n
 * microseconds (SequenceIntervalDayToSecond), with Trino's checks.
 */
// (b cast: a NULL stop is typed, and the sequence is NULL as Trino's.)
const timestampByMonths = checked(
  "date_sub('month', a, CAST(b AS TIMESTAMP)) // n + 1",
  "list_transform(range(0, date_sub('month', a, CAST(b AS TIMESTAMP)) // n + 1), " +
    'i -> a + to_months(CAST(i * n AS INTEGER)))',
);
const timestampByMicros = checked(
  '(epoch_us(CAST(b AS TIMESTAMP)) - epoch_us(a)) // n + 1',
  'list_transform(range(0, (epoch_us(CAST(b AS TIMESTAMP)) - epoch_us(a)) // n + 1), ' +
    'i -> a + to_microseconds(i * n))',
);

const m = (name: string, params: string[], body: string): MacroDef => ({
  name,
  overloads: [{ params, body }],
  doc: [],
});

/** The internal macros (trino_…) the sequence macro and result-casts.ts call. */
export const SEQUENCE_HELPERS: MacroDef[] = [
  m('trino_date_sequence_days', ['a', 'b', 'n'], dateSequence('day', 'to_days')),
  m('trino_date_sequence_weeks', ['a', 'b', 'n'], 'trino_date_sequence_days(a, b, 7 * n)'),
  m('trino_date_sequence_months', ['a', 'b', 'n'], dateSequence('month', 'to_months')),
  m('trino_date_sequence_years', ['a', 'b', 'n'], 'trino_date_sequence_months(a, b, 12 * n)'),
  m('trino_date_sequence', ['a', 'b'], 'trino_date_sequence_days(a, b, CASE WHEN b >= a THEN 1 ELSE -1 END)'),
  m('trino_integer_sequence', ['a', 'b', 'n'], checked('(b - a) // n + 1', 'generate_series(a, b, n)')),
  m('trino_timestamp_sequence_months', ['a', 'b', 'n'], timestampByMonths),
  m('trino_timestamp_sequence_years', ['a', 'b', 'n'], 'trino_timestamp_sequence_months(a, b, 12 * n)'),
  m('trino_timestamp_sequence_micros', ['a', 'b', 'n'], timestampByMicros),
  ...Object.entries(MICROS_PER_UNIT).map(([unit, micros]) =>
    m(
      `trino_timestamp_sequence_${unit}s`,
      ['a', 'b', 'n'],
      // n is a DOUBLE for seconds (INTERVAL '1.5' SECOND is to_seconds(1.5)): whole microseconds.
      `trino_timestamp_sequence_micros(a, b, CAST(round(${micros} * n) AS BIGINT))`,
    ),
  ),
];

/** Athena's sequence(): its integer forms here, its date forms through result-casts.ts. */
export const SEQUENCE_MACRO: MacroDef = {
  ...compatMacro(
    'sequence',
    ['a', 'b'],
    'trino_integer_sequence(a, b, CASE WHEN b >= a THEN 1 ELSE -1 END)',
    {
      signature: 'sequence(start, stop [, step])',
      duckdb: 'generate_series',
      note:
        'by 1, or -1 when stop is before start (DuckDB: []); a zero step or one away from stop fails; at most ' +
        `${MAX_ENTRIES} entries; over dates an array of dates, a month step counted from the start, over ` +
        'timestamps too; a step over dates or timestamps is an interval literal',
    },
  ),
  overloads: [
    { params: ['a', 'b'], body: 'trino_integer_sequence(a, b, CASE WHEN b >= a THEN 1 ELSE -1 END)' },
    { params: ['a', 'b', 's'], body: 'generate_series(a, b, s)' },
  ],
};
