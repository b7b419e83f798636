/**
 * Ingest statistics on the local lake, counted where the events pass: the ingest function records each request's
 * outcome here (./outcome.ts), in memory per minute and event type, and appends what it holds every FLUSH_MS (and
 * when the process exits) as one JSON line per minute to <LAKE_DIR>/.ingest-stats/<yyyy-MM-dd>.jsonl:
 *   {"m": <minute start, ms>, "c": {"<type>": [accepted, refused], ...}, "x": [<refusal>, ...]}
 * (type "" for events without a registered type). Every process that runs the function — the lake, `sls invoke
 * local`, a function worker thread of the lake (local/function-workers.ts) — appends its own lines; a reader sums them,
 * with what its own store has not appended yet (another thread's counts show within FLUSH_MS). These are
 * statistics, not data: the appends are not fsynced, and a process killed outright loses its last FLUSH_MS of
 * counts (never an event). Files older than RETENTION_DAYS are removed.
 */
import { appendFileSync, promises as fs, mkdirSync } from 'node:fs';
import path from 'node:path';
import { logger } from '../logger';
import type { IngestOutcome, IngestTally, Refusal, SeriesPoint, StatsWindow } from './types';
import { MAX_REFUSALS } from './types';
import { bucketStart } from './window';

export const FLUSH_MS = 2000;
const RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;

interface MinuteCounts {
  counts: Map<string, [number, number]>;
  refusals: Refusal[];
}

interface Line {
  m: number;
  c: Record<string, [number, number]>;
  x?: Refusal[];
}

export const statsDir = (lakeDir: string) => path.join(lakeDir, '.ingest-stats');
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export class LocalIngestStats implements IngestTally {
  private pending = new Map<number, MinuteCounts>();
  private timer: NodeJS.Timeout | undefined;
  private prunedDay = '';
  private readonly onExit = () => this.flush();

  constructor(private readonly lakeDir: string) {}

  get lakeDirectory(): string {
    return this.lakeDir;
  }

  record(o: IngestOutcome): void {
    const minute = bucketStart(o.at.getTime(), 1);
    let m = this.pending.get(minute);
    if (!m) this.pending.set(minute, (m = { counts: new Map(), refusals: [] }));
    const bump = (type: string, i: 0 | 1, n: number) => {
      const c = m.counts.get(type) ?? [0, 0];
      c[i] += n;
      m.counts.set(type, c);
    };
    for (const [t, n] of o.accepted) bump(t, 0, n);
    for (const [t, n] of o.refused) bump(t, 1, n);
    m.refusals.push(...o.refusals);
    if (m.refusals.length > MAX_REFUSALS) m.refusals.splice(0, m.refusals.length - MAX_REFUSALS);
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), FLUSH_MS);
      this.timer.unref();
      process.once('exit', this.onExit);
    }
  }

  /** Appends what this process holds (synchronously: it also runs as the process exits). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    process.removeListener('exit', this.onExit);
    const pending = this.pending;
    this.pending = new Map();
    if (!pending.size) return;
    try {
      const dir = statsDir(this.lakeDir);
      mkdirSync(dir, { recursive: true });
      const byDay = new Map<string, string[]>();
      for (const [m, v] of pending) {
        const line: Line = {
          m,
          c: Object.fromEntries(v.counts),
          ...(v.refusals.length ? { x: v.refusals } : {}),
        };
        const day = dayOf(m);
        byDay.set(day, [...(byDay.get(day) ?? []), JSON.stringify(line)]);
      }
      for (const [day, lines] of byDay)
        appendFileSync(path.join(dir, `${day}.jsonl`), lines.join('\n') + '\n');
      this.prune(dir);
    } catch (e) {
      logger.warn('ingest statistics not recorded', { error: e as Error });
    }
  }

  private prune(dir: string): void {
    const today = dayOf(Date.now());
    if (this.prunedDay === today) return;
    this.prunedDay = today;
    const oldest = dayOf(Date.now() - RETENTION_DAYS * DAY_MS);
    void fs
      .readdir(dir)
      .then((files) =>
        Promise.all(
          files
            .filter((f) => /^\d{4}-\d{2}-\d{2}\.jsonl$/.test(f) && f.slice(0, 10) < oldest)
            .map((f) => fs.rm(path.join(dir, f), { force: true })),
        ),
      )
      .catch(() => undefined);
  }

  /** The series and the newest refusals of the window: the lines appended by every process, and this one's. */
  async read(w: StatsWindow): Promise<{ series: SeriesPoint[]; refusals: Refusal[] }> {
    const from = w.from.getTime();
    const to = w.to.getTime();
    const lines: Line[] = [];
    for (let d = bucketStart(from, 24 * 60); d <= to; d += DAY_MS) {
      const text = await fs
        .readFile(path.join(statsDir(this.lakeDir), `${dayOf(d)}.jsonl`), 'utf8')
        .catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? '' : Promise.reject(e)));
      for (const l of text.split('\n')) {
        try {
          if (l) lines.push(JSON.parse(l) as Line);
        } catch {
          // a line cut short by a crash
        }
      }
    }
    for (const [m, v] of this.pending) lines.push({ m, c: Object.fromEntries(v.counts), x: v.refusals });
    const buckets = new Map<string, SeriesPoint>();
    const refusals: Refusal[] = [];
    for (const line of lines) {
      if (line.m < from || line.m > to) continue;
      const start = new Date(bucketStart(line.m, w.bucketMinutes)).toISOString();
      for (const [type, [a, r]] of Object.entries(line.c)) {
        const k = `${start}\0${type}`;
        const p = buckets.get(k) ?? { start, type: type || null, accepted: 0, refused: 0 };
        p.accepted += a;
        p.refused += r;
        buckets.set(k, p);
      }
      refusals.push(...(line.x ?? []));
    }
    const series = [...buckets.values()].sort(
      (a, b) => a.start.localeCompare(b.start) || (a.type ?? '').localeCompare(b.type ?? ''),
    );
    refusals.sort((a, b) => b.at.localeCompare(a.at));
    return { series, refusals: refusals.slice(0, MAX_REFUSALS) };
  }
}

let shared: LocalIngestStats | undefined;

/** The process's store for the lake in LAKE_DIR: what the ingest function records, the lake function reads. */
export function localIngestStats(lakeDir: string): LocalIngestStats {
  if (shared?.lakeDirectory !== lakeDir) {
    shared?.flush();
    shared = new LocalIngestStats(lakeDir);
  }
  return shared;
}
