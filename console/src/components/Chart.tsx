/**
 * A bar or line chart drawn with uPlot (canvas): categories (labels) or times (epoch seconds) along x, one or more
 * numeric series. Series differ by dash pattern and legend text as well as colour. The canvas carries an
 * aria-label; the data are in the table beside it.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { timeRange } from '../lib/chart-choice';

export interface ChartSeriesSpec {
  label: string;
  values: (number | null)[];
  /** A dash pattern (line charts), so that series differ without colour. */
  dash?: number[];
}

export interface ChartProps {
  kind: 'bar' | 'line';
  /** x values: epoch seconds when `time`, 0..n-1 with `labels`, else the numbers themselves. */
  x: number[];
  labels?: string[];
  time?: boolean;
  series: ChartSeriesSpec[];
  ariaLabel: string;
  /** The x axis's name in the legend. */
  xLabel?: string;
  height?: number;
}

const COLOURS = ['#1f6fb2', '#c2410c', '#15803d', '#7c3aed', '#b45309', '#0f766e'];

function categoryAxis(labels: string[]): uPlot.Axis {
  return {
    splits: (_u, _i, min, max) => {
      const lo = Math.max(0, Math.ceil(min));
      const hi = Math.min(labels.length - 1, Math.floor(max));
      const step = Math.max(1, Math.ceil((hi - lo + 1) / 12));
      const out: number[] = [];
      for (let v = lo; v <= hi; v += step) out.push(v);
      return out;
    },
    values: (_u, splits) =>
      splits.map((v) => {
        const l = labels[v] ?? '';
        return l.length > 14 ? `${l.slice(0, 13)}…` : l;
      }),
    rotate: labels.length > 6 ? -30 : 0,
    size: labels.length > 6 ? 70 : 40,
  } as uPlot.Axis;
}

/** Room left of the widest value label, so that no label touches the canvas's edge. */
const Y_AXIS_MARGIN = 6;

/**
 * The y axis as wide as its widest value label (uPlot measures with the axis's font): a fixed width cut labels such
 * as 123,456,789,012 at the canvas's edge. uPlot calls this again while the axes settle; after two rounds the size
 * stays, so that the layout converges.
 */
function valueAxis(): uPlot.Axis {
  return {
    size: (u, values, axisIdx, cycleNum) => {
      const axis = u.axes[axisIdx]! as uPlot.Axis & { _size?: number; font: [string, number] };
      if (cycleNum > 1 && axis._size !== undefined) return axis._size;
      u.ctx.font = axis.font[0];
      const widest = Math.max(0, ...(values ?? []).map((v) => u.ctx.measureText(v).width / uPlot.pxRatio));
      return Math.ceil(widest + (axis.ticks?.size ?? 10) + (axis.gap ?? 5) + Y_AXIS_MARGIN);
    },
  };
}

export function Chart(props: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const height = props.height ?? 260;
    const bars = props.kind === 'bar' ? uPlot.paths.bars!({ size: [0.7, 80], align: 0 }) : undefined;
    // Rows all at one x: uPlot's default hides the points where they crowd (over a span of 0 pixels, always), and
    // the line between them has no length, so nothing was drawn. Drawn as points, as one row's is.
    const oneX = props.x.length > 1 && props.x.every((v) => v === props.x[0]);
    const opts: uPlot.Options = {
      width: Math.max(240, el.clientWidth),
      height,
      // Times in UTC, as the result table shows them (uPlot's default is the browser's zone).
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'),
      scales: {
        // Bars and counts from zero: a bar's length is its value.
        y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.05 : 1] },
        // Categories by row: half a step beside the first and the last; numbers: uPlot's own range.
        // Times: the data's span (one point: a day either side, timeRange).
        x: props.time
          ? { time: true, range: (_u, min, max) => timeRange(props.x, min, max) }
          : props.labels
            ? { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] }
            : { time: false },
      },
      axes: [props.time || !props.labels ? {} : categoryAxis(props.labels), valueAxis()],
      series: [
        {
          // Times are UTC, and the legend says so.
          label: props.time ? `${props.xLabel ?? 'time'} (UTC)` : (props.xLabel ?? 'x'),
          ...(props.labels ? { value: (_u: uPlot, v: number) => props.labels![v] ?? '' } : {}),
        },
        ...props.series.map((s, i) => {
          const colour = COLOURS[i % COLOURS.length]!;
          return {
            label: s.label,
            stroke: colour,
            width: props.kind === 'bar' ? 1 : 2,
            ...(bars
              ? { paths: bars, fill: `${colour}cc`, points: { show: false } }
              : oneX
                ? { points: { show: true } }
                : {}),
            ...(s.dash ? { dash: s.dash } : {}),
          } as uPlot.Series;
        }),
      ],
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
    };
    const data = [props.x, ...props.series.map((s) => s.values)] as uPlot.AlignedData;
    const plot = new uPlot(opts, data, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(240, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [props.kind, props.x, props.labels, props.time, props.series, props.height, props.xLabel]);
  return (
    <figure
      class="chart"
      role="img"
      aria-label={props.ariaLabel}
      data-kind={props.kind}
      data-points={props.x.length}
    >
      <div ref={box} class="chart-canvas" />
    </figure>
  );
}
