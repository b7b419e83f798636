/**
 * Trino's string functions where DuckDB's take other argument types or answer where Trino fails: the names calls.ts
 * gives them (trino_…), internal macros like ./macros.ts's helpers; and those Athena calls by DuckDB's own name with
 * other arguments (STRING_FUNCTIONS, in lib/query/trino-compat.ts's list).
 */
import type { MacroDef } from './macros';

const helper = (name: string, params: string[], body: string): MacroDef => ({
  name,
  overloads: [{ params, body }],
  doc: [],
});

export const STRING_HELPERS: MacroDef[] = [
  // chr(n): Trino's takes a bigint, DuckDB's an integer (no function matched a bigint column).
  helper('trino_chr', ['n'], 'chr(CAST(n AS INTEGER))'),
  // lpad and rpad with Trino's failures (StringFunctions.pad), where DuckDB's answer '' and the text.
  ...['lpad', 'rpad'].map((pad) =>
    helper(
      `trino_${pad}`,
      ['s', 'n', 'p'],
      "CASE WHEN n < 0 OR n > 2147483647 THEN error('Target length must be in the range [0..2147483647]') " +
        `WHEN p = '' THEN error('Padding string must not be empty') ELSE ${pad}(s, CAST(n AS INTEGER), p) END`,
    ),
  ),
];

/** The first of a text's occurrences of sub, overlapping ones counted, by code point (1-based); [] for a NULL. */
const OCCURRENCES = 'list_filter(range(1, length(s) + 1), i -> system.main.substr(s, i, length(sub)) = sub)';

export const STRING_FUNCTIONS: MacroDef[] = [
  {
    // upper(s): Trino's maps each code point with Java's Character.toUpperCase, which keeps ß (it has no one-letter
    // capital); DuckDB's makes it ẞ (U+1E9E). The rest of the text is DuckDB's upper (the same letters for the
    // code points Java's Unicode version knows).
    name: 'upper',
    overloads: [
      {
        params: ['s'],
        body:
          // upper(s) bound first: an argument of another type fails naming upper, not the helpers.
          "CASE WHEN system.main.upper(s) IS NULL THEN NULL WHEN system.main.contains(s, 'ß') " +
          "THEN array_to_string(list_transform(string_split(s, 'ß'), p -> system.main.upper(p)), 'ß') " +
          'ELSE system.main.upper(s) END',
      },
    ],
    doc: [
      {
        signature: 'upper(string)',
        duckdb: 'upper(s), ß kept',
        note: "ß stays ß, as Java's Character.toUpperCase leaves it (DuckDB writes ẞ)",
      },
    ],
  },
  {
    // strpos(s, sub, instance): Trino's (StringFunctions.stringPosition) n-th occurrence, overlapping ones counted,
    // from the end for a negative instance; 0 when there are fewer; an empty sub is at 1. DuckDB's takes two
    // arguments only.
    name: 'strpos',
    overloads: [
      { params: ['s', 'sub'], body: 'system.main.strpos(s, sub)' },
      {
        params: ['s', 'sub', 'n'],
        body:
          'CASE WHEN s IS NULL OR sub IS NULL OR n IS NULL THEN NULL ' +
          "WHEN n = 0 THEN error('''instance'' must be a positive or negative number.') " +
          "WHEN sub = '' THEN CAST(1 AS BIGINT) " +
          `ELSE coalesce(list_extract(${OCCURRENCES}, n), 0) END`,
      },
    ],
    doc: [
      {
        signature: 'strpos(string, substring [, instance])',
        duckdb: 'strpos(s, sub); the n-th of the positions where sub starts',
        note: 'the n-th occurrence, overlapping ones counted, from the end for a negative n; 0 fails (DuckDB has no instance)',
      },
    ],
  },
];
