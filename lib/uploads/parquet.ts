/**
 * Reads a Parquet file's schema from its footer with range reads only:
 *   'PAR1' <column chunks...> <FileMetaData (Thrift compact protocol)> <4-byte little-endian footer length> 'PAR1'
 * The footer is decoded with a small generic Thrift compact-protocol reader (fields it does not need are skipped),
 * giving the top-level columns, their physical and logical types, and the row count. Row values are not read:
 * their pages are compressed and encoded column by column; the ETL types every value and rejects what fails.
 */

export class ParquetFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParquetFormatError';
  }
}

export const PARQUET_MAGIC = 'PAR1';
/** Files with an encrypted footer end in 'PARE'. */
const PARQUET_ENCRYPTED_MAGIC = 'PARE';

// ---- Thrift compact protocol --------------------------------------------------------------------------------

const enum CT {
  Stop = 0,
  True = 1,
  False = 2,
  Byte = 3,
  I16 = 4,
  I32 = 5,
  I64 = 6,
  Double = 7,
  Binary = 8,
  List = 9,
  Set = 10,
  Map = 11,
  Struct = 12,
  Uuid = 13,
}

/** A decoded struct: field id → value (numbers, bigint for i64, Buffer for binary, arrays, nested structs). */
export type ThriftStruct = Map<number, unknown>;

const MAX_DEPTH = 64;

export class CompactReader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  private byte(): number {
    if (this.pos >= this.buf.length) throw new ParquetFormatError('the footer metadata ends unexpectedly');
    return this.buf[this.pos++]!;
  }

  private varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new ParquetFormatError('a varint in the footer metadata is too long');
    }
  }

  private zigzag(): bigint {
    const n = this.varint();
    return (n >> 1n) ^ -(n & 1n);
  }

  private int(): number {
    return Number(this.zigzag());
  }

  private size(): number {
    const n = Number(this.varint());
    if (n > this.buf.length - this.pos)
      throw new ParquetFormatError('a length in the footer metadata exceeds the footer');
    return n;
  }

  private value(type: number, depth: number): unknown {
    if (depth > MAX_DEPTH) throw new ParquetFormatError('the footer metadata is nested too deeply');
    switch (type) {
      case CT.True:
        return true;
      case CT.False:
        return false;
      case CT.Byte: {
        const b = this.byte();
        return b > 127 ? b - 256 : b;
      }
      case CT.I16:
      case CT.I32:
        return this.int();
      case CT.I64:
        return this.zigzag();
      case CT.Double: {
        if (this.pos + 8 > this.buf.length)
          throw new ParquetFormatError('the footer metadata ends unexpectedly');
        const v = this.buf.readDoubleLE(this.pos);
        this.pos += 8;
        return v;
      }
      case CT.Binary: {
        const n = this.size();
        const v = this.buf.subarray(this.pos, this.pos + n);
        this.pos += n;
        return v;
      }
      case CT.Uuid: {
        if (this.pos + 16 > this.buf.length)
          throw new ParquetFormatError('the footer metadata ends unexpectedly');
        const v = this.buf.subarray(this.pos, this.pos + 16);
        this.pos += 16;
        return v;
      }
      case CT.List:
      case CT.Set: {
        const header = this.byte();
        let n = header >> 4;
        if (n === 15) n = this.size();
        const elemType = header & 0x0f;
        const out: unknown[] = [];
        for (let i = 0; i < n; i++) {
          // Booleans in collections are one byte each (1 = true).
          if (elemType === CT.True || elemType === CT.False) out.push(this.byte() === 1);
          else out.push(this.value(elemType, depth + 1));
        }
        return out;
      }
      case CT.Map: {
        const n = this.size();
        const out = new Map<unknown, unknown>();
        if (n === 0) return out;
        const types = this.byte();
        for (let i = 0; i < n; i++) {
          const k = this.value(types >> 4, depth + 1);
          out.set(k, this.value(types & 0x0f, depth + 1));
        }
        return out;
      }
      case CT.Struct:
        return this.struct(depth + 1);
      default:
        throw new ParquetFormatError(`unknown Thrift type ${type} in the footer metadata`);
    }
  }

  struct(depth = 0): ThriftStruct {
    const out: ThriftStruct = new Map();
    let last = 0;
    for (;;) {
      const header = this.byte();
      const type = header & 0x0f;
      if (type === CT.Stop) return out;
      const delta = header >> 4;
      const id = delta === 0 ? this.int() : last + delta;
      last = id;
      out.set(id, this.value(type, depth));
    }
  }
}

// ---- Parquet FileMetaData --------------------------------------------------------------------------------------

export const PhysicalType = [
  'BOOLEAN',
  'INT32',
  'INT64',
  'INT96',
  'FLOAT',
  'DOUBLE',
  'BYTE_ARRAY',
  'FIXED_LEN_BYTE_ARRAY',
] as const;
export type PhysicalTypeName = (typeof PhysicalType)[number];

const CONVERTED_TYPES: Record<number, string> = {
  0: 'UTF8',
  1: 'MAP',
  2: 'MAP_KEY_VALUE',
  3: 'LIST',
  4: 'ENUM',
  5: 'DECIMAL',
  6: 'DATE',
  7: 'TIME_MILLIS',
  8: 'TIME_MICROS',
  9: 'TIMESTAMP_MILLIS',
  10: 'TIMESTAMP_MICROS',
  11: 'UINT_8',
  12: 'UINT_16',
  13: 'UINT_32',
  14: 'UINT_64',
  15: 'INT_8',
  16: 'INT_16',
  17: 'INT_32',
  18: 'INT_64',
  19: 'JSON',
  20: 'BSON',
  21: 'INTERVAL',
};

/** LogicalType is a union: the id of the field that is set names it. */
const LOGICAL_TYPES: Record<number, string> = {
  1: 'STRING',
  2: 'MAP',
  3: 'LIST',
  4: 'ENUM',
  5: 'DECIMAL',
  6: 'DATE',
  7: 'TIME',
  8: 'TIMESTAMP',
  10: 'INTEGER',
  11: 'UNKNOWN',
  12: 'JSON',
  13: 'BSON',
  14: 'UUID',
  15: 'FLOAT16',
  16: 'VARIANT',
  17: 'GEOMETRY',
  18: 'GEOGRAPHY',
};

export interface ParquetColumn {
  name: string;
  /** Leaf columns: the physical type; groups (structs, lists, maps): undefined. */
  physical?: PhysicalTypeName;
  /** The logical (or legacy converted) type, if any: STRING, DATE, TIMESTAMP, DECIMAL, LIST, ... */
  logical?: string;
  /** DECIMAL scale. */
  scale?: number;
  group: boolean;
  repetition: 'REQUIRED' | 'OPTIONAL' | 'REPEATED';
}

export interface ParquetFooter {
  version: number;
  numRows: bigint;
  /** Top-level columns, in file order. */
  columns: ParquetColumn[];
  createdBy?: string;
}

const REPETITION = ['REQUIRED', 'OPTIONAL', 'REPEATED'] as const;

/** Decodes FileMetaData and keeps what the upload check needs. */
export function parseFileMetaData(footer: Buffer): ParquetFooter {
  const meta = new CompactReader(footer).struct();
  const version = meta.get(1);
  const schema = meta.get(2);
  const numRows = meta.get(3);
  if (typeof version !== 'number' || !Array.isArray(schema) || typeof numRows !== 'bigint') {
    throw new ParquetFormatError('the footer metadata lacks the version, schema or row count');
  }
  const elements = schema as ThriftStruct[];
  if (elements.length === 0 || !(elements[0] instanceof Map))
    throw new ParquetFormatError('the schema is empty');
  const rootChildren = elements[0].get(5);
  if (typeof rootChildren !== 'number') throw new ParquetFormatError('the schema root has no children count');

  const columns: ParquetColumn[] = [];
  // The schema is a depth-first list; skip each top-level column's descendants.
  let i = 1;
  const skip = (index: number): number => {
    const el = elements[index];
    if (!(el instanceof Map)) throw new ParquetFormatError('the schema ends before all columns are listed');
    const children = el.get(5);
    let next = index + 1;
    if (typeof children === 'number') for (let c = 0; c < children; c++) next = skip(next);
    return next;
  };
  for (let c = 0; c < rootChildren; c++) {
    const el = elements[i];
    if (!(el instanceof Map)) throw new ParquetFormatError('the schema ends before all columns are listed');
    const name = el.get(4);
    if (!Buffer.isBuffer(name)) throw new ParquetFormatError(`schema element ${i} has no name`);
    const type = el.get(1);
    const children = el.get(5);
    const group = typeof children === 'number' && children > 0;
    const logicalStruct = el.get(10);
    let logical: string | undefined;
    let scale: number | undefined;
    if (logicalStruct instanceof Map && logicalStruct.size > 0) {
      const [id, body] = [...logicalStruct.entries()][0]!;
      logical = LOGICAL_TYPES[id] ?? `LOGICAL_${id}`;
      if (logical === 'DECIMAL' && body instanceof Map && typeof body.get(1) === 'number')
        scale = body.get(1) as number;
    } else if (typeof el.get(6) === 'number') {
      logical = CONVERTED_TYPES[el.get(6) as number];
      if (logical?.startsWith('TIMESTAMP_')) logical = 'TIMESTAMP';
      if (logical === 'UTF8') logical = 'STRING';
      if (logical?.startsWith('INT_') || logical?.startsWith('UINT_')) logical = 'INTEGER';
      if (logical?.startsWith('TIME_')) logical = 'TIME';
    }
    if (scale === undefined && logical === 'DECIMAL' && typeof el.get(7) === 'number')
      scale = el.get(7) as number;
    const rep = el.get(3);
    columns.push({
      name: name.toString('utf8'),
      ...(!group && typeof type === 'number' && PhysicalType[type] ? { physical: PhysicalType[type] } : {}),
      ...(logical ? { logical } : {}),
      ...(scale !== undefined ? { scale } : {}),
      group,
      repetition: (typeof rep === 'number' && REPETITION[rep]) || 'OPTIONAL',
    });
    i = skip(i);
  }
  const createdBy = meta.get(6);
  return {
    version,
    numRows,
    columns,
    ...(Buffer.isBuffer(createdBy) ? { createdBy: createdBy.toString('utf8') } : {}),
  };
}

export interface FooterSource {
  size: number;
  read(start: number, end: number): Promise<Buffer>;
}

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
  const footerStart = size - 8 - footerLength;
  const footer =
    footerStart >= tailStart
      ? tail.subarray(footerStart - tailStart, tail.length - 8)
      : await src.read(footerStart, size - 9);
  return parseFileMetaData(footer);
}
