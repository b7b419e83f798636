/**
 * CSV records with more fields than the header whose extra fields are all empty (`…,last,` or `…,last,,""`): DuckDB's
 * read_csv takes such a record and drops the empty fields (an extra value that reads as NULL is no error to it, and
 * no option turns that off), where the Glue job's reader (Spark's UnivocityParser) makes any record whose number of
 * fields differs from the header's a malformed record. So the runner finds them first and reads a copy of the file
 * in which each is an empty line (read_csv skips those; the other lines keep their numbers), rejecting each with its
 * text and line as Spark would.
 *
 * Cost: one pass of Buffer.indexOf over the file's line ends, for a line that ends as such a record does (`,` or `"`);
 * only a file holding one is scanned byte by byte, and only one holding such a record is copied.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import type { LineEnd } from '../../../uploads/csv';
import { inputChunks, inputStream } from './input-stream';
import { MalformedSink } from './malformed-sink';
import type { InputFile, ReadContext } from './types';

const COMMA = 0x2c;
const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;

/**
 * Whether the text may hold a record whose last field is empty: a line whose text ends in `,` or `"` (`""`), a quick
 * look (Buffer.indexOf from one line end to the next) before the exact scan. Lines end in the file's line end.
 */
async function mayEndInAnEmptyField(input: InputFile, lineEnd: LineEnd | undefined): Promise<boolean> {
  const end = lineEnd === 'CR' ? CR : LF;
  const endsField = (b: number | undefined) => b === COMMA || b === QUOTE;
  // The two bytes before a chunk (a CRLF's CR and what precedes it may end the one before).
  let before: [number | undefined, number | undefined] = [undefined, undefined];
  const at = (chunk: Buffer, i: number) => (i >= 0 ? chunk[i] : before[i + 2]);
  for await (const chunk of inputChunks(input.file, input.gz)) {
    for (let i = chunk.indexOf(end); i !== -1; i = chunk.indexOf(end, i + 1)) {
      const last = lineEnd === 'CRLF' && at(chunk, i - 1) === CR ? i - 2 : i - 1;
      if (endsField(at(chunk, last))) return true;
    }
    before = [at(chunk, chunk.length - 2), at(chunk, chunk.length - 1)];
  }
  return endsField(before[1]);
}

interface ExtraFieldsRecord {
  /** Byte offsets of the record in the (gunzipped) text, its line end not included. */
  start: number;
  end: number;
  /** The line it starts on (1 = the file's first). */
  line: number;
  fields: number;
}

/**
 * The records after the header with more fields than `expected`, every extra field empty (or `""` when `quotedEmpty`:
 * read_csv takes a quoted empty value as NULL too unless allow_quoted_nulls is off). Records as read_csv splits them:
 * `"` quotes, `""` inside quotes, a record ends at a CR, LF or CRLF outside quotes; empty lines are no records.
 */
async function recordsWithEmptyExtraFields(
  input: InputFile,
  expected: number,
  quotedEmpty: boolean,
): Promise<ExtraFieldsRecord[]> {
  const found: ExtraFieldsRecord[] = [];
  let offset = 0;
  let line = 1;
  let afterCR = false;
  // Where a field is, as read_csv and Spark's reader read it: a quote opens a quoted value only at the field's start
  // (elsewhere it is a character of the value); in one, "" is a quote and a quote then anything else closes it.
  const UNQUOTED = 0;
  const QUOTED = 1;
  const QUOTE_IN_QUOTED = 2; // a quote inside a quoted value: closing it, or the first of ""
  let state = UNQUOTED;
  let header = true;
  let start = -1;
  let startLine = 0;
  let fields = 0;
  let fieldBytes = 0;
  let fieldQuotes = 0;
  let extrasEmpty = true;
  const endField = () => {
    if (fields >= expected && fieldBytes !== 0 && !(quotedEmpty && fieldBytes === 2 && fieldQuotes === 2))
      extrasEmpty = false;
    fields++;
    fieldBytes = 0;
    fieldQuotes = 0;
    state = UNQUOTED;
  };
  const endRecord = (end: number) => {
    endField();
    if (!header && fields > expected && extrasEmpty) found.push({ start, end, line: startLine, fields });
    header = false;
    start = -1;
    fields = 0;
    extrasEmpty = true;
  };
  for await (const chunk of inputChunks(input.file, input.gz)) {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b > COMMA) {
        // Most bytes: none above ',' is a quote, a comma or a line break.
        if (start < 0) {
          start = offset + i;
          startLine = line;
        }
        if (state === QUOTE_IN_QUOTED) state = UNQUOTED;
        fieldBytes++;
        afterCR = false;
        continue;
      }
      if (b === CR || b === LF) {
        const crlf = b === LF && afterCR;
        afterCR = b === CR;
        if (!crlf) line++;
        if (state !== QUOTED) {
          if (!crlf && start >= 0) endRecord(offset + i);
          continue;
        }
        fieldBytes++;
        continue;
      }
      afterCR = false;
      if (start < 0) {
        start = offset + i;
        startLine = line;
      }
      if (b === QUOTE) {
        if (state === QUOTED) state = QUOTE_IN_QUOTED;
        else if (state === QUOTE_IN_QUOTED) state = QUOTED;
        else if (fieldBytes === 0) state = QUOTED;
        fieldQuotes++;
        fieldBytes++;
      } else if (b === COMMA && state !== QUOTED) endField();
      else {
        if (state === QUOTE_IN_QUOTED) state = UNQUOTED;
        fieldBytes++;
      }
    }
    offset += chunk.length;
  }
  if (start >= 0 && state !== QUOTED) endRecord(offset);
  return found;
}

/** The bytes of `records` in the text, and a copy of the text with each record's bytes turned into `eol`s. */
async function copyWithout(
  input: InputFile,
  records: ExtraFieldsRecord[],
  eol: Buffer,
  out: string,
  each: (r: ExtraFieldsRecord, bytes: Buffer) => Promise<void>,
): Promise<void> {
  const sink = createWriteStream(out);
  const write = async (b: Buffer) => {
    if (!sink.write(b)) await once(sink, 'drain');
  };
  let k = 0;
  let offset = 0;
  let pieces: Buffer[] = [];
  let lastCR = false;
  for await (const chunk of inputStream(input.file, input.gz) as AsyncIterable<Buffer>) {
    let i = 0;
    while (i < chunk.length) {
      const r = records[k];
      const at = offset + i;
      if (!r || at < r.start) {
        const upTo = r ? Math.min(chunk.length, r.start - offset) : chunk.length;
        await write(chunk.subarray(i, upTo));
        i = upTo;
        continue;
      }
      const upTo = Math.min(chunk.length, r.end - offset);
      const piece = chunk.subarray(i, upTo);
      pieces.push(Buffer.from(piece));
      // The record's own line breaks (inside quotes) as the file's line end: the lines after it keep their numbers.
      for (const b of piece) {
        if (b === CR || (b === LF && !lastCR)) await write(eol);
        lastCR = b === CR;
      }
      i = upTo;
      if (offset + i === r.end) {
        await each(r, Buffer.concat(pieces));
        pieces = [];
        k++;
      }
    }
    offset += chunk.length;
  }
  await new Promise<void>((resolve, reject) => sink.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

/**
 * The file to read for a CSV input: undefined when it holds no record of empty extra fields (read it as it is), else a
 * copy without them (uncompressed), each of them added to lake_malformed.
 */
export async function withoutEmptyExtraFields(
  ctx: ReadContext,
  input: InputFile,
  expected: number,
  quotedEmpty: boolean,
  lineEnd: LineEnd | undefined,
): Promise<string | undefined> {
  if (!(await mayEndInAnEmptyField(input, lineEnd))) return undefined;
  const records = await recordsWithEmptyExtraFields(input, expected, quotedEmpty);
  if (records.length === 0) return undefined;
  const n = ctx.seq.n++;
  const out = path.join(ctx.workDir, `csv-${n}.csv`);
  const malformed = new MalformedSink(path.join(ctx.workDir, `csv-malformed-${n}.jsonl`));
  const eol = Buffer.from(lineEnd === 'CRLF' ? '\r\n' : lineEnd === 'CR' ? '\r' : '\n');
  await copyWithout(input, records, eol, out, (r, bytes) =>
    malformed.add({
      lake_source_file: input.key,
      reject_reason:
        `line ${r.line}: TOO MANY COLUMNS (the record has ${r.fields} fields, the header ${expected}; its extra ` +
        "fields are empty, which DuckDB's CSV reader would drop: the Glue job's (Spark's) rejects a record whose " +
        "number of fields is not the header's, and so does the local runner)",
      raw_record: bytes.toString('utf8'),
    }),
  );
  await malformed.closeInto(ctx.conn);
  return out;
}
