/**
 * Trino's JSON functions and CAST(x AS JSON) as DuckDB macros (lib/query/trino-compat.ts); CAST(json AS ROW/ARRAY/MAP)
 * of a JSON function's value is json_transform (./calls.ts, jsonStructure).
 */
import { compatMacro as m } from './compat-macro';
import { LocalDialectError } from './local-error';
import type { MacroDef } from './macros';

/** json_parse's value of a valid JSON text s: its objects' keys sorted (lib/query/duckdb/json-sorted.ts). */
const SORTED_JSON = 'json(trino_json_sorted(s))';

/**
 * A number of JSON text that DuckDB writes otherwise than Java (Trino's Jackson writes a double with
 * Double.toString): 10000000.0 (Java 1.0E7), 0.0001 (1.0E-4), 1.5e300 (1.5E300). A number is one after [ , or :.
 */
const JAVA_WRITES_OTHERWISE = '(^|[\\[,:])\\s*-?([0-9]{8,}[.][0-9]|0[.]000[0-9]*[1-9]|[0-9][0-9.]*[eE])';

/**
 * JSON as the local engine writes it out, refused where it holds a double DuckDB writes otherwise than Athena:
 * json_format, and CAST of an array, map or row to JSON. (JSON only read — cast to rows, measured, queried by path —
 * is not written out: json_parse and json_extract are not checked.) Internal.
 */
export const TRINO_JSON_JAVA_NUMBERS: MacroDef = {
  name: 'trino_json_java_numbers',
  overloads: [
    {
      params: ['j'],
      body:
        `CASE WHEN regexp_matches(CAST(j AS VARCHAR), '${JAVA_WRITES_OTHERWISE}') THEN error('not supported by the ` +
        `local engine: JSON holding a number of 10 million or more, below 0.001, or with an exponent, as a ` +
        `double (' || left(CAST(j AS VARCHAR), 200) || '): Athena writes it as Java does (1.0E7, 1.0E-4), DuckDB ` +
        `otherwise (10000000.0, 0.0001); read it with json_extract_scalar and cast it') ELSE j END`,
    },
  ],
  doc: [],
};

export const JSON_FUNCTIONS: MacroDef[] = [
  m(
    'json_extract_scalar',
    ['j', 'p'],
    "CASE WHEN NOT json_valid(j) THEN NULL WHEN json_type(json_extract(j, p)) IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string(j, p) END",
    {
      signature: 'json_extract_scalar(json, path)',
      duckdb: 'json_extract_string, NULL for objects and arrays',
      note: "NULL for text that is not JSON (Trino's JsonExtract returns NULL when parsing fails)",
    },
  ),
  // Keys sorted, as Trino writes json_parse's JSON (lib/query/duckdb/json-sorted.ts: a function of the engine).
  // Text that is not JSON fails as in Trino's JsonFunctions.jsonParse (DuckDB's json() gave NULL); try() gives NULL.
  m(
    'json_parse',
    ['s'],
    "CASE WHEN NOT json_valid(s) THEN error('Cannot convert value to JSON: ''' || s || '''') " +
      `ELSE ${SORTED_JSON} END`,
    {
      signature: 'json_parse(string)',
      duckdb: "json(s), its objects' keys sorted",
      note:
        'Trino writes the keys sorted: json_parse(\'{"b":1,"a":2}\') = json_parse(\'{"a":2,"b":1}\'); text that ' +
        'is not JSON fails (DuckDB: NULL)',
    },
  ),
  // The JSON's text: where it holds a double DuckDB writes otherwise than Java, refused (trino_json_java_numbers).
  m('json_format', ['j'], 'CAST(trino_json_java_numbers(j) AS VARCHAR)', { signature: 'json_format(json)' }),
  m(
    'json_size',
    ['j', 'p'],
    "CAST(CASE WHEN NOT json_valid(j) OR json_extract(j, p) IS NULL THEN NULL WHEN json_type(json_extract(j, p)) = 'ARRAY' THEN system.main.json_array_length(j, p) " +
      "WHEN json_type(json_extract(j, p)) = 'OBJECT' THEN len(json_keys(j, p)) ELSE 0 END AS BIGINT)",
    {
      signature: 'json_size(json, path)',
    },
  ),
  m(
    'json_array_get',
    ['j', 'i'],
    "CASE WHEN json_type(TRY_CAST(j AS JSON)) = 'ARRAY' THEN " +
      "json_extract(j, '$[' || CASE WHEN i >= 0 THEN CAST(i AS VARCHAR) ELSE '#' || CAST(i AS VARCHAR) END || ']') END",
    {
      signature: 'json_array_get(json_array, index)',
      duckdb: "json_extract(j, '$[i]'), '$[#-n]' from the end",
      note: 'index 0 is the first element, a negative one counts from the end; NULL beyond it or for a non-array',
    },
  ),
  m('is_json_scalar', ['j'], "json_type(CAST(j AS JSON)) NOT IN ('ARRAY', 'OBJECT')", {
    signature: 'is_json_scalar(json)',
    note: 'fails on text that is not JSON, as Trino',
  }),
];

/** A JSON object key with a capital letter (the JSON text's strings that a colon follows). */
const KEY_WITH_CAPITALS = '"(?:[^"\\\\]|\\\\.)*[A-Z](?:[^"\\\\]|\\\\.)*"\\s*:';

const NOT_LOCALLY = (what: string) =>
  `error('not supported by the local engine: CAST of JSON to a row ${what}: Athena reads it (a JSON array by ` +
  "position, keys in any case), DuckDB''s json_transform does not')";

/**
 * CAST(json AS ROW(…)) and CAST(json AS ARRAY(ROW(…))) (./casts.ts): json_transform, refused where Trino reads what
 * json_transform would read as NULL — a JSON array where a row is expected, a key with capitals (Trino matches row
 * fields case-insensitively).
 */
export const TRINO_JSON_ROWS: MacroDef[] = [
  m(
    'trino_json_row',
    ['j', 's'],
    `CASE WHEN json_type(j) = 'ARRAY' THEN ${NOT_LOCALLY('from a JSON array')} ` +
      `WHEN regexp_matches(CAST(j AS VARCHAR), '${KEY_WITH_CAPITALS}') THEN ${NOT_LOCALLY('with a key in capitals')} ` +
      'ELSE json_transform(j, s) END',
    { signature: 'CAST(json AS ROW(…))' },
  ),
  m(
    'trino_json_rows',
    ['j', 's'],
    "CASE WHEN list_bool_or(list_transform(json_extract(j, '$[*]'), e -> json_type(e) = 'ARRAY')) " +
      `THEN ${NOT_LOCALLY('from a JSON array')} ` +
      `WHEN regexp_matches(CAST(j AS VARCHAR), '${KEY_WITH_CAPITALS}') THEN ${NOT_LOCALLY('with a key in capitals')} ` +
      'ELSE json_transform(j, s) END',
    { signature: 'CAST(json AS ARRAY(ROW(…)))' },
  ),
];

/** json_parse inside try() (./calls.ts): NULL where json_parse fails, as Athena's try() answers. Internal. */
export const TRINO_TRY_JSON_PARSE: MacroDef = {
  name: 'trino_try_json_parse',
  overloads: [{ params: ['s'], body: `CASE WHEN json_valid(s) THEN ${SORTED_JSON} END` }],
  doc: [],
};

/** CAST(x AS JSON) (./calls.ts): internal, documented in docs/sql-dialect.md's prose. */
// Trino's JsonUtil writers: a string is a JSON string (DuckDB parses it as JSON), a decimal keeps its scale, a
// double or real is written as Java writes it (1.0E20, 0.1).
/**
 * DuckDB's names of the types Trino's CAST(… AS JSON) does not take, where they stand in a type's text as a type: at
 * its start or after `(`, `,` or a field's name, and before `[`, `,`, `)` or its end (a row's field named UUID is
 * followed by its type).
 */
const NOT_TO_JSON =
  '(^|[ (,])(BLOB|UUID|INTERVAL|TIME|TIME WITH TIME ZONE|TIMESTAMP WITH TIME ZONE)([\\[,)]|$)';

export const TRINO_CAST_JSON: MacroDef = m(
  'trino_cast_json',
  ['x'],
  "CASE WHEN typeof(x) = 'VARCHAR' THEN to_json(x) " +
    // Types Trino does not cast to JSON (JsonUtil.canCastToJson), alone or inside an array, map or row: DuckDB
    // would write bytes as escaped text, a time or an interval as text.
    `WHEN regexp_matches(typeof(x), '${NOT_TO_JSON}') THEN error('Cannot cast ' || replace(lower(typeof(x)), 'blob', 'varbinary') || ` +
    "' to json: Athena (Trino) fails this query; DuckDB would answer, so the local engine fails it too') " +
    // A row without field names is a JSON array in Trino ([1,"a"]), an object with empty keys in DuckDB.
    "WHEN regexp_matches(typeof(x), 'STRUCT\\((TIMESTAMP WITH|[A-Z_0-9]+[\\[(,)])') THEN error('not supported by the local engine: an unnamed ROW cast to " +
    'JSON: Athena writes a JSON array ([1,"a"]), DuckDB an object with empty keys; name its fields: ' +
    "CAST(CAST(r AS ROW(a BIGINT, b VARCHAR)) AS JSON) is an object on both') " +
    "WHEN typeof(x) LIKE 'DECIMAL%' THEN CAST(CAST(x AS VARCHAR) AS JSON) " +
    "WHEN typeof(x) IN ('DOUBLE', 'FLOAT') AND isfinite(TRY_CAST(x AS DOUBLE)) " +
    'THEN CAST(trino_float_text(CAST(x AS VARCHAR)) AS JSON) ' +
    // A map's keys sorted, as Trino writes them (not a row's fields, which keep their order: none inside).
    // A timestamp with its milliseconds, as Trino writes a timestamp(3) (DuckDB left out .000).
    "WHEN typeof(x) = 'TIMESTAMP' THEN to_json(trino_timestamp_text(CAST(x AS VARCHAR))) " +
    // Timestamps inside an array, map or row: DuckDB writes them without .000 and other fractions shorter.
    "WHEN typeof(x) LIKE '%TIMESTAMP%' AND regexp_matches(CAST(CAST(x AS JSON) AS VARCHAR), " +
    "'\"[0-9]{4,}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,2})?\"') THEN error('not supported by the " +
    'local engine: a timestamp inside an array, map or row cast to JSON: Athena writes it with its milliseconds ' +
    "(2026-11-24 09:30:00.000), DuckDB without; cast the timestamps to varchar first') " +
    // A decimal inside a map or row: DuckDB writes it as a double (1.50 as 1.5); Trino keeps its scale.
    "WHEN regexp_matches(typeof(x), '^(MAP|STRUCT)\\(.*DECIMAL') THEN error('not supported by the local engine: " +
    'a decimal inside a map or row cast to JSON: Athena writes it with its scale (1.50), DuckDB as a double (1.5); ' +
    "cast the decimals to varchar first, or to double on both') " +
    "WHEN typeof(x) LIKE 'MAP(%' AND typeof(x) NOT LIKE '%STRUCT%' " +
    'THEN trino_json_java_numbers(CAST(trino_json_sorted(CAST(CAST(x AS JSON) AS VARCHAR)) AS JSON)) ' +
    'ELSE trino_json_java_numbers(CAST(x AS JSON)) END',
  { signature: 'CAST(x AS JSON)' },
);

/**
 * json_transform's structure for a DuckDB type (STRUCT(a INTEGER, b VARCHAR)[] → [{"a":"INTEGER","b":"VARCHAR"}]):
 * the lenient reading Trino's CAST(json AS ROW(…)) is (a key the row does not name is skipped, a missing one is
 * NULL), where DuckDB's CAST of JSON to a STRUCT fails on either.
 */
export function jsonStructure(duckType: string): unknown {
  let i = 0;
  const t = duckType;
  const space = () => {
    while (t[i] === ' ') i++;
  };
  const name = (): string => {
    space();
    if (t[i] === '"') {
      const end = t.indexOf('"', i + 1);
      const n = t.slice(i + 1, end);
      i = end + 1;
      return n;
    }
    const start = i;
    while (i < t.length && /[A-Za-z0-9_]/.test(t[i]!)) i++;
    return t.slice(start, i);
  };
  const type = (): unknown => {
    space();
    const start = i;
    const head = name().toUpperCase();
    let value: unknown;
    if (head === 'STRUCT' && t[i] === '(') {
      i++;
      // Without a prototype: a field named __proto__ is a field like any other (on {}, it set the prototype).
      const fields = Object.create(null) as Record<string, unknown>;
      for (;;) {
        const field = name();
        fields[field] = type();
        space();
        if (t[i] === ',') i++;
        else break;
      }
      i++; // )
      value = fields;
    } else {
      // A scalar or a map: its text up to the end of its own parentheses.
      let depth = 0;
      while (i < t.length) {
        const c = t[i]!;
        if (c === '(') depth++;
        else if (c === ')') {
          if (depth === 0) break;
          depth--;
        } else if ((c === ',' || c === '[') && depth === 0) break;
        i++;
      }
      value = t.slice(start, i).trim();
    }
    while (t.slice(i, i + 2) === '[]') {
      i += 2;
      value = [value];
    }
    return value;
  };
  return type();
}

/** Functions whose second argument is a Trino JSON path (translated when it is a literal, jsonPathForDuckDb). */
export const JSON_PATH_FUNCTIONS = new Set(['json_extract', 'json_extract_scalar', 'json_size']);

/** Java's Character.isLetterOrDigit of one UTF-16 unit, or _ (and : in a key after a dot): Trino's unquoted key. */
const isKeyCharacter = (c: string, colon: boolean) =>
  c === '_' || (colon && c === ':') || /^[\p{L}\p{Nd}]$/u.test(c);

/**
 * A Trino JSON path (io.trino.operator.scalar.JsonPathTokenizer: `$`, then `.key` of letters, digits, `_` and `:`,
 * `[key]` of letters, digits and `_`, `["any key"]` with `\"` and `\\` escaped; no white space anywhere) as DuckDB's:
 * each key quoted (`$."a b"`), an index `[n]`. A path Trino refuses is { error } with its message ("Invalid JSON
 * path"), where DuckDB would read it (`$.user-id`, `$.a[-1]`, `$[*]`, ` $.a`, a JSON pointer). A key of digits after
 * a dot is read as a key, digits in brackets as an index (Trino reads each token as both, whichever the value is:
 * docs/sql-dialect.md); an empty key is refused by name (DuckDB's paths have none).
 */
export function jsonPathForDuckDb(path: string): { path: string } | { error: string } {
  const invalid = { error: `Invalid JSON path: '${path}'` };
  let i = 0;
  const word = (colon: boolean) => {
    const start = i;
    while (i < path.length && isKeyCharacter(path[i]!, colon)) i++;
    return path.slice(start, i);
  };
  const quoted = (key: string) => `."${key.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  if (path[i] !== '$') return invalid;
  i++;
  let out = '$';
  for (;;) {
    if (i >= path.length) return { path: out };
    if (path[i] === '.') {
      i++;
      const key = word(true);
      if (key === '') return invalid;
      out += quoted(key);
    } else if (path[i] === '[') {
      i++;
      if (path[i] === '"') {
        let key = '';
        for (i++; i < path.length && path[i] !== '"'; i++) {
          if (path[i] !== '\\') key += path[i];
          else if (path[i + 1] === '"' || path[i + 1] === '\\') key += path[++i];
          else return invalid;
        }
        if (path[i] !== '"') return invalid;
        i++;
        if (key === '')
          return {
            error: new LocalDialectError(
              `the JSON path '${path}' names an empty key, which Athena reads`,
              "DuckDB's paths have no empty key",
            ).message,
          };
        out += quoted(key);
      } else {
        const token = word(false);
        if (token === '') return invalid;
        out += /^[0-9]+$/.test(token) ? `[${token}]` : quoted(token);
      }
      if (path[i] !== ']') return invalid;
      i++;
    } else return invalid;
  }
}
