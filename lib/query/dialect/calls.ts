/**
 * Call-level rewrites of a checked statement for DuckDB (tokens of the guard's lexer, so strings and comments are
 * never touched):
 *  - date_format/date_parse/format_datetime/parse_datetime with a literal format: the format converted to
 *    strftime/strptime's (../trino-compat.ts), parse_datetime as a timestamp with time zone (UTC);
 *  - transform/filter → list_transform/list_filter (macros cannot take lambdas), any_match/all_match/none_match →
 *    trino_*_match(list_transform(array, predicate)) (NULL when no element decides, as Trino);
 *  - regexp_replace's replacement translated to RE2's rewrite syntax (./regexp.ts), Java named groups in patterns;
 *  - the target types of CAST/TRY_CAST (ARRAY(T) → T[], ROW(a T) → STRUCT(a T), TIMESTAMP(3) → TIMESTAMP), a
 *    cast to VARCHAR as trino_cast_varchar(x) (a double or real written as Java writes it), a cast to an integer
 *    type, boolean, timestamp or date (and date(x)) as trino_cast_<type>(x) or trino_try_cast_<type>(x) (Trino's
 *    rounding of a double, its reading of a string), a cast to a decimal through trino_decimal_text(x, scale) (a double rounded on its exact value);
 *  - EXTRACT(DOW FROM x) as ISO's day of the week (Sunday is 7 in Trino, 0 in DuckDB's dow);
 *  - information_schema.tables/columns → the local catalog views (../metadata/information-schema.ts);
 *  - Athena's hidden columns ("$path", "$bucket", "$file_size", …): refused by name; so is log(x), which Trino
 *    lacks (DuckDB's is log10).
 */
import { sqlString } from '../../duckdb-sql';
import { information_schema_view } from '../metadata/information-schema';
import { tokenize, type Token } from '../sql-guard/lexer';
import { FORMAT_CALLS } from './date-formats';
import { JSON_PATH_FUNCTIONS, jsonPathForDuckDb, jsonStructure } from './json-functions';
import { LocalDialectError } from './local-error';
import { STRICT_CAST_TYPES } from './macros';
import { patternGroups, re2Pattern, re2Replacement } from './regexp';
import { applyEdits, callAt, closing, insideCall, isSymbol, isWord, spanText, type Edit } from './tokens';

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

/** CAST targets read as Trino reads them (./macros.ts's trino_cast_<type>), by name; INT is INTEGER. */
const STRICT_TYPES = new Map([...STRICT_CAST_TYPES.map((t) => [t, t] as const), ['int', 'integer']]);

/**
 * A CAST target DECIMAL(p,s), DECIMAL(p) (scale 0) or DECIMAL (Trino's decimal(38,0); DuckDB's bare DECIMAL is
 * DECIMAL(18,3)), or undefined for any other type.
 */
function decimalTarget(typeTokens: Token[]): { precision: number; scale: number } | undefined {
  if (!isWord(typeTokens[0], 'decimal')) return undefined;
  const texts = typeTokens.map((t) => t.text).join(' ');
  if (typeTokens.length === 1) return { precision: 38, scale: 0 };
  const m = /^\S+ \( ([0-9]+) (?:, ([0-9]+) )?\)$/.exec(texts);
  return m ? { precision: Number(m[1]), scale: Number(m[2] ?? 0) } : undefined;
}

/** Trino functions whose value is JSON: a CAST of one to a row, array or map reads JSON (json_transform). */
const JSON_VALUED = new Set(['json_parse', 'json_extract', 'json_array_get']);

/** Whether tokens[from..as) are one call of a JSON_VALUED function (json_parse(…) AS …). */
function jsonValuedCall(tokens: Token[], from: number, as: number): boolean {
  const t = tokens[from];
  if (t?.kind !== 'word' || !JSON_VALUED.has(t.text.toLowerCase()) || tokens[from + 1]?.text !== '(')
    return false;
  return closing(tokens, from + 1) === as - 1;
}

/** Functions renamed in the statement text (DuckDB macros cannot take lambdas). */
const RENAMES: Record<string, string> = { transform: 'list_transform', filter: 'list_filter' };

/** Trino type names → DuckDB's, for CAST targets. */
function duckDbType(tokens: Token[]): string {
  let i = 0;
  const peek = () => tokens[i];
  const word = () => {
    const t = tokens[i++];
    if (!t) throw new Error('type ends early');
    return t.text;
  };
  const type = (): string => {
    const name = word();
    const lower = name.toLowerCase();
    const args: string[][] = [];
    if (peek()?.text === '(') {
      i++;
      let depth = 0;
      let current: Token[] = [];
      const parts: Token[][] = [];
      while (i < tokens.length) {
        const t = tokens[i++]!;
        if (t.text === '(') depth++;
        if (t.text === ')') {
          if (depth === 0) break;
          depth--;
        }
        if (t.text === ',' && depth === 0) {
          parts.push(current);
          current = [];
          continue;
        }
        current.push(t);
      }
      parts.push(current);
      for (const p of parts) args.push(p.map((t) => t.text));
      const sub = (p: Token[]) => duckDbType(p);
      if (lower === 'array') return `${sub(parts[0] ?? [])}[]`;
      if (lower === 'map') return `MAP(${sub(parts[0] ?? [])}, ${sub(parts[1] ?? [])})`;
      if (lower === 'row') {
        return `STRUCT(${parts.map((p) => (p.length > 1 ? `${p[0]!.text} ${sub(p.slice(1))}` : sub(p))).join(', ')})`;
      }
      if (lower === 'timestamp' || lower === 'time') {
        const rest = tokens.slice(i).map((t) => t.text.toLowerCase());
        i = tokens.length;
        return rest.join(' ') === 'with time zone' ? `${name.toUpperCase()}TZ` : name.toUpperCase();
      }
      return `${name}(${args.map((a) => a.join(' ')).join(', ')})`;
    }
    const rest = tokens.slice(i).map((t) => t.text);
    i = tokens.length;
    return [name, ...rest].join(' ');
  };
  return type();
}

/** The call rewrites of the module comment; strings and comments are left as they are. */
export function rewriteCalls(sql: string): string {
  const { tokens } = tokenize(sql);
  const edits: Edit[] = [];
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
        if (name === 'parse_datetime') {
          // Trino returns a timestamp with time zone, in UTC when the pattern has no zone.
          if (/[zZ]/.test(pattern.replace(/'[^']*'/g, ''))) {
            throw new LocalDialectError(
              'parse_datetime() with a zone in the pattern',
              'the parsed zone would be kept by Athena and lost locally',
            );
          }
          edits.push({ start: t.start, end: t.end, text: `${pivot}CAST(${call.to}` });
          edits.push({
            start: tokens[close]!.end,
            end: tokens[close]!.end,
            text: ` AS TIMESTAMPTZ)${pivotEnd}`,
          });
        } else {
          edits.push({ start: t.start, end: t.end, text: `${pivot}${call.to}` });
          if (pivotEnd) edits.push({ start: tokens[close]!.end, end: tokens[close]!.end, text: pivotEnd });
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
    if ((word(k, 'cast') || word(k, 'try_cast')) && tokens[k + 1]?.text === '(') {
      // CAST ( <expression> AS <type> ): the AS at the call's own level.
      const close = closing(tokens, k + 1);
      let as = -1;
      for (let j = k + 2, depth = 0; j < close && as < 0; j++) {
        if (isSymbol(tokens[j], '(', '[')) depth++;
        else if (isSymbol(tokens[j], ')', ']')) depth--;
        else if (depth === 0 && word(j, 'as')) as = j;
      }
      if (as < 0 || close <= as + 1) continue;
      const typeTokens = tokens.slice(as + 1, close);
      if (typeTokens.length === 1 && isWord(typeTokens[0], 'varchar')) {
        // CAST(x AS VARCHAR) → trino_cast_varchar(x): a double or real as Java writes it (./macros.ts).
        edits.push({ start: tokens[k]!.start, end: tokens[k]!.end, text: 'trino_cast_varchar' });
        edits.push({ start: tokens[as - 1]!.end, end: typeTokens[0]!.end, text: '' });
        continue;
      }
      if (typeTokens.length === 1 && isWord(typeTokens[0], 'json') && word(k, 'cast')) {
        // CAST(x AS JSON) → trino_cast_json(x): text becomes a JSON string, as Trino's (./json-functions.ts).
        edits.push({ start: tokens[k]!.start, end: tokens[k]!.end, text: 'trino_cast_json' });
        edits.push({ start: tokens[as - 1]!.end, end: typeTokens[0]!.end, text: '' });
        continue;
      }
      if (word(k, 'cast') && jsonValuedCall(tokens, k + 2, as) && typeTokens.length > 1) {
        // CAST(json_parse(…) AS ARRAY(ROW(…))) → json_transform(json_parse(…), '<structure>'): Trino skips keys the
        // row does not name and reads a missing one as NULL; DuckDB's CAST fails on both.
        let structure: unknown;
        try {
          structure = jsonStructure(duckDbType(typeTokens));
        } catch {
          structure = undefined;
        }
        if (structure !== undefined && typeof structure !== 'string') {
          edits.push({ start: tokens[k]!.start, end: tokens[k]!.end, text: 'json_transform' });
          edits.push({
            start: tokens[as]!.start,
            end: typeTokens[typeTokens.length - 1]!.end,
            text: `, ${sqlString(JSON.stringify(structure))}`,
          });
          continue;
        }
      }
      const strict =
        typeTokens.length === 1 ? STRICT_TYPES.get(typeTokens[0]!.text.toLowerCase()) : undefined;
      if (strict) {
        // CAST(x AS BIGINT) → trino_cast_bigint(x): Trino's rounding of a double and reading of a string (./macros.ts).
        edits.push({
          start: tokens[k]!.start,
          end: tokens[k]!.end,
          // Inside try() the cast answers NULL where it would fail, as Trino's try() does (and as DuckDB's TRY can
          // hold it: the failing form raises error(), which TRY refuses).
          text: `trino_${insideCall(tokens, k, 'try') ? 'try_cast' : tokens[k]!.text.toLowerCase()}_${strict}`,
        });
        edits.push({ start: tokens[as - 1]!.end, end: typeTokens[0]!.end, text: '' });
        continue;
      }
      const decimal = decimalTarget(typeTokens);
      if (decimal) {
        // CAST(x AS DECIMAL(p,s)) → CAST(trino_decimal_text(x, s) AS DECIMAL(p,s)): a double or real rounded half up
        // on its exact binary value, as Trino (./macros.ts). The edits replace the `(` and AS tokens, so that a
        // rewrite at the first or last token of x is kept.
        const open = tokens[k + 1]!;
        edits.push({ start: open.start, end: open.end, text: '(trino_decimal_text(' });
        edits.push({ start: tokens[as]!.start, end: tokens[as]!.end, text: `, ${decimal.scale}) AS` });
        edits.push({
          start: typeTokens[0]!.start,
          end: typeTokens[typeTokens.length - 1]!.end,
          text: `DECIMAL(${decimal.precision},${decimal.scale})`,
        });
        continue;
      }
      try {
        const converted = duckDbType(typeTokens);
        edits.push({
          start: typeTokens[0]!.start,
          end: typeTokens[typeTokens.length - 1]!.end,
          text: converted,
        });
      } catch {
        // leave the type as written; DuckDB reports it
      }
    }
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

const literal = (t: Token | undefined) =>
  t?.kind === 'string' ? t.text.slice(1, -1).replace(/''/g, "'") : undefined;

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
  if (call.name === 'log' && call.args.length === 1 && !isSymbol(tokens[k - 1], '.')) {
    // DuckDB's log(x) is log10(x); Trino has log(base, x) only.
    throw new Error(
      'Unexpected parameters for function log: Athena (Trino) has log(base, x) only and fails this query ' +
        "(FUNCTION_NOT_FOUND); DuckDB's log(x) is log10(x), so the local engine fails it too. Use log10(x) or ln(x)",
    );
  }
  if (REGEXP_FUNCTIONS.has(call.name) && call.args[1]) {
    const p = call.args[1];
    const pattern = p.first === p.last ? literal(tokens[p.first]) : undefined;
    if (pattern !== undefined && re2Pattern(pattern) !== pattern) {
      edits.push({
        start: tokens[p.first]!.start,
        end: tokens[p.first]!.end,
        text: sqlString(re2Pattern(pattern)),
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
