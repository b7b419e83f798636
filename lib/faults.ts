/**
 * Fault injection for the local lake's stand-ins (tests, `npm run soak`): makes the local adapters fail the way
 * their AWS counterparts do, so the retry, notice and dedup paths run for real. Off unless LAKE_FAULTS is set:
 *
 *   LAKE_FAULTS="firehose.partial=0.1,firehose.throttle=0.05,glue.concurrent=0.3,glue.fail=0.1,sns.fail=0.3,uploads.duplicate=0.5,uploads.shuffle=1"
 *
 *   firehose.partial    share of records the local Firehose refuses (per-record ServiceUnavailableException, as
 *                       PutRecordBatch reports with FailedPutCount > 0); also LAKE_FIREHOSE_FAULT_RATE
 *   firehose.throttle   share of PutRecordBatch calls refused whole (ThrottlingException)
 *   glue.concurrent     share of job runs whose StartJobRun first fails with Glue.ConcurrentRunsExceededException
 *                       (transient: at most `transientAttempts` times per run, below the state machine's Retry)
 *   glue.fail           share of job runs that end FAILED (before writing anything), as a broken input or a lost
 *                       worker does: the state machine's Catch sends the failure notice
 *   sns.fail            share of publishes that fail (transient: at most `transientAttempts` times in a row for the
 *                       same notice, below the retries of the state machine and of the uploads watcher)
 *   uploads.duplicate   share of S3 "Object Created" events delivered a second time, later (EventBridge is
 *                       at-least-once): after other files' events, so out of order
 *   uploads.shuffle     1: the events of files that became ready together are delivered in random order
 *   transientAttempts   how many times in a row a transient fault may hit the same operation (default 2)
 *
 * LAKE_FAULTS_SEED makes the choices repeatable. Each injected fault is counted (faultCounts()) and logged.
 */
import { SettingError } from './setting-error';
import { createHash } from 'node:crypto';
import { logger } from './logger';

export const FAULT_NAMES = [
  'firehose.partial',
  'firehose.throttle',
  'glue.concurrent',
  'glue.fail',
  'sns.fail',
  'uploads.duplicate',
  'uploads.shuffle',
] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

export interface FaultSettings {
  rates: Partial<Record<FaultName, number>>;
  transientAttempts: number;
  seed: number;
}

/** Parses LAKE_FAULTS (and the older LAKE_FIREHOSE_FAULT_RATE); throws on anything it does not know. */
export function parseFaults(spec: string | undefined, env: NodeJS.ProcessEnv = process.env): FaultSettings {
  const settings: FaultSettings = { rates: {}, transientAttempts: 2, seed: 0 };
  const legacy = env.LAKE_FIREHOSE_FAULT_RATE;
  if (legacy !== undefined && legacy !== '')
    settings.rates['firehose.partial'] = rate('LAKE_FIREHOSE_FAULT_RATE', legacy);
  for (const part of (spec ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq < 0) throw new SettingError(`LAKE_FAULTS: '${part}' is not name=value`);
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name === 'transientAttempts') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1)
        throw new SettingError(`LAKE_FAULTS: transientAttempts must be an integer >= 1`);
      settings.transientAttempts = n;
    } else if ((FAULT_NAMES as readonly string[]).includes(name)) {
      settings.rates[name as FaultName] = rate(`LAKE_FAULTS ${name}`, value);
    } else {
      throw new SettingError(
        `LAKE_FAULTS: unknown fault '${name}' (known: ${FAULT_NAMES.join(', ')}, transientAttempts)`,
      );
    }
  }
  const seed = env.LAKE_FAULTS_SEED;
  if (seed !== undefined && seed !== '') {
    const n = Number(seed);
    if (!Number.isInteger(n)) throw new SettingError(`LAKE_FAULTS_SEED must be an integer, got '${seed}'`);
    settings.seed = n;
  } else {
    settings.seed = Math.floor(Math.random() * 2 ** 31);
  }
  return settings;
}

function rate(what: string, raw: string): number {
  const n = Number(raw);
  if (!(n >= 0 && n <= 1)) throw new SettingError(`${what} must be a number from 0 to 1, got '${raw}'`);
  return n;
}

/** mulberry32: a small seeded PRNG (repeatable fault choices for a given LAKE_FAULTS_SEED; the bench's generators). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Faults {
  private readonly random: () => number;
  private readonly counts = new Map<FaultName, number>();
  /** Transient faults so far per operation key (consecutive failures of one operation). */
  private readonly streaks = new Map<string, number>();

  constructor(
    readonly settings: FaultSettings,
    private readonly onFault: (name: FaultName, detail: Record<string, unknown>) => void = () => undefined,
  ) {
    this.random = prng(settings.seed);
  }

  get enabled(): boolean {
    return Object.values(this.settings.rates).some((r) => (r ?? 0) > 0);
  }

  rate(name: FaultName): number {
    return this.settings.rates[name] ?? 0;
  }

  /** Whether to inject `name` now (independent draw). */
  hit(name: FaultName, detail: Record<string, unknown> = {}): boolean {
    const r = this.rate(name);
    if (r <= 0 || !(this.random() < r)) return false;
    this.count(name, detail);
    return true;
  }

  /**
   * Whether a transient fault hits this attempt of operation `key`: drawn per operation (a deterministic share of
   * operations is affected, chosen from the key and the seed), then failing its first attempts, at most
   * transientAttempts times in a row, so that a caller that retries more often than that always gets through.
   */
  transient(name: FaultName, key: string, detail: Record<string, unknown> = {}): boolean {
    const r = this.rate(name);
    if (r <= 0) return false;
    const streakKey = `${name}\0${key}`;
    const streak = this.streaks.get(streakKey) ?? 0;
    if (streak >= this.settings.transientAttempts) {
      this.streaks.delete(streakKey);
      return false;
    }
    if (streak === 0 && !(this.keyed(name, key) < r)) return false;
    // Once chosen, an operation fails a random 1..transientAttempts times in a row.
    if (streak > 0 && !(this.random() < 0.5)) {
      this.streaks.delete(streakKey);
      return false;
    }
    this.streaks.set(streakKey, streak + 1);
    this.count(name, { ...detail, attempt: streak + 1 });
    return true;
  }

  /** Whether operation `key` is one of the share `rate(name)` chosen for a permanent fault (same answer each time). */
  permanent(name: FaultName, key: string, detail: Record<string, unknown> = {}): boolean {
    const r = this.rate(name);
    if (r <= 0 || !(this.keyed(name, key) < r)) return false;
    this.count(name, detail);
    return true;
  }

  /** A uniform number in [0, 1) from the operation key and the seed. */
  private keyed(name: FaultName, key: string): number {
    const h = createHash('sha256').update(`${this.settings.seed}\0${name}\0${key}`).digest();
    return h.readUInt32BE(0) / 4294967296;
  }

  /** Fisher–Yates with the seeded PRNG. */
  shuffle<T>(items: T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  count(name: FaultName, detail: Record<string, unknown> = {}): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    this.onFault(name, detail);
  }

  snapshot(): Partial<Record<FaultName, number>> {
    return Object.fromEntries(this.counts);
  }
}

let current: Faults | undefined;

/** The process's fault injector (from LAKE_FAULTS), created on first use; disabled when LAKE_FAULTS is unset. */
export function faults(): Faults {
  if (!current) {
    const settings = parseFaults(process.env.LAKE_FAULTS);
    current = new Faults(settings, (name, detail) =>
      logger.warn('fault injected', { fault: name, ...detail }),
    );
  }
  return current;
}

/** Counts of the faults injected in this process so far (what a soak or system test reports). */
export const faultCounts = () => (current ? current.snapshot() : {});

/** For tests: replace the process's injector (undefined: read LAKE_FAULTS again on next use). */
export function setFaults(f: Faults | undefined): void {
  current = f;
}
