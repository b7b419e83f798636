/** How the console writes numbers, sizes, times and cells. No DOM: tests import it. */
import type { Cell } from './api-types';

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '–';
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u += 1;
  }
  return `${u === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${UNITS[u]}`;
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  // Rounded first, then split: 59.96 s is 1 min 0 s, not 60.0 s; 119.6 s is 2 min 0 s, not 1 min 60 s.
  if (Math.round(ms) < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (Number(s.toFixed(2)) < 10) return `${s.toFixed(2)} s`;
  if (Number(s.toFixed(1)) < 60) return `${s.toFixed(1)} s`;
  const total = Math.round(s);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  return `${h > 0 ? `${h} h ` : ''}${m} min ${total % 60} s`;
}

/**
 * An ISO-8601 time as its UTC date and time, to the second, marked UTC: the console shows every time in UTC, as the
 * charts draw them, the tables hold them and the lake's paths and logs write them.
 */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (x: number) => String(x).padStart(2, '0');
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * A result cell as text: null as NULL, structures as JSON; a decimal with its scale's digits, as Athena shows it (the
 * API gives a decimal that a double holds as a number: 12.5 for a decimal(10,2) 12.50).
 */
export function cellText(cell: Cell, type = ''): string {
  if (cell === null) return 'NULL';
  if (typeof cell === 'object') return JSON.stringify(cell);
  const scale = typeof cell === 'number' ? /^decimal\(\d+,\s*(\d+)\)$/.exec(type)?.[1] : undefined;
  return scale === undefined ? String(cell) : (cell as number).toFixed(Number(scale));
}
