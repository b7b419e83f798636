/**
 * The uploads the upload check accepted, for a rebuild: a file under uploads/<dataset>/ is read again only when the
 * queue of accepted uploads (lib/etl/upload-queue.ts) holds a record of it — pending, or done whatever its outcome —
 * for the content it has now (the record's ETag; a record written before results carried one matches any content).
 * A file dropped while no check ran (the lake stopped, or on AWS before validateUpload took its event) is skipped: a
 * refused file never reaches the curated zone, not even by a rebuild. A rebuild that read every upload by its name
 * (no record at all) recorded them (RestoredUploads). The Glue job reads the same records
 * (resources/glue/etl_job.py accepted_uploads).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { logger } from '../../logger';
import { md5File } from '../../objects/local';
import type { ReplayedState } from '../rejected';
import { pendingUploadsPrefix, restoredUploadsPrefix, uploadResultKey } from '../upload-queue';

/** Accepted ETags by key; `any` for a record without one. */
export type AcceptedUploads = Map<string, Set<string> | 'any'>;

const RESULTS_PREFIX = uploadResultKey('').slice(0, -'.json'.length);

/** A record of the queue of accepted uploads (pending or done), as far as these checks read it. */
export interface QueueRecord {
  key: string;
  etag?: string;
  /** The run that took the upload (done records). */
  runId?: string;
  /** When that run recorded its result (done records). */
  processedAt?: string;
}

/** The queue's pending and done records of a table's uploads, and those a rebuild restored (one per upload). */
export async function queueRecords(curatedDir: string, table: string): Promise<QueueRecord[]> {
  const out: QueueRecord[] = [];
  for (const prefix of [pendingUploadsPrefix, RESULTS_PREFIX, restoredUploadsPrefix]) {
    const dir = path.join(curatedDir, ...prefix.split('/'));
    const names = await fs.readdir(dir).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return [] as string[];
      throw e;
    });
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      let r: {
        table?: unknown;
        key?: unknown;
        etag?: unknown;
        runId?: unknown;
        processedAt?: unknown;
        restoredAt?: unknown;
        uploads?: unknown;
      };
      try {
        r = JSON.parse(await fs.readFile(path.join(dir, name), 'utf8')) as typeof r;
      } catch (e) {
        // Damaged (records are written durably and renamed into place, so never half-written): its upload cannot be
        // told accepted and is skipped; said, naming the file (README "Damaged state files").
        logger.warn('a record of the queue of accepted uploads is damaged: its upload is not read again', {
          record: path.join(dir, name),
          error: (e as Error).message,
        });
        continue;
      }
      if (r.table !== table) continue;
      if (prefix === restoredUploadsPrefix) {
        // One record each, taken by the rebuild when it restored them: loaded before any upload checked since
        // (lib/etl/upload-order.ts), among themselves in file name order, as that rebuild merged them.
        const run =
          typeof r.runId === 'string' && typeof r.restoredAt === 'string'
            ? { runId: r.runId, processedAt: r.restoredAt }
            : {};
        for (const u of Array.isArray(r.uploads) ? (r.uploads as { key?: unknown; etag?: unknown }[]) : [])
          if (typeof u?.key === 'string' && typeof u.etag === 'string')
            out.push({ key: u.key, etag: u.etag, ...run });
        continue;
      }
      if (typeof r.key !== 'string') continue;
      out.push({
        key: r.key,
        ...(typeof r.etag === 'string' ? { etag: r.etag } : {}),
        ...(typeof r.runId === 'string' ? { runId: r.runId } : {}),
        ...(typeof r.processedAt === 'string' ? { processedAt: r.processedAt } : {}),
      });
    }
  }
  return out;
}

/** The accepted versions of a table's uploads, from the queue's pending and done records. */
export async function acceptedUploads(curatedDir: string, table: string): Promise<AcceptedUploads> {
  const out: AcceptedUploads = new Map();
  for (const r of await queueRecords(curatedDir, table)) {
    const seen = out.get(r.key);
    if (seen === 'any') continue;
    out.set(r.key, r.etag === undefined ? 'any' : (seen ?? new Set()).add(r.etag));
  }
  return out;
}

/**
 * For a replay: the runs among `runs` whose rejected rows came from content of the upload under `key` that it no
 * longer holds (`etag` now): reading it again cannot bring those rows back. A run no record tells the content of
 * (results written before they carried an ETag, a replay's own rejections recorded before the replayed state kept
 * what each replay read) is not among them. `replayReads`: ReplayedState.read.
 */
export function runsReplacedSince(
  records: QueueRecord[],
  key: string,
  runs: Set<string>,
  etag: string,
  replayReads: ReplayedState['read'] = {},
): string[] {
  return [...runs].filter((run) => {
    const read = new Set(
      records.filter((r) => r.key === key && r.runId === run && r.etag).map((r) => r.etag),
    );
    const replayed = replayReads[run]?.[key];
    if (typeof replayed === 'string') read.add(replayed);
    return read.size > 0 && !read.has(etag);
  });
}

/** Why the file under `key` is not read again (no record of its content), or undefined. */
export async function notAccepted(
  accepted: AcceptedUploads,
  key: string,
  file: string,
): Promise<string | undefined> {
  const etags = accepted.get(key);
  if (etags === 'any') return undefined;
  if (!etags) return 'the upload check has not accepted it (no record in the queue of accepted uploads)';
  return etags.has(await md5File(file))
    ? undefined
    : 'the upload check has not accepted this content (the file was replaced since it was accepted)';
}
