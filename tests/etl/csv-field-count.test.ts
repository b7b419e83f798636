/**
 * A CSV record with more fields than the header, its extra fields empty (`…,Z,` or `…,Z,,""`), is a malformed record
 * to the Glue job's reader (Spark's UnivocityParser: a record whose token count differs from the schema's), and DuckDB's
 * read_csv takes it with the empty fields dropped: the local runner rejects it as the Glue job does, with its text and
 * line, and reads the rest of the file as before (lib/etl/duckdb-runner/readers/csv-extra-fields.ts).
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { lakeTable } from '../../lib/catalog/tables';
import { runEtlJob } from '../../lib/etl/duckdb-runner';
import { tempLake } from '../support/raw-zone';

type Row = Record<string, unknown>;
let db: DuckDBInstance;
let conn: DuckDBConnection;
const lakes: string[] = [];

beforeAll(async () => {
  db = await DuckDBInstance.create(':memory:', { threads: '1' });
  conn = await db.connect();
});

afterAll(async () => {
  conn.closeSync();
  db.closeSync();
  for (const lake of lakes) await fs.rm(lake, { recursive: true, force: true });
});

const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;
const q = async (sql: string): Promise<Row[]> => (await conn.runAndReadAll(sql)).getRowObjectsJson() as Row[];

const HEADER = 'order_id,customer_id,order_date,status,amount,currency,item_count,coupon,updated_at';
const row = (id: string, tail = '2026-03-01T10:00:00Z') => `${id},c1,2026-03-01,paid,1,EUR,1,,${tail}`;

async function runOn(name: string, body: string | Buffer): Promise<{ lake: string; key: string }> {
  const lake = await tempLake('csv-fields');
  lakes.push(lake);
  const key = `uploads/orders/${name}`;
  const file = path.join(lake, 'raw', key);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, body);
  const summary = await runEtlJob(
    { '--etl_mode': 'file', '--table': 'orders', '--inputs': JSON.stringify([key]), '--run_id': 'fields-1' },
    { lakeDir: lake, threads: 1, memoryLimit: '256MB' },
  );
  expect(summary.tables.map((t) => t.table)).toContain('orders');
  return { lake, key };
}

async function writtenIds(lake: string): Promise<string[]> {
  const dir = path.join(lake, 'curated', lakeTable('orders')!.prefix);
  const rows = await q(
    `SELECT order_id FROM read_parquet(${lit(dir + '**/*.parquet')}, hive_partitioning = true) ORDER BY order_id`,
  );
  return rows.map((r) => String(r.order_id));
}

async function rejected(
  lake: string,
): Promise<{ reason: string; raw_record: string; source_file: string }[]> {
  const root = path.join(lake, 'curated', 'rejected', 'table_name=orders');
  const out: { reason: string; raw_record: string; source_file: string }[] = [];
  for (const day of await fs.readdir(root).catch(() => []))
    for (const f of await fs.readdir(path.join(root, day)))
      for (const line of (await fs.readFile(path.join(root, day, f), 'utf8')).split('\n').filter(Boolean))
        out.push(JSON.parse(line) as { reason: string; raw_record: string; source_file: string });
  return out.sort((a, b) => a.reason.localeCompare(b.reason, 'en', { numeric: true }));
}

const LINES = [
  HEADER,
  row('o1'),
  row('o2', ''), // the header's nine fields, the last two empty: a good row
  row('o3') + ',', // ten fields, the tenth empty
  row('o4') + ',,,', // twelve, the three extra ones empty
  row('o5') + ',""', // ten, the tenth a quoted empty value
  '',
  'o6,"c6\nsecond line",2026-03-01,paid,1,EUR,1,,2026-03-01T10:00:00Z,', // a quoted line break, ten fields
  row('o7'),
  'o8,c8,2026-03-01,paid', // too few fields (read_csv's own reject)
  row('o9') + ',x', // an extra field with a value (read_csv's own reject)
  row('o10', ''),
];

describe('CSV records with more fields than the header, the extra ones empty', () => {
  for (const [name, eol, gz] of [
    ['lf.csv', '\n', false],
    ['crlf.csv.gz', '\r\n', true],
  ] as const) {
    it(`are rejected with their text and line, as the Glue job rejects them (${name})`, async () => {
      const text = LINES.join(eol).replace('\nsecond', `${eol}second`) + eol;
      const { lake, key } = await runOn(name, gz ? gzipSync(text) : text);
      expect(await writtenIds(lake)).toEqual(['o1', 'o10', 'o2', 'o7']);
      const rows = await rejected(lake);
      expect(rows.map((r) => r.source_file)).toEqual(Array(6).fill(key));
      const tooMany = (line: number, fields: number) =>
        new RegExp(
          `^line ${line}: TOO MANY COLUMNS \\(the record has ${fields} fields, the header 9; its extra fields are ` +
            'empty',
        );
      expect(rows.map((r) => r.reason)).toEqual([
        expect.stringMatching(tooMany(4, 10)),
        expect.stringMatching(tooMany(5, 12)),
        expect.stringMatching(tooMany(6, 10)),
        expect.stringMatching(tooMany(8, 10)),
        expect.stringMatching(/^line 11: MISSING COLUMNS/),
        expect.stringMatching(/^line 12: TOO MANY COLUMNS/),
      ]);
      expect(rows.map((r) => r.raw_record)).toEqual([
        row('o3') + ',',
        row('o4') + ',,,',
        row('o5') + ',""',
        `o6,"c6${eol}second line",2026-03-01,paid,1,EUR,1,,2026-03-01T10:00:00Z,`,
        'o8,c8,2026-03-01,paid',
        row('o9') + ',x',
      ]);
    });
  }

  it('are found after a quote inside an unquoted value, which is a character of it (read_csv and Spark read it so)', async () => {
    const { lake } = await runOn(
      'mid-quote.csv',
      [
        HEADER,
        row('o1'),
        'o2,c"2,2026-03-01,paid,1,EUR,1,,2026-03-01T10:00:00Z',
        row('o3') + ',',
        row('o4'),
      ].join('\n') + '\n',
    );
    expect(await writtenIds(lake)).toEqual(['o1', 'o2', 'o4']);
    expect((await rejected(lake)).map((r) => r.reason)).toEqual([
      expect.stringMatching(/^line 4: TOO MANY COLUMNS \(the record has 10 fields/),
    ]);
  });

  it('leave a file without them as it was read', async () => {
    // The last record ends the file without a line end, its last field empty.
    const { lake } = await runOn('good.csv', [HEADER, row('o1'), row('o2', ''), row('o3', '')].join('\n'));
    expect(await writtenIds(lake)).toEqual(['o1', 'o2', 'o3']);
    expect(await rejected(lake)).toEqual([]);
  });
});

describe('a rejected CSV record longer than read_csv keeps of it in its rejects (10,000 characters)', () => {
  for (const [name, eol] of [
    ['long-lf.csv', '\n'],
    ['long-crlf.csv', '\r\n'],
  ] as const) {
    it(`keeps its whole text, as the Glue job does (${name})`, async () => {
      const long = `tlong,u,2026-03-01,paid,1,EUR,"${'Q'.repeat(30_000)}END",2026-03-01T10:00:00Z`; // a field short
      const wide = `${row('o9')},${'x,'.repeat(6_000)}x`; // 6,001 fields too many
      const { lake } = await runOn(
        name,
        [HEADER, row('o1'), long, row('o2'), wide, row('o3')].join(eol) + eol,
      );
      expect(await writtenIds(lake)).toEqual(['o1', 'o2', 'o3']);
      const rows = await rejected(lake);
      expect(rows.map((r) => r.reason)).toEqual([
        expect.stringMatching(/^line 3: MISSING COLUMNS/),
        expect.stringMatching(/^line 5: TOO MANY COLUMNS \(Expected Number of Columns: 9 Found: 6010\)/),
      ]);
      // (Compared by length and equality: a failure prints two numbers, not 30,000 characters.)
      expect(rows.map((r) => r.raw_record.length)).toEqual([long.length, wide.length]);
      expect([rows[0]!.raw_record === long, rows[1]!.raw_record === wide]).toEqual([true, true]);
    });
  }
});
