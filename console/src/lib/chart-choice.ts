/**
 * Which chart a query result gets: one dimension (the x axis) and one measure (a number), drawn as a line when the
 * dimension is a time or a number, as bars otherwise. A result without a numeric column gets none. No DOM.
 */
import type { Cell, ResultColumn } from './api-types';

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

export function chooseChart(columns: ResultColumn[]): ChartChoice | null {
  const measures = measureColumns(columns);
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
    labels.push(
      d === null || d === undefined ? 'NULL' : typeof d === 'object' ? JSON.stringify(d) : String(d),
    );
    const n = typeof m === 'number' ? m : typeof m === 'string' && m.trim() !== '' ? Number(m) : NaN;
    values.push(Number.isFinite(n) ? n : null);
  }
  return { labels, values };
}
