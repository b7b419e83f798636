/** Recovery: executions requested earlier, and those a process that is gone left running, run again at start. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  claimsDir,
  listExecutions,
  pendingDir,
  readExecution,
  recordPath,
  writeRecord,
  type ExecutionEvent,
  type ExecutionRecord,
} from '../../lib/workflow/local';
import type { Notice } from '../../lib/notify/types';
import { exists } from '../../lib/etl/duckdb-runner/fs-util';
import { MAX_UPLOAD_ATTEMPTS, pendingUploadKey, uploadResultKey } from '../../lib/etl/upload-queue';
import type { localLog } from '../log';
import { liveClaim, takeDeadClaim } from './execution-claims';

/** How often an execution interrupted by the death of its process is run again before it is marked FAILED. */
export const MAX_RESTARTS = 2;

/**
 * What an engine runs when it opens, in start order: the executions requested and never started, and those a
 * process that is gone left running (requested again, or marked FAILED after MAX_RESTARTS, with its ETL_FAILED
 * notice through `publish`).
 */
export async function executionsToResume(
  lakeDir: string,
  machine: string,
  log: Pick<typeof localLog, 'info' | 'warn' | 'error'>,
  publish: (notice: Notice) => Promise<void>,
  /**
   * Only those a process that is gone left running, found by their claims (not every record): what a running lake
   * looks for now and then, as another lake on its folder may die while it runs.
   */
  onlyOfDeadRunners = false,
): Promise<ExecutionRecord[]> {
  // A record that does not read is named, not left out silently: it may be of an execution that was running.
  const records = onlyOfDeadRunners
    ? await claimedExecutions(lakeDir, machine)
    : await listExecutions(lakeDir, machine, (name, error) =>
        log.error(
          'an execution record does not read: it is left out, not run again (an upload it ran for stays in the ' +
            'upload queue, taken by the next ETL run; README "Damaged state files")',
          { record: recordPath(lakeDir, machine, name), error: error.message },
        ),
      );
  const pending: ExecutionRecord[] = [];
  for (const listed of records.filter((x) => x.status === 'RUNNING')) {
    let r = listed;
    const owner = await liveClaim(lakeDir, machine, r.name);
    if (owner && owner !== 'dead') continue; // another live engine runs it
    if (onlyOfDeadRunners && (owner !== 'dead' || !r.runStartDate)) continue;
    if (owner === 'dead' && r.runStartDate) {
      // One engine only runs it again: others on the folder may have judged the same claim at once.
      if (!(await takeDeadClaim(lakeDir, machine, r.name))) continue;
      const now = new Date().toISOString();
      const taken = await readExecution(lakeDir, machine, r.name);
      if (taken?.status !== 'RUNNING' || taken.runStartDate !== r.runStartDate) continue;
      r = taken;
      const restarts = r.restarts ?? 0;
      // A file's outcome recorded already (a swap rolled forward at the start after the crash): run once more, to
      // end with that outcome — its rows are in the table — rather than FAILED telling to load the file again.
      const outcome =
        restarts === MAX_RESTARTS &&
        (await exists(path.join(lakeDir, 'curated', ...uploadResultKey(r.name).split('/'))));
      if (restarts < MAX_RESTARTS || outcome) {
        // Step Functions keeps an execution going when a worker dies; the local engine runs it again from the
        // start, under the same name and input. Its tasks are idempotent by design: the Glue job by its run id
        // (the execution name: a re-run replaces what a torn run left), notices at least once.
        const restarted = await requestAgain(
          lakeDir,
          machine,
          r,
          [],
          `process ${r.runBy?.pid ?? '?'} ended before the execution did (a crash or a kill)`,
        );
        log.warn('restarting an execution whose process ended before it did (a crash or a kill)', {
          name: r.name,
          restart: restarts + 1,
        });
        pending.push(restarted);
        continue;
      }
      // A file's upload still in the queue is taken by the next ETL run whatever becomes of this execution (its
      // rows may be in the table already, when a swap was rolled forward): say so, not to start it again.
      // Taken by MAX_UPLOAD_ATTEMPTS runs without an outcome, the next run gives it up instead of loading it.
      const queued = await fs
        .readFile(path.join(lakeDir, 'curated', ...pendingUploadKey(r.name).split('/')), 'utf8')
        .then(
          (text) => ({ attempts: attemptsOf(text) }),
          () => undefined,
        );
      const failedRecord: ExecutionRecord = {
        ...r,
        status: 'FAILED',
        stopDate: now,
        error: 'Local.Interrupted',
        cause:
          `The local lake process (pid ${r.runBy?.pid ?? '?'}) that ran this execution stopped before it finished, ` +
          `${restarts + 1} times: it is not run again (it may be what stops the process). ` +
          (!queued
            ? 'Start a new execution to run its input again.'
            : queued.attempts >= MAX_UPLOAD_ATTEMPTS
              ? `Its file stays in the upload queue, but ${queued.attempts} ETL runs took it without an outcome: ` +
                `the next ETL run (the schedule, or npm run compact) gives it up (Etl.UploadGivenUp, recorded in ` +
                `curated/${uploadResultKey(r.name)}); npm run executions -- retry ${r.name} runs it again.`
              : `Its file stays in the upload queue: the next ETL run (the schedule, or npm run compact) loads it ` +
                `and records its outcome in curated/${uploadResultKey(r.name)}.`),
        events: [
          ...(r.events ?? []),
          { type: 'ExecutionFailed', timestamp: now, error: 'Local.Interrupted' },
        ],
      };
      await writeRecord(lakeDir, machine, failedRecord);
      await fs.rm(path.join(pendingDir(lakeDir, machine), r.name), { force: true });
      log.error('an execution was interrupted too often; marked FAILED', { name: r.name });
      // The notice its own failure path would have published: the execution never gets there.
      await publish(interruptedNotice(failedRecord)).catch((e) =>
        log.error('the notice of an interrupted execution could not be published', {
          name: r.name,
          error: e as Error,
        }),
      );
      continue;
    }
    pending.push(r);
  }
  pending.sort((a, b) => (a.startDate < b.startDate ? -1 : a.startDate > b.startDate ? 1 : 0));
  if (pending.length)
    log.info('resuming executions requested earlier', { names: pending.map((p) => p.name) });
  return pending;
}

/** The records of the executions that have a claim (an engine runs them, or ran them and is gone). */
async function claimedExecutions(lakeDir: string, machine: string): Promise<ExecutionRecord[]> {
  const names = await fs.readdir(claimsDir(lakeDir, machine)).catch(() => [] as string[]);
  const records = await Promise.all(
    names.map((n) => readExecution(lakeDir, machine, n).catch(() => undefined)),
  );
  return records.filter((r): r is ExecutionRecord => r !== undefined);
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
  /** A crash's restart counts toward MAX_RESTARTS; a stop of the lake (the user's) does not. */
  counted = true,
): Promise<ExecutionRecord> {
  const again: ExecutionRecord = {
    ...r,
    ...(counted ? { restarts: (r.restarts ?? 0) + 1 } : {}),
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

/**
 * The ETL_FAILED notice of an execution marked FAILED here, shaped as the state machine's FailureNotice (its
 * failure path, state-machines/etl.asl.json, is never reached).
 */
export function interruptedNotice(r: ExecutionRecord): Notice {
  return {
    kind: 'ETL_FAILED',
    subject: 'Data lake ETL run failed',
    detail: {
      runId: r.name,
      executionArn: r.executionArn,
      error: r.error,
      cause: r.cause,
      input: r.input,
    },
  };
}

/** The runs that took a queued upload so far (its pending record's attempts; 0 when it holds none or is damaged). */
function attemptsOf(text: string): number {
  try {
    const attempts = (JSON.parse(text) as { attempts?: unknown }).attempts;
    return typeof attempts === 'number' && Number.isInteger(attempts) ? attempts : 0;
  } catch {
    return 0;
  }
}
