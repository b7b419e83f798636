/**
 * Upload keys: `uploads/<dataset>/<file>.(csv|json|jsonl|parquet)[.gz]` in the raw bucket (lib/lake-layout.json).
 *
 * Keys that are not uploads are ignored without a trace beyond a log line: anything outside uploads/, folder
 * markers, hidden files and folders (a path segment starting with '.' or '_', e.g. _SUCCESS, _temporary/,
 * .DS_Store) and the temporary names upload tools use while writing (*.tmp, *.part, *~, *.crc, *$folder$, ...).
 */
import { createHash } from 'node:crypto';
import layout from '../lake-layout.json';

export const UPLOADS_PREFIX = layout.uploads.prefix;
export const QUARANTINE_PREFIX = layout.uploads.quarantinePrefix;

export const UPLOAD_FORMATS = ['csv', 'json', 'jsonl', 'parquet'] as const;
export type UploadFileFormat = (typeof UPLOAD_FORMATS)[number];

/** Name endings of files still being written (case-insensitive). */
export const TEMPORARY_SUFFIXES = [
  '.tmp',
  '.temp',
  '.part',
  '.partial',
  '.crdownload',
  '.swp',
  '.crc',
  '~',
  '$folder$',
];

export type KeyClass =
  | { kind: 'ignored'; reason: string }
  | {
      kind: 'upload';
      /** The key after uploads/. */
      relative: string;
      /** The first segment after uploads/ ('' if there is none). */
      dataset: string;
      file: string;
      /** Why the key breaks the convention (→ BAD_KEY), if it does. */
      problem?: string;
      /** The format the extension names (lower case, without .gz), if any. */
      extension?: string;
      gzip: boolean;
    };

/**
 * Decodes the key of an S3 event notification: URL-encoded, with '+' for a space. Throws on a malformed escape
 * (S3 never sends one, so the event did not come from S3).
 */
export function decodeS3EventKey(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

/** Encodes a key the way S3 event notifications carry it (the inverse of decodeS3EventKey). */
export function encodeS3EventKey(key: string): string {
  return key
    .split('/')
    .map((seg) =>
      encodeURIComponent(seg)
        .replace(/%20/g, '+')
        .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()),
    )
    .join('/');
}

/** Why a key is not an upload to look at, or undefined if it is one. */
export function ignoreReason(key: string): string | undefined {
  if (!key.startsWith(UPLOADS_PREFIX)) return `outside ${UPLOADS_PREFIX}`;
  const relative = key.slice(UPLOADS_PREFIX.length);
  if (relative === '' || key.endsWith('/')) return 'a folder marker';
  const segments = relative.split('/');
  if (segments.some((s) => s.startsWith('.') || s.startsWith('_')))
    return 'hidden (a path segment starts with . or _)';
  const name = segments[segments.length - 1]!.toLowerCase();
  if (TEMPORARY_SUFFIXES.some((s) => name.endsWith(s))) return 'a temporary file';
  return undefined;
}

export function classifyKey(key: string): KeyClass {
  const reason = ignoreReason(key);
  if (reason) return { kind: 'ignored', reason };
  const relative = key.slice(UPLOADS_PREFIX.length);
  const segments = relative.split('/');
  const dataset = segments.length > 1 ? segments[0]! : '';
  const file = segments[segments.length - 1]!;
  const lower = file.toLowerCase();
  const gzip = lower.endsWith('.gz');
  const stem = gzip ? lower.slice(0, -3) : lower;
  const dot = stem.lastIndexOf('.');
  const extension = dot > 0 ? stem.slice(dot + 1) : undefined;
  const base = {
    kind: 'upload' as const,
    relative,
    dataset,
    file,
    gzip,
    ...(extension ? { extension } : {}),
  };
  const expected = `expected ${UPLOADS_PREFIX}<dataset>/<file>.<${UPLOAD_FORMATS.join('|')}>[.gz]`;
  if (segments.length < 2) return { ...base, problem: `no dataset folder; ${expected}` };
  if (segments.length > 2) return { ...base, problem: `nested folders are not allowed; ${expected}` };
  if (segments.some((s) => s === '')) return { ...base, problem: `empty path segment; ${expected}` };
  if (/[\u0000-\u001f\u007f]/.test(key)) return { ...base, problem: 'the key contains control characters' };
  if (key.includes('\\'))
    return {
      ...base,
      problem: 'the key contains a backslash (a path separator on some systems); use / between folders',
    };
  if (/[*?[\]{}]/.test(key))
    return {
      ...base,
      problem:
        'the key contains a glob character (* ? [ ] { }): the ETL engines (Spark on AWS, DuckDB locally) read such ' +
        'a path as a pattern, another file or none; name the file without them',
    };
  if (gzip && !file.endsWith('.gz'))
    return {
      ...base,
      problem:
        `the gzip extension is written '${file.slice(-3)}': Spark (the ETL on AWS) decompresses only a name ending in ` +
        "'.gz', lower-case, and would read the compressed bytes as text; rename the file to end in '.gz'",
    };
  if (!extension) return { ...base, problem: `the file name has no format extension; ${expected}` };
  return base;
}

const pad = (n: number) => String(n).padStart(2, '0');
export const utcDate = (d: Date) =>
  `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

/**
 * quarantine/<yyyy-MM-dd>/<dataset>/<file> (the key's path after uploads/, under the day's folder). `attempt` > 0:
 * the name is taken that day (another refusal of a file of that name), so the time of refusal goes before the
 * file's extensions — <name>.<HHmmssSSS>[-<attempt - 1>].csv — and the file still copies back as it is.
 */
export function quarantineKey(relative: string, at: Date, attempt = 0): string {
  const slash = relative.lastIndexOf('/') + 1;
  const dir = `${QUARANTINE_PREFIX}${utcDate(at)}/${relative.slice(0, slash)}`;
  const file = relative.slice(slash);
  if (attempt === 0) return dir + fittedName(dir, file);
  const dot = file.indexOf('.');
  const cut = dot === -1 ? file.length : dot;
  const time =
    `${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}` +
    String(at.getUTCMilliseconds()).padStart(3, '0') +
    (attempt > 1 ? `-${attempt - 1}` : '');
  return dir + fittedName(dir, `${file.slice(0, cut)}.${time}${file.slice(cut)}`);
}

/** A file name's bytes on the local lake's file systems, and an S3 key's. */
const MAX_NAME_BYTES = 255;
const MAX_KEY_BYTES = 1024;
const REASON_SUFFIX = '.reason.json';
const utf8Bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/**
 * The quarantined file's name, short enough that its reason file (<name>.reason.json) is a name the local file
 * system takes and a key S3 takes: a longer one keeps its extensions and the start of its name, with a hash of the
 * whole name (the reason names the upload's key in full).
 */
function fittedName(dir: string, name: string): string {
  const room = Math.min(MAX_NAME_BYTES, MAX_KEY_BYTES - utf8Bytes(dir)) - REASON_SUFFIX.length;
  if (utf8Bytes(name) <= room) return name;
  const ext = /(?:\.[A-Za-z0-9]{1,10}){1,2}$/.exec(name)?.[0] ?? '';
  const mark = `~${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
  const stem = [...name.slice(0, name.length - ext.length)];
  while (stem.length > 0 && utf8Bytes(stem.join('') + mark + ext) > room) stem.pop();
  return stem.join('') + mark + ext;
}

export const reasonKeyOf = (quarantined: string) => `${quarantined}.reason.json`;
