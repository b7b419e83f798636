/**
 * The order in which a dataset's uploads were loaded, for the merge of a replay or a rebuild (plan.ts
 * reloadMergeSql): among copies of a key equal by latestBy (or in a dataset without one), the copy of the upload a
 * later run loaded wins, as it did — or would have, had the rules allowed it then — when that run merged it
 * (mergeSql: the newest run, then the greatest file name). A copy rejected when its upload ran and valid now
 * (replayed) so takes the place the stored row of an earlier upload holds, whatever the batches of the replay.
 *
 * From the queue of accepted uploads' done records (lib/etl/upload-queue.ts UploadResult: key, runId, processedAt):
 * a run's order is the first processedAt of its results (the uploads one run took share it: the file name decides
 * between them, as in that run), an upload's the latest of the runs that took it. An upload no run has taken yet
 * has none (the merge takes it for the newest). The uploads a rebuild restored (read by their names, no record of
 * any) count as taken by that rebuild when it recorded them (accepted-uploads.ts). The Glue job computes the same
 * (resources/glue/etl_job.py upload_orders).
 */

/** A done record of the queue, as far as the order reads it. */
export interface LoadedUpload {
  key: string;
  runId?: string;
  processedAt?: string;
}

/** The table the reload merge joins: [upload key, its order (ISO-8601 text)], by key. */
export function uploadOrders(records: readonly LoadedUpload[]): [string, string][] {
  const runs = new Map<string, string>();
  for (const r of records)
    if (r.runId !== undefined && r.processedAt !== undefined) {
      const seen = runs.get(r.runId);
      if (seen === undefined || r.processedAt < seen) runs.set(r.runId, r.processedAt);
    }
  const uploads = new Map<string, string>();
  for (const r of records) {
    const order = r.runId === undefined ? undefined : runs.get(r.runId);
    if (order === undefined) continue;
    const seen = uploads.get(r.key);
    if (seen === undefined || order > seen) uploads.set(r.key, order);
  }
  return [...uploads].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
