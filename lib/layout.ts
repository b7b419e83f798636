/**
 * The raw zone's layout, rendered from the same Firehose prefix templates that the delivery stream uses
 * (lib/lake-layout.json), so the local writer and AWS produce identical keys.
 *
 * Firehose semantics reproduced here:
 *  - `!{partitionKeyFromQuery:NAME}` is the value the metadata-extraction query produced for the record;
 *  - `!{timestamp:PATTERN}` is the approximate arrival time of the *oldest* record in the object, in UTC,
 *    formatted with a Java DateTimeFormatter pattern (the subset yyyy, MM, dd, HH, mm, ss and quoted literals);
 *  - `!{firehose:error-output-type}` names why records went to the error prefix;
 *  - object names are `<stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<id>` plus the compression extension.
 */
import { createHash } from 'node:crypto';
import layout from './lake-layout.json';

export const lakeLayout = layout;

export interface PrefixContext {
  /** Partition keys extracted from the record (partitionKeyFromQuery). */
  partitionKeys?: Record<string, string>;
  /** Arrival time (ms since epoch) of the oldest record in the object. */
  arrivalMs: number;
  /** For error prefixes: the error output type. */
  errorOutputType?: string;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Formats a UTC instant with the subset of java.time.format.DateTimeFormatter patterns Firehose prefixes use. */
export function formatJavaTimestamp(pattern: string, ms: number): string {
  const d = new Date(ms);
  let out = '';
  for (let i = 0; i < pattern.length;) {
    const ch = pattern[i]!;
    if (ch === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated quote in timestamp pattern '${pattern}'`);
      out += end === i + 1 ? "'" : pattern.slice(i + 1, end);
      i = end + 1;
      continue;
    }
    let run = 1;
    while (pattern[i + run] === ch) run++;
    const token = ch.repeat(run);
    switch (token) {
      case 'yyyy':
        out += pad(d.getUTCFullYear(), 4);
        break;
      case 'MM':
        out += pad(d.getUTCMonth() + 1);
        break;
      case 'dd':
        out += pad(d.getUTCDate());
        break;
      case 'HH':
        out += pad(d.getUTCHours());
        break;
      case 'mm':
        out += pad(d.getUTCMinutes());
        break;
      case 'ss':
        out += pad(d.getUTCSeconds());
        break;
      default:
        if (/[A-Za-z]/.test(ch)) throw new Error(`unsupported timestamp pattern '${token}' in '${pattern}'`);
        out += token;
    }
    i += run;
  }
  return out;
}

const EXPRESSION = /!\{([A-Za-z]+):([^}]+)\}/g;

/** Evaluates a Firehose custom-prefix template. Throws if a partition key is missing (→ error prefix). */
export function renderPrefix(template: string, ctx: PrefixContext): string {
  return template.replace(EXPRESSION, (_m, namespace: string, value: string) => {
    switch (namespace) {
      case 'timestamp':
        return formatJavaTimestamp(value, ctx.arrivalMs);
      case 'partitionKeyFromQuery': {
        const v = ctx.partitionKeys?.[value];
        if (v === undefined || v === '') throw new Error(`partition key '${value}' missing`);
        return v;
      }
      case 'firehose':
        if (value !== 'error-output-type' || !ctx.errorOutputType)
          throw new Error(`unsupported !{firehose:${value}}`);
        return ctx.errorOutputType;
      default:
        throw new Error(`unsupported prefix namespace '${namespace}'`);
    }
  });
}

/** The extension Firehose gives an object of each compression format when the stream sets no FileExtension. */
const COMPRESSION_EXTENSION: Record<string, string> = {
  UNCOMPRESSED: '',
  GZIP: '.gz',
  ZIP: '.zip',
  Snappy: '.snappy',
};

/**
 * How raw event objects are stored, declared once (lib/lake-layout.json rawEvents): the record format and the
 * compression. Both ETL engines read raw event objects this way (the plans file carries it to the Glue job); their
 * names say nothing of the format (Firehose's names end with the compression's extension only).
 */
export const rawEventsFormat = (() => {
  const { recordFormat, compression, fileExtension } = layout.rawEvents;
  if (recordFormat !== 'jsonl')
    throw new Error(`lake-layout.json rawEvents.recordFormat '${recordFormat}' is not jsonl`);
  if (COMPRESSION_EXTENSION[compression] !== fileExtension) {
    throw new Error(
      `lake-layout.json rawEvents.fileExtension '${fileExtension}' is not what Firehose names ${compression} objects ` +
        `('${COMPRESSION_EXTENSION[compression] ?? '?'}') when the stream sets no FileExtension`,
    );
  }
  if (compression !== 'GZIP' && compression !== 'UNCOMPRESSED') {
    throw new Error(
      `lake-layout.json rawEvents.compression ${compression}: the ETL engines read GZIP or UNCOMPRESSED`,
    );
  }
  return { format: 'jsonl' as const, gzip: compression === 'GZIP', extension: fileExtension };
})();

/**
 * The random part of a Firehose object name, a UUID (8-4-4-4-12 hex). Firehose draws it at random; the local writer
 * derives it from `seed` (the segment and the partition) so that delivering a segment again names the same objects.
 */
export function firehoseObjectId(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The name Firehose gives a delivered object (without the prefix): <stream>-1-<yyyy-MM-dd-HH-mm-ss>-<id><ext>. */
export function deliveredObjectName(streamName: string, arrivalMs: number, uniqueId: string): string {
  return `${streamName}-1-${formatJavaTimestamp('yyyy-MM-dd-HH-mm-ss', arrivalMs)}-${uniqueId}${rawEventsFormat.extension}`;
}

/**
 * The partition keys of a record, as the delivery stream's metadata extraction query `{type: .type}` yields them.
 * Only the one query the stream declares is supported; a change to it must change this function (tested).
 */
export function extractPartitionKeys(record: unknown): Record<string, string> | undefined {
  if (layout.rawEvents.partitionKeyQuery !== '{type: .type}') {
    throw new Error(`partition key query '${layout.rawEvents.partitionKeyQuery}' is not implemented locally`);
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return undefined;
  const type = (record as Record<string, unknown>).type;
  const value =
    typeof type === 'string' || typeof type === 'number' || typeof type === 'boolean' ? String(type) : '';
  // A value that would leave its folder is refused (the record goes to the error prefix).
  if (value === '' || value === '.' || value === '..' || /[/\\\0]/.test(value)) return undefined;
  return { type: value };
}
