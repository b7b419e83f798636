/**
 * The generated query lake's shape: its size by table (the event mix of bench/events.ts, the datasets), the days the
 * events fall on, the vocabularies its values come from, and the SQL text helpers the generating statements use.
 */
import os from 'node:os';

/**
 * Part of the kept lake's key, with the generating statements themselves: bump it for a change to the lake that does
 * not show in them.
 */
export const GENERATOR_VERSION = 3;
export const RUN_ID = 'bench-query';
/**
 * Generation runs this many COPYs at once, each on its own connection of a single-threaded DuckDB instance: a day's
 * file is small (one row group), and on 2 cores this beat multi-threaded COPYs (less CPU for the same files).
 */
export const WORKERS = Math.max(1, Math.min(2, os.availableParallelism()));
export const MEMORY_LIMIT = '1GB';

/** The event mix of bench/events.ts (and of the ingest bench). */
export const EVENT_MIX = [
  ['page_view', 0.65],
  ['order_placed', 0.22],
  ['signup', 0.13],
] as const;
export type EventTable = (typeof EVENT_MIX)[number][0];
export const DATASETS = ['customers', 'orders'] as const;
export type DatasetTable = (typeof DATASETS)[number];
export const CUSTOMERS = 200_000;
/** order_placed draws customer ids from 1..CUSTOMER_ID_SPAN: a few orders are by customers the CRM export lacks. */
export const CUSTOMER_ID_SPAN = 215_000;
export const CUSTOMER_DAYS = 365;
export const ORDERS = 100_000;

export const DAY_MS = 86_400_000;
export const BASE_MS = Date.UTC(2026, 0, 1);
/** Traffic through the day (see lake_occurred_ms): busiest mid-afternoon UTC, quietest at night. */
export const DIURNAL_A = 0.6;
export const DIURNAL_PEAK = 14 / 24;

export const VIEWPORTS = [
  [390, 844],
  [412, 915],
  [768, 1024],
  [1280, 800],
  [1440, 900],
  [1920, 1080],
].map(([w, h]) => `{"width":${w},"height":${h}}`);
export const UTM_SOURCES = ['google', 'newsletter', 'instagram'];
export const SIZES = ['S', 'M', 'L', 'XL'];
export const FIRST = ['Anna', 'Ben', 'Carla', 'David', 'Eva', 'Felix', 'Greta', 'Hugo', 'Ines', 'Jonas'];
export const LAST = [
  'Meyer',
  'Schmidt',
  'Dubois',
  'Smith',
  'Jansen',
  'Berg',
  'Garcia',
  'Rossi',
  'Keller',
  'Nowak',
];

export const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;
export const sqlList = (xs: readonly string[]) => `[${xs.map(sqlString).join(', ')}]`;
/** One of `xs`, chosen by a (UBIGINT) hash expression. */
export const pick = (xs: readonly string[], hashExpr: string) =>
  `${sqlList(xs)}[1 + (${hashExpr} % ${xs.length})::INTEGER]`;
export const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

// ---------------------------------------------------------------------------------------------------------------
// The lake's shape

export interface LakeSpec {
  events: number;
  days: number;
  /** Rows per event table. */
  counts: Record<EventTable, number>;
  customers: number;
  orders: number;
}

export function lakeSpec(events: number, days: number): LakeSpec {
  const counts = {} as Record<EventTable, number>;
  let left = events;
  EVENT_MIX.forEach(([t, share], i) => {
    const n = i === EVENT_MIX.length - 1 ? left : Math.round(events * share);
    counts[t] = n;
    left -= n;
  });
  return { events, days, counts, customers: CUSTOMERS, orders: Math.min(ORDERS, counts.order_placed) };
}

/**
 * Rows [lo, hi) of an event table of n rows over `days` days fall on day d: row i occurs on day floor(i·days/n) (the
 * generator computes the same with integer arithmetic).
 */
export function dayRange(n: number, days: number, d: number): [number, number] {
  const first = (day: number) => Math.floor((day * n + days - 1) / days);
  return [first(d), first(d + 1)];
}
