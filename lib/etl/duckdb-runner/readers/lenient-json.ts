/**
 * What DuckDB's read_json takes that the Glue job's reader does not, in an uploaded JSON input:
 *  - a trailing comma (`{"a":1,}`, `[1,]`) and NaN or Infinity as a value (any case: `nan`, `-Infinity`, `inf`),
 *    which read_json reads as a value (`"NaN"`, `"Infinity"` in a text column); Spark's reader (allowNonNumericNumbers
 *    false, no trailing commas) rejects such a record;
 *  - a number written with more than 1,000 characters, or objects and arrays nested deeper than 1,000 levels, which
 *    Spark 3.5's reader (Jackson's StreamReadConstraints, lib/json-limits.ts) refuses: the record is rejected there;
 *  - a CR not followed by LF (JSON white space to read_json, a line end to the Glue job's line reader, which
 *    splits the record there).
 * The upload check refuses them in its sample; past the sample the local runner loaded them. An input that may hold
 * one is read by the strict line-by-line reader instead (json-fallback.ts), which rejects such a record with its
 * reason. One pass over the bytes, outside strings (a line end ends a string: JSON strings hold none); a count that
 * a malformed line throws off only costs that slower reading.
 */
import layout from '../../../lake-layout.json';
import { MAX_DATA_NESTING_SPARK, MAX_NUMBER_CHARS } from '../../../json-limits';
import { inputStream } from './input-stream';
import type { InputFile } from './types';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;

/** The scan's state between the chunks of an input. */
class LenientScan {
  private inString = false;
  private escape = false;
  private depth = 0;
  /** Characters of the number (or number-like run) being read. */
  private run = 0;
  /** The last character outside strings that is not white space, and the one before it. */
  private prev = 0;
  private prevPrev = 0;
  /** The letters of the bare word being read (lower case, at most 3), and whether it stands where a value does. */
  private word = '';
  private wordAsValue = false;
  /** The last byte read was a CR. */
  private cr = false;

  /** Whether the bytes read so far hold one of the constructs above. */
  push(b: Buffer): boolean {
    let { inString, escape, depth, run, prev, prevPrev, word, wordAsValue, cr } = this;
    try {
      for (let i = 0; i < b.length; i++) {
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
          word = '';
          continue;
        }
        const letter = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
        if (letter && c !== 0x65 && c !== 0x45) {
          if (word === '') wordAsValue = isValueStart(prev) || (isSign(prev) && isValueStart(prevPrev));
          if (word.length < 3) word += String.fromCharCode(c | 0x20);
          if (wordAsValue && (word === 'nan' || word === 'inf')) return true;
          run = 0;
        } else if (
          (c >= 0x30 && c <= 0x39) ||
          c === 0x2d ||
          c === 0x2b ||
          c === 0x2e ||
          c === 0x65 ||
          c === 0x45
        ) {
          if (++run > MAX_NUMBER_CHARS) return true;
        } else {
          run = 0;
          word = '';
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
      return false;
    } finally {
      Object.assign(this, { inString, escape, depth, run, prev, prevPrev, word, wordAsValue, cr });
    }
  }
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
  const scan = new LenientScan();
  for await (const chunk of inputStream(input.file, input.gz)) if (scan.push(chunk as Buffer)) return true;
  return false;
}
