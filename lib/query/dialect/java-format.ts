/**
 * Trino's format(format, args...) is Java's String.format (FormatFunction, locale en-US). A literal format string
 * is translated when the statement is rewritten, into a concatenation of its text and one SQL expression per
 * specifier; the arguments' types are checked when the query runs (typeof), and what Java would print differently
 * from DuckDB fails the query with the reason instead. Translated:
 *   %s %S   strings, integers, booleans, dates, decimals, JSON as their text; timestamps as Java's LocalDateTime
 *           (2024-01-01T10:00, seconds and fraction only when not zero); doubles between 1e-3 and 1e7 (Java and
 *           DuckDB both print the shortest digits there); NULL as "null"; optional width, `-`, precision
 *   %d      integers, with width and the flags - + 0 ,
 *   %x %X %o  integers (negative ones as 64-bit two's complement, as Java's Long)
 *   %f %.nf doubles and decimals, rounded half up on the shortest decimal digits (Java's way), width, - 0 ,
 *   %b %B   "false" for NULL and false, "true" otherwise
 *   %n %%   a line feed, a percent sign
 * with argument indexes (%2$s) and %<s. Anything else (%e, %g, %c, %t…, %h, other flags) is refused by name.
 */
import { sqlString } from '../../duckdb-sql';
import { LocalDialectError } from './local-error';

const SPEC = /%(\d+\$|<)?([-#+ 0,(]*)(\d+)?(\.\d+)?([a-zA-Z%])/g;

/** SQL for format(<literal>, args...), given the arguments' SQL texts. */
export function javaFormatSql(format: string, args: string[]): string {
  const parts: string[] = [];
  let cursor = 0;
  let ordinary = 0;
  let previous = -1;
  for (const m of format.matchAll(SPEC)) {
    const [spec, index, flags = '', width, precision, conversion] = m as unknown as string[];
    if (m.index! > cursor) parts.push(sqlString(format.slice(cursor, m.index)));
    cursor = m.index! + spec!.length;
    if (conversion === '%' || conversion === 'n') {
      if (index || flags || precision) throw refused(spec!);
      parts.push(conversion === '%' ? pad("'%'", flags, width) : 'chr(10)');
      continue;
    }
    let argIndex: number;
    if (index === '<') argIndex = previous;
    else if (index) argIndex = Number(index.slice(0, -1)) - 1;
    else argIndex = ordinary++;
    if (argIndex < 0 || argIndex >= args.length) {
      throw new Error(`Invalid format string: ${format} (MissingFormatArgument Format specifier '${spec}')`);
    }
    previous = argIndex;
    parts.push(conversionSql(spec!, conversion!, flags, width, precision, args[argIndex]!));
  }
  if (format.slice(cursor).includes('%')) {
    throw new Error(`Invalid format string: ${format} (UnknownFormatConversion)`);
  }
  if (cursor < format.length) parts.push(sqlString(format.slice(cursor)));
  return parts.length === 0 ? "''" : `(${parts.join(' || ')})`;
}

const refused = (spec: string) =>
  new LocalDialectError(
    `format() specifier ${spec}`,
    'only %s %S %d %x %X %o %f %b %B %n %% (with width, precision, argument indexes and the flags - + 0 ,) are translated',
  );

function pad(sql: string, flags: string, width: string | undefined): string {
  if (!width) return sql;
  return flags.includes('-') ? `rpad(${sql}, ${width}, ' ')` : `lpad(${sql}, ${width}, ' ')`;
}

/** A length-preserving pad: lpad/rpad cut longer strings, Java does not. */
function padded(sql: string, flags: string, width: string | undefined): string {
  if (!width) return sql;
  const side = flags.includes('-') ? 'rpad' : 'lpad';
  return `(CASE WHEN length(${sql}) >= ${width} THEN ${sql} ELSE ${side}(${sql}, ${width}, ' ') END)`;
}

const INTEGER_TYPES =
  "('TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT')";

function conversionSql(
  spec: string,
  conversion: string,
  flags: string,
  width: string | undefined,
  precision: string | undefined,
  a: string,
): string {
  const fail = (what: string) =>
    `error(${sqlString(`Invalid format string: ${spec} (IllegalFormatConversion: ${what})`)})`;
  switch (conversion) {
    case 's':
    case 'S': {
      if (flags.replace('-', '') !== '') throw refused(spec);
      let text = `trino_java_string(${a})`;
      if (precision) text = `left(${text}, ${precision.slice(1)})`;
      if (conversion === 'S') text = `upper(${text})`;
      return padded(text, flags, width);
    }
    case 'b':
    case 'B': {
      if (flags.replace('-', '') !== '' || precision) throw refused(spec);
      const text = `(CASE WHEN ${a} IS NULL THEN 'false' WHEN typeof(${a}) = 'BOOLEAN' THEN CAST(${a} AS VARCHAR) ELSE 'true' END)`;
      return padded(conversion === 'B' ? `upper(${text})` : text, flags, width);
    }
    case 'd':
    case 'x':
    case 'X':
    case 'o': {
      if (
        precision ||
        /[#( ]/.test(flags) ||
        (flags.includes(',') && (flags.includes('0') || conversion !== 'd'))
      ) {
        throw refused(spec);
      }
      if (conversion !== 'd' && /[+,]/.test(flags)) throw refused(spec);
      const printf = `printf(${sqlString(`%${flags}${width ?? ''}${conversion}`)}, TRY_CAST(${a} AS BIGINT))`;
      return `(CASE WHEN ${a} IS NULL THEN ${padded("'null'", flags, width)} WHEN typeof(${a}) IN ${INTEGER_TYPES} THEN ${printf} ELSE ${fail(`%${conversion} needs an integer`)} END)`;
    }
    case 'f': {
      if (/[#( +]/.test(flags) || (flags.includes(',') && flags.includes('0'))) throw refused(spec);
      const digits = precision ? Number(precision.slice(1)) : 6;
      if (digits > 30) throw refused(spec);
      const rounded = `CAST(CAST(CAST(${a} AS VARCHAR) AS DECIMAL(38, ${digits})) AS VARCHAR)`;
      let text = flags.includes(',') ? `trino_group_digits(${rounded})` : rounded;
      if (flags.includes('0') && width) {
        const v = text;
        text = `(CASE WHEN length(${v}) >= ${width} THEN ${v} WHEN starts_with(${v}, '-') THEN '-' || lpad(substr(${v}, 2), ${Number(width) - 1}, '0') ELSE lpad(${v}, ${width}, '0') END)`;
      }
      const number = `(typeof(${a}) IN ('DOUBLE', 'FLOAT') OR typeof(${a}) LIKE 'DECIMAL%')`;
      return `(CASE WHEN ${a} IS NULL THEN ${padded("'null'", flags, width)} WHEN NOT ${number} THEN ${fail('%f needs a double or decimal')} WHEN NOT isfinite(TRY_CAST(${a} AS DOUBLE)) THEN error('format(): %f of NaN or Infinity is not translated by the local engine') ELSE ${padded(text, flags.replace('0', ''), width)} END)`;
    }
    default:
      throw refused(spec);
  }
}
