/**
 * CAST and TRY_CAST targets, as Trino reads them (a part of ./calls.ts's rewrites):
 *  - CAST(x AS VARCHAR) → trino_cast_varchar(x); to an integer type, boolean, timestamp or date →
 *    trino_cast_<type>(x) / trino_try_cast_<type>(x) (./macros.ts); to DECIMAL(p,s) through trino_decimal_text;
 *  - CAST(x AS JSON) → trino_cast_json(x); CAST(json_parse(…) AS ROW/ARRAY(ROW)/…) → json_transform, through
 *    trino_json_row(s) for rows (./json-functions.ts);
 *  - to ARRAY(T), MAP(K, V) or ROW(a T, …): each part by its type's cast (./container-casts.ts);
 *  - any other target type in DuckDB's names (TIMESTAMP(3) → TIMESTAMP; a container type for a NULL literal).
 */
import { sqlString } from '../../duckdb-sql';
import type { Token } from '../sql-guard/lexer';
import { jsonStructure } from './json-functions';
import { LocalDialectError } from './local-error';
import { STRICT_CAST_TYPES } from './cast-macros';
import {
  castFromJson,
  containerCastSql,
  hasRow,
  isContainerType,
  jsonLeavesType,
  refuseTryContainerCast,
  targetType,
  type TargetType,
} from './container-casts';
import { closing, insideCall, isSymbol, isWord, type Edit } from './tokens';

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
        // A field's name as Trino keeps it: an unquoted one in lower case (TypeSignatureTranslator), a quoted one as
        // written.
        const field = (t: Token) => (t.kind === 'word' ? t.text.toLowerCase() : t.text);
        return `STRUCT(${parts.map((p) => (p.length > 1 ? `${field(p[0]!)} ${sub(p.slice(1))}` : sub(p))).join(', ')})`;
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

/** Trino's types DuckDB has no counterpart of (a row field of that name is followed by its type). */
const TYPES_DUCKDB_LACKS = ['ipaddress', 'hyperloglog', 'p4hyperloglog', 'tdigest', 'qdigest', 'setdigest'];

/**
 * Refuses a CAST target with VARCHAR(n) or CHAR[(n)] in it: Trino cuts a text to n characters (varchar(n)), pads it
 * with spaces to n (char(n); a bare CHAR is char(1)) and fails a number or date that does not fit, and reports the
 * type with its length; DuckDB reads both as VARCHAR, keeping the whole value. A CHAR followed by a type is a row
 * field's name.
 */
function refuseBoundedText(typeTokens: Token[]): void {
  typeTokens.forEach((t, i) => {
    const next = typeTokens[i + 1];
    if (isWord(t, 'varchar') && next?.text === '(')
      throw new LocalDialectError(
        'CAST to VARCHAR(n)',
        'Athena cuts a text to n characters (and fails a number or date longer than n) and reports varchar(n); ' +
          'the local engine would keep the whole value: write CAST(x AS VARCHAR), with substr(…, 1, n) to cut',
      );
    if (isWord(t, ...TYPES_DUCKDB_LACKS) && next?.kind !== 'word')
      throw new LocalDialectError(
        `CAST to ${t.text.toUpperCase()}`,
        `Athena has the type ${t.text.toLowerCase()}; DuckDB has no such type, so the local engine cannot run the cast`,
      );
    // timestamp(p) / time(p): Athena rounds to p fraction digits; every timestamp and time is one of milliseconds
    // locally (docs/sql-dialect.md), so only p = 3 is the same cast.
    if (
      isWord(t, 'timestamp', 'time') &&
      next?.text === '(' &&
      !(typeTokens[i + 2]?.text === '3' && typeTokens[i + 3]?.text === ')')
    )
      throw new LocalDialectError(
        `CAST to ${t.text.toUpperCase()}(p) with p other than 3`,
        `Athena rounds the value to p fraction digits (half up) and reports ${t.text.toLowerCase()}(p); the local ` +
          `engine keeps every ${t.text.toLowerCase()} to the millisecond: write CAST(x AS ${t.text.toUpperCase()}) ` +
          "(milliseconds), or date_trunc('second', x + INTERVAL '0.5' SECOND) for whole seconds",
      );
    if (isWord(t, 'char') && next?.kind !== 'word')
      throw new LocalDialectError(
        'CAST to CHAR',
        'Athena pads a text with spaces to n characters (a bare CHAR is char(1)) and reports char(n); the local ' +
          "engine would keep the text as it is: write CAST(x AS VARCHAR), with rpad(…, n, ' ') to pad",
      );
  });
}

/** The rewrite of the CAST or TRY_CAST call at token k, if it is one (edits added to `edits`). */
export function castRewrites(tokens: Token[], k: number, edits: Edit[]): void {
  const word = (j: number, w: string) => isWord(tokens[j], w);
  if ((word(k, 'cast') || word(k, 'try_cast')) && tokens[k + 1]?.text === '(') {
    // CAST ( <expression> AS <type> ): the AS at the call's own level.
    const close = closing(tokens, k + 1);
    let as = -1;
    for (let j = k + 2, depth = 0; j < close && as < 0; j++) {
      if (isSymbol(tokens[j], '(', '[')) depth++;
      else if (isSymbol(tokens[j], ')', ']')) depth--;
      else if (depth === 0 && word(j, 'as')) as = j;
    }
    if (as < 0 || close <= as + 1) return;
    const typeTokens = tokens.slice(as + 1, close);
    refuseBoundedText(typeTokens);
    if (typeTokens.length === 1 && isWord(typeTokens[0], 'varchar')) {
      // CAST(x AS VARCHAR) → trino_cast_varchar(x): a double or real as Java writes it (./macros.ts); TRY_CAST's
      // NULL where it fails on a value.
      const fn = word(k, 'cast') ? 'trino_cast_varchar' : 'trino_try_cast_varchar';
      edits.push({ start: tokens[k]!.start, end: tokens[k]!.end, text: fn });
      edits.push({ start: tokens[as - 1]!.end, end: typeTokens[0]!.end, text: '' });
      return;
    }
    if (typeTokens.length === 1 && isWord(typeTokens[0], 'json')) {
      // CAST(x AS JSON) → trino_cast_json(x): text becomes a JSON string, as Trino's (./json-functions.ts). TRY_CAST
      // too: no value fails that cast (a type that does fails the query on Athena, TRY_CAST or not).
      edits.push({ start: tokens[k]!.start, end: tokens[k]!.end, text: 'trino_cast_json' });
      edits.push({ start: tokens[as - 1]!.end, end: typeTokens[0]!.end, text: '' });
      return;
    }
    // JSON to a type Trino has no cast from JSON to (a date, a timestamp, …, or a container of one): Athena fails
    // the query ("Cannot cast json to date"); DuckDB would read the JSON text.
    const jsonLiteral = as === k + 4 && word(k + 2, 'json') && tokens[k + 3]?.kind === 'string';
    if ((jsonValuedCall(tokens, k + 2, as) || jsonLiteral) && !castFromJson(targetType(typeTokens)))
      throw new Error(
        `Cannot cast json to ${typeTokens
          .map((t) => t.text.toLowerCase())
          .join(' ')
          .replace(/ ?\( ?/g, '(')
          .replace(/ \)/g, ')')
          .replace(/ ,/g, ',')}`,
      );
    const json = word(k, 'cast') && jsonValuedCall(tokens, k + 2, as);
    if (json && isContainerType(typeTokens) && !hasRow(targetType(typeTokens))) {
      // CAST(json_parse(…) AS ARRAY(BIGINT) | MAP(VARCHAR, DOUBLE) | …): the JSON as arrays and maps of JSON values,
      // each value then cast as Trino casts a JSON value (2.5 to an integer rounds half up, as DuckDB's did not).
      const tree = targetType(typeTokens);
      const [before, after] = containerCastAround(tree);
      edits.push({ start: tokens[k]!.start, end: tokens[k + 1]!.end, text: `${before}CAST(` });
      edits.push({
        start: tokens[as]!.start,
        end: tokens[close]!.end,
        text: `AS ${jsonLeavesType(tree)})${after}`,
      });
      return;
    }
    if (json && typeTokens.length > 1) {
      // CAST(json_parse(…) AS ARRAY(ROW(…))) → json_transform(json_parse(…), '<structure>'): Trino skips keys the
      // row does not name and reads a missing one as NULL; DuckDB's CAST fails on both.
      let structure: unknown;
      try {
        structure = jsonStructure(duckDbType(typeTokens));
      } catch {
        structure = undefined;
      }
      if (structure !== undefined && typeof structure !== 'string') {
        // A row, or an array of rows: refused where Trino reads what json_transform would not (./json-functions.ts).
        const rows = Array.isArray(structure) && typeof structure[0] === 'object';
        const fn = !Array.isArray(structure) ? 'trino_json_row' : rows ? 'trino_json_rows' : 'json_transform';
        edits.push({ start: tokens[k]!.start, end: tokens[k]!.end, text: fn });
        edits.push({
          start: tokens[as]!.start,
          end: typeTokens[typeTokens.length - 1]!.end,
          text: `, ${sqlString(JSON.stringify(structure))}`,
        });
        return;
      }
    }
    const source = tokens.slice(k + 2, as);
    if (isContainerType(typeTokens) && !(source.length === 1 && isWord(source[0], 'null'))) {
      if (word(k, 'try_cast') || insideCall(tokens, k, 'try')) refuseTryContainerCast(typeTokens[0]!.text);
      const [before, after] = containerCastAround(targetType(typeTokens));
      edits.push({ start: tokens[k]!.start, end: tokens[k + 1]!.end, text: before });
      edits.push({ start: tokens[as]!.start, end: tokens[close]!.end, text: after });
      return;
    }
    if (
      /^timestamp( \( \d+ \))? with time zone$/.test(typeTokens.map((t) => t.text.toLowerCase()).join(' '))
    ) {
      // CAST(x AS TIMESTAMP WITH TIME ZONE) → trino_cast_timestamptz(x): a text in a zone other than UTC is refused
      // (./macros.ts; a zoned value itself is placed by ./time-zone.ts before this pass).
      const name = word(k, 'try_cast') || insideCall(tokens, k, 'try') ? 'try_cast' : 'cast';
      edits.push({ start: tokens[k]!.start, end: tokens[k]!.end, text: `trino_${name}_timestamptz` });
      edits.push({ start: tokens[as - 1]!.end, end: typeTokens.at(-1)!.end, text: '' });
      return;
    }
    const strict = typeTokens.length === 1 ? STRICT_TYPES.get(typeTokens[0]!.text.toLowerCase()) : undefined;
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
      return;
    }
    const decimal = decimalTarget(typeTokens);
    if (decimal) {
      // CAST(x AS DECIMAL(p,s)) → CAST(trino_decimal_text(x, s) AS DECIMAL(p,s)): a double or real rounded half up
      // on its shortest text, as Trino (./cast-macros.ts). The edits replace the `(` and AS tokens, so that a
      // rewrite at the first or last token of x is kept.
      const open = tokens[k + 1]!;
      const fails = word(k, 'cast') && !insideCall(tokens, k, 'try');
      edits.push({
        start: open.start,
        end: open.end,
        text: fails ? '(trino_decimal_text(' : '(trino_try_decimal_text(',
      });
      edits.push({
        start: tokens[as]!.start,
        end: tokens[as]!.end,
        text: `, ${decimal.precision}, ${decimal.scale}) AS`,
      });
      edits.push({
        start: typeTokens[0]!.start,
        end: typeTokens[typeTokens.length - 1]!.end,
        text: `DECIMAL(${decimal.precision},${decimal.scale})`,
      });
      return;
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

/**
 * A container cast as the text before and after its expression, which stays where it is (rewrites inside it are
 * kept): they replace CAST( and AS <type>).
 */
function containerCastAround(type: TargetType): [string, string] {
  const [before, after] = containerCastSql('\u0000', type, scalarCastSql).split('\u0000');
  return [before!, after!];
}

/**
 * CAST(expression AS type) for a scalar type, as the rewrites above spell it: an element of a container cast
 * (./container-casts.ts) is cast as a value of its type would be.
 */
function scalarCastSql(expression: string, type: Token[]): string {
  const name = type.length === 1 ? type[0]!.text.toLowerCase() : '';
  const strict = STRICT_TYPES.get(name);
  if (strict) return `trino_cast_${strict}(${expression})`;
  if (name === 'varchar') return `trino_cast_varchar(${expression})`;
  if (name === 'json') return `trino_cast_json(${expression})`;
  const decimal = decimalTarget(type);
  if (decimal)
    return `CAST(trino_decimal_text(${expression}, ${decimal.precision}, ${decimal.scale}) AS DECIMAL(${decimal.precision},${decimal.scale}))`;
  return `CAST(${expression} AS ${duckDbType(type)})`;
}
