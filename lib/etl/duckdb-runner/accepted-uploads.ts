/**
 * The uploads the upload check accepted, for a rebuild: a file under uploads/<dataset>/ is read again only when the
 * queue of accepted uploads (lib/etl/upload-queue.ts) holds a record of it — pending, or done whatever its outcome —
 * for the content it has now (the record's ETag; a record written before results carried one matches any content).
 * A file dropped while no check ran (the lake stopped, or on AWS before validateUpload took its event) is skipped: a
 * refused file never reaches the curated zone, not even by a rebuild. The Glue job reads the same records
 * (resources/glue/etl_job.py accepted_uploads).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { md5File } from '../../objects/local';
import { pendingUploadsPrefix, uploadResultKey } from '../upload-queue';

/** Accepted ETags by key; `any` for a record without one. */
export type AcceptedUploads = Map<string, Set<string> | 'any'>;

const RESULTS_PREFIX = uploadResultKey('').slice(0, -'.json'.length);

/** The accepted versions of a table's uploads, from the queue's pending and done records. */
export async function acceptedUploads(curatedDir: string, table: string): Promise<AcceptedUploads> {
  const out: AcceptedUploads = new Map();
  for (const prefix of [pendingUploadsPrefix, RESULTS_PREFIX]) {
    const dir = path.join(curatedDir, ...prefix.split('/'));
    const names = await fs.readdir(dir).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return [] as string[];
      throw e;
    });
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      let r: { table?: unknown; key?: unknown; etag?: unknown };
      try {
        r = JSON.parse(await fs.readFile(path.join(dir, name), 'utf8')) as typeof r;
      } catch {
        continue; // not a record (a half-written one cannot be: records are written durably, renamed into place)
      }
      if (r.table !== table || typeof r.key !== 'string') continue;
      const seen = out.get(r.key);
      if (seen === 'any') continue;
      if (typeof r.etag !== 'string') out.set(r.key, 'any');
      else out.set(r.key, (seen ?? new Set()).add(r.etag));
    }
  }
  return out;
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
