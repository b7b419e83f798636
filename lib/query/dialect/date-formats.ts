/**
 * Trino's date format strings in DuckDB's: MySQL specifiers (date_format, date_parse) and Joda-Time patterns
 * (format_datetime, parse_datetime) → strftime/strptime, for the rewrite that converts a literal format (calls.ts;
 * the macros refuse any other format: datetime-functions.ts).
 */
import { LocalDialectError } from './local-error';

/**
 * MySQL date_format/date_parse specifiers (Trino's) → strftime/strptime. Trino fails on MYSQL_UNSUPPORTED and reads
 * `%` before any other character as that character (mysqlFormat).
 */
const MYSQL_TO_STRFTIME: [string, string][] = [
  ['%%', '%%'],
  ['%Y', '%Y'],
  ['%y', '%y'],
  ['%m', '%m'],
  ['%c', '%-m'],
  ['%M', '%B'],
  ['%b', '%b'],
  ['%d', '%d'],
  ['%e', '%-d'],
  ['%j', '%j'],
  ['%H', '%H'],
  ['%k', '%-H'],
  ['%h', '%I'],
  ['%I', '%I'],
  ['%l', '%-I'],
  ['%i', '%M'],
  ['%s', '%S'],
  ['%S', '%S'],
  ['%f', '%f'],
  ['%p', '%p'],
  ['%r', '%I:%M:%S %p'],
  ['%T', '%H:%M:%S'],
  ['%a', '%a'],
  ['%W', '%A'],
  ['%v', '%V'],
  ['%x', '%G'],
];

/** The specifiers Trino refuses: "%w not supported in date format string" (DateTimeFunctions). */
export const MYSQL_UNSUPPORTED = ['w', 'U', 'u', 'V', 'X', 'D'];

const MYSQL_SPECIFIERS = new Map(MYSQL_TO_STRFTIME.map(([from, to]) => [from[1]!, to]));

/**
 * A MySQL format string (date_format, date_parse) in strftime's terms, read as Trino reads it: a specifier of the
 * table, Trino's error for an unsupported one, and any other character after `%` as itself (`%q` is `q`, where
 * strftime would read `%A` as the weekday or fail); a `%` at the end is dropped.
 */
export function mysqlFormat(format: string): { strftime: string } | { error: string } {
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    const next = format[++i];
    if (next === undefined) break;
    if (MYSQL_UNSUPPORTED.includes(next)) return { error: `%${next} not supported in date format string` };
    out += MYSQL_SPECIFIERS.get(next) ?? (next === '%' ? '%%' : next);
  }
  return { strftime: out };
}

/** Joda-Time's pattern letters (DateTimeFormat): any other letter fails with "Illegal pattern component". */
const JODA_LETTERS = 'GCYxweEyDMdaKhHkmsSzZ';

/** A run of one Joda letter → strftime, by the run's length (undefined: no strftime equivalent). */
function jodaField(letter: string, count: number): string | undefined {
  const numeric = (one: string, two: string) => (count === 1 ? one : count === 2 ? two : undefined);
  switch (letter) {
    case 'y':
    case 'Y':
      // Five or more: Joda pads the year with zeros to the run's length (yyyyy: 02024), strftime cannot.
      return count === 2 ? '%y' : count <= 4 ? '%Y' : undefined;
    case 'M':
      return count === 1 ? '%-m' : count === 2 ? '%m' : count === 3 ? '%b' : '%B';
    case 'd':
      return numeric('%-d', '%d');
    case 'D':
      return count === 1 ? '%-j' : count === 3 ? '%j' : undefined;
    case 'H':
      return numeric('%-H', '%H');
    case 'h':
      return numeric('%-I', '%I');
    case 'm':
      return numeric('%-M', '%M');
    case 's':
      return numeric('%-S', '%S');
    case 'S':
      return count === 3 ? '%g' : count === 6 ? '%f' : undefined;
    case 'a':
      return '%p';
    case 'E':
      return count <= 3 ? '%a' : '%A';
    case 'Z':
      // Joda's offset (appendTimeZoneOffset(null, …), minutes always): UTC's, the only zone that comes here.
      return count === 1 ? '+0000' : count === 2 ? '+00:00' : undefined;
    default:
      return undefined;
  }
}

/**
 * A Joda-Time pattern (format_datetime, parse_datetime) in strftime's terms, read as Joda reads it: runs of one
 * letter are fields (yyyy, MM, dd, HH, mm, ss, SSS, EEE, a, …), text in single quotes is literal ('' is a quote:
 * "yyyy-MM-dd'T'HH:mm" is 2024-01-05T13:04), any other character is itself, and a letter Joda does not know
 * fails as in Trino ("Illegal pattern component: q"). A field strftime cannot write (K, k, e, w, x, C, G, z,
 * ddd, SS, …) is refused by name.
 */
export function jodaFormat(format: string): { strftime: string; checks: string[] } | { error: string } {
  let out = '';
  const checks = new Set<string>();
  const literal = (text: string) => (out += text.replaceAll('%', '%%'));
  for (let i = 0; i < format.length;) {
    const c = format[i]!;
    if (c === "'") {
      if (format[i + 1] === "'") {
        literal("'");
        i += 2;
        continue;
      }
      let text = '';
      let j = i + 1;
      for (; j < format.length; j++) {
        if (format[j] !== "'") text += format[j];
        else if (format[j + 1] === "'") text += format[j++];
        else break;
      }
      literal(text);
      i = j + 1;
      continue;
    }
    if (!/[A-Za-z]/.test(c)) {
      literal(c);
      i++;
      continue;
    }
    let count = 1;
    while (format[i + count] === c) count++;
    if (!JODA_LETTERS.includes(c)) return { error: `Illegal pattern component: ${c.repeat(count)}` };
    const field = jodaField(c, count);
    if (field === undefined) {
      throw new LocalDialectError(
        `the Joda pattern field ${c.repeat(count)}`,
        "DuckDB's strftime has no equivalent; the local engine writes yyyy yy MMMM MMM MM M dd d DDD D HH H hh h " +
          'mm m ss s SSS SSSSSS a EEEE EEE Z ZZ and quoted text',
      );
    }
    out += field;
    // What the value is checked for first (./macros.ts trino_strftime): a zone written of a timestamp without one
    // fails, a year before 1000 written with y or yyy is refused.
    if (c === 'Z') checks.add('zone');
    if ((c === 'y' || c === 'Y') && (count === 1 || count === 3)) checks.add('year');
    i += count;
  }
  return { strftime: out, checks: [...checks] };
}

/** Calls whose constant format argument is converted at rewrite time (strptime needs a constant format). */
export const FORMAT_CALLS: Record<
  string,
  {
    to: string;
    /** The format in strftime's terms, and what the value is checked for before it is written (zone, year). */
    convert: (format: string) => { strftime: string; checks?: string[] } | { error: string };
  }
> = {
  date_format: { to: 'strftime', convert: mysqlFormat },
  date_parse: { to: 'strptime', convert: mysqlFormat },
  format_datetime: { to: 'strftime', convert: jodaFormat },
  parse_datetime: { to: 'strptime', convert: jodaFormat },
};
