/** The pieces of the upload check: keys, CSV and JSON push parsers, UTF-8, Parquet footers, execution names. */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { CsvParser, CsvSyntaxError } from '../../lib/uploads/csv';
import { JsonDocumentParser, JsonLinesParser, JsonSyntaxError } from '../../lib/uploads/json';
import {
  classifyKey,
  decodeS3EventKey,
  encodeS3EventKey,
  ignoreReason,
  quarantineKey,
} from '../../lib/uploads/key';
import type { ColumnDef } from '../../lib/catalog/types';
import { parquetTypeProblem } from '../../lib/uploads/check-parquet';
import { parquetColumns } from '../support/parquet-columns';
import { parseFileMetaData, ParquetFormatError, readParquetFooter } from '../../lib/uploads/parquet';
import { executionName } from '../../lib/uploads/process';
import { validUtf8Prefix } from '../../lib/uploads/sample';

/** Pushes `text` in pieces of `size` characters. */
function csv(text: string, size = text.length): [number, string[]][] {
  const out: [number, string[]][] = [];
  const p = new CsvParser((fields, line) => void out.push([line, fields]));
  for (let i = 0; i < text.length; i += size) p.push(text.slice(i, i + size));
  p.end();
  return out;
}

describe('CSV push parser', () => {
  const tricky = 'a,b,c\r\n1,"x, ""quoted""\nnext line\r\n",\r\n\r\n"",,3\r\nlast,"",x';
  const expected: [number, string[]][] = [
    [1, ['a', 'b', 'c']],
    [2, ['1', 'x, "quoted"\nnext line\r\n', '']],
    [6, ['', '', '3']],
    [7, ['last', '', 'x']],
  ];

  it('parses quotes, doubled quotes, line breaks of any kind in quotes, CRLF and empty fields', () => {
    expect(csv(tricky)).toEqual(expected);
    expect(csv('a,b\r1,2\r')).toEqual([
      [1, ['a', 'b']],
      [2, ['1', '2']],
    ]);
    expect(csv('a,b\n1,2')).toEqual([
      [1, ['a', 'b']],
      [2, ['1', '2']],
    ]);
  });

  it('refuses a line that ends otherwise than the lines before it (outside quoted fields), in pieces of any size', () => {
    const refusal = (text: string, size?: number) => {
      try {
        csv(text, size);
      } catch (e) {
        expect(e).toBeInstanceOf(CsvSyntaxError);
        return (e as CsvSyntaxError).message.replace(/:.*/, '');
      }
      return 'none';
    };
    for (const size of [undefined, 1, 2]) {
      expect(refusal('id,s\r\n1,a\n2,b\n', size)).toBe('line 2 ends in LF where line 1 ends in CRLF');
      expect(refusal('id,s\n1,a\r\n', size)).toBe('line 2 ends in CRLF where line 1 ends in LF');
      expect(refusal('id,s\n\n1,a\r', size)).toBe('line 3 ends in CR where line 1 ends in LF');
      expect(refusal('id,s\r\n"a\nb",c\r\n', size)).toBe('none');
    }
  });

  it('gives the same records whatever the piece boundaries', () => {
    for (const size of [1, 2, 3, 5, 7]) expect(csv(tricky, size)).toEqual(expected);
  });

  it('reads a quote inside an unquoted field as a character of it, as both ETL readers do', () => {
    for (const size of [1, 3, 100])
      expect(csv('a,b\nx,y"z\n12" pipe,"q"\n', size)).toEqual([
        [1, ['a', 'b']],
        [2, ['x', 'y"z']],
        [3, ['12" pipe', 'q']],
      ]);
  });

  it('reports syntax errors with line and column', () => {
    const at = (text: string) => {
      try {
        csv(text);
      } catch (e) {
        expect(e).toBeInstanceOf(CsvSyntaxError);
        return [(e as CsvSyntaxError).line, (e as CsvSyntaxError).column];
      }
      throw new Error('no error');
    };
    expect(at('a,b\n"x"y,z\n')).toEqual([2, 4]);
    expect(at('a,b\nx, "y"\n')).toEqual([2, 4]); // white space before an opening quote
    expect(at('a,b\nx,"open\nstill open')).toEqual([2, 3]);
  });

  it('stops when the handler says so', () => {
    const seen: string[][] = [];
    const p = new CsvParser((f) => {
      seen.push(f);
      return seen.length < 2;
    });
    p.push('1\n2\n3\n4\n');
    expect(seen).toEqual([['1'], ['2']]);
    expect(p.done).toBe(true);
  });
});

describe('JSON push parsers', () => {
  it('JSON lines: one value per line, blank lines skipped, CRLF tolerated, a last line without a break', () => {
    const out: [number, unknown][] = [];
    const p = new JsonLinesParser((v, line) => void out.push([line, v]));
    p.push('{"a":1}\r\n\n{"a"');
    p.push(':2}\n{"a":3}');
    p.end();
    expect(out).toEqual([
      [1, { a: 1 }],
      [3, { a: 2 }],
      [4, { a: 3 }],
    ]);
  });

  it('JSON lines: a CR alone ends a line, as on both runtimes; a CR LF split between pieces is one line end', () => {
    for (const pieces of [
      ['{"a":1}\r{"a":2}\r\n{"a":3}\r\r{"a":4}'],
      ['{"a":1}\r', '{"a":2}\r', '\n{"a":3}\r', '\r{"a":4}'],
      ['{"a":1}', '\r{"a":2}\r\n', '{"a":3}\r\r', '{"a":4}\r'],
    ]) {
      const out: [number, unknown][] = [];
      const p = new JsonLinesParser((v, line) => void out.push([line, v]));
      for (const piece of pieces) p.push(piece);
      p.end();
      expect([pieces, out]).toEqual([
        pieces,
        [
          [1, { a: 1 }],
          [2, { a: 2 }],
          [3, { a: 3 }],
          [5, { a: 4 }],
        ],
      ]);
    }
  });

  it('JSON lines: a byte order mark opening a line (files joined together) is skipped, as Spark skips it', () => {
    const out: [number, unknown][] = [];
    const p = new JsonLinesParser((v, line) => void out.push([line, v]));
    p.push('{"a":1}\n\uFEFF{"a":2}\r\n\uFEFF\n{"a":3}');
    p.end();
    expect(out).toEqual([
      [1, { a: 1 }],
      [2, { a: 2 }],
      [4, { a: 3 }],
    ]);
  });

  it("JSON lines: a line of white space JSON does not know (NBSP, U+3000, form feed) is no blank line, as in Spark's reader", () => {
    const out: [number, unknown][] = [];
    const p = new JsonLinesParser((v, line) => void out.push([line, v]));
    p.push('{"a":1}\n \t\r\n{"a":2}\n');
    p.end();
    expect(out).toEqual([
      [1, { a: 1 }],
      [3, { a: 2 }],
    ]);
    for (const blank of ['\u00a0', '\u3000', '\f', '\u000b', ' \u2028 ']) {
      let err: unknown;
      try {
        new JsonLinesParser(() => true).push(`{"a":1}\n${blank}\n{"a":2}\n`);
      } catch (e) {
        err = e;
      }
      expect([JSON.stringify(blank), err]).toEqual([JSON.stringify(blank), expect.any(JsonSyntaxError)]);
      expect((err as JsonSyntaxError).line).toBe(2);
    }
  });

  it('JSON lines: a syntax error names its line', () => {
    let err: unknown;
    try {
      new JsonLinesParser(() => true).push('{"a":1}\n{"a":}\n');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(JsonSyntaxError);
    expect((err as JsonSyntaxError).line).toBe(2);
  });

  it('JSON documents: an array or a sequence of objects, with strings that contain brackets, in any pieces', () => {
    const text = '[\n {"a": "}]\\"{"},\n {"b": [1, {"c": [2]}]}\n]\n';
    for (const size of [1, 3, text.length]) {
      const out: [number, unknown][] = [];
      const p = new JsonDocumentParser((v, line) => void out.push([line, v]));
      for (let i = 0; i < text.length; i += size) p.push(text.slice(i, i + size));
      p.end();
      expect(out).toEqual([
        [2, { a: '}]"{' }],
        [3, { b: [1, { c: [2] }] }],
      ]);
    }
    // One object, pretty-printed; objects one per line (JSON lines), in any pieces.
    const read = (t: string, size = t.length) => {
      const seq: [number, unknown][] = [];
      const p = new JsonDocumentParser((v, line) => void seq.push([line, v]));
      for (let i = 0; i < t.length; i += size) p.push(t.slice(i, i + size));
      p.end();
      return seq;
    };
    expect(read('\n{\n  "a": 2\n}\n')).toEqual([[2, { a: 2 }]]);
    for (const size of [1, 4, 100])
      expect(read('{"a":1}\n\n{"a": {"b": "}\\n{"}}\r\n{"a":3}', size)).toEqual([
        [1, { a: 1 }],
        [3, { a: { b: '}\n{' } }],
        [4, { a: 3 }],
      ]);
  });

  it('JSON documents: refuses objects one after another across lines, which the ETL engines read differently', () => {
    const fails = (text: string) => () => {
      const p = new JsonDocumentParser(() => true);
      p.push(text);
      p.end();
    };
    // The first on one line (read as JSON lines), then one over several lines; pretty objects in a row (Spark's
    // multi-line reader takes the first only); two objects on one line.
    for (const [text, line] of [
      ['{"a":1}\n{\n  "a": 2\n}\n', 2],
      ['{\n "a": 1\n}\n{\n "a": 2\n}\n', 1],
      ['{"a":1} {"a":2}\n', 1],
    ] as const) {
      expect(fails(text)).toThrow(/must each take one line of their own \(JSON lines\)/);
      try {
        fails(text)();
      } catch (e) {
        expect((e as JsonSyntaxError).line).toBe(line);
      }
    }
  });

  it('JSON documents: refuses what is not objects, missing commas, content after the array, unclosed input', () => {
    const fails = (text: string) => {
      const p = new JsonDocumentParser(() => true);
      p.push(text);
      p.end();
    };
    expect(() => fails('[1, 2]')).toThrow(/element 1 of the array is not a JSON object/);
    expect(() => fails('[{} {}]')).toThrow(/expected ',' or ']'/);
    expect(() => fails('[{}] x')).toThrow(/after the array/);
    expect(() => fails('[{}')).toThrow(/closing/);
    expect(() => fails('{"a": 1')).toThrow(/ends inside/);
    expect(() => fails('"text"')).toThrow(/array of objects/);
    expect(() => fails('[{"a": tru}]')).toThrow(JsonSyntaxError);
  });
});

describe('UTF-8 check', () => {
  it('finds the first invalid byte, accepting a sequence cut at the end', () => {
    expect(validUtf8Prefix(Buffer.from('héllo €'))).toBe(Buffer.byteLength('héllo €'));
    expect(validUtf8Prefix(Buffer.from([0x61, 0xe9, 0x62]))).toBe(1); // latin-1 é
    expect(validUtf8Prefix(Buffer.from([0x61, 0xc0, 0x80]))).toBe(1); // overlong
    expect(validUtf8Prefix(Buffer.from([0x61, 0xed, 0xa0, 0x80]))).toBe(1); // surrogate
    expect(validUtf8Prefix(Buffer.from([0x61, 0xe2, 0x82]))).toBe(3); // € cut: may continue
  });
});

describe('upload keys', () => {
  it('round-trips S3 event key encoding', () => {
    for (const key of [
      'uploads/a b/c+d.csv',
      'uploads/ü/€ (1).json',
      "uploads/x/it's*!.csv",
      'uploads/%41/x.csv',
    ]) {
      const encoded = encodeS3EventKey(key);
      expect(encoded).not.toMatch(/[ ()'*!]/);
      expect(decodeS3EventKey(encoded)).toBe(key);
    }
    expect(decodeS3EventKey('uploads/orders/a+b%2Bc.csv')).toBe('uploads/orders/a b+c.csv');
  });

  it('classifies keys', () => {
    expect(classifyKey('uploads/orders/a.CSV.gz')).toMatchObject({
      kind: 'upload',
      dataset: 'orders',
      extension: 'csv',
      gzip: true,
    });
    expect(classifyKey('uploads/orders/a.CSV.gz')).not.toHaveProperty('problem');
    // Spark (Hadoop's codec factory) decompresses a name ending in '.gz' only, lower-case.
    for (const name of ['a.CSV.GZ', 'a.json.Gz', 'a.jsonl.gZ'])
      expect(classifyKey(`uploads/orders/${name}`)).toMatchObject({
        gzip: true,
        problem: expect.stringMatching(
          /^the gzip extension is written '\.[gG][zZ]': Spark .* rename the file to end in '\.gz'$/,
        ),
      });
    expect(classifyKey('uploads/orders/a.tar')).toMatchObject({ kind: 'upload', extension: 'tar' });
    expect(classifyKey('uploads/orders/a.tar')).not.toHaveProperty('problem');
    expect(classifyKey('uploads//a.csv')).toMatchObject({ problem: expect.stringContaining('empty') });
    expect(classifyKey('uploads/orders/a\tb.csv')).toMatchObject({
      problem: expect.stringContaining('control'),
    });
    // Read as a pattern by Spark and DuckDB (orders[1].csv reads orders1.csv; report*.csv every report).
    for (const name of ['orders[1].csv', 'report*.csv', 'a?.csv', 'x{1,2}.json'])
      expect(classifyKey(`uploads/orders/${name}`)).toMatchObject({
        problem: expect.stringMatching(/^the key contains a glob character \(\* \? \[ \] \{ \}\)/),
      });
    expect(classifyKey('uploads/orders/a (1) + b, c=d.csv')).not.toHaveProperty('problem');
    expect(ignoreReason('uploads/orders/a.csv')).toBeUndefined();
    expect(ignoreReason('quarantine/2026-01-01/orders/a.csv')).toMatch(/outside/);
    expect(quarantineKey('orders/a.csv', new Date('2026-02-03T23:59:59Z'))).toBe(
      'quarantine/2026-02-03/orders/a.csv',
    );
  });

  it('quarantines a long name under one whose reason file a file system and S3 take, its extensions kept', () => {
    const at = new Date('2026-02-03T23:59:59.123Z');
    const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
    const long = `${'a'.repeat(246)}.csv`; // 250 bytes: its reason would be 262
    for (const attempt of [0, 1, 2]) {
      const key = quarantineKey(`orders/${long}`, at, attempt);
      const name = key.slice(key.lastIndexOf('/') + 1);
      expect(bytes(`${name}.reason.json`)).toBeLessThanOrEqual(255);
      expect(name).toMatch(/^a+~[0-9a-f]{8}(\.\d{9}(-1)?)?\.csv$/);
      expect(key.startsWith('quarantine/2026-02-03/orders/')).toBe(true);
    }
    // Two long names that differ only at the end stay apart; a short name is left as it is.
    expect(quarantineKey(`orders/${'é'.repeat(130)}x.csv.gz`, at)).not.toBe(
      quarantineKey(`orders/${'é'.repeat(130)}y.csv.gz`, at),
    );
    expect(quarantineKey(`orders/${'é'.repeat(130)}x.csv.gz`, at)).toMatch(/~[0-9a-f]{8}\.csv\.gz$/);
    // On S3 a key is at most 1,024 bytes and a name may be longer than 255: cut the same way, within both.
    const s3 = quarantineKey(`orders/${'b'.repeat(990)}.json`, at);
    expect(bytes(`${s3}.reason.json`)).toBeLessThanOrEqual(1024);
    expect(bytes(`${s3.slice(s3.lastIndexOf('/') + 1)}.reason.json`)).toBeLessThanOrEqual(255);
  });

  it('derives execution names: deterministic, <= 80 of [A-Za-z0-9-_], different per version', () => {
    const a = executionName('orders', 'uploads/orders/a.csv', 'v1');
    expect(a).toBe(executionName('orders', 'uploads/orders/a.csv', 'v1'));
    expect(a).not.toBe(executionName('orders', 'uploads/orders/a.csv', 'v2'));
    expect(a).not.toBe(executionName('orders', 'uploads/orders/b.csv', 'v1'));
    for (const name of [
      a,
      executionName('x'.repeat(63), `uploads/x/${'é'.repeat(300)}.csv`, 'e'),
      executionName('d', 'uploads/d/ü.csv', 'e'),
    ]) {
      expect(name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    }
  });
});

describe('Parquet footer', () => {
  it('reads top-level columns with physical and logical types (nested columns as groups) from a DuckDB file', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pq-'));
    const file = path.join(dir, 'x.parquet');
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run(
      `COPY (SELECT 'a' AS s, 1::INTEGER AS i, 2::BIGINT AS b, 1.5::DOUBLE AS d, true AS t, DATE '2026-01-01' AS dt,
              TIMESTAMP '2026-01-01 00:00:00' AS ts, 1.25::DECIMAL(10,2) AS dec, [1, 2] AS l, {'x': 1, 'y': [3]} AS st,
              'z' AS after_nested FROM range(3)) TO '${file}' (FORMAT parquet)`,
    );
    c.closeSync();
    const buf = await fs.readFile(file);
    const footer = await readParquetFooter({
      size: buf.length,
      read: async (s, e) => buf.subarray(s, e + 1),
    });
    expect(footer.numRows).toBe(3n);
    const cols = Object.fromEntries(footer.columns.map((col) => [col.name, col]));
    expect(footer.columns.map((col) => col.name)).toEqual([
      's',
      'i',
      'b',
      'd',
      't',
      'dt',
      'ts',
      'dec',
      'l',
      'st',
      'after_nested',
    ]);
    expect(cols.s).toMatchObject({ physical: 'BYTE_ARRAY', logical: 'STRING', group: false });
    expect(cols.i).toMatchObject({ physical: 'INT32' });
    expect(cols.b).toMatchObject({ physical: 'INT64' });
    expect(cols.d).toMatchObject({ physical: 'DOUBLE' });
    expect(cols.t).toMatchObject({ physical: 'BOOLEAN' });
    expect(cols.dt).toMatchObject({ physical: 'INT32', logical: 'DATE' });
    expect(cols.ts).toMatchObject({ physical: 'INT64', logical: 'TIMESTAMP' });
    expect(cols.dec).toMatchObject({ logical: 'DECIMAL', scale: 2 });
    expect(cols.l).toMatchObject({ group: true, logical: 'LIST' });
    expect(cols.st).toMatchObject({ group: true });
    expect(Object.values(cols).filter((col) => col.nanosecondTimestamps)).toEqual([]);
  });

  it('marks a column that holds timestamps in nanoseconds, also inside a struct, which Spark 3.5 cannot read', async () => {
    const cols = await parquetColumns(
      `SELECT TIMESTAMP_NS '2026-05-01 10:00:00.123456789' AS ns, TIMESTAMP '2026-05-01 10:00:00' AS us,
              {'at': TIMESTAMP_NS '2026-05-01 10:00:00.1'} AS st`,
    );
    expect(cols.ns).toMatchObject({ logical: 'TIMESTAMP', nanosecondTimestamps: true });
    expect(cols.us!.nanosecondTimestamps).toBeUndefined();
    expect(cols.st).toMatchObject({ group: true, nanosecondTimestamps: true });
    const column: ColumnDef = { name: 'ts', type: 'timestamp', source: ['ts'], required: false };
    expect(parquetTypeProblem(cols.ns!, column)).toMatch(/nanoseconds.*\(Spark 3\.5\) cannot read them/);
    expect(parquetTypeProblem(cols.us!, column)).toBeUndefined();
    expect(parquetTypeProblem(cols.st!, { ...column, type: 'string', json: true })).toMatch(/nanoseconds/);
  });

  it('refuses a JSON column whose struct or list holds a timestamp or bytes: the engines write them as different JSON', async () => {
    const cols = await parquetColumns(
      `SELECT {'a': 1, 'b': NULL, 'dec': 12.50::DECIMAL(10,2), 's': 'x', 'd': DATE '2026-01-01', 'l': [1.5]} AS ok,
              {'a': 1, 'inner': {'t': TIMESTAMPTZ '2026-01-01 10:00:00+00'}} AS ts,
              [{'bin': 'ab'::BLOB}] AS bin`,
    );
    const json: ColumnDef = { name: 'x', type: 'string', source: ['x'], required: false, json: true };
    expect(cols.ok!.nestedJsonDiffers).toBeUndefined();
    expect(parquetTypeProblem(cols.ok!, json)).toBeUndefined();
    expect(cols.ts!.nestedJsonDiffers).toEqual({ path: 'inner.t', type: 'timestamp' });
    expect(parquetTypeProblem(cols.ts!, json)).toBe(
      'holds a timestamp in its field inner.t: the ETL engines write it into the JSON column as different text (the ' +
        "local engine '2026-01-01 10:00:00+00', the Glue job (Spark) '2026-01-01T10:00:00.000Z'); write that field as " +
        'a string in the file',
    );
    expect(cols.bin!.nestedJsonDiffers).toMatchObject({ type: 'binary' });
    expect(parquetTypeProblem(cols.bin!, json)).toMatch(/^holds bytes in its field .*bin: .*in base64/);
  });

  it('refuses Parquet types Spark 3.5 cannot read (TIME, TIMETZ, UUID, INTERVAL), and floating point for text', async () => {
    const cols = await parquetColumns(
      `SELECT TIME '09:30:00' AS tm, TIMETZ '08:11:12+00' AS tz, uuid() AS id, INTERVAL 3 DAY AS iv,
              1e-5::DOUBLE AS d, 0.5::FLOAT AS f, 'x' AS s`,
    );
    const text: ColumnDef = { name: 'x', type: 'string', source: ['x'], required: false };
    for (const name of ['tm', 'tz', 'id', 'iv'])
      expect([name, parquetTypeProblem(cols[name]!, text)]).toEqual([
        name,
        expect.stringMatching(
          /^is Parquet (TIME \(of day\)|UUID|INTERVAL): the Glue job \(Spark 3\.5\) cannot read it/,
        ),
      ]);
    expect(parquetTypeProblem(cols.d!, text)).toMatch(
      /floating-point value written as text differs between the engines/,
    );
    expect(parquetTypeProblem(cols.f!, text)).toMatch(/floating-point/);
    expect(parquetTypeProblem(cols.d!, { ...text, type: 'double' })).toBeUndefined();
    expect(parquetTypeProblem(cols.s!, text)).toBeUndefined();
  });

  it('refuses bad framing and garbage metadata', async () => {
    const src = (b: Buffer) => ({
      size: b.length,
      read: async (s: number, e: number) => b.subarray(s, e + 1),
    });
    await expect(readParquetFooter(src(Buffer.from('PAR1')))).rejects.toThrow(/too small/);
    await expect(readParquetFooter(src(Buffer.from('PAR0xxxxxxxxxxxxPAR1')))).rejects.toThrow(/start with/);
    await expect(readParquetFooter(src(Buffer.from('PAR1xxxxxxxxxxxxPARE')))).rejects.toThrow(/encrypted/);
    const huge = Buffer.concat([
      Buffer.from('PAR1xxxx'),
      Buffer.from([0xff, 0xff, 0, 0]),
      Buffer.from('PAR1'),
    ]);
    await expect(readParquetFooter(src(huge))).rejects.toThrow(/does not fit/);
    expect(() => parseFileMetaData(Buffer.from([0x15, 0x02]))).toThrow(ParquetFormatError);
    expect(() => parseFileMetaData(Buffer.from([0x19, 0xfc]))).toThrow(ParquetFormatError);
  });

  /** A DuckDB Parquet file with many columns (a footer of several KB), its bytes and a source counting reads. */
  async function wideFile(columns: number) {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pq-wide-'));
    const file = path.join(dir, 'wide.parquet');
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const list = Array.from({ length: columns }, (_, i) => `${i}::BIGINT AS column_with_a_long_name_${i}`);
    await c.run(`COPY (SELECT ${list.join(', ')} FROM range(2)) TO '${file}' (FORMAT parquet)`);
    c.closeSync();
    const buf = await fs.readFile(file);
    const reads: [number, number][] = [];
    const src = {
      size: buf.length,
      read: async (s: number, e: number) => {
        reads.push([s, e]);
        return buf.subarray(s, e + 1);
      },
    };
    return { buf, src, reads };
  }

  it('reads a footer longer than the first tail read with one more range read, never the data', async () => {
    const { buf, src, reads } = await wideFile(300);
    const footerLength = buf.readUInt32LE(buf.length - 8);
    const tail = 1024;
    expect(footerLength).toBeGreaterThan(tail);
    const footer = await readParquetFooter(src, tail);
    expect(footer.columns).toHaveLength(300);
    expect(footer.columns[299]).toMatchObject({ name: 'column_with_a_long_name_299', physical: 'INT64' });
    expect(footer.numRows).toBe(2n);
    // The head's magic bytes, the tail, then the rest of the footer: three reads, none before the footer.
    expect(reads).toHaveLength(3);
    const footerStart = buf.length - 8 - footerLength;
    expect(reads[2]).toEqual([footerStart, buf.length - tail - 1]);
    // Bounded by maxFooterBytes before anything more is read.
    reads.length = 0;
    await expect(readParquetFooter(src, tail, 1000)).rejects.toThrow(/at most 1000 are read/);
    expect(reads).toHaveLength(2);
  });

  it('a failed range read is the store’s error, never a malformed file', async () => {
    const { src } = await wideFile(300);
    const broken = new Error('connection reset');
    const failing = {
      size: src.size,
      read: async (s: number, e: number) => {
        if (s > 4 && e < src.size - 1024) throw broken; // the read of the rest of the footer
        return src.read(s, e);
      },
    };
    await expect(readParquetFooter(failing, 1024)).rejects.toBe(broken);
  });
});
