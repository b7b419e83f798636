/**
 * Reads a Parquet file's schema from its footer with range reads only:
 *   'PAR1' <column chunks...> <FileMetaData (Thrift compact protocol)> <4-byte little-endian footer length> 'PAR1'
 * The footer is decoded by hyparquet (parquetMetadataAsync over an AsyncBuffer whose slices are range reads of the
 * objects port), giving the top-level columns, their physical and logical types, and the row count. Our checks of
 * the framing come first, with the reasons the upload check gives: the size, the magic bytes at both ends, an
 * encrypted footer ('PARE', which no reader without the key can decode), a footer length that does not fit. Row
 * values are not read: their pages are compressed and encoded column by column; the ETL types every value and
 * rejects what fails.
 */
import {
  parquetMetadata,
  parquetMetadataAsync,
  parquetSchema,
  type AsyncBuffer,
  type FileMetaData,
  type ParquetType,
} from 'hyparquet';
import { decimalBeyondEngines, type DecimalBeyondEngines } from './parquet-decimals';
import {
  holdsNanosecondTimestamps,
  logicalName,
  type NestedJsonDifference,
  nestedJsonDiffers,
  nestedSparkUnreadable,
  type NestedUnreadable,
  type SchemaNode,
} from './parquet-types';

export class ParquetFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParquetFormatError';
  }
}

export const PARQUET_MAGIC = 'PAR1';
/** Files with an encrypted footer end in 'PARE'. */
const PARQUET_ENCRYPTED_MAGIC = 'PARE';

export type PhysicalTypeName = ParquetType;

export interface ParquetColumn {
  name: string;
  /** Leaf columns: the physical type; groups (structs, lists, maps): undefined. */
  physical?: PhysicalTypeName;
  /** The logical (or legacy converted) type, if any: STRING, DATE, TIMESTAMP, DECIMAL, LIST, ... */
  logical?: string;
  /** DECIMAL scale. */
  scale?: number;
  /** A DECIMAL of more digits than the ETL engines read (./parquet-decimals.ts). */
  decimalBeyondEngines?: DecimalBeyondEngines;
  group: boolean;
  repetition: 'REQUIRED' | 'OPTIONAL' | 'REPEATED';
  /** The column, or a field inside it, is a timestamp in nanoseconds (TIMESTAMP(NANOS)). */
  nanosecondTimestamps?: true;
  /** A group's first field of a type Spark 3.5 cannot read (./parquet-types.ts: sparkReads). */
  nestedSparkUnreadable?: NestedUnreadable;
  /**
   * A group's first value or map key that the ETL engines write into a JSON column as different JSON
   * (./parquet-types.ts: a timestamp, bytes, a 32-bit float, JSON text, a map's keys of some types).
   */
  nestedJsonDiffers?: NestedJsonDifference;
}

export interface ParquetFooter {
  version: number;
  numRows: bigint;
  /** Top-level columns, in file order. */
  columns: ParquetColumn[];
  createdBy?: string;
  /**
   * Per top-level column (by name), the first encoding or compression codec of its column chunks that the Glue job's
   * reader (Spark 3.5) cannot decode (SPARK_UNREADABLE_ENCODINGS, SPARK_UNREADABLE_CODECS).
   */
  sparkUnreadableChunks: Map<string, { encoding: string } | { codec: string }>;
}

/**
 * Encodings Spark 3.5's vectorized Parquet reader cannot decode (VectorizedColumnReader.getValuesReader: PLAIN, the
 * DELTA encodings, dictionaries, RLE for booleans): BYTE_STREAM_SPLIT (DuckDB writes it for floating-point columns
 * with PARQUET_VERSION V2; pyarrow with use_byte_stream_split) and ALP.
 */
const SPARK_UNREADABLE_ENCODINGS: ReadonlySet<string> = new Set(['BYTE_STREAM_SPLIT', 'ALP']);

/** Codecs parquet-mr reads through a Hadoop codec class that neither Hadoop nor Spark ships (SPARK-25366). */
const SPARK_UNREADABLE_CODECS: ReadonlySet<string> = new Set(['BROTLI', 'LZO']);

function sparkUnreadableChunks(meta: FileMetaData): ParquetFooter['sparkUnreadableChunks'] {
  const found: ParquetFooter['sparkUnreadableChunks'] = new Map();
  for (const group of meta.row_groups ?? [])
    for (const chunk of group.columns ?? []) {
      const m = chunk.meta_data;
      const column = m?.path_in_schema?.[0];
      if (!m || column === undefined || found.has(column)) continue;
      const encoding = (m.encodings ?? []).find((e) => SPARK_UNREADABLE_ENCODINGS.has(e));
      if (encoding) found.set(column, { encoding });
      else if (SPARK_UNREADABLE_CODECS.has(m.codec)) found.set(column, { codec: m.codec });
    }
  return found;
}

/** What the upload check needs of hyparquet's FileMetaData. */
function footerOf(meta: FileMetaData): ParquetFooter {
  const { version, schema, num_rows: numRows } = meta;
  if (typeof version !== 'number' || !Array.isArray(schema) || typeof numRows !== 'bigint') {
    throw new ParquetFormatError('the footer metadata lacks the version, schema or row count');
  }
  if (schema.length === 0) throw new ParquetFormatError('the schema is empty');
  if (typeof schema[0]!.num_children !== 'number') {
    throw new ParquetFormatError('the schema root has no children count');
  }
  if (schema.some((el) => typeof el.name !== 'string')) {
    throw new ParquetFormatError(
      `schema element ${schema.findIndex((el) => typeof el.name !== 'string')} has no name`,
    );
  }
  let tree: SchemaNode;
  try {
    tree = parquetSchema(meta);
  } catch {
    throw new ParquetFormatError('the schema ends before all columns are listed');
  }
  const columns = tree.children.map((node): ParquetColumn => {
    const { element: el, children } = node;
    if (!el) throw new ParquetFormatError('the schema ends before all columns are listed');
    const group = children.length > 0;
    const logical = logicalName(el);
    const lt = el.logical_type;
    const scale = lt?.type === 'DECIMAL' ? lt.scale : logical === 'DECIMAL' ? el.scale : undefined;
    const column: ParquetColumn = {
      name: el.name,
      ...(!group && el.type ? { physical: el.type } : {}),
      ...(logical ? { logical } : {}),
      ...(typeof scale === 'number' ? { scale } : {}),
      group,
      repetition: el.repetition_type ?? 'OPTIONAL',
      ...(holdsNanosecondTimestamps(node) ? { nanosecondTimestamps: true as const } : {}),
    };
    const decimal = group ? undefined : decimalBeyondEngines(el);
    if (decimal) column.decimalBeyondEngines = decimal;
    const unreadable = group ? nestedSparkUnreadable(node) : undefined;
    const differs = group ? nestedJsonDiffers(node) : undefined;
    return {
      ...column,
      ...(unreadable ? { nestedSparkUnreadable: unreadable } : {}),
      ...(differs ? { nestedJsonDiffers: differs } : {}),
    };
  });
  return {
    version,
    numRows,
    columns,
    ...(typeof meta.created_by === 'string' ? { createdBy: meta.created_by } : {}),
    sparkUnreadableChunks: sparkUnreadableChunks(meta),
  };
}

/** hyparquet's errors about the bytes it was given, as the upload check's. */
function decodeError(e: unknown): ParquetFormatError {
  if (e instanceof ParquetFormatError) return e;
  return new ParquetFormatError(
    `the footer metadata cannot be decoded (${(e as Error)?.message ?? String(e)})`,
  );
}

/** Decodes FileMetaData (the footer's Thrift bytes, without the length and magic that follow them). */
export function parseFileMetaData(footer: Buffer): ParquetFooter {
  const length = Buffer.alloc(4);
  length.writeUInt32LE(footer.length);
  try {
    return footerOf(parquetMetadata(Buffer.concat([footer, length, Buffer.from(PARQUET_MAGIC, 'latin1')])));
  } catch (e) {
    throw decodeError(e);
  }
}

export interface FooterSource {
  size: number;
  read(start: number, end: number): Promise<Buffer>;
}

const arrayBufferOf = (b: Buffer): ArrayBuffer =>
  b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer;

/** Checks the framing (magic bytes at both ends, footer length) and decodes the footer, with 2-3 range reads. */
export async function readParquetFooter(
  src: FooterSource,
  tailBytes = 64 * 1024,
  maxFooterBytes = 64 * 1024 * 1024,
): Promise<ParquetFooter> {
  const { size } = src;
  if (size < 12) throw new ParquetFormatError(`${size} bytes is too small for a Parquet file`);
  const head = await src.read(0, 3);
  if (head.toString('latin1') !== PARQUET_MAGIC) {
    throw new ParquetFormatError("the file does not start with the Parquet magic bytes 'PAR1'");
  }
  const tailStart = Math.max(4, size - tailBytes);
  const tail = await src.read(tailStart, size - 1);
  const endMagic = tail.subarray(tail.length - 4).toString('latin1');
  if (endMagic === PARQUET_ENCRYPTED_MAGIC)
    throw new ParquetFormatError('encrypted Parquet files are not supported');
  if (endMagic !== PARQUET_MAGIC) {
    throw new ParquetFormatError("the file does not end with the Parquet magic bytes 'PAR1' (truncated?)");
  }
  const footerLength = tail.readUInt32LE(tail.length - 8);
  if (footerLength === 0 || footerLength > size - 12) {
    throw new ParquetFormatError(
      `the footer length ${footerLength} does not fit in the file (${size} bytes)`,
    );
  }
  if (footerLength > maxFooterBytes) {
    throw new ParquetFormatError(`the footer is ${footerLength} bytes; at most ${maxFooterBytes} are read`);
  }
  // hyparquet asks for the tail first (served from the read above), then for the rest of a longer footer.
  let readFailure: unknown;
  const file: AsyncBuffer = {
    byteLength: size,
    slice: async (start, end = size) => {
      if (start >= tailStart) return arrayBufferOf(tail.subarray(start - tailStart, end - tailStart));
      try {
        return arrayBufferOf(await src.read(start, end - 1));
      } catch (e) {
        readFailure = e;
        throw e;
      }
    },
  };
  let meta: FileMetaData;
  try {
    meta = await parquetMetadataAsync(file, { initialFetchSize: size - tailStart, geoparquet: false });
  } catch (e) {
    // A failed read is the store's, not the file's: it is not a reason to refuse the file.
    if (readFailure !== undefined && e === readFailure) throw e;
    throw decodeError(e);
  }
  try {
    return footerOf(meta);
  } catch (e) {
    throw decodeError(e);
  }
}
