/**
 * The chart of a query result: the dimension and measure chosen automatically (lib/chart-choice.ts), bar or line,
 * all three switchable.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Cell, ResultColumn } from '../lib/api-types';
import {
  chartSeries,
  chooseChart,
  kindFor,
  lineAxis,
  measureColumns,
  type ChartKind,
} from '../lib/chart-choice';
import { Chart } from './Chart';

export function ResultChart({
  resultId,
  columns,
  rows,
}: {
  resultId: string;
  columns: ResultColumn[];
  rows: Cell[][];
}) {
  // The choice is the result's, not the page's: turning a page (new rows, the same columns) keeps the user's. It is
  // made again for another result (even with the same columns), and on a page of the same result that can be
  // charted when the first could not (its numbers were all NULL).
  const pageChoice = useMemo(() => chooseChart(columns, rows), [columns, rows]);
  const choice = useRef<{ resultId: string; auto: ReturnType<typeof chooseChart> } | null>(null);
  if (!choice.current || choice.current.resultId !== resultId || (!choice.current.auto && pageChoice))
    choice.current = { resultId, auto: pageChoice };
  const auto = choice.current.auto;
  const [dimension, setDimension] = useState(auto?.dimension ?? 0);
  const [measure, setMeasure] = useState(auto?.measure ?? 0);
  const [kind, setKind] = useState<ChartKind>(auto?.kind ?? 'bar');
  useEffect(() => {
    if (!auto) return;
    setDimension(auto.dimension);
    setMeasure(auto.measure);
    setKind(auto.kind);
  }, [auto]);
  const series = useMemo(() => chartSeries(rows, { dimension, measure }), [rows, dimension, measure]);
  const x = useMemo(() => series.labels.map((_, i) => i), [series]);
  // A line over a date, time or number: points placed by value (bars, and other dimensions, go by row).
  const line = useMemo(
    () =>
      kind === 'line' ? lineAxis(rows, { dimension, measure }, columns[dimension]?.type ?? '') : undefined,
    [kind, rows, dimension, measure, columns],
  );
  const chartSpec = useMemo(
    () => [{ label: columns[measure]?.name ?? '', values: line ? line.values : series.values }],
    [series, line, columns, measure],
  );
  if (!auto)
    return (
      <p class="muted">
        No chart: the result needs a numeric column with numbers in it and a column to plot it against.
      </p>
    );
  if (rows.length === 0) return null;
  const measures = measureColumns(columns);
  return (
    <section class="result-chart" aria-label="chart of the result">
      <div class="chart-controls">
        <label>
          Dimension{' '}
          <select
            value={dimension}
            onChange={(e) => {
              const d = Number((e.target as HTMLSelectElement).value);
              setDimension(d);
              setKind(kindFor(columns[d]));
            }}
          >
            {columns.map((c, i) => (
              <option value={i} key={c.name}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Measure{' '}
          <select value={measure} onChange={(e) => setMeasure(Number((e.target as HTMLSelectElement).value))}>
            {measures.map((i) => (
              <option value={i} key={columns[i]!.name}>
                {columns[i]!.name}
              </option>
            ))}
          </select>
        </label>
        <fieldset class="segmented">
          <legend>Chart</legend>
          {(['bar', 'line'] as const).map((k) => (
            <label key={k}>
              <input
                type="radio"
                name="chart-kind"
                value={k}
                checked={kind === k}
                onChange={() => setKind(k)}
              />{' '}
              {k === 'bar' ? 'Bars' : 'Line'}
            </label>
          ))}
        </fieldset>
      </div>
      <Chart
        kind={kind}
        x={line ? line.x : x}
        {...(line ? { time: line.time } : { labels: series.labels })}
        series={chartSpec}
        xLabel={columns[dimension]?.name ?? ''}
        ariaLabel={`${kind} chart of ${columns[measure]?.name} by ${columns[dimension]?.name}, ${rows.length} points`}
      />
    </section>
  );
}
