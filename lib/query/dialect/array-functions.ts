/** Trino's array and map functions as DuckDB macros, with Trino's NULL and index rules (lib/query/trino-compat.ts). */
import { compatMacro as m } from './compat-macro';
import type { MacroDef } from './macros';

/** The most maps of one local map_concat: a call of more is nested (./calls.ts). */
export const MAP_CONCAT_MOST = 8;

/** The distinct elements of x that y holds, in x's order of first occurrence; a NULL when both hold one. */
const intersectIn = (x: string, y: string) =>
  `list_filter(array_distinct(${x}), e -> CASE WHEN e IS NULL THEN list_count(${y}) < len(${y}) ELSE list_contains(${y}, e) END)`;

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
      // Each element as Trino's CAST to VARCHAR writes it (a double 1.0E10, a timestamp with milliseconds; an array
      // fails), where DuckDB's array_to_string wrote its own text (10000000000.0, 1e-05, no milliseconds).
      // Trino's ArrayJoin: NULL when an argument is NULL; '' when every element is NULL and skipped (DuckDB: NULL).
      {
        params: ['a', 'sep'],
        body:
          'CASE WHEN a IS NULL OR sep IS NULL THEN NULL ' +
          "ELSE coalesce(array_to_string(list_transform(a, e -> trino_cast_varchar(e)), sep), '') END",
      },
      {
        params: ['a', 'sep', 'nullrep'],
        body:
          'CASE WHEN a IS NULL OR sep IS NULL OR nullrep IS NULL THEN NULL ' +
          "ELSE coalesce(array_to_string(list_transform(a, e -> coalesce(trino_cast_varchar(e), nullrep)), sep), '') END",
      },
    ],
    doc: [
      {
        signature: 'array_join(array, delimiter [, null_replacement])',
        duckdb: 'array_to_string',
        note: "NULLs skipped ('' when all are); NULL when an argument is; each element as CAST(e AS VARCHAR) writes it, as Trino's",
      },
    ],
  },
  m(
    'element_at',
    ['c', 'k'],
    "CASE WHEN typeof(c) LIKE '%[]' AND TRY_CAST(k AS BIGINT) = 0 THEN error('SQL array indices start at 1') " +
      'ELSE c[k] END',
    {
      signature: 'element_at(array, index) / element_at(map, key)',
      duckdb: 'c[k]',
      note: 'negative index counts from the end; index 0 fails as in Trino (DuckDB: NULL)',
    },
  ),
  m(
    'array_position',
    ['a', 'x'],
    'CASE WHEN a IS NULL OR x IS NULL THEN NULL ELSE CAST(coalesce(list_position(a, x), 0) AS BIGINT) END',
    {
      signature: 'array_position(array, element)',
      duckdb: 'coalesce(list_position(a, x), 0)',
      note: '0 when absent; a bigint; NULL for a NULL element (DuckDB finds a NULL entry)',
    },
  ),
  m(
    'array_remove',
    ['a', 'x'],
    'CASE WHEN x IS NULL THEN NULL ELSE list_filter(a, e -> e IS DISTINCT FROM x) END',
    {
      signature: 'array_remove(array, element)',
      duckdb: 'list_filter(a, e -> e IS DISTINCT FROM x)',
      note: 'NULL for a NULL element',
    },
  ),
  // Trino's ArrayIntersectFunction walks the longer array (it swaps them when the first is shorter): the result is in
  // the longer one's order of first occurrence, the first's when they are as long.
  m(
    'array_intersect',
    ['a', 'b'],
    'CASE WHEN a IS NULL OR b IS NULL THEN NULL WHEN len(a) < len(b) THEN ' +
      intersectIn('b', 'a') +
      ' ELSE ' +
      intersectIn('a', 'b') +
      ' END',
    {
      signature: 'array_intersect(a, b)',
      duckdb: 'list_filter(array_distinct(a), e -> e in b)',
      note: "in the longer array's order of first occurrence (a's when as long), as Trino; a NULL is kept when both hold one (DuckDB drops it)",
    },
  ),
  // Trino's map_concat is NULL when any map is (its arguments are never-null); DuckDB's skips a NULL map.
  {
    name: 'map_concat',
    overloads: Array.from({ length: MAP_CONCAT_MOST - 1 }, (_, i) => i + 2).map((n) => {
      const params = Array.from({ length: n }, (_, i) => `m${i + 1}`);
      return {
        params,
        body:
          `CASE WHEN ${params.map((p) => `${p} IS NULL`).join(' OR ')} THEN NULL ` +
          `ELSE system.main.map_concat(${params.join(', ')}) END`,
      };
    }),
    doc: [
      {
        signature: 'map_concat(map1, map2, …)',
        duckdb: 'map_concat (of 2 to 8 maps; more are nested)',
        note: 'NULL when any map is NULL, as Trino (DuckDB skips a NULL map); a later key wins',
      },
    ],
  },
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
  // io.trino.operator.scalar.ArraySliceFunction: a negative start counts from the end; nothing before the first.
  m(
    'slice',
    ['a', 's', 'n'],
    "CASE WHEN n < 0 THEN error('length must be greater than or equal to 0') " +
      "WHEN s = 0 THEN error('SQL array indices start at 1') " +
      'WHEN (CASE WHEN s < 0 THEN len(a) + s + 1 ELSE s END) < 1 THEN list_slice(a, 1, 0) ' +
      'ELSE list_slice(a, (CASE WHEN s < 0 THEN len(a) + s + 1 ELSE s END), least((CASE WHEN s < 0 THEN len(a) + s + 1 ELSE s END) + n, len(a) + 1) - 1) END',
    {
      signature: 'slice(array, start, length)',
      duckdb: 'list_slice(a, s, s + n - 1)',
      note: 'a start of 0 or a negative length fails as in Trino; a negative start counts from the end',
    },
  ),
  // Trino's map_entries gives array(row(K, V)), rows of fields without names (Athena writes {field0=…, field1=…});
  // DuckDB's names them key and value.
  m('map_entries', ['m'], 'list_transform(system.main.map_entries(m), e -> row(e.key, e.value))', {
    signature: 'map_entries(map)',
    duckdb: 'map_entries(m) as rows without field names',
    note: "rows without field names, array(row(K, V)) as Trino's (DuckDB's fields are key and value)",
  }),
];
