/**
 * The runner's line-by-line fallback for JSON inputs read_json refuses as a whole (lib/etl/duckdb-runner/readers/
 * json-fallback.ts): a record that names a key twice is read as its last value — as Spark's JSON reader (the Glue job),
 * JSON.parse (validateUpload's sample check) and Python's json read it — instead of failing the file's run; the
 * records it passes on keep every digit of their numbers.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { mayHoldLenientJson } from '../../lib/etl/duckdb-runner/readers/lenient-json';
import { dataset } from '../../lib/dataset-registry';
import { jsonChecker } from '../../lib/uploads/check-json';
import { sampleLimits } from '../../lib/uploads/types';
import { uploadResultKey } from '../../lib/etl/upload-queue';
import {
  editedTables,
  fileJob,
  newLake,
  rejectedRows,
  run,
  tableRows,
  useReloadLakes,
  writeRaw,
} from './reload-lake';

useReloadLakes();

const MAX = '9223372036854775807';

/** customers with a 64-bit integer column (integers beyond 2^53 are where a double would round). */
const tables = () =>
  editedTables({
    'datasets/customers.json': (s) => {
      s.properties.visits = { type: 'integer' };
    },
  });

const customer = (id: string, rest = '') =>
  `{"customer_id":"${id}","email":"${id}@example.com","created_at":"2026-11-20T10:00:00Z"${rest}}`;

describe('the JSON fallback of the local Glue runner', () => {
  it('ends a JSON line at a CR alone too, as the Glue job reads JSON lines (Hadoop: LF, CRLF or CR)', async () => {
    const lake = await newLake();
    const key = await writeRaw(
      lake,
      'uploads/customers/cr.jsonl',
      `${customer('c1')}\n${customer('c2')}\r${customer('c3')}\r\n${customer('c4')}\r`,
    );
    const summary = await run(lake, fileJob('customers', key, 'cr'), { tables: tables() });
    expect(summary.tables[0]).toMatchObject({ rowsRead: 4, rowsWritten: 4, rowsRejected: 0 });
    expect((await tableRows(lake, 'customers', 'customer_id')).map((r) => r.customer_id)).toEqual([
      'c1',
      'c2',
      'c3',
      'c4',
    ]);
  });

  it('reads a key named twice as its last value, as the Glue job and the upload check do, and keeps the file', async () => {
    const lake = await newLake();
    const key = await writeRaw(
      lake,
      'uploads/customers/twice.jsonl',
      [
        customer('c1', ',"name":"first","name":"second"'),
        customer('c2', `,"visits":${MAX},"address":{"city":"a","city":"b"}`),
        customer('c3', ',"visits":12,"visits":13'),
        customer('c4', ', "name" :\t"x", "name"\t : "y" '),
        customer('c5', ',"name":"holds \\":\\" once"'), // no key twice, though it looks so to the quick test
      ].join('\n') + '\n',
    );
    const summary = await run(lake, fileJob('customers', key, 'twice'), { tables: tables() });
    expect(summary.tables[0]).toMatchObject({ rowsRead: 5, rowsWritten: 5, rowsRejected: 0 });
    const rows = await tableRows(lake, 'customers', 'customer_id');
    expect(rows.map((r) => [r.customer_id, r.name, r.visits])).toEqual([
      ['c1', 'second', null],
      ['c2', null, MAX],
      ['c3', null, '13'],
      ['c4', 'y', null],
      ['c5', 'holds ":" once', null],
    ]);
  });

  it('judges a key named twice by its last value in the upload check and in the run alike', async () => {
    const lines = [
      customer('c1', ',"country":"nowhere","country":"DE"'),
      customer('c2', ',"country":"DE","country":"nowhere"'),
    ];
    const customers = {
      ...dataset('customers')!,
      table: { ...dataset('customers')!.table, maxRejectedRatio: 0 },
    };
    const check = jsonChecker(customers, sampleLimits(), true);
    check.push(lines.join('\n') + '\n');
    expect(check.finish(true)).toMatchObject({ code: 'ROW_INVALID', line: 2, field: 'country' });

    const lake = await newLake();
    const key = await writeRaw(lake, 'uploads/customers/country.jsonl', lines.join('\n') + '\n');
    await run(lake, fileJob('customers', key, 'country'), { tables: tables() });
    expect(
      (await tableRows(lake, 'customers', 'customer_id')).map((r) => [r.customer_id, r.country]),
    ).toEqual([['c1', 'DE']]);
    expect(
      (await rejectedRows(lake, 'customers')).map((r) => [
        (r.raw as { customer_id: string }).customer_id,
        r.reason,
      ]),
    ).toEqual([['c2', 'country: does not match ^[A-Z]{2}$']]);
  });

  it('rejects a JSON line that is not UTF-8 with that reason, never storing U+FFFD in its place', async () => {
    const lake = await newLake();
    const key = await writeRaw(
      lake,
      'uploads/customers/latin.jsonl',
      Buffer.concat([
        Buffer.from(customer('u1') + '\n'),
        // "Grüße" in Latin-1: ü and ß are single bytes, not UTF-8.
        Buffer.from(customer('u2', ',"name":"Gr').slice(0, -1)),
        Buffer.from([0xfc, 0xdf]),
        Buffer.from('e"}\n' + customer('u3', ',"name":"Grüße"') + '\n'),
      ]),
    );
    const summary = await run(lake, fileJob('customers', key, 'latin'), { tables: tables() });
    expect(summary.tables[0]).toMatchObject({ rowsRead: 3, rowsWritten: 2, rowsRejected: 1 });
    const rows = await tableRows(lake, 'customers', 'customer_id');
    expect(rows.map((r) => [r.customer_id, r.name])).toEqual([
      ['u1', null],
      ['u3', 'Grüße'],
    ]);
    expect((await rejectedRows(lake, 'customers')).map((r) => r.reason)).toEqual([
      'line 2: not UTF-8 (its bytes kept here as Latin-1 text)',
    ]);
  });

  it('rejects what read_json alone takes (a trailing comma, NaN, Infinity) as the upload check and Glue do; the rest loads', async () => {
    const lake = await newLake();
    const good = Array.from({ length: 30 }, (_, i) => customer(`g${i}`));
    const key = await writeRaw(
      lake,
      'uploads/customers/lenient.jsonl',
      [
        ...good,
        customer('t1', ',"name":"x",'),
        customer('n1', ',"name":NaN'),
        customer('i1', ',"name":-Infinity'),
        customer('a1', ',"tags":[1,2,]'),
        // Only looks like one: inside a string.
        customer('s1', ',"name":"a, }"'),
      ].join('\n') + '\n',
    );
    const summary = await run(lake, fileJob('customers', key, 'lenient'), { tables: tables() });
    expect(summary.tables[0]).toMatchObject({ rowsRead: 35, rowsWritten: 31, rowsRejected: 4 });
    const rows = await tableRows(lake, 'customers', 'customer_id');
    expect(rows.map((r) => r.customer_id).sort()).toEqual(
      [...Array.from({ length: 30 }, (_, i) => `g${i}`), 's1'].sort(),
    );
    expect(rows.find((r) => r.customer_id === 's1')?.name).toBe('a, }');
    expect((await rejectedRows(lake, 'customers')).map((r) => r.reason).sort()).toEqual([
      expect.stringMatching(/^line 31: not valid JSON/),
      expect.stringMatching(/^line 32: not valid JSON/),
      expect.stringMatching(/^line 33: not valid JSON/),
      expect.stringMatching(/^line 34: not valid JSON/),
    ]);
  });

  it("rejects a line of white space JSON does not know (NBSP, U+3000, form feed, vertical tab), as Spark's reader does; blank lines are skipped", async () => {
    const lake = await newLake();
    const key = await writeRaw(
      lake,
      'uploads/customers/spaces.jsonl',
      [
        customer('c1'),
        '\u00a0',
        customer('c2'),
        '\u3000',
        '',
        ' \t',
        customer('c3'),
        '\f',
        '\u000b',
        customer('c4'),
      ].join('\n') + '\n',
    );
    const summary = await run(lake, fileJob('customers', key, 'spaces'), { tables: tables() });
    expect(summary.tables[0]).toMatchObject({ rowsRead: 8, rowsWritten: 4, rowsRejected: 4 });
    expect((await rejectedRows(lake, 'customers')).map((r) => r.reason).sort()).toEqual([
      expect.stringMatching(/^line 2: not valid JSON/),
      expect.stringMatching(/^line 4: not valid JSON/),
      expect.stringMatching(/^line 8: not valid JSON/),
      expect.stringMatching(/^line 9: not valid JSON/),
    ]);
  });

  it('finds what needs the strict reader (a trailing comma, NaN, a long number, deep nesting, a CR alone) across the 64 KiB chunks an input is read in, not inside strings', async () => {
    const dir = await newLake();
    const at = async (name: string, text: string) => {
      const file = path.join(dir, name);
      await fs.writeFile(file, text);
      return mayHoldLenientJson({ key: `uploads/customers/${name}`, file, format: 'jsonl', gz: false });
    };
    const pad = (n: number) => `{"customer_id":"${'x'.repeat(n)}"}\n`;
    const lead = pad(65536 - 40); // the next line starts 40 bytes before the first chunk ends
    expect(await at('comma.jsonl', lead + `{"a":"b",${' '.repeat(500)}}\n`)).toBe(true);
    expect(await at('nan.jsonl', lead + `{"a":${'\t'.repeat(200)}nan}\n`)).toBe(true);
    expect(await at('fine.jsonl', lead + `{"a":"b", ${' '.repeat(500)}"c":null}\n`)).toBe(false);
    // The sign and letters on this side, the comma and the spaces on the other; blank chunks in between.
    expect(await at('sign.jsonl', lead + `{"a":"b","c":${' '.repeat(200_000)}-In` + 'finity}\n')).toBe(true);
    expect(await at('split.jsonl', pad(65536 - 37) + '{"a":"b","c":  -In' + 'finity}\n')).toBe(true);
    // Spark's reader's limits, a CR alone; never what is inside a string.
    expect(await at('long.jsonl', lead + `{"a":${'9'.repeat(1001)}}\n`)).toBe(true);
    expect(await at('long-fine.jsonl', lead + `{"a":${'9'.repeat(1000)},"b":"${'9'.repeat(5000)}"}\n`)).toBe(
      false,
    );
    expect(await at('deep.jsonl', `{"a":${'['.repeat(1000)}${']'.repeat(1000)}}\n`)).toBe(true);
    expect(await at('deep-fine.jsonl', `{"a":${'['.repeat(999)}${']'.repeat(999)}}\n`.repeat(3))).toBe(false);
    expect(await at('cr.jsonl', `{"a":1,\r"b":2}\r\n`)).toBe(true);
    expect(await at('crlf.jsonl', `{"a":1,"b":2}\r\n{"a":"x, }"}\r\n`)).toBe(false);
    expect(await at('strings.jsonl', `{"a":"b,]","c":"nan","d":"\\"inf"}\n`)).toBe(false);
    // White space JSON does not know, outside strings (a line of it, or around a record); inside one it is text.
    expect(await at('nbsp.jsonl', lead + '{"a":1}\n\u00a0\n')).toBe(true);
    expect(await at('ff.jsonl', '{"a":1}\f\n')).toBe(true);
    expect(await at('text.jsonl', '{"a":"\u00a0\u3000 x"}\n')).toBe(false);
    // Streamed events (written by JSON.stringify) are not scanned.
    const file = path.join(dir, 'comma.jsonl');
    expect(await mayHoldLenientJson({ key: 'events/type=x/a.gz', file, format: 'jsonl', gz: false })).toBe(
      false,
    );
  });

  it("rejects a JSON line beyond Spark's reader's limits (a number of 1,001 characters, 1,001 levels) with that reason", async () => {
    const lake = await newLake();
    const long = `1.${'0'.repeat(1000)}`; // 1.0, written with 1,001 digits
    const deep = `${'['.repeat(1000)}${']'.repeat(1000)}`;
    const key = await writeRaw(
      lake,
      'uploads/customers/limits.jsonl',
      [
        customer('n1', `,"lifetime_value":${long.slice(0, 1000)}`),
        customer('n2', `,"lifetime_value":${long}`),
        customer('n3', `,"note":"${'9'.repeat(1001)}"`),
        customer('n4', `,"extra":${deep}`),
        customer('n5', `,"extra":${deep.slice(1, -1)}`),
      ].join('\n') + '\n',
    );
    const summary = await run(lake, fileJob('customers', key, 'limits'), { tables: tables() });
    expect(summary.tables[0]).toMatchObject({ rowsRead: 5, rowsWritten: 3, rowsRejected: 2 });
    expect((await tableRows(lake, 'customers', 'customer_id')).map((r) => r.customer_id)).toEqual([
      'n1',
      'n3',
      'n5',
    ]);
    expect((await rejectedRows(lake, 'customers')).map((r) => r.reason).sort()).toEqual([
      expect.stringMatching(/^line 2: a number written with more than 1000 digits: Spark's JSON reader/),
      expect.stringMatching(/^line 4: nested more than 1000 levels deep \(at extra\.0\.0\.0\.0…\)/),
    ]);
  });

  it("fails a .json document beyond Spark's reader's limits, as the Glue job's multi-line reader cannot read it", async () => {
    const lake = await newLake();
    const key = await writeRaw(
      lake,
      'uploads/customers/limits.json',
      `[${customer('d1')},${customer('d2', `,"lifetime_value":1.${'0'.repeat(1000)}`)}]`,
    );
    const summary = await run(lake, fileJob('customers', key, 'doc-limits'), { tables: tables() });
    expect(summary.uploads).toMatchObject({ taken: 1, succeeded: 0, failed: 1 });
    const result = JSON.parse(
      await fs.readFile(path.join(lake, 'curated', uploadResultKey('doc-limits')), 'utf8'),
    ) as { status: string; cause: string };
    expect(result).toMatchObject({
      status: 'FAILED',
      cause: expect.stringMatching(
        /cannot be read as the Glue job reads it: a number written with more than 1000 digits/,
      ),
    });
    expect(await tableRows(lake, 'customers', 'customer_id')).toEqual([]);
  });

  it('rejects a JSON line with a lone surrogate escape with that reason; the other lines load', async () => {
    const lake = await newLake();
    const key = await writeRaw(
      lake,
      'uploads/customers/surrogate.jsonl',
      [
        customer('s1'),
        customer('s2', ',"name":"a\\ud800b"'),
        customer('s3', ',"name":"\\ud83d\\ude00"'),
      ].join('\n') + '\n',
    );
    const summary = await run(lake, fileJob('customers', key, 'surrogate'), { tables: tables() });
    expect(summary.tables[0]).toMatchObject({ rowsRead: 3, rowsWritten: 2, rowsRejected: 1 });
    const rows = await tableRows(lake, 'customers', 'customer_id');
    expect(rows.map((r) => [r.customer_id, r.name])).toEqual([
      ['s1', null],
      ['s3', '😀'],
    ]);
    expect((await rejectedRows(lake, 'customers')).map((r) => r.reason)).toEqual([
      "line 2: the value of 'name' holds a lone UTF-16 surrogate escape (such as \\ud800 without its pair): not Unicode text",
    ]);
  });

  it('reads a .json file of JSON lines whose first line is longer than 64 KiB as JSON lines, gzipped too', async () => {
    const lake = await newLake();
    const noted = editedTables({
      'datasets/customers.json': (s) => {
        s.properties.notes = { type: 'string' };
      },
    });
    const body = (p: string) =>
      [
        customer(`${p}1`, `,"notes":"${'x'.repeat(70_000)}"`),
        customer(`${p}2`),
        customer(`${p}3`, ',"name":"a","name":"b"'), // a key named twice: the line-by-line fallback reads the file
      ].join('\n') + '\n';
    const plain = await writeRaw(lake, 'uploads/customers/long-first.json', body('l'));
    const gz = await writeRaw(lake, 'uploads/customers/long-first-gz.json.gz', gzipSync(body('z')));
    for (const [key, runId] of [
      [plain, 'long'],
      [gz, 'longgz'],
    ] as const) {
      const summary = await run(lake, fileJob('customers', key, runId), { tables: noted });
      // Read as one document: the Glue job's multi-line reader took the first row; the local fallback failed the
      // run, the file not being one JSON value.
      expect(summary.tables[0]).toMatchObject({ rowsRead: 3, rowsWritten: 3, rowsRejected: 0 });
    }
    const rows = await tableRows(lake, 'customers', 'customer_id');
    expect(rows.map((r) => [r.customer_id, String(r.notes ?? '').length])).toEqual([
      ['l1', 70_000],
      ['l2', 0],
      ['l3', 0],
      ['z1', 70_000],
      ['z2', 0],
      ['z3', 0],
    ]);
  });

  it('reads JSON lines and a JSON document that open with a byte order mark (any line of JSON lines), as Spark does', async () => {
    const lake = await newLake();
    // Its second line opens with a mark too: two files joined together (cat a.jsonl b.jsonl).
    const lines = await writeRaw(
      lake,
      'uploads/customers/bom.jsonl',
      `\uFEFF${customer('b1')}\n\uFEFF${customer('b2')}\n`,
    );
    const doc = await writeRaw(
      lake,
      'uploads/customers/bom.json',
      `\uFEFF[${customer('b3')},${customer('b4')}]`,
    );
    for (const [key, name] of [
      [lines, 'bom-lines'],
      [doc, 'bom-document'],
    ] as const) {
      const summary = await run(lake, fileJob('customers', key, name), { tables: tables() });
      expect(summary.tables[0]).toMatchObject({ rowsRead: 2, rowsWritten: 2, rowsRejected: 0 });
    }
    const rows = await tableRows(lake, 'customers', 'customer_id');
    expect(rows.map((r) => r.customer_id)).toEqual(['b1', 'b2', 'b3', 'b4']);
    expect(await rejectedRows(lake, 'customers')).toEqual([]);
  });

  it('passes the elements of a JSON document on with every digit of their numbers', async () => {
    const lake = await newLake();
    const key = await writeRaw(
      lake,
      'uploads/customers/document.json',
      `[${customer('c1', `,"visits":${MAX}`)}, [1, 2], ${customer('c2', ',"visits":-9007199254740993')}]`,
    );
    const summary = await run(lake, fileJob('customers', key, 'document'), { tables: tables() });
    expect(summary.tables[0]).toMatchObject({ rowsRead: 3, rowsWritten: 2, rowsRejected: 1 });
    const rows = await tableRows(lake, 'customers', 'customer_id');
    expect(rows.map((r) => [r.customer_id, r.visits])).toEqual([
      ['c1', MAX],
      ['c2', '-9007199254740993'],
    ]);
    expect((await rejectedRows(lake, 'customers')).map((r) => [r.reason, r.raw_record])).toEqual([
      ['element 1: not a JSON object', '[1,2]'],
    ]);
  });
});
