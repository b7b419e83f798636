/** Trino's aggregate functions where DuckDB has none of the name or another meaning (lib/query/trino-compat.ts). */
import { compatMacro as m } from './compat-macro';
import type { MacroDef } from './macros';

const NAN = "CAST('NaN' AS DOUBLE)";

/** A pair of corr(y, x) and its kin holding NaN or an infinity (NULL when y or x is NULL: no pair). */
const NOT_FINITE_PAIR =
  'CASE WHEN y IS NOT NULL AND x IS NOT NULL THEN NOT (isfinite(CAST(y AS DOUBLE)) AND isfinite(CAST(x AS DOUBLE))) END';

/** DuckDB's aggregate over the finite pairs. */
const finitePairs = (name: string) =>
  `system.main.${name}(y, x) FILTER (WHERE isfinite(CAST(y AS DOUBLE)) AND isfinite(CAST(x AS DOUBLE)))`;

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
  // Trino's map_agg (AbstractMapAggregationState): a row with a NULL key is skipped, a key seen already keeps its
  // first value; DuckDB's map() of the lists failed on both ("Map keys can not be NULL", "must be unique").
  m(
    'map_agg',
    ['k', 'v'],
    'trino_first_entries(list(struct_pack(k := k, v := v)) FILTER (WHERE k IS NOT NULL))',
    {
      signature: 'map_agg(key, value)',
      note: 'rows with a NULL key are skipped; a key given twice keeps its first value',
    },
  ),
  m('count_if', ['b'], 'count(CASE WHEN b THEN 1 END)', {
    signature: 'count_if(condition)',
    note: '0 when no row holds (DuckDB: NULL over no rows or only NULL conditions)',
  }),
  m('every', ['b'], 'bool_and(b)', { signature: 'every(condition)', note: "Trino's alias of bool_and" }),
  m('arbitrary', ['x'], 'any_value(x)', {
    signature: 'arbitrary(x)',
    note: "a non-NULL value when there is one (DuckDB's arbitrary is first(), which may be NULL)",
  }),
  ...(['max', 'min'] as const).map((end): MacroDef => ({
    name: `${end}_by`,
    overloads: [
      { params: ['x', 'y'], body: `arg_${end}_null(x, y)` },
      {
        params: ['x', 'y', 'n'],
        // Trino checks n as the first row with a non-NULL y enters (MaxByNStateFactory, MinByNStateFactory).
        body:
          `CASE WHEN count(y) > 0 AND n <= 0 THEN error('third argument of ${end}_by must be a positive integer') ` +
          `WHEN count(y) > 0 AND n > 10000 THEN error('third argument of ${end}_by must be less than or equal to ` +
          `10000; found ' || n) ELSE ` +
          `list_transform(list_slice(list_sort(list({'y': y, 'x': x}) FILTER (WHERE y IS NOT NULL), ` +
          `'${end === 'max' ? 'DESC' : 'ASC'}'), 1, n), e -> e.x) END`,
      },
    ],
    doc: [
      {
        signature: `${end}_by(x, y [, n])`,
        duckdb: `arg_${end}_null(x, y); the n form sorts list({y, x})`,
        note:
          `x of the row with the ${end === 'max' ? 'largest' : 'smallest'} y, also when that x is NULL (DuckDB's arg_${end} skips rows whose x is NULL); ` +
          `an n below 1 or above 10000 fails, as in Trino (third argument of ${end}_by must be a positive integer; list_slice would answer)`,
      },
    ],
  })),
  // Trino's corr, regr_slope and regr_intercept answer NULL where the result is not finite
  // (DoubleCorrelationAggregation, DoubleRegressionAggregation): a pair holding NaN or an infinity makes it so, and
  // so does a constant column or one pair. DuckDB answers NaN there, and fails on an infinite value ("STDDEV_POP …
  // is out of range"): its aggregate reads the finite pairs only, and a pair that is not is NULL.
  ...(['corr', 'regr_slope', 'regr_intercept'] as const).map((name) =>
    m(
      name,
      ['y', 'x'],
      `CASE WHEN bool_or(${NOT_FINITE_PAIR}) THEN NULL WHEN isfinite(${finitePairs(name)}) ` +
        `THEN ${finitePairs(name)} END`,
      {
        signature: `${name}(y, x)`,
        duckdb: `${name}(y, x) over finite pairs, NULL when not finite`,
        note: 'NULL where the answer is not finite (a constant column, one pair, an infinity or NaN), as Trino (DuckDB: NaN, or an out-of-range error)',
      },
    ),
  ),
  // Trino's kurtosis of four or more equal values is NaN (0/0: CentralMomentsAggregation), DuckDB's NULL.
  m(
    'kurtosis',
    ['x'],
    `CASE WHEN count(x) >= 4 AND var_pop(x) = 0 THEN ${NAN} ELSE system.main.kurtosis(x) END`,
    {
      signature: 'kurtosis(x)',
      duckdb: 'kurtosis(x), NaN for equal values',
      note: 'NaN for four or more equal values, as Trino (DuckDB: NULL); NULL under 4 values',
    },
  ),
  m('skewness', ['x'], 'system.main.skewness(x) * (count(x) - 2) / sqrt(count(x) * (count(x) - 1))', {
    signature: 'skewness(x)',
    duckdb: 'skewness(x) · (n − 2) / √(n(n − 1))',
    note: "the population skewness √n·m3/m2^1.5, as Trino computes it (DuckDB's is the sample-adjusted one); NULL under 3 values",
  }),
];
