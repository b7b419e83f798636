/**
 * The line-by-line fallback for JSON inputs read_json refuses (one with a byte order mark among them): good records
 * to a clean JSON-lines file, the others to a file of rejected records.
 */
import { once } from 'node:events';
import { createWriteStream, promises as fs } from 'node:fs';
import { isNumberText, parseJsonWithNumberTexts } from '../../../exact-json';
import { failed } from '../errors';
import { isPlainObject } from '../is-plain-object';
import { sparkJsonLimitProblem } from '../../../json-limits';
import { loneSurrogateIn } from '../../../unicode';
import { JSON_BLANK } from '../../../uploads/json';
import { inputLines, inputStream, utf8Text } from './input-stream';
import { MAX_JSON_OBJECT_BYTES } from './json';
import type { MalformedSink } from './malformed-sink';
import type { InputFile, ReadContext } from './types';

/** A JSON document (not lines) that needs the line-by-line fallback is parsed whole up to this size. */
const MAX_JSON_DOCUMENT_FALLBACK_BYTES = 256 * 1024 * 1024;

/** How many keys the objects of a parsed JSON value have, nested ones included. */
function keyCount(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  let n = Array.isArray(value) ? 0 : Object.keys(value).length;
  for (const v of Object.values(value)) n += keyCount(v);
  return n;
}

/**
 * Whether a JSON text may name a key twice in one of its objects (JSON.parse kept one of them). Every key is followed
 * by `"`, JSON white space and `:`, so a text with as many of those as its parse has keys names none twice; a string
 * holding `":` is a false alarm, which costs only the slower rewrite. A scan of the colons: ~0.5 µs for a line
 * of ten fields, where the rewrite takes ~7.
 */
function mayNameAKeyTwice(text: string, parsed: unknown): boolean {
  let marks = 0;
  for (let i = text.indexOf(':'); i !== -1; i = text.indexOf(':', i + 1)) {
    let j = i - 1;
    for (let c = text.charCodeAt(j); c === 32 || c === 9 || c === 10 || c === 13; c = text.charCodeAt(--j));
    if (text.charCodeAt(j) === 34) marks++;
  }
  return marks !== keyCount(parsed);
}

/**
 * The line-by-line fallback for JSON that read_json refuses as a whole (a line that is not JSON, not an object, whose
 * nested path holds a non-object, or that names a key twice): good records go to a clean JSON-lines file and the
 * others are returned as rejected records with their text. A record that names a key twice is written once with its
 * last value, as Spark's JSON reader (the Glue job) and JSON.parse (validateUpload's sample check) read it, where
 * read_json refuses it; such a record and a document's elements are written by JSON.stringify with every number as
 * it was written (parseJsonWithNumberTexts), other lines as they are.
 */
export async function cleanJson(
  ctx: ReadContext,
  input: InputFile,
  layoutKind: 'lines' | 'document',
  out: string,
  malformed: MalformedSink,
): Promise<void> {
  const parents = ctx.plan.input.columns
    .filter((c) => c.path.length > 1)
    .flatMap((c) => c.path.slice(0, -1).map((_, i) => c.path.slice(0, i + 1)));
  // Records are parsed with their numbers kept as written (parseJsonWithNumberTexts), so that a number is a JSON
  // object here only when it is no number text.
  const isObject = (v: unknown): v is Record<string, unknown> => isPlainObject(v) && !isNumberText(v);
  const problem = (value: unknown): string | undefined => {
    if (!isObject(value)) return 'not a JSON object';
    // JSON.parse takes "\ud800" alone; DuckDB refuses the clean file with it ("no low surrogate"), as does the upload
    // check in its sample.
    const surrogate = loneSurrogateIn(value);
    if (surrogate !== undefined)
      return `${surrogate} holds a lone UTF-16 surrogate escape (such as \\ud800 without its pair): not Unicode text`;
    for (const p of parents) {
      let v: unknown = value;
      for (const f of p) v = isObject(v) ? v[f] : undefined;
      if (v !== undefined && v !== null && !isObject(v)) return `${p.join('.')} is not an object`;
    }
    return undefined;
  };
  const sink = createWriteStream(out);
  const write = async (text: string) => {
    if (!sink.write(text)) await once(sink, 'drain');
  };
  try {
    if (layoutKind === 'lines') {
      let n = 0;
      for await (const bytes of inputLines(input.file, input.gz)) {
        n++;
        const text = utf8Text(bytes);
        // A byte order mark opens the first line of some files, and any line of files joined together (cat a.jsonl
        // b.jsonl): Spark's JSON reader (Jackson, one parser per line) skips it wherever a line starts.
        const line = text === undefined ? bytes.toString('latin1') : text.replace(/^\uFEFF/, '');
        if (JSON_BLANK.test(line)) continue;
        let reason: string | undefined;
        let record: unknown;
        if (text === undefined) reason = 'not UTF-8 (its bytes kept here as Latin-1 text)';
        else if (bytes.length > MAX_JSON_OBJECT_BYTES) reason = `larger than ${MAX_JSON_OBJECT_BYTES} bytes`;
        else {
          try {
            record = JSON.parse(line);
            reason = problem(record) ?? sparkJsonLimitProblem(line, record);
          } catch (e) {
            reason = `not valid JSON (${(e as Error).message})`;
          }
        }
        if (reason) {
          await malformed.add({
            lake_source_file: input.key,
            reject_reason: `line ${n}: ${reason}`,
            raw_record: line,
          });
        } else if (mayNameAKeyTwice(line, record)) {
          await write(JSON.stringify(parseJsonWithNumberTexts(line)) + '\n');
        } else await write(line + '\n');
      }
    } else {
      const size = (await fs.stat(input.file)).size;
      if (size > MAX_JSON_DOCUMENT_FALLBACK_BYTES)
        throw failed(`'${input.key}' is not a readable JSON document`);
      const chunks: Buffer[] = [];
      for await (const c of inputStream(input.file, input.gz)) chunks.push(c as Buffer);
      const text = utf8Text(Buffer.concat(chunks));
      if (text === undefined) throw failed(`'${input.key}' is not UTF-8: the JSON document cannot be read`);
      const body = text.replace(/^\uFEFF/, '');
      let doc: unknown;
      try {
        doc = parseJsonWithNumberTexts(body);
      } catch (e) {
        throw failed(`'${input.key}' is not valid JSON: ${(e as Error).message}`, e);
      }
      // The Glue job reads a document whole (Spark's multi-line reader): past its limits the file is one record
      // that does not parse, as any document that does not parse.
      const beyond = sparkJsonLimitProblem(body, doc);
      if (beyond) throw failed(`'${input.key}' cannot be read as the Glue job reads it: ${beyond}`);
      const items = Array.isArray(doc) ? doc : [doc];
      for (const [i, item] of items.entries()) {
        const reason = problem(item);
        if (reason) {
          await malformed.add({
            lake_source_file: input.key,
            reject_reason: `element ${i}: ${reason}`,
            raw_record: JSON.stringify(item),
          });
        } else await write(JSON.stringify(item) + '\n');
      }
    }
  } finally {
    await new Promise<void>((resolve, reject) => sink.end((e?: Error | null) => (e ? reject(e) : resolve())));
  }
}
