/**
 * Trino's date format strings in DuckDB's: MySQL specifiers (date_format, date_parse) and Joda-Time patterns
 * (format_datetime, parse_datetime) → strftime/strptime. Used by the macros (trino-compat.ts) and by the rewrite
 * that converts a constant format at rewrite time (calls.ts).
 */
/**
 * MySQL date_format/date_parse specifiers (Trino's) → strftime/strptime. Trino fails on MYSQL_UNSUPPORTED and reads
 * `%` before any other character as that character (mysqlFormat).
 */
export const MYSQL_TO_STRFTIME: [string, string][] = [
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

/** Joda-Time patterns (format_datetime/parse_datetime), longest first. Quoted literals are not supported. */
export const JODA_TO_STRFTIME: [string, string][] = [
  ['%', '%%'],
  ['yyyy', '%Y'],
  ['yy', '%y'],
  ['MMMM', '%B'],
  ['MMM', '%b'],
  ['MM', '%m'],
  ['M', '%-m'],
  ['dd', '%d'],
  ['d', '%-d'],
  ['DDD', '%j'],
  ['HH', '%H'],
  ['H', '%-H'],
  ['hh', '%I'],
  ['h', '%-I'],
  ['mm', '%M'],
  ['m', '%-M'],
  ['ss', '%S'],
  ['s', '%-S'],
  ['SSSSSS', '%f'],
  ['SSS', '%g'],
  ['a', '%p'],
  ['EEEE', '%A'],
  ['EEE', '%a'],
  ['ZZ', '%z'],
  ['Z', '%z'],
];

/** Converts a format string with one of the tables above (patterns matched longest first). */
export function convertFormat(format: string, pairs: [string, string][]): string {
  const sorted = [...pairs].sort((a, b) => b[0].length - a[0].length);
  let out = '';
  for (let i = 0; i < format.length;) {
    const hit = sorted.find(([from]) => format.startsWith(from, i));
    if (hit) {
      out += hit[1];
      i += hit[0].length;
    } else {
      out += format[i];
      i++;
    }
  }
  return out;
}

const jodaFormat = (format: string) => ({ strftime: convertFormat(format, JODA_TO_STRFTIME) });

/** Calls whose constant format argument is converted at rewrite time (strptime needs a constant format). */
export const FORMAT_CALLS: Record<
  string,
  { to: string; convert: (format: string) => { strftime: string } | { error: string } }
> = {
  date_format: { to: 'strftime', convert: mysqlFormat },
  date_parse: { to: 'strptime', convert: mysqlFormat },
  format_datetime: { to: 'strftime', convert: jodaFormat },
  parse_datetime: { to: 'strptime', convert: jodaFormat },
};
