/**
 * Trino's string functions where DuckDB's take other argument types or answer where Trino fails: the names calls.ts
 * gives them (trino_…), internal macros like ./macros.ts's helpers.
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
