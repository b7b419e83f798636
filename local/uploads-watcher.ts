/**
 * S3 → EventBridge on the local lake: every file that appears under <LAKE_DIR>/raw/uploads/ (a user's `cp`, or the
 * local object store) becomes the "Object Created" event S3 sends through EventBridge, and the validateUpload
 * handler module (serverless.yml) is invoked with it in this process, as the rule in resources/uploads.yml does.
 *
 *  - Half-written files are not picked up: a file is handed over once its size and mtime are the same in two
 *    observations at least LAKE_UPLOADS_POLL_MS apart (default 1000). Hidden and temporary names (the rule of
 *    lib/uploads/key.ts: .x, _x, *.tmp, *.part, *~, ...) never are.
 *  - Each version of each key is handed over once, as S3 sends one event per PUT: a version is the file's inode and
 *    change time (lib/objects/local.ts localVersionId), so a file written, copied or moved under the key again — a
 *    quarantined file moved back after a fix — is a new version and is checked again, while a restart re-triggers
 *    nothing, nor does a new version of unchanged content under a key that never left (a chmod, a copy of the lake
 *    with cp -a: on S3 no new version): successes are appended (fsynced) to <LAKE_DIR>/.uploads-seen.jsonl as
 *    {key, etag, versionId, size, mtimeMs} and read back at start. The event carries the version, so its execution is a new one (the execution
 *    name is derived from the key and the version, as on AWS, where the raw bucket is versioned).
 *  - A failing invocation is retried twice, as Lambda retries an asynchronous invocation, then left alone until the
 *    next start (where Lambda sends the event to the uploads dead-letter queue). Lambda waits about a minute before
 *    the first retry and two before the second; the watcher waits LAKE_UPLOADS_RETRY_MS (default 1000), then twice
 *    that, so that a transient failure (a throttled notice, a busy disk) has passed.
 *  - fs.watch (recursive) makes it quick; a rescan every LAKE_UPLOADS_POLL_MS makes it sure (fs.watch misses events on
 *    some platforms and file systems).
 */
import { uploadsWatcherTimings } from './start-settings';
import { randomUUID } from 'node:crypto';
import { type FSWatcher, promises as fs, watch } from 'node:fs';
import path from 'node:path';
import type { Context, S3ObjectCreatedNotificationEvent } from 'aws-lambda';
import { faults } from '../lib/faults';
import { localVersionId, md5File } from '../lib/objects/local';
import { UPLOADS_PREFIX } from '../lib/uploads/key';
import { LOCAL_ACCOUNT_ID } from '../lib/workflow/local';
import { localLog } from './log';
import { objectCreatedEvent } from './object-created-event';
import { openForWriting } from './open-for-writing';
import { uploadFileLister } from './upload-files';
import { appendSeen, readSeen, type SeenEntry } from './uploads-seen';
import { projectRoot, type ServiceConfig } from './service-config';

export type UploadHandler = (event: S3ObjectCreatedNotificationEvent, context: Context) => Promise<unknown>;

export const SEEN_FILE = '.uploads-seen.jsonl';
export const UPLOAD_FUNCTION = 'validateUpload';
const DEFAULT_HANDLER = 'functions/validate-upload.handler';

export interface UploadsWatcherOptions {
  lakeDir: string;
  /** The function to invoke; default: functions.validateUpload.handler of `config` (or functions/validate-upload). */
  handler?: UploadHandler;
  config?: ServiceConfig;
  stage?: string;
  /** Rescan interval and the time a file must stay unchanged (env LAKE_UPLOADS_POLL_MS, default 1000). */
  pollMs?: number;
  /** Bucket name in the events (default 'raw', the raw bucket's folder). */
  bucketName?: string;
  /** Invocations per content before giving up until the next start (default 3: Lambda's 1 + 2 retries). */
  maxAttempts?: number;
  /** Wait before the first retry, doubled before each next one (env LAKE_UPLOADS_RETRY_MS, default 1000). */
  retryDelayMs?: number;
  /** Use fs.watch besides the rescans (default true). */
  useFsWatch?: boolean;
  onHandled?: (info: { key: string; etag: string; result: unknown }) => void;
  onError?: (err: Error, info: { key: string; etag?: string; attempt: number; gaveUp: boolean }) => void;
}

export interface UploadsWatcher {
  /** Looks at the folder now (and hands over what has become stable). */
  scan(): Promise<void>;
  stop(): Promise<void>;
  readonly stats: { scans: number; invocations: number; failures: number; duplicates: number };
}

interface Observation {
  size: number;
  mtimeMs: number;
  versionId: string;
  /** When this (size, mtime) was first observed (performance.now(): no wall-clock step moves it). */
  since: number;
}

function loadHandler(config: ServiceConfig | undefined): UploadHandler {
  const spec = config?.functions?.[UPLOAD_FUNCTION]?.handler ?? DEFAULT_HANDLER;
  const dot = spec.lastIndexOf('.');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(projectRoot, spec.slice(0, dot))) as Record<string, unknown>;
  const fn = mod[spec.slice(dot + 1)];
  if (typeof fn !== 'function') throw new Error(`handler ${spec} is not a function`);
  return fn as UploadHandler;
}

export async function startUploadsWatcher(opts: UploadsWatcherOptions): Promise<UploadsWatcher> {
  const timings = uploadsWatcherTimings();
  const pollMs = opts.pollMs ?? timings.pollMs;
  const maxAttempts = opts.maxAttempts ?? 3;
  const retryDelayMs = opts.retryDelayMs ?? timings.retryDelayMs;
  const bucket = opts.bucketName ?? 'raw';
  const rawDir = path.join(opts.lakeDir, 'raw');
  const uploadsDir = path.join(rawDir, ...UPLOADS_PREFIX.split('/').filter(Boolean));
  const seenFile = path.join(opts.lakeDir, SEEN_FILE);
  const handler = opts.handler ?? loadHandler(opts.config);
  const functionName = `${opts.config?.service ?? 'data-lake'}-${opts.stage ?? 'local'}-${UPLOAD_FUNCTION}`;
  const timeoutSeconds = opts.config?.functions?.[UPLOAD_FUNCTION]?.timeout ?? 120;

  await fs.mkdir(uploadsDir, { recursive: true });
  // What was handed over: by version (key, content, version); a list of before versions names content only.
  const seenVersion = new Set<string>();
  const seenContentOnly = new Set<string>();
  const identity = (key: string, etag: string, versionId: string) => `${key}\0${etag}\0${versionId}`;
  /** key and version of what needs no second look (no hashing at every scan). */
  const seenKeyVersion = new Set<string>();
  /**
   * The content each key was last handed over with, and the keys seen gone from the folder since: a new version of
   * a key that is still the same content (size, modification time, etag) and was never gone is the same object with
   * other metadata — a chmod or chown (on S3 an ACL change: no new version, no event), or a copy of the lake that
   * keeps times (cp -a) — and is not handed over again, which would re-run an old upload over later ones.
   */
  type Content = { etag: string; size: number; mtimeMs: number; versionId?: string };
  const lastHanded = new Map<string, Content>();
  // The same file (its inode, the version id's first part) with the same modification time: its mode or owner
  // changed. Another file (a copy) with the modification time within a second: a copy that kept it, to the
  // nanosecond (cp -a), the millisecond (Node's fs.cp) or the second (tar). The same file written again has
  // another modification time, however soon: a new version.
  const inodeOf = (versionId: string | undefined) => versionId?.split('.')[0];
  const sameContent = (a: Content | undefined, b: Content) =>
    !!a &&
    a.etag === b.etag &&
    a.size === b.size &&
    (inodeOf(a.versionId) === inodeOf(b.versionId)
      ? a.mtimeMs === b.mtimeMs
      : Math.abs(a.mtimeMs - b.mtimeMs) < 1000);
  const goneSinceHanded = new Set<string>();
  const damaged = (line: number) =>
    localLog.warn(
      "a line of the uploads watcher's list does not read: the upload it named is handed over again if it is " +
        'still there (one execution per object version: one already started starts nothing new)',
      { file: seenFile, line },
    );
  for (const e of await readSeen(seenFile, damaged)) {
    if (e.versionId) {
      seenVersion.add(identity(e.key, e.etag, e.versionId));
      seenKeyVersion.add(`${e.key}\0${e.versionId}`);
    } else seenContentOnly.add(`${e.key}\0${e.etag}`);
    lastHanded.set(e.key, e);
  }

  const observations = new Map<string, Observation>();
  /** Versions (key and version id) said to be held open for writing: said once. */
  const heldSaid = new Set<string>();
  const attempts = new Map<string, number>();
  /** When a failed version (key and version id) may be invoked again. */
  const retryAt = new Map<string, number>();
  const stats = { scans: 0, invocations: 0, failures: 0, duplicates: 0 };
  const duplicates: { event: S3ObjectCreatedNotificationEvent; key: string; etag: string }[] = [];
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;
  let followUp: NodeJS.Timeout | undefined;
  let debounce: NodeJS.Timeout | undefined;

  const remember = async (entry: SeenEntry & { versionId: string }) => {
    seenVersion.add(identity(entry.key, entry.etag, entry.versionId));
    seenKeyVersion.add(`${entry.key}\0${entry.versionId}`);
    lastHanded.set(entry.key, entry);
    goneSinceHanded.delete(entry.key);
    await appendSeen(seenFile, entry);
  };

  const listFiles = uploadFileLister(uploadsDir);

  const invocationContext = (): Context => {
    const started = performance.now();
    return {
      callbackWaitsForEmptyEventLoop: false,
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:local:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
      memoryLimitInMB: String(opts.config?.functions?.[UPLOAD_FUNCTION]?.memorySize ?? 512),
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: 'local',
      getRemainingTimeInMillis: () => Math.max(0, started + timeoutSeconds * 1000 - performance.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
  };

  /** Delivers the injected duplicates queued so far (their outcome is the handler's business: logged only). */
  const deliverDuplicates = async () => {
    for (const d of duplicates.splice(0)) {
      if (stopped) return;
      stats.invocations++;
      stats.duplicates++;
      try {
        const result = await handler(d.event, invocationContext());
        opts.onHandled?.({ key: d.key, etag: d.etag, result });
      } catch (e) {
        stats.failures++;
        localLog.warn('duplicate upload event failed', { key: d.key, error: e as Error });
      }
    }
  };

  const invoke = async (
    key: string,
    file: string,
    size: number,
    mtimeMs: number,
    versionId: string,
  ): Promise<void> => {
    const waiting = retryAt.get(`${key}\0${versionId}`);
    if (waiting !== undefined && performance.now() < waiting) return; // a later scan retries it
    const etag = await md5File(file);
    // Written to while it was read: not the content it was stable with; the next scans observe it again.
    const after = await fs.stat(file).catch(() => undefined);
    if (!after || after.size !== size || after.mtimeMs !== mtimeMs || localVersionId(after) !== versionId)
      return;
    const id = identity(key, etag, versionId);
    if (seenVersion.has(id) || seenContentOnly.has(`${key}\0${etag}`)) {
      seenKeyVersion.add(`${key}\0${versionId}`);
      return;
    }
    if (sameContent(lastHanded.get(key), { etag, size, mtimeMs, versionId }) && !goneSinceHanded.has(key)) {
      // Its metadata changed, not its content (see lastHanded): the same object, remembered under this version.
      await remember({ key, etag, versionId, size, mtimeMs });
      return;
    }
    const attempt = (attempts.get(id) ?? 0) + 1;
    if (attempt > maxAttempts) return;
    attempts.set(id, attempt);
    const context = invocationContext();
    stats.invocations++;
    const event = objectCreatedEvent(bucket, key, size, etag, mtimeMs, new Date(), versionId);
    try {
      const result = await handler(event, context);
      attempts.delete(id);
      retryAt.delete(`${key}\0${versionId}`);
      await remember({ key, etag, versionId, size, mtimeMs });
      opts.onHandled?.({ key, etag, result });
      // Fault injection (LAKE_FAULTS uploads.duplicate): EventBridge delivers at least once; the same event again,
      // after the events of other files (out of order).
      if (faults().hit('uploads.duplicate', { key })) duplicates.push({ event, key, etag });
    } catch (e) {
      stats.failures++;
      const gaveUp = attempt >= maxAttempts;
      const retryInMs = retryDelayMs * 2 ** (attempt - 1);
      if (!gaveUp) retryAt.set(`${key}\0${versionId}`, performance.now() + retryInMs);
      if (opts.onError) opts.onError(e as Error, { key, etag, attempt, gaveUp });
      else
        localLog.error(
          gaveUp ? 'upload handler failed; giving up until the next start' : 'upload handler failed',
          { key, attempt, ...(gaveUp ? {} : { retryInMs }), error: e as Error },
        );
    }
  };

  const scanOnce = async (): Promise<void> => {
    stats.scans++;
    // Settling and retries are timed by the monotonic clock: a wall clock stepped back held a file for the step.
    const now = performance.now();
    const files = await listFiles();
    const present = new Set(files.map((f) => f.key));
    for (const key of observations.keys()) if (!present.has(key)) observations.delete(key);
    for (const key of lastHanded.keys()) if (!present.has(key)) goneSinceHanded.add(key);
    const stable: { key: string; file: string; size: number; mtimeMs: number; versionId: string }[] = [];
    for (const { key, file } of files) {
      const st = await fs.stat(file).catch(() => undefined);
      if (!st) continue;
      const versionId = localVersionId(st);
      if (seenKeyVersion.has(`${key}\0${versionId}`)) {
        observations.delete(key);
        continue;
      }
      const prev = observations.get(key);
      if (!prev || prev.size !== st.size || prev.mtimeMs !== st.mtimeMs || prev.versionId !== versionId) {
        observations.set(key, { size: st.size, mtimeMs: st.mtimeMs, versionId, since: now });
      } else if (now - prev.since >= pollMs) {
        stable.push({ key, file, size: st.size, mtimeMs: st.mtimeMs, versionId });
      }
    }
    // A file still open for writing is still being written, however long it has been quiet (a copy that pauses):
    // it settles again once its writer closes it.
    const writing = await openForWriting(stable.map((f) => f.file));
    for (let i = stable.length - 1; i >= 0; i--) {
      const pid = writing.get(stable[i]!.file);
      if (pid === undefined) continue;
      const held = `${stable[i]!.key}\0${stable[i]!.versionId}`;
      if (!heldSaid.has(held)) {
        heldSaid.add(held);
        localLog.info('an upload is still open for writing: it is checked once its writer closes it', {
          key: stable[i]!.key,
          pid,
        });
      }
      observations.set(stable[i]!.key, { ...observations.get(stable[i]!.key)!, since: now });
      stable.splice(i, 1);
    }
    // Duplicates queued by earlier scans go after nothing of this scan: deliver them first, then this scan's files
    // (in random order under LAKE_FAULTS uploads.shuffle).
    await deliverDuplicates();
    const order = faults().rate('uploads.shuffle') > 0 ? faults().shuffle(stable) : stable;
    if (order !== stable && stable.length > 1) faults().count('uploads.shuffle', { files: stable.length });
    for (const f of order) {
      if (stopped) return;
      await invoke(f.key, f.file, f.size, f.mtimeMs, f.versionId).catch((e) =>
        localLog.error('uploads watcher failed on a file', { key: f.key, error: e as Error }),
      );
    }
    // Files still settling: look again once they may have become stable.
    if (!stopped && [...observations.values()].some((o) => performance.now() - o.since < pollMs)) {
      clearTimeout(followUp);
      followUp = setTimeout(() => void scan(), pollMs);
      followUp.unref();
    }
  };

  const scan = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await scanOnce();
        } while (again && !stopped);
      } catch (e) {
        localLog.error('uploads watcher scan failed', { error: e as Error });
      } finally {
        running = null;
      }
    })();
    return running;
  };

  let watcher: FSWatcher | undefined;
  if (opts.useFsWatch !== false) {
    try {
      watcher = watch(uploadsDir, { recursive: true, persistent: false }, () => {
        clearTimeout(debounce);
        debounce = setTimeout(() => void scan(), 50);
        debounce.unref();
      });
      watcher.on('error', (e) => {
        localLog.warn('fs.watch on uploads/ failed; rescans continue', { error: e });
        watcher?.close();
        watcher = undefined;
      });
    } catch (e) {
      localLog.warn('fs.watch is not available for uploads/; rescans only', { error: e as Error });
    }
  }
  const timer = setInterval(() => void scan(), pollMs);
  timer.unref();
  await scan();

  return {
    scan,
    stats,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      clearTimeout(followUp);
      clearTimeout(debounce);
      watcher?.close();
      await running;
    },
  };
}
