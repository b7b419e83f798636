/**
 * Whether something was written after the run read its tables (RunContext.tablesReadAt), by its time on the real
 * clock: a raw event object delivered, an upload accepted since may hold what a schema changed since describes, and
 * is left to the next run, which reads the tables again.
 *
 * A time later than now was not written during the run: it was written before the clock stepped back (an NTP
 * correction, a virtual machine resumed) or copied in with its times (`cp -a` from a machine whose clock was ahead).
 * It counts as written before: left out, it waited for the clock to catch up, an hour for an hour's step, and every
 * run said the next one would take it.
 */
import type { RunContext } from './batch';

export function writtenAfterTablesRead(
  ctx: Pick<RunContext, 'tablesReadAt' | 'realClock'>,
  writtenAtMs: number,
): boolean {
  const at = Math.floor(writtenAtMs);
  return at > ctx.tablesReadAt && at <= ctx.realClock();
}
