/**
 * What DuckDB's read_json takes that the Glue job's reader does not, in an uploaded JSON input:
 *  - a trailing comma (`{"a":1,}`, `[1,]`) and NaN or Infinity as a value (any case: `nan`, `-Infinity`, `inf`),
 *    which read_json reads as a value (`"NaN"`, `"Infinity"` in a text column); Spark's reader (allowNonNumericNumbers
 *    false, no trailing commas) rejects such a record;
 *  - a number written with more than 1,000 characters, or objects and arrays nested deeper than 1,000 levels, which
 *    Spark 3.5's reader (Jackson's StreamReadConstraints, lib/json-limits.ts) refuses: the record is rejected there;
 *  - a CR not followed by LF (JSON white space to read_json, a line end to the Glue job's line reader, which
 *    splits the record there);
 *  - outside strings, a control character other than tab, CR and LF, or any byte of a character beyond ASCII:
 *    read_json skips a line of form feeds and its fallback took NBSP or U+3000 for blank, where Jackson refuses
 *    them (its white space is space, tab, CR and LF): Spark makes such a line a malformed record.
 * The upload check refuses them in its sample; past the sample the local runner loaded them. An input that may hold
 * one is read by the strict line-by-line reader instead (json-fallback.ts), which rejects such a record with its
 * reason. One pass over the bytes, outside strings (a line end ends a string: JSON strings hold none); a count that
 * a malformed line throws off only costs that slower reading.
 */
import layout from '../../../lake-layout.json';
import { MAX_DATA_NESTING_SPARK, MAX_NUMBER_CHARS } from '../../../json-limits';
import { inputChunks } from './input-stream';
import type { InputFile } from './types';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;

/** The scan's state between the chunks of an input. */
interface ScanState {
  inString: boolean;
  escape: boolean;
  depth: number;
  /** Characters of the number (or number-like run) being read. */
  run: number;
  /** The last character outside strings that is not white space, and the one before it. */
  prev: number;
  prevPrev: number;
  /** Letters of the bare word being read (at most 3), as a number: (letter | 0x20) bytes, and how many. */
  word: number;
  wordLength: number;
  /** Whether that word stands where a value does. */
  wordAsValue: boolean;
  /** The last byte read was a CR. */
  cr: boolean;
}

const NAN = (0x6e << 16) | (0x61 << 8) | 0x6e;
const INF = (0x69 << 16) | (0x6e << 8) | 0x66;

/**
 * Whether a chunk (after those of `st`) holds one of the constructs above; `st` is updated when it does not. A plain
 * function over local variables, a byte at a time outside strings.
 */
function scanChunk(b: Buffer, st: ScanState): boolean {
  let { inString, escape, depth, run, prev, prevPrev, word, wordLength, wordAsValue, cr } = st;
  // A chunk without a backslash or a CR (most are) skips each string to its closing quote at once. (A string a line
  // end cuts short is malformed JSON: read_json refuses that input, which then goes to the strict reader anyway.)
  const plain = !cr && !escape && b.indexOf(BACKSLASH) === -1 && b.indexOf(0x0d) === -1;
  for (let i = 0; i < b.length; i++) {
    if (inString && plain) {
      while (i < b.length && b[i] !== QUOTE) i++;
      if (i === b.length) break;
      inString = false;
      continue;
    }
    const c = b[i]!;
    if (cr && c !== NEWLINE) return true; // a CR alone ends a line on Glue
    cr = c === 0x0d;
    if (inString) {
      if (escape) escape = false;
      else if (c === BACKSLASH) escape = true;
      else if (c === QUOTE || c === NEWLINE) inString = false;
      continue;
    }
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === NEWLINE) {
      run = 0;
      wordLength = 0;
      continue;
    }
    if ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45) {
      if (++run > MAX_NUMBER_CHARS) return true;
    } else if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) {
      if (wordLength === 0) {
        wordAsValue = isValueStart(prev) || (isSign(prev) && isValueStart(prevPrev));
        word = 0;
      }
      if (wordLength < 3) {
        word = (word << 8) | (c | 0x20);
        if (++wordLength === 3 && wordAsValue && (word === NAN || word === INF)) return true;
      }
      run = 0;
    } else {
      if (c < 0x20 || c >= 0x7f) return true; // no JSON outside a string
      run = 0;
      wordLength = 0;
      if (c === QUOTE) inString = true;
      else if (c === 0x7b || c === 0x5b) {
        if (++depth > MAX_DATA_NESTING_SPARK) return true;
      } else if (c === 0x7d || c === 0x5d) {
        if (prev === 0x2c) return true; // a trailing comma
        if (depth > 0) depth--;
      }
    }
    prevPrev = prev;
    prev = c;
  }
  Object.assign(st, { inString, escape, depth, run, prev, prevPrev, word, wordLength, wordAsValue, cr });
  return false;
}

/** Where a value starts: after a colon, a comma or an opening bracket. */
const isValueStart = (c: number) => c === 0x3a || c === 0x2c || c === 0x5b;
const isSign = (c: number) => c === 0x2d || c === 0x2b;

/**
 * Whether an uploaded JSON input may hold what read_json takes and the Glue job's reader does not. Streamed events
 * (checked at ingest, written by JSON.stringify) and the lake's own files (rejected records) are not scanned.
 */
export async function mayHoldLenientJson(input: InputFile): Promise<boolean> {
  if (!input.key.startsWith(layout.uploads.prefix)) return false;
  const st: ScanState = {
    inString: false,
    escape: false,
    depth: 0,
    run: 0,
    prev: 0,
    prevPrev: 0,
    word: 0,
    wordLength: 0,
    wordAsValue: false,
    cr: false,
  };
  for await (const chunk of inputChunks(input.file, input.gz)) if (scanChunk(chunk, st)) return true;
  return false;
}
