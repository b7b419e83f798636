/**
 * Fast paths in front of two of ajv-formats' full-mode checks, for the strings producers send most. Each answers
 * only strings it can judge with one regular expression test, and gives every other string to the library's own
 * check; tests/unit/format-fast-paths.test.ts holds both to the library's answer on generated strings, valid and
 * not. Why: in 100-event batches, ajv-formats' date-time (a split and two capturing expressions, ~0.3 µs) and uri
 * (an expression with every IPv6 form, ~0.17 µs) were about a seventh of the ingest handler's CPU per event.
 */

type StringCheck = (s: string) => boolean;

/**
 * An RFC 3339 date-time with an upper-case `T`, seconds and `Z` or a ±HH:MM offset, with hours 00-23, minutes and
 * seconds 00-59 and an offset's hours 00-23 (what Date#toISOString and most clients write). For such a string,
 * ajv-formats' full date-time (strict time zone) answers whether its month is 01-12 and its day a day of that
 * month, leap years as RFC 3339 counts them — and nothing else: its time and offset already pass. Leap seconds
 * (:60), lower-case `t`/`z`, a space for `T`, offsets without the colon go to the library.
 */
const COMMON_DATE_TIME =
  /^[0-9]{4}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$/;

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number the two or four ASCII digits of `s` from `at` write. */
function digits(s: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) n = n * 10 + (s.charCodeAt(i) - 48);
  return n;
}

/** Whether YYYY-MM-DD at the start of `s` (digits already checked) is a day of the calendar, as ajv-formats counts. */
function isCalendarDate(s: string): boolean {
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month]!);
}

export function withDateTimeFastPath(full: StringCheck): StringCheck {
  return function dateTime(s: string): boolean {
    return COMMON_DATE_TIME.test(s) ? isCalendarDate(s) : full(s);
  };
}

/**
 * An http or https URL whose host is letters, digits, dots and hyphens, with an optional port, path, query and
 * fragment under the same character rules as ajv-formats' full `uri` (RFC 3986 pchar, percent-escapes): every such
 * string is one the library accepts (its scheme, authority, path, query and fragment rules, narrowed), so a match is
 * the library's answer; a string that does not match (user info, an IP literal, another scheme, anything unusual)
 * goes to the library.
 */
const COMMON_HTTP_URL =
  /^https?:\/\/[a-z0-9.-]+(?::[0-9]+)?(?:\/(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*(?:\?(?:[a-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9a-f]{2})*)?(?:#(?:[a-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9a-f]{2})*)?$/i;

export function withUriFastPath(full: StringCheck): StringCheck {
  return function uri(s: string): boolean {
    return COMMON_HTTP_URL.test(s) || full(s);
  };
}
