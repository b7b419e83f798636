/**
 * Stopping a running local query (a cancel, the time limit, the lake stopping), within a bound.
 *
 * DuckDB's interrupt stops the statement running on a connection at that moment, so one sent between two statements
 * of a run (the view sync, the preparation) would be lost: it is sent again every 20 ms until the run has ended.
 * Some operators do not look at the interrupt for a long time (a scalar function building a list of 10^8 elements,
 * e.g. `sequence(1, 100000000)`, runs to its end): the caller is not kept waiting for them. After `graceMs` the
 * query's final state is recorded anyway (CANCELLED, or FAILED for the time limit and a stop), saying that DuckDB is
 * still stopping it; the run's connection stays busy until DuckDB lets go, and whatever the run still produces is
 * discarded (the first final state recorded wins).
 */
export type StopReason = 'cancel' | 'timeout' | 'shutdown';

export interface StoppableRun {
  stop?: StopReason;
  connection?: { interrupt(): void };
  /** Resolves when the run has ended (its connection is free again). */
  done: Promise<void>;
}

/** The default bound on how long a cancel, a timeout or a stop waits for DuckDB to end a run. */
export const STOP_GRACE_MS = 2000;

/** Interrupts `run` until it ends or `graceMs` has passed; true when it ended within the bound. */
export async function interruptWithin(run: StoppableRun, why: StopReason, graceMs: number): Promise<boolean> {
  run.stop ??= why;
  run.connection?.interrupt();
  const again = setInterval(() => run.connection?.interrupt(), 20);
  let timer: NodeJS.Timeout | undefined;
  const ended = await Promise.race([
    run.done.then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
  ]);
  clearTimeout(timer);
  // Past the bound the interrupts go on (every 20 ms) until DuckDB lets go of the run.
  if (ended) clearInterval(again);
  else void run.done.finally(() => clearInterval(again));
  return ended;
}

/** How a stop's failure is classed (Athena's AthenaError): the lake stopping is the system's, the time limit a timeout. */
export interface StopFailure {
  errorCategory?: 'USER' | 'SYSTEM';
  timedOut?: boolean;
}

const stopFailure = (why: StopReason): StopFailure =>
  why === 'timeout'
    ? { errorCategory: 'USER', timedOut: true }
    : why === 'shutdown'
      ? { errorCategory: 'SYSTEM' }
      : {};

/** What the record says of a run DuckDB had not ended within the bound. */
export function overdueReason(
  why: StopReason,
  graceMs: number,
  timeoutMs: number,
): { reason: string } & StopFailure {
  const still = `DuckDB had not stopped it ${graceMs / 1000} s later (some operators, e.g. sequence() over a huge range, do not look at an interrupt); its connection stays busy until it ends, and its result is discarded`;
  const reason =
    why === 'cancel'
      ? `cancelled by request; ${still}`
      : why === 'timeout'
        ? `the query ran longer than ${timeoutMs / 1000} s (LAKE_QUERY_TIMEOUT_SECONDS) and was stopped; ${still}`
        : `the local lake stopped before the query finished; run it again (${still})`;
  return { reason, ...stopFailure(why) };
}

/** The final state and reason of a run that a stop ended within the bound (a cancel, the time limit, the lake stopping). */
export function stoppedRun(
  why: StopReason,
  timeoutMs: number,
): { state: 'CANCELLED' | 'FAILED'; reason: string } & StopFailure {
  if (why === 'cancel') return { state: 'CANCELLED', reason: 'cancelled by request' };
  const reason =
    why === 'timeout'
      ? `the query ran longer than ${timeoutMs / 1000} s (LAKE_QUERY_TIMEOUT_SECONDS) and was stopped`
      : 'the local lake stopped before the query finished; run it again';
  return { state: 'FAILED', reason, ...stopFailure(why) };
}
