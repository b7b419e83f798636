/**
 * Which chart a query result gets: one dimension (the x axis) and one measure (a number), drawn as a line when the
 * dimension is a time or a number, as bars otherwise. A result without a numeric column gets none. No DOM.
 */
import type { Cell, ResultColumn } from './api-types';
import { ExactNumber, jsonText } from './exact-number';

export type ChartKind = 'bar' | 'line';

export interface ChartChoice {
  dimension: number;
  measure: number;
  kind: ChartKind;
}

const NUMERIC = /^(tinyint|smallint|integer|int|bigint|real|double|float|decimal)\b/i;
const TEMPORAL = /^(date|timestamp|time)\b/i;

export const isNumericType = (type: string): boolean => NUMERIC.test(type.trim());
export const isTemporalType = (type: string): boolean => TEMPORAL.test(type.trim());

/** Columns that can be a measure (numeric). */
export function measureColumns(columns: ResultColumn[]): number[] {
  return columns.flatMap((c, i) => (isNumericType(c.type) ? [i] : []));
}

/** The kind that suits a dimension: a line over time or numbers, bars over categories. */
export function kindFor(column: ResultColumn | undefined): ChartKind {
  return column && (isTemporalType(column.type) || isNumericType(column.type)) ? 'line' : 'bar';
}

/**
 * The chart a result gets by default. With `rows` (its first page), a numeric column without a number in them (all
 * NULL) is no measure: a line of nothing over a made-up axis says nothing.
 */
export function chooseChart(columns: ResultColumn[], rows?: Cell[][]): ChartChoice | null {
  const hasNumber = (m: number) =>
    !rows || chartSeries(rows, { dimension: m, measure: m }).values.some((v) => v !== null);
  const measures = measureColumns(columns).filter(hasNumber);
  if (columns.length < 2 || measures.length === 0) return null;
  // The dimension: the first time column, else the first non-numeric one, else the first column.
  const temporal = columns.findIndex((c) => isTemporalType(c.type));
  const category = columns.findIndex((c) => !isNumericType(c.type));
  const dimension = temporal >= 0 ? temporal : category >= 0 ? category : 0;
  const measure = measures.find((m) => m !== dimension);
  if (measure === undefined) return null;
  return { dimension, measure, kind: kindFor(columns[dimension]) };
}

export interface ChartSeries {
  labels: string[];
  values: (number | null)[];
}

/** The points of a chart: one per row, the dimension as its label and the measure as a number (or a gap). */
export function chartSeries(rows: Cell[][], choice: Pick<ChartChoice, 'dimension' | 'measure'>): ChartSeries {
  const labels: string[] = [];
  const values: (number | null)[] = [];
  for (const row of rows) {
    const d = row[choice.dimension];
    const m = row[choice.measure];
    labels.push(d === null || d === undefined ? 'NULL' : typeof d === 'object' ? jsonText(d) : String(d));
    const n =
      typeof m === 'number' || m instanceof ExactNumber
        ? Number(m)
        : typeof m === 'string' && m.trim() !== ''
          ? Number(m)
          : NaN;
    values.push(Number.isFinite(n) ? n : null);
  }
  return { labels, values };
}

/** A point of a line: its x (epoch seconds, or the number itself) and its measure. */
export interface LineAxis {
  x: number[];
  values: (number | null)[];
  /** x is a time (epoch seconds, UTC). */
  time: boolean;
}

/** One formatter per zone (making one costs far more than using it: a chart places up to a page of points). */
const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** How far a time zone is ahead of UTC at an instant (ms), by the browser's time zone data. */
function zoneOffsetMs(zone: string, at: number): number {
  let format = zoneFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    zoneFormats.set(zone, format);
  }
  const parts = format.formatToParts(new Date(at));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const bc = parts.find((p) => p.type === 'era')?.value === 'BC';
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0 to 99 as 1900 to 1999.
  const wall = new Date(0);
  wall.setUTCFullYear(bc ? 1 - n('year') : n('year'), n('month') - 1, n('day'));
  wall.setUTCHours(n('hour'), n('minute'), n('second'));
  return wall.getTime() - Math.floor(at / 1000) * 1000;
}

/**
 * A date or timestamp as the API writes it, in epoch seconds: UTC, or a zoned one with its zone — `UTC`, an offset
 * (`+05:00`) or a region (`America/New_York`, by the browser's time zone data) — so that a chart places it in time.
 */
function epochSeconds(text: string): number | undefined {
  const m =
    /^(\d{4}-\d{2}-\d{2})(?: (\d{2}:\d{2}:\d{2}(?:\.\d+)?)(?: (UTC|[+-]\d{2}:\d{2}|[A-Za-z][\w+/-]*))?)?$/.exec(
      text,
    );
  if (!m) return undefined;
  const local = `${m[1]}T${m[2] ?? '00:00:00'}`;
  const zone = m[3];
  if (zone === undefined || zone === 'UTC' || /^[+-]/.test(zone)) {
    const ms = Date.parse(`${local}${zone === undefined || zone === 'UTC' ? 'Z' : zone}`);
    return Number.isNaN(ms) ? undefined : ms / 1000;
  }
  const wall = Date.parse(`${local}Z`);
  if (Number.isNaN(wall)) return undefined;
  try {
    // The instant whose wall time in the zone is the one written (the offset at the guess, then at the answer).
    const guess = wall - zoneOffsetMs(zone, wall);
    return (wall - zoneOffsetMs(zone, guess)) / 1000;
  } catch {
    return undefined; // a zone the browser does not know: the points go by row
  }
}

/**
 * A line's points placed by their dimension's value, as a line over a date, time or number should be: dates and
 * timestamps by time, numbers by value, sorted along x (a gap of three weeks is three weeks wide, not one step).
 * Undefined when the dimension is neither, or a value does not read as one: the points then go by row.
 */
export function lineAxis(
  rows: Cell[][],
  choice: Pick<ChartChoice, 'dimension' | 'measure'>,
  dimensionType: string,
): LineAxis | undefined {
  const temporal = isTemporalType(dimensionType);
  if (!temporal && !isNumericType(dimensionType)) return undefined;
  const { values } = chartSeries(rows, choice);
  const points: [number, number | null][] = [];
  for (const [i, row] of rows.entries()) {
    const d = row[choice.dimension];
    if (d === null || d === undefined) continue; // no place on the axis
    const x = temporal ? (typeof d === 'string' ? epochSeconds(d) : undefined) : Number(d);
    if (x === undefined || !Number.isFinite(x)) return undefined;
    points.push([x, values[i]!]);
  }
  points.sort((a, b) => a[0] - b[0]);
  return { x: points.map((p) => p[0]), values: points.map((p) => p[1]), time: temporal };
}

/**
 * The x range of a time chart (epoch seconds): the data's span, and a day either side of a lone time. uPlot widens a
 * lone point itself before it asks (by 86400 / its unit in ms: about 1,000 days), so the lone time is read from the
 * data, not from the min and max it passes.
 */
export function timeRange(xs: readonly number[], min: number, max: number): [number, number] {
  const lone = xs.length > 0 && xs.every((v) => v === xs[0]) ? xs[0]! : min === max ? min : undefined;
  return lone === undefined ? [min, max] : [lone - 86400, lone + 86400];
}
