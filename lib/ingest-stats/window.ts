/** The window of GET /ingest/stats: `hours` back from now, in buckets aligned to multiples of their length. */
import type { StatsWindow } from './types';

export const MAX_HOURS = 168;

/** Bucket length for a window: about 100 buckets or fewer, in steps a chart reads well. */
export function bucketMinutesFor(hours: number): number {
  if (hours <= 1) return 1;
  if (hours <= 6) return 5;
  if (hours <= 24) return 15;
  if (hours <= 72) return 60;
  return 120;
}

export function statsWindow(hours: number, now = new Date()): StatsWindow {
  const bucketMinutes = bucketMinutesFor(hours);
  const bucketMs = bucketMinutes * 60_000;
  const from = new Date(Math.floor((now.getTime() - hours * 3_600_000) / bucketMs) * bucketMs);
  return { from, to: now, bucketMinutes };
}

/** The start of the bucket `ms` falls in. */
export const bucketStart = (ms: number, bucketMinutes: number) =>
  Math.floor(ms / (bucketMinutes * 60_000)) * bucketMinutes * 60_000;
