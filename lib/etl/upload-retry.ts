/**
 * Whether an execution may be retried (lib/workflow RetryCheck, executionRetryCheck below); first, a file's. A file's execution can end FAILED while its
 * upload stays queued, and the next run loads it (lib/etl/upload-queue.ts): a retry of it then would load the same
 * file version again, as a run newer than any upload loaded since — among copies equal by latestBy the newest run
 * wins, so its older values would replace a newer file's. A retry is refused, with what became of the file:
 *  - while the upload of the execution (or of one of its retries) is queued: the next run takes it;
 *  - once a run recorded that it loaded the file (SUCCEEDED, or FAILED for too many rejected rows with the others
 *    loaded): its rejected rows come back with a replay, not with the file again.
 * A FAILED result that loaded nothing (the table failed, the file went missing) may be retried.
 */
import type { ObjectStore } from '../objects/types';
import type { RetryCheck } from '../workflow/types';
import { pendingUploadKey, uploadResultKey, type UploadResult } from './upload-queue';

/**
 * Whether a record of the queue exists. On AWS the lake function's role reads the queue's records only (s3:GetObject
 * on its prefix, no s3:ListBucket, resources/lake-role.yml): S3 answers 403 for one that does not exist, as the state
 * machine's CheckUploadDone takes it too.
 */
async function headRecord(objects: ObjectStore, key: string) {
  try {
    return await objects.head('curated', key);
  } catch (e) {
    if ((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403)
      return undefined;
    throw e;
  }
}

/** A small JSON object of the curated bucket, or undefined when there is none. */
async function readRecord<T>(objects: ObjectStore, key: string): Promise<T | undefined> {
  const info = await headRecord(objects, key);
  if (!info) return undefined;
  if (info.size === 0) return {} as T;
  return JSON.parse((await objects.getRange('curated', key, 0, info.size - 1)).toString('utf8')) as T;
}

/**
 * How the file's run ended for its execution: a run that loaded the file's valid rows records SUCCEEDED, and the
 * execution still fails when the rejected ones are above the table's maxRejectedRatio.
 */
const outcome = (r: Partial<UploadResult>) =>
  r.rejectedAboveThreshold === true
    ? "FAILED for its rejected rows, above the table's maxRejectedRatio"
    : String(r.status ?? '?');

/**
 * The check of every retry asked for by hand (POST /executions/{name}/retry, `npm run executions -- retry`): a
 * file's as above; a replay's, rebuild's or compaction's is refused as its start would be (`startRefusal`: the local
 * lake's refused schemas/); a file's is not (an upload keeps loading under the schemas the lake accepted).
 */
export function executionRetryCheck(
  objects: ObjectStore,
  startRefusal?: () => Promise<string | undefined> | undefined,
): RetryCheck {
  return async (input, family) => {
    let parsed: { mode?: unknown; table?: unknown; inputs?: unknown } | undefined;
    try {
      parsed = JSON.parse(input) as typeof parsed;
    } catch {
      parsed = undefined;
    }
    if (parsed?.mode !== 'file') return startRefusal?.();
    const file =
      Array.isArray(parsed.inputs) && typeof parsed.inputs[0] === 'string' ? parsed.inputs[0] : 'its file';
    for (const name of family) {
      if (await headRecord(objects, pendingUploadKey(name)))
        return (
          `the upload of ${name} (${file}) is still queued: the next ETL run loads it and records what became of ` +
          `it (an upload's run, the scheduled compaction, or locally npm run compact); a retry would load it twice`
        );
    }
    for (const name of family) {
      let r: Partial<UploadResult> | undefined;
      try {
        r = await readRecord<Partial<UploadResult>>(objects, uploadResultKey(name));
      } catch (e) {
        if (!(e instanceof SyntaxError)) throw e;
        // What became of the file cannot be told: not retried (it may have been loaded), the record named.
        return (
          `the result record ${uploadResultKey(name)} of ${file} is damaged (not JSON: ${e.message}), so what became ` +
          `of the file cannot be told: not retried; README "Damaged state files" says what to do with it`
        );
      }
      if (!r || typeof r !== 'object') continue;
      const loaded =
        r.status === 'SUCCEEDED' || (r.rowsWritten ?? 0) > 0 || r.rejectedAboveThreshold === true;
      if (!loaded) continue;
      return (
        `${file} was loaded by run ${r.runId ?? '?'} at ${r.processedAt ?? '?'} (${outcome(r)}: ${r.rowsRead ?? 0} ` +
        `rows read, ${r.rowsWritten ?? 0} written, ${r.rowsRejected ?? 0} rejected; its result is ` +
        `${uploadResultKey(name)}): loading it again would put its rows back over any newer upload's. Rows it ` +
        `rejected come back with a replay of ${typeof parsed.table === 'string' ? parsed.table : 'its table'} once ` +
        `the schema or the data is fixed`
      );
    }
    return undefined;
  };
}
