/**
 * What DuckDB's read_json takes that JSON does not: a trailing comma (`{"a":1,}`, `[1,]`) and NaN or Infinity as a
 * value (any case: `nan`, `-Infinity`, `inf`), which it reads as a value (`"NaN"`, `"Infinity"` in a text column).
 * The upload check refuses them in its sample (JSON.parse) and the Glue job's Spark reader (allowNonNumericNumbers
 * false, no trailing commas) rejects such a record; past the sample the local runner loaded it. An uploaded JSON
 * input that may hold one is read by the strict line-by-line reader instead (json-fallback.ts), which rejects such a
 * record with its reason. A match inside a string (`"a, }"`, `"x:nan"`) only costs that slower reading.
 */
import layout from '../../../lake-layout.json';
import { inputStream } from './input-stream';
import type { InputFile } from './types';

const LENIENT = /,[ \t\r\n]*[}\]]|[:,[][ \t\r\n]*[-+]?(?:[nN][aA][nN]|[iI][nN][fF])/;
const JSON_SPACE = /[ \t\r\n]/;

/**
 * Whether an uploaded JSON input may hold what read_json takes and JSON does not. Streamed events and the lake's own
 * files (rejected records) are written by JSON.stringify and are not scanned.
 */
export async function mayHoldLenientJson(input: InputFile): Promise<boolean> {
  if (!input.key.startsWith(layout.uploads.prefix)) return false;
  let carry = '';
  for await (const chunk of inputStream(input.file, input.gz)) {
    const text = carry + (chunk as Buffer).toString('latin1');
    if (LENIENT.test(text)) return true;
    carry = tailOf(text);
  }
  return false;
}

/**
 * What a match across a chunk boundary can start with, in a text's end: its last few characters that are not white
 * space (a sign and letters of nan or inf, with the comma, colon or bracket before them) and the character before
 * the white space ahead of them, each run of white space as one space (a file of blank space keeps no more).
 */
function tailOf(text: string): string {
  const space = (i: number) => JSON_SPACE.test(text[i]!);
  let end = text.length;
  while (end > 0 && space(end - 1)) end--;
  let start = end;
  while (start > 0 && end - start < 8 && !space(start - 1)) start--;
  let before = start;
  while (before > 0 && space(before - 1)) before--;
  return (
    (before > 0 ? text[before - 1]! : '') +
    (before < start ? ' ' : '') +
    text.slice(start, end) +
    (end < text.length ? ' ' : '')
  );
}
