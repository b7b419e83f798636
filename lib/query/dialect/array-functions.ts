/** Trino's array and map functions as DuckDB macros, with Trino's NULL and index rules (lib/query/trino-compat.ts). */
import { compatMacro as m } from './compat-macro';
import type { MacroDef } from './macros';

export const ARRAY_FUNCTIONS: MacroDef[] = [
  m(
    'cardinality',
    ['x'],
    "CAST(CASE json_type(to_json(x)) WHEN 'ARRAY' THEN json_array_length(to_json(x)) WHEN 'OBJECT' THEN len(json_keys(to_json(x))) END AS BIGINT)",
    { signature: 'cardinality(array | map)' },
  ),
  {
    name: 'array_join',
    overloads: [
      { params: ['a', 'sep'], body: 'array_to_string(a, sep)' },
      {
        params: ['a', 'sep', 'nullrep'],
        body: 'array_to_string(list_transform(a, e -> coalesce(CAST(e AS VARCHAR), nullrep)), sep)',
      },
    ],
    doc: [
      {
        signature: 'array_join(array, delimiter [, null_replacement])',
        duckdb: 'array_to_string',
        note: 'NULLs skipped',
      },
    ],
  },
  m('element_at', ['c', 'k'], 'c[k]', {
    signature: 'element_at(array, index) / element_at(map, key)',
    note: 'negative index counts from the end',
  }),
  m('array_position', ['a', 'x'], 'coalesce(list_position(a, x), 0)', {
    signature: 'array_position(array, element)',
    note: '0 when absent',
  }),
  m('array_remove', ['a', 'x'], 'list_filter(a, e -> e IS DISTINCT FROM x)', {
    signature: 'array_remove(array, element)',
  }),
  // Trino keeps each element at its first occurrence and a NULL once (DuckDB's list_distinct reorders, drops NULL).
  m(
    'array_union',
    ['a', 'b'],
    'CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE array_distinct(list_concat(a, b)) END',
    {
      signature: 'array_union(a, b)',
      duckdb: 'array_distinct(list_concat(a, b))',
      note: 'in the order of first occurrence, NULL kept once; NULL when either array is NULL',
    },
  ),
  m(
    'array_except',
    ['a', 'b'],
    'CASE WHEN b IS NULL THEN NULL ELSE list_filter(array_distinct(a), ' +
      'e -> CASE WHEN e IS NULL THEN list_count(b) = len(b) ELSE NOT list_contains(b, e) END) END',
    {
      signature: 'array_except(a, b)',
      duckdb: 'list_filter(array_distinct(a), e -> e not in b)',
      note: "in a's order of first occurrence; a NULL is kept unless b holds one",
    },
  ),
  m(
    'repeat',
    ['x', 'n'],
    "CASE WHEN n < 0 THEN error('Count argument of repeat function must be greater than or equal to 0') " +
      "WHEN n > 10000 THEN error('Count argument of repeat function must be less than or equal to 10000') " +
      'ELSE list_transform(range(n), i -> x) END',
    {
      signature: 'repeat(element, count)',
      duckdb: 'list_transform(range(count), i -> element)',
      note: "an array of count elements (DuckDB's repeat('ab', 2) is the string abab); count 0 to 10,000",
    },
  ),
  m('slice', ['a', 's', 'n'], 'list_slice(a, s, s + n - 1)', { signature: 'slice(array, start, length)' }),
];
