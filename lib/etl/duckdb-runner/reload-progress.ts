/**
 * The progress of a run that reads raw objects again (a replay, a rebuild), kept in a state file of the curated zone
 * (rejected.ts replayingStateKey, rebuildingStateKey): its run id and the raw objects whose batches are in, each
 * added with its batch's swap (batch-outcome.ts). The run again under that run id after its process died reads only
 * the rest: read again, their rows that still fail were recorded a second time under the run id. The file goes once
 * the run has recorded its end.
 */
import { writeFileDurably } from '../../durable-fs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ReloadProgress } from '../rejected';
import type { RunContext } from './batch';
import type { BatchOutcome } from './batch-outcome';
import { readProgress } from './fs-util';
import { logger } from '../../logger';

export interface OpenProgress<T extends ReloadProgress> {
  /** The run's record: resumed (this run id's, from an attempt that died), or the fresh one written now. */
  state: T;
  resumed: boolean;
  /** The raw objects whose batches are in. */
  done: Set<string>;
  /** What a batch of `keys` adds to the record, with its swap. */
  outcome: (keys: string[]) => BatchOutcome;
  /** Removes the record: the run has recorded its end. */
  close: () => Promise<void>;
}

export async function openProgress<T extends ReloadProgress>(
  ctx: RunContext,
  key: string,
  fresh: () => Promise<T>,
  valid: (state: Partial<T>) => boolean = () => true,
): Promise<OpenProgress<T>> {
  const file = path.join(ctx.curatedDir, ...key.split('/'));
  const found = await readProgress<Partial<T>>(file);
  const resumed =
    found?.runId === ctx.runId && Array.isArray(found.done) && valid(found) ? (found as T) : undefined;
  const state = resumed ?? (await fresh());
  if (!resumed) await writeFileDurably(file, JSON.stringify(state, null, 2) + '\n');
  return {
    state,
    resumed: resumed !== undefined,
    done: new Set(state.done),
    outcome: (keys) => ({ progress: { key, runId: ctx.runId, done: keys } }),
    close: () => fs.rm(file, { force: true }),
  };
}

/**
 * Says, when a run is run again, what the attempt that died had loaded: its figures are not in this run's (they were
 * that attempt's), which count what this one read.
 */
export function resumedNote(
  table: string,
  progress: OpenProgress<ReloadProgress>,
  candidates: string[],
): void {
  if (!progress.resumed) return;
  const done = candidates.filter((k) => progress.done.has(k)).length;
  logger.warn(
    'run again after its first attempt ended unfinished (stopped, timed out, or its process died): the raw objects that attempt loaded are not read again',
    {
      table,
      runId: progress.state.runId,
      objectsLoadedBefore: done,
      note: "this run's figures count what it reads now",
    },
  );
}
