/** Trino's aggregate functions where DuckDB has none of the name or another meaning (lib/query/trino-compat.ts). */
import { compatMacro as m } from './compat-macro';
import type { MacroDef } from './macros';

export const AGGREGATE_FUNCTIONS: MacroDef[] = [
  {
    name: 'approx_distinct',
    overloads: [
      { params: ['x'], body: 'count(DISTINCT x)' },
      { params: ['x', 'e'], body: 'count(DISTINCT x)' },
    ],
    doc: [
      {
        signature: 'approx_distinct(x [, e])',
        duckdb: 'count(DISTINCT x)',
        note: "exact locally (Athena's estimate is within 2.3% of it); DuckDB's own HyperLogLog is much coarser",
      },
    ],
  },
  {
    name: 'approx_percentile',
    overloads: [
      { params: ['x', 'p'], body: 'approx_quantile(x, p)' },
      { params: ['x', 'w', 'p'], body: 'trino_weighted_percentile(list(struct_pack(v := x, w := w)), p)' },
    ],
    doc: [
      {
        signature: 'approx_percentile(x, p) / approx_percentile(x, ARRAY[p1, p2])',
        duckdb: 'approx_quantile(x, p)',
        note: "T-Digest, as Athena's: both approximate the same percentile within their documented error",
      },
      {
        signature: 'approx_percentile(x, w, p)',
        duckdb: 'the exact weighted percentile',
        note: 'the smallest x whose cumulative weight reaches p of the total: the value Athena approximates',
      },
    ],
  },
  m('map_agg', ['k', 'v'], 'map(list(k), list(v))', { signature: 'map_agg(key, value)' }),
];
