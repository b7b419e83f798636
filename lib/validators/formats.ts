/**
 * The string formats the lake's validators check, as one module the generated validators `require`
 * (lib/validators/source.ts points ajv's `code.formats` here): the build-time compiler and the generated code use
 * the very same definitions.
 *  - events: ajv-formats' full set (date-time with any offset, uri, email, ...); date-time and uri answer the
 *    strings producers send most without running the library's slower check (lib/validators/format-fast-paths.ts),
 *    with the library's answer for every string;
 *  - datasets: the same, but date and date-time follow the ETL's rules (lib/etl/value-patterns.ts): UTC timestamps
 *    (Z, +00:00 or no offset) and years 1000-9999, so that a file that passes the sample check is typed the same way
 *    by the Glue job and the local runner.
 */
import { fullFormats } from 'ajv-formats/dist/formats';
import { DATE_PATTERN, UTC_TIMESTAMP_RE } from '../etl/value-patterns';
import { withDateTimeFastPath, withUriFastPath } from './format-fast-paths';

const utcTimestamp = new RegExp(UTC_TIMESTAMP_RE);
const lakeDate = new RegExp(DATE_PATTERN);

/** Whether the yyyy-MM-dd at the start of `s` is a day of the calendar (no 2024-02-30). */
const isCalendarDay = (s: string): boolean => {
  const [y, m, d] = s.slice(0, 10).split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
};

/** A format's check as ajv-formats defines it (a function, or an object with `validate`). */
function checkOf(name: 'date-time' | 'uri'): (s: string) => boolean {
  const format: unknown = fullFormats[name];
  if (typeof format === 'function') return format as (s: string) => boolean;
  const validate = (format as { validate?: unknown } | null)?.validate;
  if (typeof validate === 'function') return validate as (s: string) => boolean;
  throw new Error(
    `ajv-formats' "${name}" format is not a function check: lib/validators/formats.ts needs updating`,
  );
}

export const eventFormats = {
  ...fullFormats,
  'date-time': {
    ...(fullFormats['date-time'] as object),
    type: 'string' as const,
    validate: withDateTimeFastPath(checkOf('date-time')),
  },
  uri: withUriFastPath(checkOf('uri')),
};

export const datasetFormats = {
  ...fullFormats,
  'date-time': { type: 'string' as const, validate: (s: string) => utcTimestamp.test(s) && isCalendarDay(s) },
  date: { type: 'string' as const, validate: (s: string) => lakeDate.test(s) && isCalendarDay(s) },
};

/** The export of this module each kind of validator reads its formats from. */
export const FORMATS_EXPORT = { events: 'eventFormats', datasets: 'datasetFormats' } as const;
