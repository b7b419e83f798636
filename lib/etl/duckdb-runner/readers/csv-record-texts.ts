/**
 * The text of CSV records read from the input's bytes, for rejected lines that are not UTF-8: DuckDB's `csv_line`
 * of such a line replaces the bad bytes and swallows what follows them (`ab\xE9cd` as `ab??d`, `\xE2\x82,z` as
 * `???z`: a comma lost), so a rejected row's raw_record would not be the line sent. Here each bad byte sequence
 * becomes one U+FFFD (TextDecoder's replacement, as Java's decoder reads it on Glue) and every other byte stays.
 */
import { inputChunks } from './input-stream';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

interface Open {
  start: number;
  parts: Buffer[];
  size: number;
  quoted: boolean;
  /** Still at the record's start: line ends there belong to the line before (a CRLF's LF). */
  leading: boolean;
}

/** How far before DuckDB's position a record may start. */
const LOOK_BACK = 16;

/**
 * Where the record DuckDB places at `position` starts: its line_byte_position is sometimes the record's first byte,
 * sometimes the one after it (measured with DuckDB 1.5), so the record starts after the last line end in the few
 * bytes before (`tail`: those before the chunk); at `position` when there is none.
 */
function recordStart(position: number, at: number, chunk: Buffer, tail: Buffer): number {
  for (let k = position - 1; k >= Math.max(0, position - LOOK_BACK); k--) {
    const b = k >= at ? chunk[k - at] : tail[tail.length - (at - k)];
    if (b === undefined) break;
    if (b === LF || b === CR) return k + 1;
  }
  return position;
}

const text = (r: Open) => new TextDecoder('utf-8').decode(Buffer.concat(r.parts));

/**
 * The records starting at these byte positions of the (gunzipped) input, up to the line end outside quotes, at most
 * maxBytes each: position → text, without the line end.
 */
export async function csvRecordTexts(
  file: string,
  gz: boolean,
  starts: number[],
  maxBytes: number,
): Promise<Map<number, string>> {
  const wanted = [...new Set(starts)].sort((a, b) => a - b);
  const out = new Map<number, string>();
  let next = 0;
  let open: Open | undefined;
  let at = 0; // the input offset of the chunk's first byte
  let tail = Buffer.alloc(0); // the last bytes before the chunk
  for await (const chunk of inputChunks(file, gz)) {
    let p = 0;
    while (p < chunk.length) {
      if (!open) {
        if (next >= wanted.length) return out;
        const start = wanted[next]!;
        if (start >= at + chunk.length) break;
        p = Math.max(p, recordStart(start, at, chunk, tail) - at);
        open = { start, parts: [], size: 0, quoted: false, leading: true };
      }
      let end = -1;
      for (let q = p; q < chunk.length; q++) {
        const b = chunk[q]!;
        if (open.leading && (b === CR || b === LF)) {
          p = q + 1;
          continue;
        }
        open.leading = false;
        if (b === QUOTE) open.quoted = !open.quoted;
        else if (!open.quoted && (b === CR || b === LF)) {
          end = q;
          break;
        }
      }
      const stop = Math.min(end < 0 ? chunk.length : end, p + maxBytes - open.size);
      // A copy: the chunk's buffer is reused for the next one.
      if (stop > p) open.parts.push(Buffer.from(chunk.subarray(p, stop)));
      open.size += Math.max(0, stop - p);
      p = end < 0 ? chunk.length : end;
      if (end >= 0 || open.size >= maxBytes) {
        out.set(open.start, text(open));
        open = undefined;
        next++;
      }
    }
    at += chunk.length;
    tail = Buffer.concat([tail, chunk.subarray(Math.max(0, chunk.length - LOOK_BACK))]).subarray(-LOOK_BACK);
  }
  if (open) out.set(open.start, text(open)); // the last record, no line end after it
  return out;
}

/**
 * The line of the (gunzipped) input each record DuckDB places at these byte positions starts on, 1-based — `\n`,
 * `\r\n` and a lone `\r` each end a line, quoted or not, as an editor and the upload check count them: DuckDB's
 * `line` counts records, so a rejected row after a quoted line break was given a line before its own.
 */
export async function csvLineNumbers(
  file: string,
  gz: boolean,
  starts: number[],
): Promise<Map<number, number>> {
  const wanted = [...new Set(starts)].sort((a, b) => a - b);
  const out = new Map<number, number>();
  let next = 0;
  let lines = 0; // line ends in the input before `counted`
  let counted = 0;
  let afterCr = false;
  let skipping: number | undefined; // the position whose record starts after the line ends being passed
  let at = 0;
  let tail = Buffer.alloc(0);
  const count = (chunk: Buffer, from: number, to: number) => {
    for (let q = from; q < to; q++) {
      const b = chunk[q]!;
      if (b === CR) lines++;
      else if (b === LF && !afterCr) lines++;
      afterCr = b === CR;
    }
    counted = at + to;
  };
  for await (const chunk of inputChunks(file, gz)) {
    let p = 0;
    for (;;) {
      if (skipping !== undefined) {
        // The line ends at a record's start belong to the lines before it (DuckDB's position may be one of them).
        let q = p;
        while (q < chunk.length && (chunk[q] === CR || chunk[q] === LF)) q++;
        count(chunk, p, q);
        p = q;
        if (q === chunk.length) break;
        out.set(skipping, lines + 1);
        skipping = undefined;
      }
      if (next >= wanted.length) return out;
      const position = wanted[next]!;
      if (position >= at + chunk.length) break;
      const start = Math.max(recordStart(position, at, chunk, tail), counted);
      count(chunk, p, start - at);
      p = start - at;
      skipping = position;
      next++;
    }
    count(chunk, p, chunk.length);
    at += chunk.length;
    tail = Buffer.concat([tail, chunk.subarray(Math.max(0, chunk.length - LOOK_BACK))]).subarray(-LOOK_BACK);
  }
  if (skipping !== undefined) out.set(skipping, lines + 1);
  return out;
}
