/**
 * Ingest statistics on the local lake, counted where the events pass: the ingest function records each request's
 * outcome here (./outcome.ts), in memory per minute and event type, and appends what it holds every FLUSH_MS (and
 * when the process exits) as one JSON line per minute to <LAKE_DIR>/.ingest-stats/<yyyy-MM-dd>.jsonl:
 *   {"m": <minute start, ms>, "c": {"<type>": [accepted, refused], ...}, "x": [<refusal>, ...], "i": "<line id>"}
 * (type "" for events without a registered type). Every process that runs the function — the lake, `sls invoke
 * local`, a function worker thread of the lake (local/function-workers.ts) — appends its own lines; a reader sums them,
 * with what its own store has not appended yet (another thread's counts show within FLUSH_MS). These are
 * statistics, not data: the appends are not fsynced, and a process killed outright loses its last FLUSH_MS of
 * counts (never an event); an append that fails (a full disk) keeps its counts for the next flush. Files older than
 * RETENTION_DAYS are removed.
 */
import { appendFileSync, closeSync, fstatSync, promises as fs, mkdirSync, openSync, readSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
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
  /**
   * The line's id (this process's, and its number): a line appended again after an append that failed part way
   * (a full disk) is counted once. Lines of earlier versions have none.
   */
  i?: string;
}

export const statsDir = (lakeDir: string) => path.join(lakeDir, '.ingest-stats');

/** Whether a file's last byte is not a line end (an append cut short); false for a file that is not there or empty. */
function endsMidLine(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export class LocalIngestStats implements IngestTally {
  private pending = new Map<number, MinuteCounts>();
  /** Lines whose append failed, by day, to append again as they are (with their ids). */
  private unsent = new Map<string, string[]>();
  private readonly idPrefix = `${process.pid.toString(36)}-${randomBytes(4).toString('hex')}-`;
  private lineCount = 0;
  private timer: NodeJS.Timeout | undefined;
  private prunedDay = '';
  private readonly onExit = () => this.flush();

  constructor(private readonly lakeDir: string) {}

  get lakeDirectory(): string {
    return this.lakeDir;
  }

  record(o: IngestOutcome): void {
    const counts = new Map<string, [number, number]>();
    for (const [t, n] of o.accepted) counts.set(t, [n, 0]);
    for (const [t, n] of o.refused) counts.set(t, [counts.get(t)?.[0] ?? 0, n]);
    this.add(bucketStart(o.at.getTime(), 1), { counts, refusals: o.refusals });
  }

  /** Adds counts of a minute to what is pending, and sets the flush. */
  private add(minute: number, v: MinuteCounts): void {
    let m = this.pending.get(minute);
    if (!m) this.pending.set(minute, (m = { counts: new Map(), refusals: [] }));
    for (const [type, [a, r]] of v.counts) {
      const c = m.counts.get(type) ?? [0, 0];
      m.counts.set(type, [c[0] + a, c[1] + r]);
    }
    m.refusals.push(...v.refusals);
    if (m.refusals.length > MAX_REFUSALS) m.refusals.splice(0, m.refusals.length - MAX_REFUSALS);
    this.flushLater();
  }

  private flushLater(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), FLUSH_MS);
    this.timer.unref();
    process.once('exit', this.onExit);
  }

  /** Appends what this process holds (synchronously: it also runs as the process exits). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    process.removeListener('exit', this.onExit);
    const dir = statsDir(this.lakeDir);
    // Lines a failed append left first, as they are (a line it wrote whole is counted once, by its id). While they
    // cannot be appended, new counts stay in pending, merged by minute: what is held stays one batch of lines and a
    // minute's counts, however long the disk stays full.
    const unsent = this.appendLines(dir, this.unsent);
    this.unsent = unsent.left;
    if (unsent.failed) return this.notYet(unsent.failed);
    const pending = this.pending;
    this.pending = new Map();
    const byDay = new Map<string, string[]>();
    for (const [m, v] of pending) {
      const line: Line = {
        m,
        c: Object.fromEntries(v.counts),
        ...(v.refusals.length ? { x: v.refusals } : {}),
        i: `${this.idPrefix}${this.lineCount++}`,
      };
      byDay.set(dayOf(m), [...(byDay.get(dayOf(m)) ?? []), JSON.stringify(line)]);
    }
    const fresh = this.appendLines(dir, byDay);
    this.unsent = fresh.left;
    if (fresh.failed) return this.notYet(fresh.failed);
    if (byDay.size || unsent.appended) this.prune(dir);
  }

  /** Appends lines by day; those of a day whose append failed are left, to append again as they are. */
  private appendLines(
    dir: string,
    byDay: Map<string, string[]>,
  ): { left: Map<string, string[]>; failed?: unknown; appended: boolean } {
    const left = new Map<string, string[]>();
    let failed: unknown;
    for (const [day, lines] of byDay) {
      try {
        mkdirSync(dir, { recursive: true });
        const file = path.join(dir, `${day}.jsonl`);
        // After an append cut short (a full disk), the next line starts on a line of its own.
        appendFileSync(file, (endsMidLine(file) ? '\n' : '') + lines.join('\n') + '\n');
      } catch (e) {
        failed ??= e;
        left.set(day, lines);
      }
    }
    return { left, failed, appended: byDay.size > left.size };
  }

  /** An append failed (a full disk may have room again): kept, not lost while this process lives, tried again. */
  private notYet(error: unknown): void {
    logger.warn('ingest statistics not recorded yet (kept, tried again)', { error: error as Error });
    this.flushLater();
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
    for (const unsent of this.unsent.values()) for (const l of unsent) lines.push(JSON.parse(l) as Line);
    for (const [m, v] of this.pending) lines.push({ m, c: Object.fromEntries(v.counts), x: v.refusals });
    const ids = new Set<string>();
    const buckets = new Map<string, SeriesPoint>();
    const refusals: Refusal[] = [];
    for (const line of lines) {
      if (line.i !== undefined) {
        if (ids.has(line.i)) continue; // appended again after a failed append that had written it
        ids.add(line.i);
      }
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
