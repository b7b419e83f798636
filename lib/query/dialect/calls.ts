/**
 * Call-level rewrites of a checked statement for DuckDB (tokens of the guard's lexer, so strings and comments are
 * never touched):
 *  - date_format/date_parse/format_datetime/parse_datetime with a literal format: the format converted to
 *    strftime/strptime's (../trino-compat.ts), parse_datetime as a timestamp with time zone (UTC);
 *  - transform/filter → list_transform/list_filter (macros cannot take lambdas), any_match/all_match/none_match →
 *    trino_*_match(list_transform(array, predicate)) (NULL when no element decides, as Trino);
 *  - regexp_replace's replacement translated to RE2's rewrite syntax (./regexp.ts), Java named groups in patterns;
 *  - CAST and TRY_CAST (./casts.ts), and date(x) as trino_cast_date(x);
 *  - a literal JSON path of json_extract and its kin as DuckDB reads it (./json-functions.ts);
 *  - EXTRACT(DOW FROM x) as ISO's day of the week (Sunday is 7 in Trino, 0 in DuckDB's dow), Trino's other fields
 *    mapped, DuckDB-only fields failing as on Athena; X'…' literals refused; TABLESAMPLE's percentage;
 *  - information_schema.tables/columns → the local catalog views (../metadata/information-schema.ts);
 *  - Athena's hidden columns ("$path", "$bucket", "$file_size", …): refused by name; so is log(x), which Trino
 *    lacks (DuckDB's is log10); lag, lead and nth_value as Trino judges their window and offset
 *    (./window-navigation.ts).
 */
import { sqlString } from '../../duckdb-sql';
import { information_schema_view } from '../metadata/information-schema';
import { tokenize, type Token } from '../sql-guard/lexer';
import { MAP_CONCAT_MOST } from './array-functions';
import { FORMAT_CALLS } from './date-formats';
import { castRewrites } from './casts';
import { JSON_PATH_FUNCTIONS, jsonPathForDuckDb } from './json-functions';
import { LocalDialectError } from './local-error';
import { readOtherDialects } from './other-dialects';
import { endAnchors, patternGroups, re2Pattern, re2Replacement, withJavaEndAnchors } from './regexp';
import {
  applyEdits,
  callAt,
  closing,
  insideCall,
  isSymbol,
  isWord,
  spanText,
  stringLiteral,
  type Edit,
} from './tokens';
import { refuseFrameOffsets } from './window-frames';
import { refuseWindowNavigation } from './window-navigation';

/**
 * date_parse and parse_datetime answer Trino's timestamp(3): Joda parses the fraction to the millisecond and drops
 * further digits (%f of .999999 is .999), where strptime keeps microseconds.
 */
const MILLIS = "date_trunc('millisecond', ";

/**
 * EXTRACT's fields whose meaning differs: Trino's DOW (and DAY_OF_WEEK) is ISO, Monday 1 … Sunday 7; DuckDB's dow
 * counts Sunday as 0, its isodow is Trino's.
 */
const EXTRACT_FIELDS = new Map([
  ['dow', 'isodow'],
  ['day_of_week', 'isodow'],
  ['yow', 'isoyear'],
  ['year_of_week', 'isoyear'],
  ['day_of_month', 'day'],
  ['day_of_year', 'doy'],
]);

/** The fields of Trino's EXTRACT (io.trino.sql.tree.Extract.Field): any other fails the query on Athena. */
const TRINO_EXTRACT_FIELDS = new Set([
  'year',
  'quarter',
  'month',
  'week',
  'day',
  'day_of_month',
  'day_of_week',
  'dow',
  'day_of_year',
  'doy',
  'year_of_week',
  'yow',
  'hour',
  'minute',
  'second',
  'timezone_hour',
  'timezone_minute',
]);

/** Functions renamed in the statement text (DuckDB macros cannot take lambdas). */
const RENAMES: Record<string, string> = {
  transform: 'list_transform',
  filter: 'list_filter',
  // Trino's pads fail on a negative length or an empty pad (./macros.ts), DuckDB's answer '' and the text.
  lpad: 'trino_lpad',
  rpad: 'trino_rpad',
  // Trino's takes an interval (a bigint of milliseconds); DuckDB's makes an interval of a number (./macros.ts).
  to_milliseconds: 'trino_to_milliseconds',
};

/** The call rewrites of the module comment; strings and comments are left as they are. */
export function rewriteCalls(sql: string): string {
  const { tokens } = tokenize(sql);
  const edits: Edit[] = [];
  readOtherDialects(tokens, edits);
  const word = (k: number, w: string) => tokens[k]?.kind === 'word' && tokens[k]!.text.toLowerCase() === w;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    const formatCall = Object.hasOwn(FORMAT_CALLS, t.text.toLowerCase()) ? callAt(tokens, k) : undefined;
    if (formatCall) {
      // name ( <first argument> , '<format>' ): exactly two arguments, the second one string literal.
      const call = FORMAT_CALLS[formatCall.name]!;
      const second = formatCall.args[1];
      const close = formatCall.close;
      const format = second && second.first === second.last ? tokens[second.first] : undefined;
      const pattern = formatCall.args.length === 2 ? literal(format) : undefined;
      const converted = pattern === undefined ? undefined : call.convert(pattern);
      if (converted && 'error' in converted) {
        // A specifier Trino refuses: the call fails as on Athena.
        edits.push({ start: t.start, end: tokens[close]!.end, text: `error(${sqlString(converted.error)})` });
      } else if (converted && format && pattern !== undefined) {
        const name = t.text.toLowerCase();
        // A two-digit year parsed: DuckDB's %y reads 00-68 as 20xx and 69-99 as 19xx; Trino's date_parse reads
        // 1970-2069 (DateTimeFunctions' PIVOT_YEAR 2020), parse_datetime as Joda's yy does, from 50 years before to
        // 49 after the current year minus 30 (./macros.ts trino_two_digit_year_*).
        const twoDigitYear =
          (name === 'date_parse' || name === 'parse_datetime') && converted.strftime.includes('%y');
        const pivot = !twoDigitYear
          ? ''
          : name === 'date_parse'
            ? 'trino_two_digit_year_mysql('
            : 'trino_two_digit_year_joda(';
        const pivotEnd = twoDigitYear ? ')' : '';
        // A format without a year: Joda's parse (both calls) starts from 1970-01-01 and takes its default year,
        // 2000, when a month or a day is the largest field parsed; DuckDB's strptime starts from 1900-01-01.
        const yearless =
          (name === 'date_parse' || name === 'parse_datetime') && !/%[YyG]/.test(converted.strftime);
        const dated = /%-?[mbBdej]/.test(converted.strftime);
        if (yearless && !dated && /%[aAV]/.test(converted.strftime))
          // A weekday or a week alone: Joda moves 2000-01-01 to that day of its week; strptime reads no date of it.
          throw new LocalDialectError(
            `${name}() of a weekday or a week without a year, month or day`,
            'Athena (Joda) sets that weekday or week in the week of 2000-01-01; the local engine reads no date from ' +
              'it: give the date in the format',
          );
        const shift = yearless ? ` + INTERVAL '${dated ? 100 : 70}' YEAR` : '';
        if (name === 'parse_datetime') {
          // Trino returns a timestamp with time zone, in UTC when the pattern has no zone.
          if (/[zZ]/.test(pattern.replace(/'[^']*'/g, ''))) {
            throw new LocalDialectError(
              'parse_datetime() with a zone in the pattern',
              'the parsed zone would be kept by Athena and lost locally',
            );
          }
          edits.push({ start: t.start, end: t.end, text: `${MILLIS}${pivot}CAST(${call.to}` });
          edits.push({
            start: tokens[close]!.end,
            end: tokens[close]!.end,
            text: `${shift} AS TIMESTAMPTZ)${pivotEnd})`,
          });
        } else if (name === 'date_parse') {
          edits.push({ start: t.start, end: t.end, text: `${MILLIS}${pivot}(${call.to}` });
          edits.push({ start: tokens[close]!.end, end: tokens[close]!.end, text: `${shift})${pivotEnd})` });
        } else {
          // The value written as Joda holds it, to the millisecond rounded half up, after the pattern's checks
          // (./date-formats.ts, ./macros.ts trino_strftime): the call renamed and the checks added as arguments,
          // so that the value's own rewrites (CAST(…), date_parse(…)) are untouched. A bare NULL is left to
          // strftime (NULL, as on Athena: the macro's checks would not bind an untyped NULL).
          const value = formatCall.args[0]!;
          const bareNull = value.first === value.last && word(value.first, 'null');
          const checks = converted.checks ?? [];
          edits.push({
            start: t.start,
            end: t.end,
            text: `${pivot}${bareNull ? call.to : 'trino_strftime'}`,
          });
          if (pivotEnd) edits.push({ start: tokens[close]!.end, end: tokens[close]!.end, text: pivotEnd });
          if (!bareNull)
            edits.push({
              start: tokens[close]!.start,
              end: tokens[close]!.start,
              text: `, ${checks.includes('zone')}, ${checks.includes('year')}`,
            });
        }
        edits.push({
          start: format.start,
          end: format.end,
          text: sqlString(converted.strftime),
        });
      }
    }
    if (t.kind === 'word' && tokens[k + 1]?.text === '(') {
      const rename = Object.hasOwn(RENAMES, t.text.toLowerCase()) ? RENAMES[t.text.toLowerCase()] : undefined;
      // FILTER (WHERE ...) after an aggregate is a clause, not the function.
      if (rename && tokens[k - 1]?.text !== ')' && !word(k + 2, 'where')) {
        edits.push({ start: t.start, end: t.end, text: rename });
      }
    }
    callRewrites(sql, tokens, k, edits);
    // grouping(…): Trino types it integer (bigint only past 31 arguments); DuckDB's is a BIGINT.
    const grouping = word(k, 'grouping') && !isSymbol(tokens[k - 1], '.') ? callAt(tokens, k) : undefined;
    if (grouping && grouping.args.length <= 31) {
      edits.push({ start: t.start, end: t.start, text: 'CAST(' });
      edits.push({
        start: tokens[grouping.close]!.end,
        end: tokens[grouping.close]!.end,
        text: ' AS INTEGER)',
      });
    }
    // if(condition, value): Trino's two-argument form is NULL where the condition is not true; DuckDB's parser takes
    // only three arguments ("Wrong number of arguments to IF").
    const ifCall = word(k, 'if') ? callAt(tokens, k) : undefined;
    if (ifCall?.args.length === 2)
      edits.push({ start: tokens[ifCall.close]!.start, end: tokens[ifCall.close]!.start, text: ', NULL' });
    // Forms of Trino's array functions DuckDB has no counterpart for: refused by name (DuckDB's binder words it
    // as a missing column or a macro of other arguments).
    const arrayForm =
      (word(k, 'array_sort') || word(k, 'array_position')) && !isSymbol(tokens[k - 1], '.')
        ? callAt(tokens, k)
        : undefined;
    if (arrayForm?.name === 'array_sort' && arrayForm.args.length === 2)
      throw new LocalDialectError(
        'array_sort(array, function)',
        "DuckDB's list_sort takes no comparator: sort by a key instead (array_sort of transform(a, x -> " +
          'ROW(key, x)), then transform(…, r -> r[2])), or ORDER BY over UNNEST',
      );
    if (arrayForm?.name === 'array_position' && arrayForm.args.length === 3)
      throw new LocalDialectError(
        'array_position(array, element, instance)',
        'the instance form is not translated: find the positions with filter(sequence(1, cardinality(a)), i -> ' +
          'element_at(a, i) = x) and take the one wanted',
      );
    if (word(k, 'from_utf8') && !isSymbol(tokens[k - 1], '.') && callAt(tokens, k)?.args.length === 2)
      throw new LocalDialectError(
        'from_utf8(binary, replace)',
        'the replacement form is not translated: from_utf8(b) gives the same text for bytes that are UTF-8 ' +
          '(and fails naming the difference where they are not)',
      );
    // chr(n): Trino takes a bigint code point, DuckDB's chr an integer (no function matched a bigint column).
    if (word(k, 'chr') && callAt(tokens, k)?.args.length === 1 && !isSymbol(tokens[k - 1], '.'))
      edits.push({ start: t.start, end: t.end, text: 'trino_chr' });
    // Aggregates that are expressions locally (./aggregate-functions.ts): a window cannot apply to them.
    const name = t.text.toLowerCase();
    const aggregate = Object.hasOwn(EXPRESSION_AGGREGATES, name) ? EXPRESSION_AGGREGATES[name] : undefined;
    const aggregateCall = aggregate ? callAt(tokens, k) : undefined;
    if (
      aggregateCall &&
      aggregate!(aggregateCall.args.length) &&
      isWord(tokens[aggregateCall.close + 1], 'over')
    )
      throw new LocalDialectError(
        `${aggregateCall.name}(…) OVER (…)`,
        "the local engine computes Trino's answer from DuckDB's with an expression, which a window cannot take; " +
          'aggregate in a subquery grouped by the window’s partition and join it back',
      );
    refuseWindowNavigation(sql, tokens, k);
    refuseFrameOffsets(sql, tokens, k);
    // f(DISTINCT x) OVER (…): Trino has no distinct window aggregates; DuckDB answers.
    if (t.kind === 'word' && isSymbol(tokens[k + 1], '(') && word(k + 2, 'distinct')) {
      const close = closing(tokens, k + 1);
      if (close > 0 && word(close + 1, 'over'))
        throw new Error(
          `DISTINCT in window function parameters not yet supported: Athena (Trino) fails ${t.text}(DISTINCT …) ` +
            'OVER (…) (NOT_SUPPORTED), where DuckDB would answer, so the local engine fails it too; count the ' +
            'distinct values in a subquery grouped by the window’s partition and join it back',
        );
    }
    // json_extract(j, '<path>') and its kin: a literal path in Trino's syntax, as DuckDB reads it, or Athena's failure.
    const pathCall = JSON_PATH_FUNCTIONS.has(t.text.toLowerCase()) ? callAt(tokens, k) : undefined;
    const pathArg = pathCall?.args.length === 2 ? pathCall.args[1] : undefined;
    const pathToken = pathArg && pathArg.first === pathArg.last ? tokens[pathArg.first] : undefined;
    const pathText = literal(pathToken);
    if (pathCall && pathToken && pathText !== undefined) {
      const translated = jsonPathForDuckDb(pathText);
      edits.push(
        'error' in translated
          ? {
              start: t.start,
              end: tokens[pathCall.close]!.end,
              text: `error(${sqlString(translated.error)})`,
            }
          : { start: pathToken.start, end: pathToken.end, text: sqlString(translated.path) },
      );
    }
    // X'41': a varbinary literal on Athena; DuckDB reads the letter and the string as text ('x41').
    if (
      t.kind === 'word' &&
      t.text.toLowerCase() === 'x' &&
      tokens[k + 1]?.kind === 'string' &&
      tokens[k + 1]!.start === t.end
    )
      throw new LocalDialectError(
        `X${tokens[k + 1]!.text}`,
        `Athena reads a varbinary literal, DuckDB the text 'x…': write from_hex(${tokens[k + 1]!.text})`,
      );
    // TABLESAMPLE SYSTEM|BERNOULLI (p): p percent of the rows, as Trino reads it; DuckDB reads a bare number as a
    // count of rows (and SYSTEM refuses a count).
    if (
      word(k, 'tablesample') &&
      (word(k + 1, 'system') || word(k + 1, 'bernoulli')) &&
      tokens[k + 2]?.text === '(' &&
      tokens[k + 3]?.kind === 'number' &&
      tokens[k + 4]?.text === ')'
    )
      edits.push({
        start: tokens[k + 3]!.start,
        end: tokens[k + 3]!.end,
        text: `${tokens[k + 3]!.text} PERCENT`,
      });
    const field =
      word(k, 'extract') && tokens[k + 1]?.text === '(' && word(k + 3, 'from') ? tokens[k + 2] : undefined;
    if (field?.kind === 'word' && !TRINO_EXTRACT_FIELDS.has(field.text.toLowerCase()))
      throw new LocalDialectError(
        `EXTRACT(${field.text} FROM …)`,
        `Invalid EXTRACT field: ${field.text} — Athena (Trino) fails the query; its fields are ` +
          [...TRINO_EXTRACT_FIELDS].map((f) => f.toUpperCase()).join(', ') +
          ' (DuckDB would answer it)',
      );
    const duckDbField = field?.kind === 'word' ? EXTRACT_FIELDS.get(field.text.toLowerCase()) : undefined;
    if (field && duckDbField) edits.push({ start: field.start, end: field.end, text: duckDbField });
    castRewrites(tokens, k, edits);
  }
  // Edits never overlap except nested casts; apply outermost-first by skipping those inside an applied one.
  return applyEdits(sql, edits);
}

const MATCHES = new Set(['any_match', 'all_match', 'none_match']);
const HIDDEN_COLUMNS = ['$path', '$bucket', '$file_size', '$file_modified_time', '$partition'];
const REGEXP_FUNCTIONS = new Set([
  'regexp_like',
  'regexp_extract',
  'regexp_extract_all',
  'regexp_replace',
  'regexp_count',
  'regexp_split',
  'regexp_position',
]);

/** The aggregates whose local form (by argument count) is an expression around DuckDB's aggregate. */
const EXPRESSION_AGGREGATES: Record<string, (args: number) => boolean> = {
  skewness: () => true,
  kurtosis: () => true,
  corr: () => true,
  regr_slope: () => true,
  regr_intercept: () => true,
  max_by: (args) => args === 3,
  min_by: (args) => args === 3,
  map_agg: (args) => args === 2,
};

const literal = stringLiteral;

/** The rewrites that start at token k (see the module comment). */
function callRewrites(sql: string, tokens: Token[], k: number, edits: Edit[]): void {
  const t = tokens[k]!;
  if (t.kind === 'quoted') {
    const name = t.text.slice(1, -1).toLowerCase();
    if (HIDDEN_COLUMNS.includes(name)) {
      throw new LocalDialectError(
        `the hidden column "${name}"`,
        name === '$path'
          ? "Athena gives the S3 URL of the row's file; the local files have file: paths, not the S3 URLs Athena returns"
          : 'Athena reads it from S3; the local engine has no such column',
      );
    }
  }
  const view = information_schema_view(tokens, k);
  if (view) {
    edits.push(view);
    return;
  }
  const call = callAt(tokens, k);
  if (!call) return;
  if (call.name === 'date' && call.args.length === 1 && !isSymbol(tokens[k - 1], '.')) {
    // date(x) is CAST(x AS DATE) in Trino: a date from text only as yyyy-MM-dd (./macros.ts).
    edits.push({
      start: t.start,
      end: t.end,
      text: insideCall(tokens, k, 'try') ? 'trino_try_cast_date' : 'trino_cast_date',
    });
  }
  if (call.name === 'map_concat' && call.args.length > MAP_CONCAT_MOST && !isSymbol(tokens[k - 1], '.')) {
    // Trino's map_concat takes any number of maps; the local one 2 to MAP_CONCAT_MOST (./array-functions.ts): more
    // are nested, map_concat(map_concat(m1, …, m8), m9, …), the same maps in the same order (a later key wins, a
    // NULL map makes it NULL).
    const ends = call.args.map((_, i) => i).filter((i) => i % (MAP_CONCAT_MOST - 1) === 0 && i > 0);
    const inner = ends.filter((i) => i < call.args.length - 1);
    edits.push({ start: t.start, end: t.end, text: `${'map_concat('.repeat(inner.length)}map_concat` });
    for (const i of inner) {
      const comma = tokens[call.args[i]!.last + 1]!;
      edits.push({ start: comma.start, end: comma.end, text: '),' });
    }
  }
  if (call.name === 'json_parse' && insideCall(tokens, k, 'try') && !isSymbol(tokens[k - 1], '.')) {
    // Inside try(): NULL for text that is not JSON, as Athena's try() answers (json_parse fails it otherwise).
    edits.push({ start: t.start, end: t.end, text: 'trino_try_json_parse' });
  }
  if (call.name === 'log' && call.args.length === 1 && !isSymbol(tokens[k - 1], '.')) {
    // DuckDB's log(x) is log10(x); Trino has log(base, x) only.
    throw new Error(
      'Unexpected parameters for function log: Athena (Trino) has log(base, x) only and fails this query ' +
        "(FUNCTION_NOT_FOUND); DuckDB's log(x) is log10(x), so the local engine fails it too. Use log10(x) or ln(x)",
    );
  }
  if (call.name === 'bit_count' && call.args.length === 1 && !isSymbol(tokens[k - 1], '.')) {
    // DuckDB's bit_count(x) counts a value's own width; Trino has bit_count(x, bits) only.
    throw new Error(
      'Unexpected parameters for function bit_count: Athena (Trino) has bit_count(x, bits) only and fails this ' +
        "query (FUNCTION_NOT_FOUND); DuckDB's bit_count(x) counts the bits of x's own type, so the local engine " +
        'fails it too. Give the width: bit_count(x, 64)',
    );
  }
  if (REGEXP_FUNCTIONS.has(call.name) && call.args[1]) {
    const p = call.args[1];
    const pattern = p.first === p.last ? literal(tokens[p.first]) : undefined;
    let rewritten = pattern === undefined ? undefined : re2Pattern(pattern);
    if (pattern !== undefined && endAnchors(pattern).length > 0) {
      // Trino's `$` also matches before a final line break: a test of a match takes it too; where the match's text
      // or place counts, a text that ends in a line break fails the query (trino_regexp_input).
      if (call.name === 'regexp_like') rewritten = withJavaEndAnchors(rewritten!);
      else {
        edits.push({
          start: tokens[call.open]!.start,
          end: tokens[call.open]!.end,
          text: '(trino_regexp_input(',
        });
        const comma = tokens[call.args[0]!.last + 1]!;
        edits.push({ start: comma.start, end: comma.end, text: '),' });
      }
    }
    if (rewritten !== undefined && rewritten !== pattern) {
      edits.push({
        start: tokens[p.first]!.start,
        end: tokens[p.first]!.end,
        text: sqlString(rewritten),
      });
    }
  }
  if (call.name === 'regexp_replace' && call.args.length === 3) {
    const [, p, r] = call.args as [unknown, { first: number; last: number }, { first: number; last: number }];
    if (r.first !== r.last && spanText(sql, tokens, r).includes('->')) {
      throw new LocalDialectError(
        'regexp_replace(string, pattern, function)',
        'the lambda form is not translated',
      );
    }
    const replacement = r.first === r.last ? literal(tokens[r.first]) : undefined;
    if (replacement === undefined) {
      throw new LocalDialectError(
        'regexp_replace with a replacement that is not a string literal',
        "Trino's replacement syntax ($1 a group, \\1 a literal 1) is translated from a literal only",
      );
    }
    const pattern = p.first === p.last ? literal(tokens[p.first]) : undefined;
    const groups = pattern === undefined ? undefined : patternGroups(pattern);
    edits.push({
      start: tokens[r.first]!.start,
      end: tokens[r.first]!.end,
      text: sqlString(re2Replacement(replacement, groups)),
    });
  }
  if (MATCHES.has(call.name) && call.args.length === 2) {
    // Only the name and the closing parenthesis change, so rewrites inside the arguments still apply.
    edits.push({ start: t.start, end: tokens[call.open]!.end, text: `trino_${call.name}(list_transform(` });
    edits.push({ start: tokens[call.close]!.end, end: tokens[call.close]!.end, text: ')' });
  }
}
