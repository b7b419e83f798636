/**
 * How the local lake stops on SIGTERM or SIGINT, whatever launched it: `npm start` (npm relays the signal to the
 * lake and waits for it), `node --import tsx local/main.ts`, a benchmark, or a container whose init (pid 1) it is.
 *
 *  - The handlers are installed before anything else starts: the init of a pid namespace ignores every signal it
 *    has no handler for, so a stop sent while the lake starts would otherwise be lost. A stop requested while
 *    starting is carried out as soon as the lake has started.
 *  - First signal: the lake stops (local/lake.ts `stop`: the API stops accepting and answers what is in flight, the
 *    watcher, the schedules and the state machine stop, the delivery stream delivers what it holds) and the process
 *    exits 0 with a last line saying what was delivered — or 1, saying what is left for the next start.
 *  - Second signal: a line saying it is still stopping and what it waits for. Third: it ends at once, by the
 *    signal's default action (exit status 128 + signal number; see the last point); what was acknowledged and not
 *    yet delivered stays in the write-ahead log, and the next start delivers it.
 *  - One Ctrl-C on a terminal reaches both npm and the lake (one process group), and npm relays it: the same
 *    signal twice within COALESCE_MS counts once.
 *  - A local query DuckDB has not ended when asked to stop (lib/query/duckdb/stop.ts) would hold the process's exit
 *    until it ends on its own (DuckDB's destructors wait for it, minutes for some queries): after its last line
 *    the lake then ends by the signal it was sent, with the default action (exit status 128 + signal number, as a
 *    program without a handler), which waits for nothing. Nothing of the lake's data depends on that query.
 */
import { constants } from 'node:os';

/** What the delivery stream reports when it closes (lib/firehose/local.ts CloseReport). */
export interface StopReport {
  recordsDelivered: number;
  objectsDelivered: number;
  left: { file: string; reason: string }[];
  /** Segments of other lakes running on the same folder: theirs to deliver. */
  heldByOthers?: { file: string; pid: number }[];
  /** Local queries DuckDB had not ended when the lake stopped (lib/query/duckdb/stop.ts). */
  queriesNotEnded?: number;
  /** Steps of the stop that failed (each logged with its error); the others ran, the delivery included. */
  stepsFailed?: string[];
}

export interface StoppableLake {
  stop(): Promise<StopReport | undefined | void>;
}

export interface ShutdownLog {
  info(message: string, extra: Record<string, unknown>): void;
  warn(message: string, extra: Record<string, unknown>): void;
  error(message: string, extra: Record<string, unknown>): void;
}

export interface ShutdownOptions {
  /** The logger (a function: the lake's logger is loaded after its environment is set). */
  log: () => ShutdownLog;
  /** What the stop is waiting for, for the second signal's line. */
  pending?: () => Record<string, unknown>;
  exit?: (code: number) => void;
  /** Ends the process by `signal` with its default action (default: the real signal to this process). */
  raise?: (signal: Signal) => void;
  now?: () => number;
}

/** The signal's default action: the process ends as one without a handler would, without exit-time destructors. */
function raiseDefault(signal: Signal): void {
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
  // The init of a pid namespace (a container's pid 1) ignores a signal it has no handler for, even its own: there
  // the process exits with the same status, which waits for DuckDB's destructors (nothing quicker is left to it).
  setTimeout(() => process.exit(128 + (constants.signals[signal] ?? 15)), 200);
}

/** The same signal again within this many ms is the same stop (a terminal's Ctrl-C, relayed by npm). */
export const COALESCE_MS = 250;

export const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
export type Signal = (typeof SHUTDOWN_SIGNALS)[number];

export class Shutdown {
  private lake?: StoppableLake;
  private requested?: Signal;
  private signals = 0;
  private last?: { signal: Signal; at: number };
  private stopping?: Promise<void>;
  private readonly exit: (code: number) => void;
  private readonly raise: (signal: Signal) => void;
  private readonly now: () => number;

  constructor(private readonly opts: ShutdownOptions) {
    this.exit = opts.exit ?? ((code) => process.exit(code));
    this.raise = opts.raise ?? raiseDefault;
    this.now = opts.now ?? Date.now;
  }

  /** Installs the signal handlers (first thing: see above). */
  listen(): this {
    for (const s of SHUTDOWN_SIGNALS) process.on(s, () => this.onSignal(s));
    return this;
  }

  /** The lake has started: it is what a signal stops (now, if one came while it started). */
  started(lake: StoppableLake): void {
    this.lake = lake;
    if (this.requested) this.begin(this.requested);
  }

  /** The signal that asked for a stop before the lake had started, if one did. */
  get requestedWhileStarting(): Signal | undefined {
    return this.lake ? undefined : this.requested;
  }

  /** Resolves once a stop that has begun has ended (the process is exiting). */
  get done(): Promise<void> | undefined {
    return this.stopping;
  }

  onSignal(signal: Signal): void {
    const at = this.now();
    if (this.last && this.last.signal === signal && at - this.last.at < COALESCE_MS) return;
    this.last = { signal, at };
    this.signals++;
    const log = this.opts.log();
    if (this.signals === 1) {
      this.requested = signal;
      if (this.lake) this.begin(signal);
      else log.info('stop requested while starting: the lake stops as soon as it has started', { signal });
      return;
    }
    if (this.signals === 2) {
      log.warn(
        'still stopping: a third signal stops at once (what is acknowledged and not delivered yet stays in the ' +
          'write-ahead log and is delivered at the next start)',
        { signal, ...(this.lake ? this.opts.pending?.() : { starting: true }) },
      );
      return;
    }
    log.error('stopping at once on a third signal: the next start delivers what is left', { signal });
    // The signal's default action: process.exit would wait for DuckDB's destructors, i.e. for a query still running.
    this.raise(signal);
  }

  private begin(signal: Signal): void {
    if (this.stopping || !this.lake) return;
    const log = this.opts.log();
    log.info('shutting down', { signal, ...this.opts.pending?.() });
    this.stopping = this.lake.stop().then(
      (report) => {
        const code = finalLine(log, report ?? undefined);
        const notEnded = report?.queriesNotEnded ?? 0;
        if (notEnded === 0) return this.exit(code);
        log.warn(`ending by ${signal}: DuckDB has not ended a query it was asked to stop`, {
          queriesNotEnded: notEnded,
          exitStatus: 128 + (constants.signals[signal] ?? 15),
        });
        this.raise(signal);
      },
      (err: unknown) => {
        log.error('shutdown failed: the next start delivers what is left', { error: err as Error });
        this.exit(1);
      },
    );
  }
}

/** The last line: what the stop delivered, and what it left (then exit code 1). */
export function finalLine(log: ShutdownLog, report: StopReport | undefined): number {
  const others = report?.heldByOthers ?? [];
  const delivered = {
    recordsDelivered: report?.recordsDelivered ?? 0,
    objectsDelivered: report?.objectsDelivered ?? 0,
    // Another lake running on the same folder delivers its own.
    ...(others.length
      ? { segmentsOfOtherRunningLakes: others.length, pids: [...new Set(others.map((o) => o.pid))] }
      : {}),
  };
  const failed = report?.stepsFailed ?? [];
  if (!report?.left.length) {
    if (failed.length) {
      log.warn('stopped: every accepted event is delivered, but steps of the stop failed (logged above)', {
        ...delivered,
        stepsFailed: failed,
      });
      return 1;
    }
    log.info('stopped: every accepted event is delivered', delivered);
    return 0;
  }
  // A full disk under LAKE_DIR (the delivered objects need room too): no start delivers them until there is space.
  const full = report.left.some((l) => /ENOSPC|no space left/i.test(l.reason));
  log.warn(
    full
      ? 'stopped, leaving events not delivered: the disk under LAKE_DIR is full; free space, and the next start ' +
          'delivers them'
      : 'stopped, leaving events not delivered: the next start delivers them',
    { ...delivered, left: report.left, ...(failed.length ? { stepsFailed: failed } : {}) },
  );
  return 1;
}
