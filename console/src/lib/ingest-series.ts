/**
 * The ingest chart's data from GET /ingest/stats: one point per time bucket (every bucket of the window, empty
 * ones as 0), accepted and refused events of one type or of all types. No DOM.
 */
import type { IngestStats } from './api-types';

/**
 * Refused events whose type is none of the lake's (the API's type null), as a type of the chart and the list: no
 * event type can be named so (they match ^[a-z][a-z0-9_]*$).
 */
export const UNKNOWN_TYPE = '(unknown type)';

const typeOf = (p: { type: string | null }) => p.type ?? UNKNOWN_TYPE;

export interface IngestSeries {
  /** Bucket starts, epoch seconds. */
  x: number[];
  accepted: number[];
  refused: number[];
}

export function ingestSeries(stats: IngestStats, type: string | null): IngestSeries {
  const step = stats.bucketMinutes * 60;
  const from = Math.floor(Date.parse(stats.from) / 1000);
  const to = Math.floor(Date.parse(stats.to) / 1000);
  const buckets = new Map<number, { accepted: number; refused: number }>();
  if (step > 0 && Number.isFinite(from) && Number.isFinite(to))
    for (let t = from; t < to; t += step) buckets.set(t, { accepted: 0, refused: 0 });
  for (const p of stats.series) {
    if (type !== null && typeOf(p) !== type) continue;
    const t = Math.floor(Date.parse(p.start) / 1000);
    const b = buckets.get(t) ?? { accepted: 0, refused: 0 };
    b.accepted += p.accepted;
    b.refused += p.refused;
    buckets.set(t, b);
  }
  const x = [...buckets.keys()].sort((a, b) => a - b);
  return {
    x,
    accepted: x.map((t) => buckets.get(t)!.accepted),
    refused: x.map((t) => buckets.get(t)!.refused),
  };
}

/** Accepted and refused events per type over the whole window, most events first. */
export function ingestTotals(stats: IngestStats): { type: string; accepted: number; refused: number }[] {
  const totals = new Map<string, { accepted: number; refused: number }>();
  for (const p of stats.series) {
    const t = totals.get(typeOf(p)) ?? { accepted: 0, refused: 0 };
    t.accepted += p.accepted;
    t.refused += p.refused;
    totals.set(typeOf(p), t);
  }
  return [...totals.entries()]
    .map(([type, t]) => ({ type, ...t }))
    .sort((a, b) => b.accepted + b.refused - (a.accepted + a.refused) || a.type.localeCompare(b.type));
}
