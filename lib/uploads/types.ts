/** What the upload check finds, and the reason file written beside a quarantined object. */
import { SettingError } from '../setting-error';

/** Machine-readable reasons an upload is quarantined. */
export const UploadErrorCode = {
  /** The key breaks uploads/<dataset>/<file>.<format>[.gz]. */
  BadKey: 'BAD_KEY',
  /** No schemas/datasets/<dataset>.json. */
  UnknownDataset: 'UNKNOWN_DATASET',
  /** Not a lake format, or not one of the dataset's x-lake.formats. */
  FormatNotAllowed: 'FORMAT_NOT_ALLOWED',
  /** No bytes, or no rows. */
  EmptyFile: 'EMPTY_FILE',
  /** Larger than the dataset's x-lake.maxFileBytes. */
  FileTooLarge: 'FILE_TOO_LARGE',
  /** Columns (CSV header, JSON keys, Parquet schema) do not match the dataset's. */
  HeaderMismatch: 'HEADER_MISMATCH',
  /** More sampled rows fail the schema than the dataset's x-lake.maxRejectedRatio allows. */
  RowInvalid: 'ROW_INVALID',
  /** The bytes are not what the name says (CSV or JSON syntax, UTF-8, gzip, Parquet framing). */
  MalformedFile: 'MALFORMED_FILE',
} as const;
export type UploadErrorCode = (typeof UploadErrorCode)[keyof typeof UploadErrorCode];

export interface Finding {
  code: UploadErrorCode;
  message: string;
  /** 1-based line in the (decompressed) file. */
  line?: number;
  /** 1-based: the CSV column (field number) for a field's problem; the character in the line for a syntax error. */
  column?: number;
  /** The column (dataset property) concerned. */
  field?: string;
  /**
   * The sample ended inside the first record (none was complete): no verdict on the file yet, which is checked again
   * with a sample as large as a record may be (check.ts). Not part of a reason file.
   */
  sampleTooShort?: true;
}

/** <quarantined key>.reason.json */
export interface QuarantineReason extends Finding {
  /** The key the object was uploaded as. */
  key: string;
  /** The dataset its folder names (null when the key has none). */
  dataset: string | null;
  detectedAt: string;
  /** Where the object is now. */
  quarantineKey: string;
  size: number;
  etag?: string;
  versionId?: string;
}

/** How much of a file the check reads. */
export interface SampleLimits {
  /** Rows checked (after a CSV header). */
  rows: number;
  /** Bytes of (decompressed) text checked. */
  bytes: number;
  /** Bytes per range read of a gzip file. */
  gzipChunkBytes: number;
  /** Compressed bytes read at most to fill the sample. */
  gzipMaxBytes: number;
  /** Bytes read from the end of a Parquet file in the first request (usually holds the whole footer). */
  parquetTailBytes: number;
  /** Largest Parquet footer read. */
  parquetMaxFooterBytes: number;
}

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new SettingError(`${name} must be a positive integer, got '${raw}'`);
  return n;
}

/** Defaults: the first 1,000 rows or 1 MiB; env UPLOAD_SAMPLE_ROWS and UPLOAD_SAMPLE_BYTES override. */
export function sampleLimits(): SampleLimits {
  const bytes = intEnv('UPLOAD_SAMPLE_BYTES', 1024 * 1024);
  return {
    rows: intEnv('UPLOAD_SAMPLE_ROWS', 1000),
    bytes,
    gzipChunkBytes: 256 * 1024,
    gzipMaxBytes: Math.max(4 * bytes, 1024 * 1024),
    parquetTailBytes: 64 * 1024,
    parquetMaxFooterBytes: 64 * 1024 * 1024,
  };
}
