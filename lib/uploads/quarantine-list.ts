/**
 * The quarantined uploads, newest first, for GET /uploads/quarantine: every object under quarantine/ in the raw
 * bucket but the reason files (a .reason.json without one of its own), each with the reason beside it (`<file>.reason.json`, lib/uploads/process.ts),
 * through the objects port (S3 ListObjectsV2 + GetObject on AWS, the lake's raw/ folder locally).
 *
 * Order: the time the file was quarantined (the object's LastModified: S3's copy, the local store's move), then
 * the key. The paging token names the last item given, so that files quarantined while someone pages do not shift
 * the pages. The listing reads the whole prefix: quarantined files expire (quarantineExpirationDays), which bounds
 * it; only the reasons of the page are read (GetObject).
 */
import { NoSuchKeyError } from '../objects/errors';
import type { ObjectInfo, ObjectStore } from '../objects/types';
import { QUARANTINE_PREFIX, reasonKeyOf } from './key';

const REASON_SUFFIX = '.reason.json';
/** A reason file larger than this is not read (the ones lib/uploads/process.ts writes are a few hundred bytes). */
const MAX_REASON_BYTES = 64 * 1024;

export interface QuarantineReason {
  code: string;
  message: string;
  field?: string;
}

export interface QuarantinedUpload {
  key: string;
  dataset: string | null;
  quarantinedAt: string;
  size: number;
  reason: QuarantineReason;
}

export class InvalidQuarantineTokenError extends Error {
  override name = 'InvalidQuarantineTokenError';
}

interface Position {
  t: number;
  k: string;
}

const encode = (p: Position) => Buffer.from(JSON.stringify(p), 'utf8').toString('base64url');

function decode(token: string): Position {
  try {
    const p = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<Position>;
    if (typeof p.t === 'number' && Number.isFinite(p.t) && typeof p.k === 'string') return { t: p.t, k: p.k };
  } catch {
    // not a token of this list
  }
  throw new InvalidQuarantineTokenError('nextToken is not a token this list gave');
}

const timeOf = (o: ObjectInfo) => o.lastModified?.getTime() ?? 0;
/** Newest first; the same time: by key. */
const before = (a: Position, b: Position) => a.t > b.t || (a.t === b.t && a.k < b.k);

/** quarantine/<yyyy-MM-dd>/<dataset>/<file>: the dataset, or null for a key without one (BAD_KEY). */
function datasetOf(key: string): string | null {
  const parts = key.slice(QUARANTINE_PREFIX.length).split('/');
  return parts.length >= 3 ? parts[1]! : null;
}

async function readReason(
  objects: ObjectStore,
  key: string,
  info: ObjectInfo | undefined,
): Promise<QuarantineReason> {
  const reasonKey = reasonKeyOf(key);
  if (!info) return { code: 'REASON_MISSING', message: `no ${reasonKey} beside the file` };
  if (info.size > MAX_REASON_BYTES || info.size === 0)
    return { code: 'REASON_UNREADABLE', message: `${reasonKey} is ${info.size} bytes` };
  try {
    const r = JSON.parse(
      (await objects.getRange('raw', reasonKey, 0, info.size - 1)).toString('utf8'),
    ) as Record<string, unknown>;
    return {
      code: typeof r.code === 'string' ? r.code : 'REASON_UNREADABLE',
      message: typeof r.message === 'string' ? r.message : '',
      ...(typeof r.field === 'string' ? { field: r.field } : {}),
    };
  } catch (e) {
    if (e instanceof SyntaxError) return { code: 'REASON_UNREADABLE', message: `${reasonKey} is not JSON` };
    // Removed since the listing (the file was moved back, README): the file itself is gone too, or about to be. On
    // AWS a missing key is a 403, not a 404 (the role's s3:ListBucket is only for quarantine/, which S3 does not
    // count for a GetObject): a listing of the key tells.
    if (
      e instanceof NoSuchKeyError ||
      !(await objects.list('raw', reasonKey)).some((o) => o.key === reasonKey)
    )
      return { code: 'REASON_MISSING', message: `no ${reasonKey} beside the file` };
    throw e;
  }
}

export async function listQuarantine(
  objects: ObjectStore,
  opts: { limit: number; nextToken?: string },
): Promise<{ items: QuarantinedUpload[]; nextToken?: string }> {
  const after = opts.nextToken ? decode(opts.nextToken) : undefined;
  const listed = await objects.list('raw', QUARANTINE_PREFIX);
  // The reasons come in the same listing: no HEAD (which IAM would answer 403, not 404, for a missing one).
  const reasons = new Map(listed.filter((o) => o.key.endsWith(REASON_SUFFIX)).map((o) => [o.key, o]));
  // A key ending in .reason.json is a quarantined file when a reason of its own is beside it (an upload named
  // report.reason.json), else a reason.
  const files = listed
    .filter((o) => !o.key.endsWith(REASON_SUFFIX) || reasons.has(reasonKeyOf(o.key)))
    .map((o) => ({ o, p: { t: timeOf(o), k: o.key } }))
    .sort((a, b) => (before(a.p, b.p) ? -1 : before(b.p, a.p) ? 1 : 0))
    .filter((x) => !after || before(after, x.p));
  const page = files.slice(0, opts.limit);
  const items = await Promise.all(
    page.map(async ({ o }) => ({
      key: o.key,
      dataset: datasetOf(o.key),
      quarantinedAt: new Date(timeOf(o)).toISOString(),
      size: o.size,
      reason: await readReason(objects, o.key, reasons.get(reasonKeyOf(o.key))),
    })),
  );
  const last = page.at(-1);
  return { items, ...(last && files.length > page.length ? { nextToken: encode(last.p) } : {}) };
}
