/** Recovery: executions requested earlier, and those a process that is gone left running, run again at start. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  listExecutions,
  pendingDir,
  writeRecord,
  type ExecutionEvent,
  type ExecutionRecord,
} from '../../lib/workflow/local';
import type { localLog } from '../log';
import { claimPath, liveClaim } from './execution-claims';

/** How often an execution interrupted by the death of its process is run again before it is marked FAILED. */
export const MAX_RESTARTS = 2;

/**
 * What an engine runs when it opens, in start order: the executions requested and never started, and those a
 * process that is gone left running (requested again, or marked FAILED after MAX_RESTARTS).
 */
export async function executionsToResume(
  lakeDir: string,
  machine: string,
  log: Pick<typeof localLog, 'info' | 'warn' | 'error'>,
): Promise<ExecutionRecord[]> {
  const records = await listExecutions(lakeDir, machine);
  const pending: ExecutionRecord[] = [];
  for (const r of records.filter((x) => x.status === 'RUNNING')) {
    const owner = await liveClaim(lakeDir, machine, r.name);
    if (owner && owner !== 'dead') continue; // another live engine runs it
    if (owner === 'dead' && r.runStartDate) {
      const restarts = r.restarts ?? 0;
      const now = new Date().toISOString();
      await fs.rm(claimPath(lakeDir, machine, r.name), { force: true });
      if (restarts < MAX_RESTARTS) {
        // Step Functions keeps an execution going when a worker dies; the local engine runs it again from the
        // start, under the same name and input. Its tasks are idempotent by design: the Glue job by its run id
        // (the execution name: a re-run replaces what a torn run left), notices at least once.
        const restarted = await requestAgain(
          lakeDir,
          machine,
          r,
          [],
          `process ${r.runBy?.pid ?? '?'} stopped`,
        );
        log.warn('restarting an execution interrupted by a stopped process', {
          name: r.name,
          restart: restarts + 1,
        });
        pending.push(restarted);
        continue;
      }
      await writeRecord(lakeDir, machine, {
        ...r,
        status: 'FAILED',
        stopDate: now,
        error: 'Local.Interrupted',
        cause:
          `The local lake process (pid ${r.runBy?.pid ?? '?'}) that ran this execution stopped before it finished, ` +
          `${restarts + 1} times: it is not run again (it may be what stops the process). ` +
          'Start a new execution to run its input again.',
        events: [
          ...(r.events ?? []),
          { type: 'ExecutionFailed', timestamp: now, error: 'Local.Interrupted' },
        ],
      });
      await fs.rm(path.join(pendingDir(lakeDir, machine), r.name), { force: true });
      log.error('an execution was interrupted too often; marked FAILED', { name: r.name });
      continue;
    }
    pending.push(r);
  }
  pending.sort((a, b) => (a.startDate < b.startDate ? -1 : a.startDate > b.startDate ? 1 : 0));
  if (pending.length)
    log.info('resuming executions requested earlier', { names: pending.map((p) => p.name) });
  return pending;
}

/**
 * Writes `r` back as requested and not started (its history so far, `events` of a run cut short, and an
 * ExecutionRestarted event), one restart more: to run again from the start.
 */
export async function requestAgain(
  lakeDir: string,
  machine: string,
  r: ExecutionRecord,
  events: ExecutionEvent[],
  cause: string,
): Promise<ExecutionRecord> {
  const again: ExecutionRecord = {
    ...r,
    restarts: (r.restarts ?? 0) + 1,
    events: [
      ...(r.events ?? []),
      ...events,
      { type: 'ExecutionRestarted', timestamp: new Date().toISOString(), cause },
    ],
  };
  delete again.runStartDate;
  delete again.runBy;
  await writeRecord(lakeDir, machine, again);
  return again;
}
