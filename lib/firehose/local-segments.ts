/**
 * The local Firehose's write-ahead segments: their line format, their names, and who owns them.
 *
 * A segment is named `<owner>~<id>.wal` while it is written and `.sealed` once it waits for delivery. `<id>` names
 * the segment for good (the delivered objects' names derive from it, so a redelivery overwrites the same objects);
 * `<owner>` is the writer that holds it: a process (pid, start time and boot, see lib/process-identity.ts) and the
 * writer's number in it. A segment whose owner is gone is an orphan: any writer adopts it by renaming it to its own
 * owner (atomic: of two writers that try, one wins) and delivers it. Names of earlier versions (`<pid>-<ms>-…`,
 * owned by a pid alone) are read too.
 */
import { randomBytes } from 'node:crypto';
import { extractPartitionKeys } from '../layout';
import { pidRunningSince, processTag, tagRunning } from '../process-identity';

export const SEGMENT_SUFFIX = '.wal';
export const SEALED_SUFFIX = '.sealed';

/** What scanSegment finds in a segment, line by line; positions are byte offsets into the segment. */
export interface SegmentVisitor {
  /** A complete record: its arrival time, partition key ('' if none could be extracted), bytes [start, end). */
  record(arrivalMs: number, key: string, start: number, end: number): void;
  /** A complete line that is not in the segment format (a damaged file): bytes [start, end). */
  damaged(start: number, end: number): void;
}

const NEWLINE = 0x0a;
const TAB = 0x09;
const DIGIT_0 = 0x30;

/** The arrival time at content[start, end), as Number() reads that text (digits alone, the common case, directly). */
function arrivalMsAt(content: Buffer, start: number, end: number): number {
  if (end - start > 15) return Number(content.toString('utf8', start, end));
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = content[i]! - DIGIT_0;
    if (d < 0 || d > 9) return Number(content.toString('utf8', start, end));
    n = n * 10 + d;
  }
  return n;
}

/**
 * Reads a segment's lines, `<arrival ms>\t<partition key>\t<record>\n`, without decoding the records (delivery
 * copies their bytes as they were written); a line whose key would leave its folder is a damaged one. Returns the
 * bytes after the last newline: a write cut short by a crash, never acknowledged.
 */
export function scanSegment(content: Buffer, visit: SegmentVisitor): number {
  const lastNewline = content.lastIndexOf(NEWLINE);
  let checked = '';
  // The complete lines are content[0, lastNewline): none if that is empty.
  for (let pos = 0; lastNewline > 0;) {
    const nl = content.indexOf(NEWLINE, pos);
    const tab = content.indexOf(TAB, pos);
    const tab2 = tab > pos && tab < nl ? content.indexOf(TAB, tab + 1) : -1;
    const arrivalMs = tab2 > 0 && tab2 < nl ? arrivalMsAt(content, pos, tab) : NaN;
    const key = Number.isSafeInteger(arrivalMs) ? content.toString('utf8', tab + 1, tab2) : undefined;
    // The writer puts a key there that stays in its folder, or none (lib/layout.ts extractPartitionKeys): any other
    // was altered, and would place its record elsewhere (../../x).
    if (
      key !== undefined &&
      (key === '' || key === checked || extractPartitionKeys({ type: key })?.type === key)
    ) {
      checked = key; // a segment's lines mostly repeat a few keys
      visit.record(arrivalMs, key, tab2 + 1, nl);
    } else visit.damaged(pos, nl);
    if (nl >= lastNewline) break;
    pos = nl + 1;
  }
  return content.length - (lastNewline + 1);
}

export interface SegmentContents {
  /** Complete records: arrival time, partition key ('' if none could be extracted), the record (no newline). */
  records: { arrivalMs: number; key: string; data: string }[];
  /** Bytes after the last newline: a write cut short by a crash, never acknowledged. */
  tornBytes: number;
  /** Complete lines that are not in the segment format (a damaged file). */
  damaged: string[];
}

/** Parses a segment (scanSegment), with its records and damaged lines as text. */
export function parseSegment(content: Buffer): SegmentContents {
  const records: SegmentContents['records'] = [];
  const damaged: string[] = [];
  const tornBytes = scanSegment(content, {
    record: (arrivalMs, key, start, end) =>
      records.push({ arrivalMs, key, data: content.toString('utf8', start, end) }),
    damaged: (start, end) => damaged.push(content.toString('utf8', start, end)),
  });
  return { records, tornBytes, damaged };
}

let writers = 0;
/** Owners open in this process: a writer of this process that is not open (closed, or lost in a test) is gone. */
const openOwners = new Set<string>();

/** A new owner for a writer of this process; open until `releaseOwner`. */
export function newOwner(): string {
  const owner = `${processTag()}.${++writers}`;
  openOwners.add(owner);
  return owner;
}

export const releaseOwner = (owner: string) => void openOwners.delete(owner);

/** A new segment id (unique: time, a per-process sequence and random bytes). */
let seq = 0;
export const newSegmentId = () => `${Date.now()}-${seq++}-${randomBytes(6).toString('hex')}`;

export const segmentFileName = (owner: string, id: string, sealed: boolean) =>
  `${owner}~${id}${sealed ? SEALED_SUFFIX : SEGMENT_SUFFIX}`;

export interface SegmentName {
  owner: string;
  id: string;
  sealed: boolean;
}

/** What a file name in the segments folder says, or undefined for a file that is not a segment. */
export function parseSegmentFileName(name: string): SegmentName | undefined {
  const sealed = name.endsWith(SEALED_SUFFIX);
  if (!sealed && !name.endsWith(SEGMENT_SUFFIX)) return undefined;
  const base = name.slice(0, -(sealed ? SEALED_SUFFIX : SEGMENT_SUFFIX).length);
  const tilde = base.indexOf('~');
  // An earlier version's name: `<pid>-…`, the whole name the id.
  if (tilde < 0) return { owner: base.split('-')[0] ?? '', id: base, sealed };
  return { owner: base.slice(0, tilde), id: base.slice(tilde + 1), sealed };
}

/**
 * Whether a segment's owner is still writing it: an open writer of this process, or a running process's. `id`: the
 * segment's (an earlier version's names it by the time it was made).
 */
export function ownerActive(owner: string, id: string): boolean {
  const dot = owner.lastIndexOf('.');
  const tag = owner.slice(0, dot);
  if (dot > 0 && tag.includes('.')) {
    if (tag === processTag()) return openOwners.has(owner);
    return tagRunning(tag);
  }
  // An earlier version's owner: a pid alone (never this process: it names its segments the new way), its segment
  // `<pid>-<ms>-…`: a process of that pid that started after the segment was made did not make it (pid reuse).
  return pidRunningSince(Number(owner), Number(id.split('-')[1]));
}

/** The pid in an owner, for messages. */
export const ownerPid = (owner: string) => Number(owner.split('.')[0]);
