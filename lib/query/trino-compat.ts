/**
 * Athena (Trino) SQL on DuckDB: the compatibility layer of the local query engine. docs/sql-dialect.md lists what
 * it covers and where DuckDB still differs.
 *
 *  - TRINO_MACROS: DuckDB TEMP macros (per connection) named like the Trino functions analysts type. A temp macro
 *    shadows a DuckDB built-in of the same name; a macro that needs that built-in calls it as system.main.<name>.
 *  - toDuckDbSql: token-level rewrites of a checked statement (lib/query/sql-guard/ tokenizer, so strings and
 *    comments are never touched): Trino lambda functions transform/filter → list_transform/list_filter, and the
 *    target types of CAST/TRY_CAST (ARRAY(T) → T[], ROW(a T) → STRUCT(a T), TIMESTAMP(3) → TIMESTAMP).
 *  - Integer division is Trino's (7 / 2 = 3): the engine sets DuckDB's integer_division before locking its
 *    configuration.
 */
import { AGGREGATE_FUNCTIONS } from './dialect/aggregate-functions';
import { ARRAY_FUNCTIONS } from './dialect/array-functions';
import { BINARY_FUNCTIONS } from './dialect/binary-functions';
import { compatMacro as m } from './dialect/compat-macro';
import { MATH_FUNCTIONS } from './dialect/math-functions';
import {
  JSON_FUNCTIONS,
  TRINO_CAST_JSON,
  TRINO_JSON_ROWS,
  TRINO_TRY_JSON_PARSE,
  TRINO_JSON_JAVA_NUMBERS,
} from './dialect/json-functions';
import { DATETIME_FUNCTIONS } from './dialect/datetime-functions';
import { SEQUENCE_HELPERS, SEQUENCE_MACRO } from './dialect/sequences';
import { STRING_FUNCTIONS, STRING_HELPERS } from './dialect/string-helpers';
import { DIALECT_MACROS, type CompatFunction, type MacroDef } from './dialect/macros';
import { toDuckDbSql as rewriteForDuckDb } from './dialect/rewrite';
import { erroringMacros, refuseErrorsInsideTry } from './dialect/try';
import { URL_FUNCTIONS } from './dialect/url-functions';

export type { CompatFunction, MacroDef };

/**
 * Java's whitespace (Character.isWhitespace), which Trino's trim removes: U+0009–U+000D, U+001C–U+001F and the
 * space, line and paragraph separators but the non-breaking ones (U+00A0, U+2007, U+202F).
 */
const JAVA_WHITESPACE = [
  ...[0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x1680],
  ...[0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2008, 0x2009, 0x200a],
  ...[0x2028, 0x2029, 0x205f, 0x3000],
]
  .map((c) => `chr(${c})`)
  .join(' || ');

/** Trino's split(string, delimiter) (the split macro below). */
const SPLIT =
  "CASE WHEN s IS NULL OR d IS NULL THEN NULL WHEN d = '' THEN error('The delimiter may not be the empty string') " +
  "WHEN s = '' THEN [''] " +
  'ELSE string_split(s, d) END';

/** The distinct characters (code points) of levenshtein_distance's two strings, in a fixed order. */
const DISTINCT_CHARS = "list_sort(list_distinct(string_split(a || b, '')))";

/** A string of levenshtein_distance ('' splits into [''], skipped) with each character as the ASCII character of its place in DISTINCT_CHARS. */
const asAscii = (v: string) =>
  `array_to_string(list_transform(list_filter(string_split(${v}, ''), ch -> ch <> ''), ` +
  `ch -> chr(list_position(${DISTINCT_CHARS}, ch))), '')`;

/** The matches of p in s as Trino finds them (DuckDB's regexp_extract_all keeps an empty match after a match). */
const MATCHES = 'system.main.regexp_extract_all(s, p)';

const REPLACE_DIFFERENCE =
  'Athena (Joni) also replaces an empty match right after another match, the local engine (RE2) skips it';
const SPLIT_DIFFERENCE =
  'Athena (Joni) splits at every empty match, with an empty piece at each end, the local engine (RE2) otherwise';

/** The refusal of a pattern's empty match, which Joni (Trino) and RE2 treat differently (`what`: how). */
const EMPTY_MATCH_REFUSAL = (fn: string, what: string) =>
  `'not supported by the local engine: ${fn} with a pattern that matches empty text here: ${what}; use a pattern ` +
  "that cannot match empty text (a+ for a*)'";

/** The most arguments the variadic macros (concat, greatest, least) take. */
const VARIADIC_MAX = 16;

export const TRINO_MACROS: MacroDef[] = [
  ...AGGREGATE_FUNCTIONS,
  ...DATETIME_FUNCTIONS,
  // Strings and regular expressions
  m('regexp_like', ['s', 'p'], 'regexp_matches(s, p)', { signature: 'regexp_like(string, pattern)' }),
  {
    name: 'regexp_extract',
    overloads: [
      {
        params: ['s', 'p'],
        body: 'CASE WHEN regexp_matches(s, p) THEN system.main.regexp_extract(s, p) END',
      },
      {
        params: ['s', 'p', 'g'],
        // The first match's group: NULL when the group took no part in it, an error when the pattern has no such
        // group (Trino's JoniRegexpFunctions.regexpExtract: validateGroup, then beg == -1 → NULL); DuckDB's
        // regexp_extract gives '' for both.
        // The group is checked before the search, so also where nothing matches: a match of the empty text
        // ('(?:p)|' always has one) makes DuckDB check it.
        body:
          "CASE WHEN g < 0 THEN error('Group cannot be negative') " +
          "WHEN s IS NOT NULL AND len(system.main.regexp_extract_all('', '(?:' || p || ')|', g)) < 0 THEN NULL " +
          'ELSE list_extract(system.main.regexp_extract_all(s, p, g), 1) END',
      },
    ],
    doc: [
      {
        signature: 'regexp_extract(string, pattern [, group])',
        duckdb: 'regexp_extract_all(s, p, g)[1], NULL when nothing matches',
        note: "DuckDB's returns '' when nothing matches or the group took no part, and for a group the pattern lacks",
      },
    ],
  },
  {
    name: 'regexp_replace',
    overloads: [
      { params: ['s', 'p'], body: "system.main.regexp_replace(s, p, '', 'g')" },
      {
        params: ['s', 'p', 'r'],
        // r is already in RE2's syntax: the rewrite translates Trino's (lib/query/dialect/regexp.ts). An empty
        // match right after another match is replaced by Joni (Trino) and skipped by RE2 ('baaa', 'a*', '-': -b--
        // on Athena, -b- here): refused where the matches (in Trino's order: regexp_extract_all's) have one.
        body:
          `CASE WHEN r <> '' AND list_contains(list_transform(list_zip(${MATCHES}[:-2], ${MATCHES}[2:]), ` +
          `m -> m[1] <> '' AND m[2] = ''), true) THEN error(${EMPTY_MATCH_REFUSAL('regexp_replace', REPLACE_DIFFERENCE)}) ` +
          "ELSE system.main.regexp_replace(s, p, r, 'g') END",
      },
    ],
    doc: [
      {
        signature: 'regexp_replace(string, pattern [, replacement])',
        duckdb: "regexp_replace(s, p, r, 'g'), r translated to RE2's syntax",
        note:
          'every match; $1 and ${name} are groups, \\1 is a literal 1 (Trino); the replacement must be a literal; ' +
          'an empty match right after another is refused with a replacement (Joni replaces it, RE2 skips it)',
      },
    ],
  },
  m('regexp_count', ['s', 'p'], 'len(regexp_extract_all(s, p))', {
    signature: 'regexp_count(string, pattern)',
  }),
  m(
    'regexp_split',
    ['s', 'p'],
    "CASE WHEN s = '' THEN [''] " +
      `WHEN list_contains(${MATCHES}, '') THEN error(${EMPTY_MATCH_REFUSAL('regexp_split', SPLIT_DIFFERENCE)}) ` +
      'ELSE string_split_regex(s, p) END',
    {
      signature: 'regexp_split(string, pattern)',
      duckdb: 'string_split_regex(s, p)',
      note: "'' gives [''] (DuckDB: []); a pattern that matches empty text in s is refused",
    },
  ),
  {
    name: 'replace',
    overloads: [
      { params: ['s', 'f'], body: "system.main.replace(s, f, '')" },
      {
        params: ['s', 'f', 'r'],
        // An empty search: the replacement before every character and at the end (Trino's StringFunctions.replace),
        // as RE2's global replace of an empty pattern puts it. The search as a literal pattern, backslashes in the
        // replacement as themselves. s stands once: a body naming it in three branches was copied 3^d times in calls
        // nested d deep (text cleaning nests replace()), and eight did not finish planning in minutes.
        body: "system.main.regexp_replace(s, regexp_escape(f), system.main.replace(r, '\\', '\\\\'), 'g')",
      },
    ],
    doc: [
      {
        signature: 'replace(string, search [, replace])',
        duckdb: "regexp_replace(s, regexp_escape(f), r, 'g') (replace(s, f, '') when omitted)",
        note: "an empty search puts the replacement around every character ('abc', '', '-' → -a-b-c-; DuckDB: abc)",
      },
    ],
  },
  ...['substr', 'substring'].map((name): MacroDef => ({
    name,
    // Trino's positions (io.trino.operator.scalar.StringFunctions.substr): a start of 0, a length of 0 or less, or
    // a negative start before the beginning gives '' (DuckDB's counts a start of 0 or before the beginning as
    // positions before the first character, and a negative length backwards); otherwise DuckDB's answer, which
    // is Trino's. NULL in, NULL out.
    overloads: [
      {
        params: ['s', 'st'],
        body:
          "CASE WHEN st = 0 OR (st < 0 AND -st > length(s)) THEN (CASE WHEN s IS NOT NULL THEN '' END) " +
          'ELSE system.main.substr(s, st) END',
      },
      {
        params: ['s', 'st', 'n'],
        body:
          'CASE WHEN st = 0 OR n <= 0 OR (st < 0 AND -st > length(s)) ' +
          "THEN (CASE WHEN s IS NOT NULL AND st IS NOT NULL AND n IS NOT NULL THEN '' END) " +
          'ELSE system.main.substr(s, st, n) END',
      },
    ],
    doc: [
      {
        signature: `${name}(string, start [, length])`,
        duckdb: "substr, with Trino's positions",
        note: "a start of 0, a length ≤ 0 or a negative start before the beginning give '' (DuckDB's counts back from position 1)",
      },
    ],
  })),
  // Trino's NULL and bound rules where DuckDB's built-in of the same name has others.
  {
    // Trino's split always gives the text after the last delimiter, '' included: split('', ',') is [''].
    name: 'split',
    overloads: [
      { params: ['s', 'd'], body: SPLIT },
      {
        params: ['s', 'd', 'n'],
        body:
          "CASE WHEN s IS NULL OR d IS NULL OR n IS NULL THEN NULL WHEN n <= 0 THEN error('Limit must be positive') " +
          'WHEN len(split(s, d)) <= n THEN split(s, d) ' +
          'ELSE list_concat(split(s, d)[1:n - 1], [array_to_string(split(s, d)[n:], d)]) END',
      },
    ],
    doc: [
      {
        signature: 'split(string, delimiter [, limit])',
        duckdb: 'string_split',
        note: "'' gives [''] (DuckDB: []); an empty delimiter fails (DuckDB splits into characters); the last of limit fields holds the rest",
      },
    ],
  },
  {
    name: 'split_part',
    overloads: [
      {
        params: ['s', 'd', 'i'],
        body:
          "CASE WHEN i <= 0 THEN error('Index must be greater than zero') " +
          "WHEN i > (CASE WHEN s = '' AND d <> '' THEN 1 ELSE len(string_split(s, d)) END) THEN NULL " +
          'ELSE system.main.split_part(s, d, i) END',
      },
    ],
    doc: [
      {
        signature: 'split_part(string, delimiter, index)',
        duckdb: 'split_part',
        note: "NULL past the last field (DuckDB: ''); an index of 0 or less fails (DuckDB counts from the end); split_part('', d, 1) is ''",
      },
    ],
  },
  // trim, ltrim, rtrim of one argument remove Java's whitespace as Trino does (airlift SliceUtf8:
  // Character.isWhitespace — tab, newline, CR, form feed, …, Unicode spaces but the non-breaking ones); DuckDB's
  // remove spaces only. With a set of characters both remove those.
  ...(['trim', 'ltrim', 'rtrim'] as const).map((name): MacroDef => ({
    name,
    overloads: [
      { params: ['s'], body: `system.main.${name}(s, ${JAVA_WHITESPACE})` },
      { params: ['s', 'c'], body: `system.main.${name}(s, c)` },
    ],
    doc: [
      {
        signature: `${name}(string [, characters])`,
        duckdb: `${name}(s, <Java's whitespace>)`,
        note: "tab, newline, CR, … and Unicode spaces as Trino's (Java's) whitespace; DuckDB's removes spaces only",
      },
    ],
  })),
  ...(['concat', 'greatest', 'least'] as const).map((name): MacroDef => ({
    name,
    // 2 to VARIADIC_MAX arguments, each overload NULL as soon as one argument is NULL.
    overloads: Array.from({ length: VARIADIC_MAX - 1 }, (_, i) => {
      const params = Array.from({ length: i + 2 }, (_, j) => `a${j + 1}`);
      return {
        params,
        body: `CASE WHEN ${params.map((p) => `${p} IS NULL`).join(' OR ')} THEN NULL ELSE system.main.${name}(${params.join(', ')}) END`,
      };
    }),
    doc: [
      {
        signature: `${name}(value1, value2, …)`,
        duckdb: name,
        note: `NULL when any argument is NULL (DuckDB's skips NULLs); 2 to ${VARIADIC_MAX} arguments`,
      },
    ],
  })),
  m(
    'contains',
    ['a', 'x'],
    'CASE WHEN a IS NULL OR x IS NULL THEN NULL WHEN list_contains(a, x) THEN true ' +
      'WHEN list_count(a) < len(a) THEN NULL ELSE false END',
    {
      signature: 'contains(array, element)',
      duckdb: 'list_contains',
      note: 'NULL when the element is not found and the array holds a NULL (DuckDB: false); arrays only, as Trino',
    },
  ),
  m('mod', ['a', 'b'], 'trino_mod(a, b)', {
    signature: 'mod(n, m)',
    duckdb: 'a % b (see division)',
    note: "an integer or decimal m of 0 fails with 'Division by zero' (DuckDB: NULL); a double's is NaN",
  }),
  m(
    'array_distinct',
    ['a'],
    // Each element at its first occurrence, a NULL once (DuckDB's list_distinct drops NULLs and reorders).
    'list_filter(a, (x, i) -> CASE WHEN x IS NULL THEN list_count(a[1:i - 1]) = i - 1 ' +
      'ELSE NOT list_contains(a[1:i - 1], x) END)',
    {
      signature: 'array_distinct(array)',
      duckdb: 'list_filter over first occurrences',
      note: "in the order of first occurrence, NULL kept once (DuckDB's list_distinct reorders and drops NULL)",
    },
  ),
  ...(['array_max', 'array_min'] as const).map((name) =>
    m(name, ['a'], `CASE WHEN list_count(a) < len(a) THEN NULL ELSE list_${name.slice(6)}(a) END`, {
      signature: `${name}(array)`,
      duckdb: `list_${name.slice(6)}`,
      note: 'NULL when the array holds a NULL (DuckDB skips it)',
    }),
  ),
  // Its argument's type is judged with the query's types (lib/query/duckdb/argument-types.ts): varchar(1) only.
  m('codepoint', ['c'], 'unicode(c)', { signature: 'codepoint(char)' }),
  // DuckDB's levenshtein counts bytes; Trino's code points. Text beyond ASCII is mapped, code point by code point,
  // to one ASCII character each (at most 127 distinct code points in the two strings).
  m(
    'levenshtein_distance',
    ['a', 'b'],
    // Trino's bound on the work (StringFunctions.levenshteinDistance): the longer times the shorter less one.
    'CASE WHEN greatest(length(a), length(b)) * (least(length(a), length(b)) - 1) > 1000000 THEN ' +
      "error('The combined inputs for Levenshtein distance are too large') " +
      "WHEN NOT regexp_matches(a || b, '[^\\x00-\\x7F]') THEN levenshtein(a, b) " +
      `WHEN len(${DISTINCT_CHARS}) > 127 THEN error('levenshtein_distance: the local lake compares at most 127 ` +
      "distinct characters beyond ASCII') " +
      `ELSE levenshtein(${asAscii('a')}, ${asAscii('b')}) END`,
    {
      signature: 'levenshtein_distance(a, b)',
      duckdb: 'levenshtein(a, b) over code points',
      note: "counts code points, as Trino (DuckDB's counts bytes: 'café' and 'cafe' are 2 apart)",
    },
  ),
  // DuckDB's hamming counts bytes; Trino's (StringFunctions.hammingDistance) code points, and refuses strings of
  // different lengths in code points.
  m(
    'hamming_distance',
    ['a', 'b'],
    'CASE WHEN a IS NULL OR b IS NULL THEN NULL WHEN length(a) <> length(b) THEN ' +
      "error('The input strings to hamming_distance function must have the same length') " +
      "WHEN a = '' THEN 0 WHEN NOT regexp_matches(a || b, '[^\\x00-\\x7F]') THEN hamming(a, b) " +
      "ELSE len(list_filter(list_zip(string_split(a, ''), string_split(b, '')), p -> p[1] <> p[2])) END",
    {
      signature: 'hamming_distance(a, b)',
      duckdb: 'hamming(a, b) over code points',
      note: "counts code points, as Trino (DuckDB's counts bytes: 'naïve' and 'naive' are of different lengths)",
    },
  ),
  ...STRING_FUNCTIONS,
  ...URL_FUNCTIONS,
  ...JSON_FUNCTIONS,
  ...ARRAY_FUNCTIONS,
  SEQUENCE_MACRO,
  ...MATH_FUNCTIONS,
  ...BINARY_FUNCTIONS,
];

/** The macros the rewrites call (trino_…), before the Athena functions that may call them. */
const INTERNAL_MACROS = [
  ...DIALECT_MACROS,
  ...STRING_HELPERS,
  ...SEQUENCE_HELPERS,
  TRINO_JSON_JAVA_NUMBERS,
  TRINO_CAST_JSON,
  TRINO_TRY_JSON_PARSE,
  ...TRINO_JSON_ROWS,
];

/** The CREATE TEMP MACRO statements the local engine runs on each connection. */
export function macroStatements(): string[] {
  return [...INTERNAL_MACROS, ...TRINO_MACROS].map(
    (d) =>
      `CREATE OR REPLACE TEMP MACRO ${d.name}` +
      d.overloads.map((o) => `(${o.params.join(', ')}) AS ${o.body}`).join(', '),
  );
}

/** Rows of the documentation table (docs/sql-dialect.md is written from the same list). */
export function compatFunctionDocs(): CompatFunction[] {
  return [...TRINO_MACROS, ...DIALECT_MACROS].flatMap((d) => d.doc);
}

/** The macros whose expansion can raise error() (refused inside try(): ./dialect/try.ts). */
const ERRORING = erroringMacros(
  new Map([...INTERNAL_MACROS, ...TRINO_MACROS].map((d) => [d.name, d.overloads.map((o) => o.body)])),
);

/** A checked statement as the local engine runs it on DuckDB (./dialect/rewrite.ts, then the try() check). */
export const toDuckDbSql = (sql: string): string => refuseErrorsInsideTry(rewriteForDuckDb(sql), ERRORING);
