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
    // What a match across the chunks' boundary starts with: the last few characters, and the run of white space
    // before them with the character it follows.
    let k = Math.max(0, text.length - 8);
    while (k > 0 && JSON_SPACE.test(text[k - 1]!)) k--;
    carry = text.slice(Math.max(0, k - 1));
  }
  return false;
}
