/**
 * What happens to a file dropped under uploads/: ignored (not an upload), quarantined (with a reason and a notice)
 * or handed to the ETL workflow. The same code runs in the Lambda function (S3 event through EventBridge) and in
 * the local lake (the uploads watcher builds the same event).
 *
 * An accepted upload is written to the ETL's queue (lib/etl/upload-queue.ts), then its execution is started.
 *
 * Quarantine writes `<quarantine key>.reason.json` first, then publishes the notice, then moves the object (copy,
 * then delete): if any step fails the invocation fails and is retried from the start while the object is still
 * under uploads/, so a notice may repeat but is never lost, and nothing invalid is ever handed to the ETL.
 */
import { createHash } from 'node:crypto';
import { pendingUploadKey, type PendingUpload } from '../etl/upload-queue';
import type { Dataset } from '../dataset-registry';
import { dataset as lookupDataset } from '../dataset-registry';
import { tableNames } from '../catalog/table-names';
import { logger } from '../logger';
import type { Notifier } from '../notify/types';
import { ObjectChangedError } from '../objects/errors';
import type { ObjectInfo, ObjectStore } from '../objects/types';
import type { Workflow } from '../workflow/types';
import { checkTextUpload } from './check';
import { checkParquetUpload } from './check-parquet';
import type { ObjectCreated } from './event';
import { eventObjectKey, normalizeEtag } from './event-key';
import { classifyKey, quarantineKey, reasonKeyOf, UPLOAD_FORMATS, type UploadFileFormat } from './key';
import {
  type Finding,
  type QuarantineReason,
  type SampleLimits,
  sampleLimits,
  UploadErrorCode,
} from './types';

export const UPLOAD_QUARANTINED = 'UPLOAD_QUARANTINED';

export type UploadOutcome =
  | { outcome: 'ignored'; key: string; reason: string }
  | { outcome: 'quarantined'; key: string; code: string; quarantineKey: string; reasonKey: string }
  | {
      outcome: 'started' | 'alreadyStarted';
      key: string;
      dataset: string;
      executionName: string;
      executionArn: string;
    };

export interface UploadDeps {
  objects: ObjectStore;
  notifier: () => Notifier;
  workflow: () => Promise<Workflow>;
  now?: () => Date;
  limits?: SampleLimits;
}

/** Input of the ETL state machine for one uploaded file. */
export interface FileRunInput {
  mode: 'file';
  table: string;
  inputs: string[];
  bucket: string;
  key: string;
  size: number;
  etag?: string;
  versionId?: string;
  /**
   * The correlation id of the event that started the run (the EventBridge event id), to follow an upload from its
   * event to the execution. Not part of the execution name: a duplicate event (another id) still starts nothing new.
   */
  correlationId?: string;
}

/** What an invocation knows about itself, passed on to what it starts. */
export interface UploadTrace {
  correlationId?: string;
}

/**
 * A deterministic Step Functions execution name (<= 80 of [A-Za-z0-9-_]) for one version of one object: the same
 * upload (a duplicate or retried event) always maps to the same name, so it starts at most one run.
 */
export function executionName(dataset: string, key: string, version: string): string {
  const hash = createHash('sha256').update(`${dataset}\n${key}\n${version}`).digest('hex').slice(0, 32);
  const file = key.slice(key.lastIndexOf('/') + 1);
  const readable = `${dataset}-${file}`
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80 - hash.length - 1)
    .replace(/-$/, '');
  return readable ? `${readable}-${hash}` : hash;
}

/** The problem with an upload (key, dataset, format, size, content), or null if it may go to the ETL. */
/** Most names tried for one refused file (the day's, then with the time of refusal and a counter). */
const MAX_QUARANTINE_ATTEMPTS = 20;

/** The upload a refusal is for: its key and the version checked. */
interface RefusedUpload {
  key: string;
  etag?: string;
  versionId?: string;
}

/** Whether the reason file at `reasonKey` is that of this very upload (its key, ETag and version). */
async function isReasonOf(objects: ObjectStore, reasonKey: string, size: number, upload: RefusedUpload) {
  try {
    const r = JSON.parse(
      (await objects.getRange('raw', reasonKey, 0, size - 1)).toString('utf8'),
    ) as RefusedUpload;
    return r.key === upload.key && r.etag === upload.etag && r.versionId === upload.versionId;
  } catch {
    return false; // unreadable: another name, as for any reason file that is not this one's
  }
}

/**
 * Where a refused file goes: the day's key for its name, or — when a refused file of that name (or its reason) is
 * already there — that name with the time of refusal (lib/uploads/key.ts), so that a second refusal never replaces
 * the first file and its reason. A retry of the same refusal (its notice or its move failed after the reason file
 * was written: the file is still in uploads/) takes the name its reason file already has, not one more.
 */
async function freeQuarantineKey(
  objects: ObjectStore,
  relative: string,
  at: Date,
  upload: RefusedUpload,
): Promise<string> {
  for (let attempt = 0; attempt < MAX_QUARANTINE_ATTEMPTS; attempt++) {
    const candidate = quarantineKey(relative, at, attempt);
    const [file, reason] = await Promise.all([
      objects.head('raw', candidate),
      objects.head('raw', reasonKeyOf(candidate)),
    ]);
    if (!file && !reason) return candidate;
    if (!file && reason && (await isReasonOf(objects, reasonKeyOf(candidate), reason.size, upload)))
      return candidate;
  }
  throw new Error(`no free quarantine key for ${relative} after ${MAX_QUARANTINE_ATTEMPTS} names`);
}

export async function checkUpload(
  objects: ObjectStore,
  key: string,
  info: ObjectInfo,
  limits: SampleLimits,
): Promise<{ finding: Finding | null; dataset?: Dataset }> {
  const cls = classifyKey(key);
  if (cls.kind !== 'upload') throw new Error(`'${key}' is not an upload`);
  if (cls.problem) return { finding: { code: UploadErrorCode.BadKey, message: cls.problem } };
  const ds = lookupDataset(cls.dataset);
  if (!ds) {
    return {
      finding: {
        code: UploadErrorCode.UnknownDataset,
        message: `no dataset '${cls.dataset}' (schemas/datasets/${cls.dataset}.json); the datasets: ${tableNames(['dataset']).join(', ')}`,
      },
    };
  }
  const ext = cls.extension!;
  const allowed = ds.table.formats;
  const notAllowed = (message: string) => ({
    finding: { code: UploadErrorCode.FormatNotAllowed, message },
    dataset: ds,
  });
  if (!(UPLOAD_FORMATS as readonly string[]).includes(ext)) {
    return notAllowed(
      `'.${ext}' is not an upload format; dataset ${ds.name} accepts ${allowed.join(', ')} (optionally .gz)`,
    );
  }
  const format = ext as UploadFileFormat;
  if (!allowed.includes(format))
    return notAllowed(`dataset ${ds.name} accepts ${allowed.join(', ')}, not ${format}`);
  if (format === 'parquet' && cls.gzip) {
    return notAllowed('Parquet is compressed inside the file; upload it as .parquet, without .gz');
  }
  if (info.size === 0)
    return {
      finding: { code: UploadErrorCode.EmptyFile, message: 'the file is empty (0 bytes)' },
      dataset: ds,
    };
  if (info.size > ds.table.maxFileBytes) {
    return {
      finding: {
        code: UploadErrorCode.FileTooLarge,
        message: `the file is ${info.size} bytes; dataset ${ds.name} takes files of at most ${ds.table.maxFileBytes} bytes`,
      },
      dataset: ds,
    };
  }
  const finding =
    format === 'parquet'
      ? await checkParquetUpload(objects, key, info.size, ds, limits)
      : await checkTextUpload(objects, key, info.size, format, cls.gzip, ds, limits);
  return { finding, dataset: ds };
}

/**
 * Whether `now` (a fresh head) is still the object `then` described: the same version, or the same content — its
 * ETag, or its whole-object checksum (an SSE-KMS object's ETag is not its MD5) — (a chmod changes a local file's
 * version id and is no new object; the same bytes written again on S3 are, and that version's own event checks it
 * again).
 */
function sameObject(now: ObjectInfo, then: ObjectInfo): boolean {
  if (now.versionId && now.versionId === then.versionId) return true;
  if (now.size !== then.size) return false;
  return (
    (now.etag !== undefined && now.etag === then.etag) ||
    (now.checksum !== undefined && now.checksum === then.checksum)
  );
}

/** An event whose object has been written again since: the newer object's own event handles the key. */
function superseded(key: string, eventEtag: string | undefined, info: ObjectInfo): UploadOutcome {
  logger.info('upload ignored: superseded by a newer object', { key, eventEtag, etag: info.etag });
  return { outcome: 'ignored', key, reason: 'superseded by a newer object under the same key' };
}

function gone(key: string): UploadOutcome {
  logger.warn('upload ignored: the object no longer exists', { key });
  return { outcome: 'ignored', key, reason: 'the object no longer exists' };
}

export async function processUpload(
  ev: ObjectCreated,
  deps: UploadDeps,
  trace: UploadTrace = {},
): Promise<UploadOutcome> {
  const key = await eventObjectKey(ev, deps.objects);
  const now = deps.now ?? (() => new Date());
  const cls = classifyKey(key);
  if (cls.kind === 'ignored') {
    logger.info('upload ignored', { key, reason: cls.reason });
    return { outcome: 'ignored', key, reason: cls.reason };
  }
  const info = await deps.objects.head('raw', key);
  if (!info) return gone(key);
  const eventEtag = normalizeEtag(ev.etag);
  if (
    (eventEtag && info.etag && eventEtag !== info.etag) ||
    (ev.versionId && info.versionId && ev.versionId !== info.versionId)
  ) {
    // Overwritten since: the newer object's own event handles it.
    return superseded(key, eventEtag, info);
  }
  const etag = info.etag ?? eventEtag;
  const versionId = ev.versionId ?? info.versionId;

  const { finding, dataset } = await checkUpload(deps.objects, key, info, deps.limits ?? sampleLimits());
  // Written again while it was checked: the verdict may be the newer file's (read by key), given to the older
  // version — a refusal would quarantine a file never checked, an acceptance queue one that may not load. The newer
  // one's own event checks it.
  const current = await deps.objects.head('raw', key);
  if (!current) return gone(key);
  if (!sameObject(current, info)) return superseded(key, eventEtag, info);
  if (finding) {
    const at = now();
    const qKey = await freeQuarantineKey(deps.objects, cls.relative, at, {
      key,
      ...(etag ? { etag } : {}),
      ...(versionId ? { versionId } : {}),
    });
    const reasonKey = reasonKeyOf(qKey);
    const reason: QuarantineReason = {
      code: finding.code,
      message: finding.message,
      key,
      dataset: cls.dataset || null,
      ...(finding.line !== undefined ? { line: finding.line } : {}),
      ...(finding.column !== undefined ? { column: finding.column } : {}),
      ...(finding.field !== undefined ? { field: finding.field } : {}),
      detectedAt: at.toISOString(),
      quarantineKey: qKey,
      size: info.size,
      ...(etag ? { etag } : {}),
      ...(versionId ? { versionId } : {}),
    };
    await deps.objects.put('raw', reasonKey, JSON.stringify(reason, null, 2) + '\n', 'application/json');
    await deps.notifier().publish({
      kind: UPLOAD_QUARANTINED,
      subject: `Upload quarantined (${finding.code}): ${cls.relative}`,
      detail: { ...reason, bucket: ev.bucket, reasonKey },
    });
    try {
      // The version checked, not one written since (lib/objects/types.ts).
      await deps.objects.move('raw', key, qKey, info);
    } catch (e) {
      if (!(e instanceof ObjectChangedError)) throw e;
      logger.warn('upload not quarantined: written again as it was being moved; its reason file stays', {
        key,
        reasonKey,
      });
      return superseded(key, eventEtag, info);
    }
    const { message, ...fields } = reason; // `message` is the log line's own key
    logger.warn('upload quarantined', { ...fields, problem: message, reasonKey });
    return { outcome: 'quarantined', key, code: finding.code, quarantineKey: qKey, reasonKey };
  }

  const name = executionName(dataset!.name, key, versionId ?? etag ?? `${info.size}-${ev.sequencer ?? ''}`);
  const input: FileRunInput = {
    mode: 'file',
    table: dataset!.name,
    inputs: [key],
    bucket: ev.bucket,
    key,
    size: info.size,
    ...(etag ? { etag } : {}),
    ...(versionId ? { versionId } : {}),
    ...(trace.correlationId ? { correlationId: trace.correlationId } : {}),
  };
  // The upload joins the queue before its execution starts: the next ETL run takes it, whichever execution starts
  // that run (lib/etl/upload-queue.ts). Written again by a duplicate event: the run that took it discards it.
  const pending: PendingUpload = {
    execution: name,
    table: dataset!.name,
    key,
    size: info.size,
    ...(etag ? { etag } : {}),
    ...(versionId ? { versionId } : {}),
    ...(info.checksum ? { checksum: info.checksum } : {}),
    acceptedAt: now().toISOString(),
    ...(trace.correlationId ? { correlationId: trace.correlationId } : {}),
  };
  await deps.objects.put(
    'curated',
    pendingUploadKey(name),
    JSON.stringify(pending, null, 2) + '\n',
    'application/json',
  );
  const wf = await deps.workflow();
  const res = await wf.startExecution(name, input as unknown as Record<string, unknown>);
  const outcome = res.alreadyStarted ? 'alreadyStarted' : 'started';
  logger.info(res.alreadyStarted ? 'upload already handed to the ETL' : 'ETL started for upload', {
    key,
    dataset: dataset!.name,
    executionName: name,
    executionArn: res.executionArn,
  });
  return { outcome, key, dataset: dataset!.name, executionName: name, executionArn: res.executionArn };
}
