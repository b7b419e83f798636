/** The recent queries of this browser (localStorage): newest first, each once, at most LIMIT. */
const KEY = 'lake-console:history';
export const HISTORY_LIMIT = 20;

export interface HistoryEntry {
  sql: string;
  at: string;
  state: string;
  /** Rows of its first page; `more`: the result had more pages (the count is then a lower bound). */
  rows?: number;
  more?: boolean;
}

/** The list with `entry` added in front (an earlier entry with the same SQL removed). Pure. */
export function withEntry(list: HistoryEntry[], entry: HistoryEntry): HistoryEntry[] {
  return [entry, ...list.filter((e) => e.sql.trim() !== entry.sql.trim())].slice(0, HISTORY_LIMIT);
}

/** Web storage, as much of it as the history uses (typed here: pure modules and tests have no DOM types). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const browserStorage = (): KeyValueStore =>
  (globalThis as unknown as { localStorage: KeyValueStore }).localStorage;

export function readHistory(storage: KeyValueStore = browserStorage()): HistoryEntry[] {
  try {
    const v = JSON.parse(storage.getItem(KEY) ?? '[]') as unknown;
    return Array.isArray(v) ? (v.filter((e) => typeof e?.sql === 'string') as HistoryEntry[]) : [];
  } catch {
    return [];
  }
}

export function saveHistory(list: HistoryEntry[], storage: KeyValueStore = browserStorage()): void {
  try {
    storage.setItem(KEY, JSON.stringify(list));
  } catch {
    // storage full or disabled: the history is a convenience
  }
}
