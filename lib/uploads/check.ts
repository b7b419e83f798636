/**
 * The content checks of an upload, per format, against its dataset (schemas/datasets/<name>.json):
 *
 *  - columns: a CSV header must name every required column, no unknown column and none twice; JSON rows may only
 *    use the dataset's columns and the sample must show every required one; a Parquet schema (from the footer)
 *    likewise, with physical/logical types the column's type can be read from;
 *  - rows (CSV, JSON): a sample (the first rows / bytes, see SampleLimits) must parse, and type-check with ajv
 *    against the dataset's JSON Schema. CSV values are typed by their column first, with the rules the ETL uses
 *    (lib/etl/column-rules.ts, lib/catalog/value-checks.ts): integers within their width's range (checked exactly,
 *    19-digit bigints included), decimals in plain notation within their precision and scale, JSON-style numbers,
 *    true/false; an empty field is an absent value. A JSON null is an absent value too; JSON numbers are judged by
 *    their source text (lib/exact-json.ts), so no integer beyond 2^53 is rounded before it is checked. As the ETL
 *    rejects bad rows one by one and only fails a run above the dataset's x-lake.maxRejectedRatio, a file is refused
 *    (ROW_INVALID) when the share of failing rows in the sample is above that ratio; the reason names the first
 *    failing row.
 * Syntax problems (CSV quoting, a row with the wrong number of fields, invalid JSON, not UTF-8, corrupt gzip, bytes
 * after the gzip stream: ./gzip-end.ts) refuse the file at once (MALFORMED_FILE): no engine can read it.
 *
 * Here: the CSV and JSON checks' entry (a sample read by range, ./sample.ts). The checks by format are in
 * ./check-csv.ts, ./check-json.ts and ./check-parquet.ts; what they share in ./check-columns.ts (column names) and
 * ./check-rows.ts (the streaming checker and the tally of sampled rows).
 */
import type { ObjectStore } from '../objects/types';
import type { Dataset } from '../dataset-registry';
import { csvChecker } from './check-csv';
import { jsonChecker } from './check-json';
import { malformed } from './findings';
import { checkGzipTail } from './gzip-end';
import { readTextSample, SampleReadError } from './sample';
import type { Finding, SampleLimits } from './types';

/** Checks the beginning of a CSV or JSON upload (range reads, see readTextSample). */
export async function checkTextUpload(
  store: ObjectStore,
  key: string,
  size: number,
  format: 'csv' | 'json' | 'jsonl',
  gzip: boolean,
  ds: Dataset,
  limits: SampleLimits,
): Promise<Finding | null> {
  const file: TextFile = { store, key, size, format, gzip, ds };
  const finding = await checkSample(file, limits);
  if (!finding?.sampleTooShort || limits.bytes >= FIRST_RECORD_MAX_BYTES) return finding;
  // The first record is longer than the sample (a long text field): read as far as a record may go, so that a valid
  // file is not refused for it (both engines read such records).
  return checkSample(file, {
    ...limits,
    bytes: FIRST_RECORD_MAX_BYTES,
    gzipMaxBytes: Math.max(limits.gzipMaxBytes, 4 * FIRST_RECORD_MAX_BYTES),
  });
}

/** An upload to check: where it is, its size, format and compression, and its dataset. */
interface TextFile {
  store: ObjectStore;
  key: string;
  size: number;
  format: 'csv' | 'json' | 'jsonl';
  gzip: boolean;
  ds: Dataset;
}

/**
 * The longest first record the check reads to (DuckDB's largest JSON object by default; a CSV line over 2 MiB is
 * rejected by the local runner, with a reason that says Spark reads it).
 */
export const FIRST_RECORD_MAX_BYTES = 16 * 1024 * 1024;

async function checkSample(
  { store, key, size, format, gzip, ds }: TextFile,
  limits: SampleLimits,
): Promise<Finding | null> {
  const checker = format === 'csv' ? csvChecker(ds, limits) : jsonChecker(ds, limits, format === 'jsonl');
  let complete: boolean;
  try {
    ({ complete } = await readTextSample(
      store,
      'raw',
      key,
      size,
      gzip,
      limits,
      (t) => checker.push(t),
      (first) =>
        first.subarray(0, 4).toString('latin1') === 'PAR1'
          ? `this is a Parquet file, not ${format}`
          : undefined,
      format === 'csv', // the CSV check looks at what follows a byte order mark (check-csv.ts)
    ));
  } catch (e) {
    if (!(e instanceof SampleReadError)) throw e;
    // Bytes that are not UTF-8 after the sample's rows (read in the same bytes, which are decoded before the rows
    // are counted): past the sample, the ETL's to reject by their line, as in a file larger than the sample's bytes.
    if (!checker.full) return malformed(e.message, e.atTextByte > 0 ? checker.lines + 1 : undefined);
    complete = false;
  }
  // A gzip file read to its end had its end checked by the sample; another's is looked at by its last bytes.
  const tailProblem = gzip && !complete ? await checkGzipTail(store, key, size) : undefined;
  if (tailProblem) return malformed(tailProblem);
  return checker.finish(complete);
}
