/**
 * CSV lines that are not UTF-8 (past the upload check's sample): the local runner rejects each by its line, and its
 * raw_record is the line as sent with each bad byte sequence as one U+FFFD (as Java's decoder reads it on Glue) —
 * DuckDB's own csv_line of such a line swallowed what followed the bad bytes, a comma included
 * (lib/etl/duckdb-runner/readers/csv-record-texts.ts).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { runEtlJob } from '../../lib/etl/duckdb-runner';
import { tempLake } from '../support/raw-zone';

const HEADER = 'order_id,customer_id,order_date,status,amount,currency,item_count,coupon,updated_at';
const row = (id: string, coupon: string | Buffer = '') =>
  Buffer.concat([
    Buffer.from(`${id},c1,2026-03-01,paid,1,EUR,1,`),
    Buffer.from(coupon),
    Buffer.from(',2026-03-01T10:00:00Z'),
  ]);
const bytes = (...b: number[]) => Buffer.from(b);
const lakes: string[] = [];

afterAll(async () => {
  for (const lake of lakes) await fs.rm(lake, { recursive: true, force: true });
});

async function rejected(lake: string): Promise<{ reason: string; raw_record: string }[]> {
  const root = path.join(lake, 'curated', 'rejected', 'table_name=orders');
  const out: { reason: string; raw_record: string }[] = [];
  for (const day of await fs.readdir(root))
    for (const f of await fs.readdir(path.join(root, day)))
      for (const line of (await fs.readFile(path.join(root, day, f), 'utf8')).split('\n').filter(Boolean))
        out.push(JSON.parse(line) as { reason: string; raw_record: string });
  return out.sort((a, b) => a.reason.localeCompare(b.reason, 'en', { numeric: true }));
}

describe('CSV lines that are not UTF-8', () => {
  for (const [name, eol, gz] of [
    ['latin1.csv', '\n', false],
    ['latin1-crlf.csv.gz', '\r\n', true],
  ] as const) {
    it(`are rejected with the line as sent, each bad sequence one U+FFFD (${name})`, async () => {
      const lines = [
        Buffer.from(HEADER),
        ...Array.from({ length: 30 }, (_, i) => row(`g${i}`)),
        row('e1', Buffer.concat([Buffer.from('ab'), bytes(0xe9), Buffer.from('cd')])),
        row('e2', Buffer.concat([Buffer.from('ab'), bytes(0xff)])),
        row('e3', bytes(0xe2, 0x82)),
        row('e4', Buffer.concat([Buffer.from('"q'), bytes(0xe9), Buffer.from(eol), Buffer.from('r"')])),
        row('last'),
      ];
      const body = Buffer.concat(lines.flatMap((l) => [l, Buffer.from(eol)]));
      const lake = await tempLake('csv-encoding');
      lakes.push(lake);
      const key = `uploads/orders/${name}`;
      await fs.mkdir(path.dirname(path.join(lake, 'raw', key)), { recursive: true });
      await fs.writeFile(path.join(lake, 'raw', key), gz ? gzipSync(body) : body);
      const summary = await runEtlJob(
        { '--etl_mode': 'file', '--table': 'orders', '--inputs': JSON.stringify([key]), '--run_id': 'enc-1' },
        { lakeDir: lake, threads: 1, memoryLimit: '256MB' },
      );
      expect(summary).toMatchObject({ rowsRead: 35, rowsWritten: 31, rowsRejected: 4 });
      const rows = await rejected(lake);
      expect(rows.map((r) => r.reason)).toEqual([
        expect.stringMatching(/^line 32: INVALID ENCODING/),
        expect.stringMatching(/^line 33: INVALID ENCODING/),
        expect.stringMatching(/^line 34: INVALID ENCODING/),
        expect.stringMatching(/^line 35: INVALID ENCODING/),
      ]);
      const text = (id: string, coupon: string) =>
        `${id},c1,2026-03-01,paid,1,EUR,1,${coupon},2026-03-01T10:00:00Z`;
      expect(rows.map((r) => r.raw_record)).toEqual([
        text('e1', 'ab\uFFFDcd'),
        text('e2', 'ab\uFFFD'),
        text('e3', '\uFFFD'),
        text('e4', `"q\uFFFD${eol}r"`),
      ]);
    });
  }
});

describe('rejected CSV lines after quoted line breaks', () => {
  for (const [name, eol, gz] of [
    ['multiline.csv', '\n', false],
    ['multiline-crlf.csv.gz', '\r\n', true],
  ] as const) {
    it(`are named by the line of the file they start on, not by their record's number (${name})`, async () => {
      const lines = [
        Buffer.from(HEADER),
        ...Array.from({ length: 30 }, (_, i) => row(`g${i}`)), // lines 2–31
        row('q1', `"a${eol}b${eol}c"`), // lines 32–34
        Buffer.from('short,c1,2026-03-01'), // line 35
        row('q2', `"d${eol}e"`), // lines 36–37
        Buffer.from('long,c1,2026-03-01,x,y,z,1,2,3,4'), // line 38
        row('enc', Buffer.concat([Buffer.from('ab'), bytes(0xe9)])), // line 39
        row('last'),
      ];
      const body = Buffer.concat(lines.flatMap((l) => [l, Buffer.from(eol)]));
      const lake = await tempLake('csv-lines');
      lakes.push(lake);
      const key = `uploads/orders/${name}`;
      await fs.mkdir(path.dirname(path.join(lake, 'raw', key)), { recursive: true });
      await fs.writeFile(path.join(lake, 'raw', key), gz ? gzipSync(body) : body);
      await runEtlJob(
        {
          '--etl_mode': 'file',
          '--table': 'orders',
          '--inputs': JSON.stringify([key]),
          '--run_id': 'lines-1',
        },
        { lakeDir: lake, threads: 1, memoryLimit: '256MB' },
      );
      const rows = await rejected(lake);
      expect(rows.map((r) => [r.reason.split(':')[0], r.raw_record.split(',')[0]])).toEqual([
        ['line 35', 'short'],
        ['line 38', 'long'],
        ['line 39', 'enc'],
      ]);
    });
  }
});
