/**
 * At a lake's start, before it serves anything: the swaps that runs of ended processes left half done are finished
 * (or their unfinished batches discarded), as the next ETL run would do first (recoverLeftovers). Without it a query
 * read a table half swapped — some partitions new, some old — until that run came: never, when the execution that
 * crashed was marked FAILED after too many interruptions (local/step-functions/execution-recovery.ts) and nothing
 * else ran, or up to the next scheduled compaction.
 */
import path from 'node:path';
import layout from '../../lake-layout.json';
import { EtlErrorName, EtlJobError } from './errors';
import { lockLake } from './lake-lock';
import { recoverLeftovers } from './swap-journal';

/** The run id the lake lock names meanwhile (no run has it: run ids of executions and commands are other names). */
export const START_RECOVERY_RUN_ID = '_lake-start';

/**
 * Finishes the swaps left by runs of ended processes on `tables` (table names); 'busy' when a run of a live process
 * holds the lake (it finishes them itself, before its own batches).
 */
export async function finishLeftSwaps(
  curatedDir: string,
  tables: Iterable<string>,
): Promise<'done' | 'busy'> {
  let unlock: () => Promise<void>;
  try {
    unlock = await lockLake(curatedDir, START_RECOVERY_RUN_ID);
  } catch (e) {
    if (e instanceof EtlJobError && e.name === EtlErrorName.ConcurrentRunsExceeded) return 'busy';
    throw e;
  }
  try {
    const ownRunDir = path.join(curatedDir, layout.curated.statePrefix, 'tmp', START_RECOVERY_RUN_ID);
    await recoverLeftovers(curatedDir, new Set(tables), ownRunDir);
  } finally {
    await unlock();
  }
  return 'done';
}
