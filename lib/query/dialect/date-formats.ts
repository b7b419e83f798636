/**
 * Trino's date format strings in DuckDB's: MySQL specifiers (date_format, date_parse) and Joda-Time patterns
 * (format_datetime, parse_datetime) → strftime/strptime. Used by the macros (trino-compat.ts) and by the rewrite
 * that converts a constant format at rewrite time (calls.ts).
 */
/** MySQL date_format/date_parse specifiers (Trino's) → strftime/strptime. Unsupported ones are left as they are. */
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
  ['%w', '%w'],
  ['%v', '%V'],
  ['%x', '%G'],
];

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

/** Calls whose constant format argument is converted at rewrite time (strptime needs a constant format). */
export const FORMAT_CALLS: Record<string, { to: string; pairs: [string, string][] }> = {
  date_format: { to: 'strftime', pairs: MYSQL_TO_STRFTIME },
  date_parse: { to: 'strptime', pairs: MYSQL_TO_STRFTIME },
  format_datetime: { to: 'strftime', pairs: JODA_TO_STRFTIME },
  parse_datetime: { to: 'strptime', pairs: JODA_TO_STRFTIME },
};
