/**
 * The Glue job script (resources/glue/etl_job.py): it compiles, and its Spark-free helpers — arguments, formats,
 * compaction manifests, figures, summary, catalog check — keep the contract of lib/etl/run.ts and lib/etl/plans.ts
 * that the local DuckDB runner keeps too. Runs the helpers in python3 (no Spark or boto3 needed).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { MAX_CSV_LINE_BYTES } from '../../lib/etl/duckdb-runner/readers/csv';
import { LocalFirehose } from '../../lib/firehose/local';
import { deliveredObjects, tempLake } from '../support/raw-zone';
import { mixedLineEnds } from '../../lib/etl/duckdb-runner/readers/csv-line-ends';
import { glueTableResource } from '../../lib/catalog/glue';
import { lakeTables } from '../../lib/catalog/tables';
import { ID_CONFLICT_REASON } from '../../lib/etl/event-conflicts';
import type { EtlRunSummary, EtlTableFigures } from '../../lib/etl/run';
import { runInputsKey, runSummaryKey } from '../../lib/etl/run';
import { pendingUploadKey, uploadResultKey, type UploadResult } from '../../lib/etl/upload-queue';
import { compactionManifestKey, etlPlansFile, type EtlPlansFile } from '../../lib/etl/plans';
import { rejectedObjectKey, rejectedRowsPrefix, replayedStateKey } from '../../lib/etl/rejected';
import { parseArgs } from '../../lib/etl/duckdb-runner/args';
import { rejectedAboveText } from '../../lib/etl/duckdb-runner/figures';
import { b64, fakeS3, reader, one, py, python, script, withPython } from '../etl/glue-job-python';

let plans: EtlPlansFile;
beforeAll(() => {
  plans = etlPlansFile();
});

describe('resources/glue/etl_job.py', () => {
  withPython('compiles with python3 -m py_compile, and imports without Spark, AWS SDK or awsglue', () => {
    const r = spawnSync(python!, ['-m', 'py_compile', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(one('parse_args', []).value).toEqual({});
  });

  withPython("replays no copy rejected for its event id, by the local runner's reason text", () => {
    expect(one('replayable', ID_CONFLICT_REASON).value).toBe(false);
    expect(one('replayable', 'plan: not one of free, pro').value).toBe(true);
    expect(one('replayable', null).value).toBe(true);
  });

  withPython('names a damaged state file it cannot read, as the local runner does', () => {
    expect(one('parse_state_json', '{"processed": [1]}', 's3://c/_state/x.json').value).toEqual({
      processed: [1],
    });
    expect(one('parse_state_json', '{"processed": [', 's3://c/_state/x.json').error).toMatch(
      /^s3:\/\/c\/_state\/x\.json is damaged \(not JSON: .*README "Damaged state files"/,
    );
  });

  withPython('reads Glue job arguments in both --name value and --name=value forms', () => {
    const argv = [
      '--JOB_ID',
      'j_1',
      '--enable-metrics',
      '--etl_mode',
      'file',
      '--inputs=["uploads/orders/a.csv"]',
      '--table',
      'orders',
    ];
    expect(one('parse_args', argv).value).toEqual({
      JOB_ID: 'j_1',
      'enable-metrics': '',
      etl_mode: 'file',
      inputs: '["uploads/orders/a.csv"]',
      table: 'orders',
    });
  });

  withPython(
    'fails an upload whose object was replaced after it was accepted (its version id, else its ETag), not one written again with the same bytes',
    () => {
      const record = { key: 'uploads/orders/v.csv', versionId: 'v1', etag: 'aaa' };
      const [same, otherVersion, otherEtag, sameEtagNoVersion, none, sameBytesAgain] = py([
        ['replaced_since_accepted', record, { VersionId: 'v1', ETag: '"bbb"' }],
        ['replaced_since_accepted', record, { VersionId: 'v2', ETag: '"ccc"' }],
        ['replaced_since_accepted', { key: record.key, etag: 'aaa' }, { ETag: '"bbb"' }],
        ['replaced_since_accepted', { key: record.key, etag: 'aaa' }, { ETag: '"aaa"' }],
        ['replaced_since_accepted', record, null],
        // A retried copy writes the same bytes as a new version: the content accepted, loaded (as locally).
        ['replaced_since_accepted', record, { VersionId: 'v2', ETag: '"aaa"' }],
      ]);
      expect(same!.value).toBeNull();
      expect(otherVersion!.value).toMatch(
        /'uploads\/orders\/v.csv' was replaced after it was accepted \(accepted version v1, now v2\)/,
      );
      expect(otherEtag!.value).toMatch(/accepted version aaa, now bbb/);
      expect(sameEtagNoVersion!.value).toBeNull();
      expect(none!.value).toBeNull();
      expect(sameBytesAgain!.value).toBeNull();
    },
  );

  withPython(
    'an SSE-KMS or multipart upload written again with the same bytes: the same whole-object checksum and size, loaded',
    () => {
      const record = {
        key: 'uploads/orders/k.csv',
        versionId: 'v1',
        etag: 'kms-1',
        size: 10,
        checksum: 'CRC64NVME:AAAAAAAAAAA=',
      };
      const head = { VersionId: 'v2', ETag: '"kms-2"', ContentLength: 10 };
      // A botocore that predates CRC64NVME leaves it in the raw headers only.
      const rawHeaders = {
        ...head,
        ResponseMetadata: {
          HTTPHeaders: { 'x-amz-checksum-crc64nvme': 'AAAAAAAAAAA=', 'x-amz-checksum-type': 'FULL_OBJECT' },
        },
      };
      const [fromHeaders] = py([['replaced_since_accepted', record, rawHeaders]]);
      expect(fromHeaders!.value).toBeNull();
      const [sameBytes, otherBytes, otherSize, composite, noRecord] = py([
        [
          'replaced_since_accepted',
          record,
          { ...head, ChecksumCRC64NVME: 'AAAAAAAAAAA=', ChecksumType: 'FULL_OBJECT' },
        ],
        [
          'replaced_since_accepted',
          record,
          { ...head, ChecksumCRC64NVME: 'BBBBBBBBBBB=', ChecksumType: 'FULL_OBJECT' },
        ],
        [
          'replaced_since_accepted',
          record,
          { ...head, ContentLength: 11, ChecksumCRC64NVME: 'AAAAAAAAAAA=' },
        ],
        [
          'replaced_since_accepted',
          { ...record, checksum: 'CRC32:abcd==-2' },
          { ...head, ChecksumCRC32: 'abcd==-2', ChecksumType: 'COMPOSITE' },
        ],
        [
          'replaced_since_accepted',
          { key: record.key, versionId: 'v1', etag: 'kms-1' },
          { ...head, ChecksumCRC64NVME: 'AAAAAAAAAAA=' },
        ],
      ]);
      expect(sameBytes!.value).toBeNull();
      for (const replaced of [otherBytes, otherSize, composite, noRecord])
        expect(replaced!.value).toMatch(/was replaced after it was accepted \(accepted version v1, now v2\)/);
    },
  );

  withPython("counts a file's new rows between none and its valid rows, as the local runner does", () => {
    const at = '2024-01-03T00:00:00.000Z';
    const options = { etl_mode: 'events', run_id: 'r', job_run_id: null };
    const record = { execution: 'e', table: 'orders', key: 'uploads/orders/p1.csv', acceptedAt: at };
    const source = (rowsWritten: number) => ({ rowsRead: 5, rowsRejected: 1, rowsWritten, partitions: [] });
    const [replaced, more] = py([
      ['upload_success', options, record, plans.tables.orders, [source(-5)], null, plans.layout, at],
      ['upload_success', options, record, plans.tables.orders, [source(9)], null, plans.layout, at],
    ]);
    expect((replaced!.value as { figures?: object }).figures ?? replaced!.value).toMatchObject({
      rowsRead: 5,
      rowsWritten: 0,
      duplicatesRemoved: 4,
    });
    expect((more!.value as { figures?: object }).figures ?? more!.value).toMatchObject({
      rowsWritten: 4,
      duplicatesRemoved: 0,
    });
  });

  withPython('validates the run arguments of lib/etl/run.ts', () => {
    const base = {
      run_id: 'run-1',
      raw_bucket: 'raw',
      curated_bucket: 'curated',
      plans_bucket: 'deploy',
      plans_key: 'k/plans.json',
    };
    const [file, events, noTable, badInputs, emptyInputs, badMode, missing, badRunId, oddRunId, newline] = py(
      [
        ['job_options', { ...base, etl_mode: 'file', table: 'orders', inputs: '["uploads/orders/a.csv"]' }],
        ['job_options', { ...base, etl_mode: 'events', database: 'data_lake_prod' }],
        ['job_options', { ...base, etl_mode: 'file', inputs: '["a.csv"]' }],
        ['job_options', { ...base, etl_mode: 'file', table: 'orders', inputs: 'uploads/a.csv' }],
        ['job_options', { ...base, etl_mode: 'file', table: 'orders', inputs: '[]' }],
        ['job_options', { ...base, etl_mode: 'stream' }],
        ['job_options', { etl_mode: 'events', run_id: 'x' }],
        ['job_options', { ...base, etl_mode: 'events', run_id: '../x' }],
        ['job_options', { ...base, etl_mode: 'events', run_id: 'file-orders_a=b+c@1' }],
        ['job_options', { ...base, etl_mode: 'events', run_id: 'run\n' }],
      ],
    );
    expect(file!.value).toMatchObject({
      mode: 'file',
      table: 'orders',
      inputs: ['uploads/orders/a.csv'],
      database: null,
    });
    expect(events!.value).toMatchObject({
      mode: 'events',
      table: null,
      inputs: [],
      database: 'data_lake_prod',
    });
    expect(noTable!.error).toMatch(/--table is required/);
    expect(badInputs!.error).toMatch(/JSON array/);
    expect(emptyInputs!.error).toMatch(/non-empty/);
    expect(badMode!.error).toMatch(/--etl_mode/);
    expect(missing!.error).toMatch(/--raw_bucket.*--curated_bucket.*--plans_bucket.*--plans_key/);
    expect(badRunId!.error).toMatch(/--run_id/);
    expect(oddRunId!.value).toMatchObject({ run_id: 'file-orders_a=b+c@1' });
    expect(newline!.error).toMatch(/--run_id/);
  });

  withPython(
    'a file run that takes its own input loads only the version its execution input names, as locally',
    () => {
      const base = {
        run_id: 'retry-1',
        raw_bucket: 'raw',
        curated_bucket: 'curated',
        plans_bucket: 'deploy',
        plans_key: 'k/plans.json',
        etl_mode: 'file',
        table: 'orders',
        inputs: '["uploads/orders/a.csv"]',
      };
      const input = { mode: 'file', key: 'uploads/orders/a.csv', etag: '"abc"', versionId: 'v1', size: 3 };
      const [named, otherKey, noInput, notObject] = py([
        ['job_options', { ...base, execution_input: JSON.stringify(input) }],
        [
          'job_options',
          { ...base, execution_input: JSON.stringify({ ...input, key: 'uploads/orders/b.csv' }) },
        ],
        ['job_options', base],
        ['job_options', { ...base, execution_input: '[1]' }],
      ]);
      expect(named!.value).toMatchObject({ accepted: { etag: 'abc', versionId: 'v1' } });
      expect(otherKey!.value).toMatchObject({ accepted: {} });
      expect(noInput!.value).toMatchObject({ accepted: {} });
      expect(notObject!.error).toMatch(/--execution_input must be the execution input, a JSON object/);
      const options = named!.value as Record<string, unknown>;
      const [pending, replaced, same] = py([
        ['own_pending', options, [], false, '2026-12-05T00:00:00Z'],
        [
          'replaced_since_accepted',
          { key: 'uploads/orders/a.csv', etag: 'abc', versionId: 'v1' },
          { VersionId: 'v2', ETag: '"def"' },
        ],
        [
          'replaced_since_accepted',
          { key: 'uploads/orders/a.csv', etag: 'abc', versionId: 'v1' },
          { VersionId: 'v2', ETag: '"abc"' },
        ],
      ]);
      expect(pending!.value).toEqual({
        execution: 'retry-1',
        table: 'orders',
        key: 'uploads/orders/a.csv',
        keys: ['uploads/orders/a.csv'],
        etag: 'abc',
        versionId: 'v1',
        acceptedAt: '2026-12-05T00:00:00Z',
      });
      expect(replaced!.value).toMatch(/was replaced after it was accepted \(accepted version v1, now v2\)/);
      expect(same!.value).toBeNull();
      expect(
        parseArgs({
          '--etl_mode': 'file',
          '--table': 'orders',
          '--inputs': base.inputs,
          '--run_id': 'retry-1',
          '--execution_input': JSON.stringify(input),
        }).accepted,
      ).toEqual((named!.value as { accepted: unknown }).accepted);
    },
  );

  withPython(
    'finds where an upload stops being UTF-8, in any chunks and across gzip members (its text)',
    () => {
      // Spark decodes a byte that is not UTF-8 as U+FFFD; the job rejects the rows of such a file that hold one
      // (without_replaced_bytes), where the local runner rejects the line: it reads the file through only then.
      const good = Buffer.from('order_id,coupon\n' + 'o-1,é€😀\n'.repeat(500));
      const bad = Buffer.concat([
        good,
        Buffer.from('o-2,caf'),
        Buffer.from([0xe9]),
        Buffer.from(',\n'),
        good,
      ]);
      const at = good.length + 'o-2,caf'.length;
      const chunks = (b: Buffer, n: number) =>
        Array.from({ length: Math.ceil(b.length / n) }, (_, i) => b64(b.subarray(i * n, (i + 1) * n)));
      const members = Buffer.concat([gzipSync(bad.subarray(0, 3000)), gzipSync(bad.subarray(3000))]);
      const calls = [1, 2, 3, 5, 4096].flatMap((n) => [
        ['utf8_error_offset', chunks(good, n), false],
        ['utf8_error_offset', chunks(bad, n), false],
        ['utf8_error_offset', chunks(Buffer.concat([good, Buffer.from([0xe2, 0x82])]), n), false],
        ['utf8_error_offset', chunks(members, n), true],
        ['utf8_error_offset', chunks(Buffer.concat([gzipSync(good), gzipSync(good)]), n), true],
      ]);
      expect(py(calls).map((r) => r.value)).toEqual(
        [1, 2, 3, 5, 4096].flatMap(() => [null, at, good.length, at, null]),
      );
      // Whether the file also holds U+FFFD written as such (its rows cannot be told from a bad byte's), across chunks.
      const written = Buffer.concat([bad, Buffer.from('o-3,\ufffd\n')]);
      expect(
        py([
          ['utf8_scan', chunks(bad, 4096), false],
          ['utf8_scan', chunks(written, 1), false],
          ['utf8_scan', chunks(gzipSync(written), 7), true],
          ['utf8_scan', chunks(Buffer.from('a,\ufffd\n'), 2), false],
        ]).map((r) => r.value),
      ).toEqual([
        [at, false],
        [at, true],
        [at, true],
        [null, true],
      ]);
    },
  );

  withPython(
    "finds a JSON upload's lone UTF-16 surrogate escapes and the column values Spark would store with '?', across chunks and gzip",
    () => {
      // The local runner rejects such a row (lib/etl/duckdb-runner/readers/json-fallback.ts); Spark's JSON reader
      // would store the surrogate as '?' (the value altered): the Glue job rejects the rows whose column holds one of
      // these values, by path (a string inside an array column is JSON text, written with the escape again).
      const lines =
        [
          '{"name":"ok \\ud83d\\ude00","n":1}',
          '{"name":"an escaped backslash \\\\ud800 is no escape"}',
          '{"name":"An\\ud800n","tags":["x\\udc00"],"data":{"city":"\\ud800"}}',
          '{"name":"Bo\\ud83db","plain":"why?"}',
          '{"name":"broken \\ud800", oops}',
        ].join('\n') + '\n';
      const text = Buffer.from(lines);
      const chunks = (b: Buffer, n: number) =>
        Array.from({ length: Math.ceil(b.length / n) }, (_, i) => b64(b.subarray(i * n, (i + 1) * n)));
      const calls = [1, 7, 4096].flatMap((n) => [
        ['lone_surrogate_scan', chunks(text, n), false],
        ['lone_surrogate_scan', chunks(gzipSync(text), n), true],
      ]);
      for (const r of py(calls))
        expect(r.value).toEqual([
          3,
          [
            [['data', 'city'], '?'],
            [['name'], 'An?n'],
            [['name'], 'Bo?b'],
          ],
        ]);
      // A document over several lines: its values are read from the whole text.
      const doc = '{\n  "name": "x\\ud800",\n  "n": 1\n}\n';
      const [scan, values, none, array, pair, lone] = py([
        ['lone_surrogate_scan', [b64(Buffer.from(doc))], false, false],
        ['lone_surrogate_document_values', doc],
        ['lone_surrogate_scan', [b64(Buffer.from('{"a":"\\ud83d\\ude00 \\u00e9"}\n'))], false],
        ['lone_surrogate_document_values', '[{"name": "a\\ud800"}, {"name": "b"}]'],
        ['has_lone_surrogate_escape', '"\\ud83d\\ude00"'],
        ['has_lone_surrogate_escape', '"\\ude00\\ud83d"'],
      ]);
      expect(scan!.value).toEqual([2, []]);
      expect(values!.value).toEqual([[['name'], 'x?']]);
      expect(none!.value).toEqual([null, []]);
      expect(array!.value).toEqual([[['name'], 'a?']]);
      expect([pair!.value, lone!.value]).toEqual([false, true]);
    },
  );

  withPython(
    'tells an upload replaced after a replay rejected its rows again, from what each replay read (the replayed state)',
    () => {
      // As the local runner (tests/etl/replay.test.ts): no queue record names a replay's run; its reads do.
      const records = [{ key: 'uploads/orders/e.csv', etag: 'e1', runId: 'load-e-1' }];
      const state = py([
        [
          'replayed_state',
          { replayed: ['r/a.json'] },
          ['r/b.json'],
          'replay-early',
          { 'uploads/orders/e.csv': 'e1' },
        ],
      ])[0]!.value;
      expect(state).toEqual({
        replayed: ['r/a.json', 'r/b.json'],
        read: { 'replay-early': { 'uploads/orders/e.csv': 'e1' } },
      });
      const reads = py([['replay_reads', state]])[0]!.value;
      expect(
        py([
          ['runs_replaced_since', records, 'uploads/orders/e.csv', ['replay-early'], '"e2"', reads],
          ['runs_replaced_since', records, 'uploads/orders/e.csv', ['replay-early'], '"e1"', reads],
          ['runs_replaced_since', records, 'uploads/orders/e.csv', ['replay-early'], '"e2"', {}],
          ['runs_replaced_since', records, 'uploads/orders/e.csv', ['load-e-1'], '"e2"'],
          ['replayed_state', state, [], 'replay-empty', {}],
          ['replay_reads', { replayed: [], read: 'damaged' }],
        ]).map((r) => r.value),
      ).toEqual([['replay-early'], [], [], ['load-e-1'], state, {}]);
    },
  );

  withPython(
    "tells a CSV upload's mixed line ends as the local runner does, across chunks and gzip (its CR-holding rows are rejected)",
    async () => {
      // Spark takes the first line end for all and keeps another's CR in a value: the Glue job rejects the rows of such
      // a file holding a CR (without_stray_carriage_returns), with the local runner's reason for failing the file.
      const dir = await tempLake('line-ends');
      const texts = [
        'a,b\n1,2\n3,4\r\n5,6\n', // LF, then a CRLF line
        'a,b\r\n1,2\r\n3,4\n5,6\r\n', // CRLF, then an LF line
        'a,b\n1,"x\r\ny"\n3,4\n', // a CRLF inside quotes: alike
        'a,b\r1,2\r3,4\r', // CR only: alike
        'a,b\n1,2\n3,4\r', // ends in a lone CR
      ];
      for (const [i, text] of texts.entries()) {
        const file = path.join(dir, `t${i}.csv`);
        writeFileSync(file, text);
        const local =
          (await mixedLineEnds({ key: `uploads/t/t${i}.csv`, file, format: 'csv', gz: false })) ?? null;
        const chunks = (b: Buffer, n: number) =>
          Array.from({ length: Math.ceil(b.length / n) }, (_, k) => b64(b.subarray(k * n, (k + 1) * n)));
        const glue = py([
          ['mixed_line_ends', chunks(Buffer.from(text), 1), false],
          ['mixed_line_ends', chunks(gzipSync(Buffer.from(text)), 5), true],
        ]).map((r) => r.value);
        expect({ text, glue }).toEqual({ text, glue: [local, local] });
      }
    },
  );

  withPython(
    "tells a CSV quote never closed as the local runner does (its line, DuckDB's byte), across chunks and gzip",
    () => {
      // The local runner's words come of DuckDB's rejects (an unterminated quote over a line end: record line, byte
      // position counted from 1; lib/etl/duckdb-runner/readers/typed-input.ts); these are the values DuckDB gives.
      const cases: [string, [number, number] | null][] = [
        ['a,b\n1,2\n3,"x\n4,5\n6,7\n', [3, 11]],
        ['a,b\n1,2\n"3,x\n4,5\n', [3, 9]],
        ['a,b\n1,2\n3,x"y\n4,5\n', null], // a quote inside an unquoted value is text
        ['a,b\n1,2\n3,"x""y\n4,5\n', [3, 11]], // "" is a quote: still open
        ['a,b\n1,2\n3,"x\n', [3, 11]],
        ['a,b\n1,"ok\nline"\n3,"x', null], // no line end after it: a rejected record
        ['a,b\n1,"ok\nline"\n3,"x,y', null], // a comma after it, no line end: a rejected record too
        ['a,b\r\n1,"ok\r\nline"\r\n3,"x\r\n4,5\r\n', [4, 22]],
        ['a,b\n1,"a"""\n2,3\n', null],
      ];
      const chunks = (b: Buffer, n: number) =>
        Array.from({ length: Math.ceil(b.length / n) }, (_, k) => b64(b.subarray(k * n, (k + 1) * n)));
      for (const [text, expected] of cases) {
        const want = expected
          ? `line ${expected[0]}: a quoted field opened there (byte ${expected[1]}) is never closed, so everything ` +
            'after it reads as one value and the rows that follow cannot be read; close the quote and upload the file again'
          : null;
        const glue = py([
          ['unclosed_quote', chunks(Buffer.from(text), 1), false],
          ['unclosed_quote', chunks(Buffer.from(text), 64), false],
          ['unclosed_quote', chunks(gzipSync(Buffer.from(text)), 5), true],
        ]).map((r) => r.value);
        expect({ text, glue }).toEqual({ text, glue: [want, want, want] });
      }
    },
  );

  withPython('inflates a gzip upload in bounded pieces: a highly compressible one never at once', () => {
    // 40 MiB of one character: ~40 KiB of gzip, read as one chunk; each piece at most GUNZIP_PIECE.
    const zeros = gzipSync(Buffer.alloc(40 * 1024 * 1024, 0x30));
    const [scan, piece] = py([['utf8_scan', [b64(zeros)], true], ['GUNZIP_PIECE']]);
    expect(scan!.value).toEqual([null, false]);
    expect(piece!.value).toBeLessThanOrEqual(16 * 1024 * 1024);
    const sizes = execFileSync(
      python!,
      [
        '-c',
        'import importlib.util, sys\n' +
          'spec = importlib.util.spec_from_file_location("etl_job", sys.argv[1])\n' +
          'job = importlib.util.module_from_spec(spec); spec.loader.exec_module(job)\n' +
          'pieces = [len(p) for p in job.gunzip_members([sys.stdin.buffer.read()])]\n' +
          'print(max(pieces), sum(pieces))',
        script,
      ],
      { input: zeros },
    )
      .toString()
      .trim()
      .split(' ')
      .map(Number);
    expect(sizes).toEqual([piece!.value, 40 * 1024 * 1024]);
  });

  withPython("says which tables rejected more rows than they allow, in the local runner's words", () => {
    const figures = [
      { table: 'signup', rowsRead: 404, rowsRejected: 1, rowsWritten: 400, maxRejectedRatio: 0 },
      { table: 'orders', rowsRead: 100, rowsRejected: 5, rowsWritten: 95, maxRejectedRatio: 0.05 }, // not above
      { table: 'page_view', rowsRead: 0, rowsRejected: 0, rowsWritten: 0, maxRejectedRatio: 0 },
      { table: 'customers', rowsRead: 3, rowsRejected: 2, rowsWritten: 1, maxRejectedRatio: 0.5 },
      { table: 'signup', rowsRead: 404, rowsRejected: 1, rowsWritten: 400, maxRejectedRatio: 0 }, // named once
    ];
    const [text, none] = py([
      ['rejected_above_text', figures],
      ['rejected_above_text', []],
    ]);
    expect(text!.value).toBe(
      'signup: 1 of 404 rows rejected, above its maxRejectedRatio, 400 new rows loaded; ' +
        'customers: 2 of 3 rows rejected, above its maxRejectedRatio, 1 new rows loaded',
    );
    expect(text!.value).toBe(rejectedAboveText(figures));
    expect(none!.value).toBe('');
  });

  withPython(
    "reads JSON strictly, as the local runner does: no 'single-quoted' strings, no NaN or Infinity",
    () => {
      // Spark's defaults (allowSingleQuotes, allowNonNumericNumbers: true) would curate records DuckDB and JSON.parse
      // reject as not JSON; PERMISSIVE keeps such a line whole as a malformed record.
      expect(py([['JSON_READ_OPTIONS']])[0]!.value).toEqual({
        mode: 'PERMISSIVE',
        allowSingleQuotes: 'false',
        allowNonNumericNumbers: 'false',
      });
    },
  );

  withPython(
    "writes a nested Parquet value's null fields into its JSON text, as DuckDB's to_json does",
    () => {
      // Spark's to_json drops them by default ({"a":1,"b":null} became {"a":1}).
      expect(py([['NESTED_JSON_OPTIONS']])[0]!.value).toEqual({ ignoreNullFields: 'false' });
    },
  );

  withPython('tells upload formats from their names, gzip included', () => {
    const r = py([
      ['input_format', 'uploads/orders/2024.CSV'],
      ['input_format', 'uploads/orders/a.json.gz'],
      ['input_format', 'uploads/orders/a.jsonl.gz'],
      ['input_format', 'uploads/orders/a.parquet'],
      ['input_format', 'uploads/orders/a.parquet.gz'],
      ['input_format', 'uploads/orders/a.txt'],
      ['input_format', 'uploads/orders/a.CSV.gz'],
      ['input_format', 'uploads/orders/a.csv.GZ'],
    ]);
    expect(r.slice(0, 4).map((x) => x.value)).toEqual([
      ['csv', false],
      ['json', true],
      ['jsonl', true],
      ['parquet', false],
    ]);
    expect(r[4]!.error).toMatch(/gzip-compressed Parquet/);
    expect(r[5]!.error).toMatch(/cannot tell the format/);
    // Hadoop's codec factory decompresses '.gz' only as written: a '.GZ' file would be read as compressed bytes.
    expect(r[6]!.value).toEqual(['csv', true]);
    expect(r[7]!.error).toMatch(/the gzip extension must be '\.gz', lower-case/);
  });

  withPython(
    'routes the raw event objects the local writer really produced (named as Firehose names them) by the declared format',
    async () => {
      // The local delivery stream writes objects exactly as Firehose does: <stream>-1-<time>-<uuid>.gz.
      const lake = await tempLake();
      const stream = await LocalFirehose.open({
        lakeDir: lake,
        streamName: 'data-lake-prod-events',
        bufferBytes: 1 << 20,
        bufferIntervalMs: 60_000,
      });
      const line = (id: string, type: string) =>
        JSON.stringify({
          id,
          type,
          occurred_at: '2026-11-24T10:00:00Z',
          received_at: '2026-11-24T10:00:00Z',
          data: {},
        });
      await stream.putRecords(
        ['signup', 'page_view', 'signup'].map((type, i) => ({
          id: `e${i}`,
          type,
          line: line(`e${i}`, type),
        })),
      );
      await stream.close();
      const keys = (await deliveredObjects(lake)).map((o) => o.key);
      expect(keys).toHaveLength(2);
      const signup = keys.filter((k) => k.startsWith(plans.events.signup!.rawPrefix));
      const [declared, groups, pending, byName] = py([
        ['raw_events_format', plans.layout],
        ['input_groups', signup, ['jsonl', true]],
        ['pending_by_date', signup, {}, plans.layout],
        ['input_format', signup[0]],
      ]);
      expect(declared!.value).toEqual(['jsonl', true]);
      expect(groups!.value).toEqual({ jsonl: signup });
      expect(Object.values(pending!.value as Record<string, string[]>).flat()).toEqual(signup);
      // Routing raw event objects by name, as the job once did, cannot work: the name has no format extension.
      expect(byName!.error).toMatch(/cannot tell the format/);
      // A plans file without the declaration is refused rather than guessed.
      expect(one('raw_events_format', { ...plans.layout, rawEvents: undefined }).error).toMatch(
        /no readable raw events format/,
      );
    },
  );

  withPython(
    'skips a damaged record of the queue of accepted uploads, naming it (it failed every run on AWS)',
    () => {
      const layout = {
        pendingUploadsPrefix: '_state/uploads/pending/',
        uploadResultsPrefix: '_state/uploads/done/',
        restoredUploadsPrefix: '_state/uploads/restored/',
      };
      const good = { execution: 'orders-good', table: 'orders', key: 'uploads/orders/good.csv' };
      const s3 = fakeS3({
        '_state/uploads/pending/orders-damaged.json': '{"execution": "orders-damaged", "table": "ord',
        '_state/uploads/pending/orders-good.json': JSON.stringify(good),
        '_state/uploads/done/orders-old.json': '{',
        // A rebuild's record of the uploads it read by their names: one record each.
        '_state/uploads/restored/rebuild-1.json': JSON.stringify({
          table: 'orders',
          runId: 'rebuild-1',
          restoredAt: '2026-03-01T00:00:00.000Z',
          uploads: [{ key: 'uploads/orders/old.csv', etag: 'e1' }, { key: 'uploads/orders/no-etag.csv' }],
        }),
      });
      const r = one('queue_records', s3, 'cur', layout);
      // Taken by the rebuild when it recorded them (their place in the order uploads were loaded in).
      expect(r.value).toEqual([
        good,
        {
          table: 'orders',
          key: 'uploads/orders/old.csv',
          etag: 'e1',
          runId: 'rebuild-1',
          processedAt: '2026-03-01T00:00:00.000Z',
        },
      ]);
      const warnings = r
        .printed!.trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(warnings.map((w) => w.record)).toEqual([
        '_state/uploads/pending/orders-damaged.json',
        '_state/uploads/done/orders-old.json',
      ]);
      expect(warnings[0].error).toMatch(/is damaged \(not JSON: .*"Damaged state files"/);
      expect(one('get_queue_record', s3, 'cur', '_state/uploads/pending/orders-good.json').value).toEqual(
        good,
      );
      expect(one('get_queue_record', s3, 'cur', '_state/uploads/pending/none.json').value).toBeNull();
    },
  );

  withPython('runs Spark with the settings the plans are written for', () => {
    expect(one('SPARK_CONF').value).toMatchObject({
      'spark.sql.session.timeZone': 'UTC',
      'spark.sql.ansi.enabled': 'false',
      // The plans' regular expressions carry backslashes (\z, \x{…}): Spark must take literals as written, as
      // DuckDB does (tests/etl/portable-regex.test.ts runs both engines' regex libraries on them).
      'spark.sql.parser.escapedStringLiterals': 'true',
      // Dates before 1582-10-15 and timestamps before 1900 as written, as DuckDB and Athena take them (Spark 3.5's
      // default fails the run): the lake's dates run from year 1000 (lib/etl/value-patterns.ts).
      'spark.sql.parquet.datetimeRebaseModeInWrite': 'CORRECTED',
      'spark.sql.parquet.datetimeRebaseModeInRead': 'CORRECTED',
      'spark.sql.parquet.int96RebaseModeInWrite': 'CORRECTED',
      'spark.sql.parquet.int96RebaseModeInRead': 'CORRECTED',
    });
  });

  withPython('tells JSON lines from one JSON document in a .json upload, compressed or not', () => {
    const lines = Buffer.from('{"order_id":"1"}\n{"order_id":"2"}\n');
    const array = Buffer.from('\ufeff  [\n {"order_id": "1"}\n]');
    const pretty = Buffer.from('{\n  "order_id": "1"\n}\n');
    const r = py([
      ['json_layout', b64(lines), false],
      ['json_layout', b64(gzipSync(lines)), true],
      ['json_layout', b64(array), false],
      ['json_layout', b64(gzipSync(pretty).subarray(0, 20)), true], // a truncated head still decompresses
      ['json_layout', b64(pretty), false],
      ['json_layout', b64(Buffer.alloc(0)), false],
      // Members one after another are one stream: an empty first member, a first member cut mid-line (bgzip).
      ['json_layout', b64(Buffer.concat([gzipSync(''), gzipSync(lines)])), true],
      [
        'json_layout',
        b64(Buffer.concat([gzipSync(lines.subarray(0, 5)), gzipSync(lines.subarray(5))])),
        true,
      ],
      ['json_layout', b64(Buffer.concat([gzipSync(lines), Buffer.alloc(16)])), true], // zero padding after it
    ]);
    expect(r.map((x) => x.value)).toEqual([
      'lines',
      'lines',
      'document',
      'document',
      'document',
      'document',
      'lines',
      'lines',
      'lines',
    ]);
  });

  withPython(
    'reads a .json upload until its first line is whole before telling its layout (a first line over 64 KiB)',
    () => {
      const long = Buffer.from(`{"order_id":"${'x'.repeat(70_000)}"}\n{"order_id":"2"}\n`);
      const pretty = Buffer.from(`{\n  "order_id": "${'x'.repeat(70_000)}"\n}\n`);
      const r = py([
        ['json_layout', b64(long.subarray(0, 65536)), false], // the first 64 KiB alone: cut short, no object
        ['json_layout_of', reader(long), false],
        ['json_layout_of', reader(gzipSync(long)), true],
        ['json_layout_of', reader(pretty), false],
        ['json_layout_of', reader(Buffer.from('{"order_id":"1"}\n')), false],
      ]);
      expect(r.map((x) => x.value)).toEqual(['document', 'lines', 'lines', 'document', 'lines']);
      // Read again, larger, only while the first line is not whole; a short file once.
      expect(r.map((x) => x.reads)).toEqual([[], [65536, 1048576], [65536], [65536], [65536]]);
    },
  );

  withPython(
    'a replay knows the copies recorded as event id conflicts of the objects it reads, not to record them again',
    () => {
      const raw = (id: string, plan: string) => JSON.stringify({ event_id: id, plan });
      const [pairs] = py([
        [
          'recorded_conflict_pairs',
          [
            ['events/a.gz', ID_CONFLICT_REASON, raw('m1', 'free')],
            ['events/a.gz', ID_CONFLICT_REASON, raw('m1', 'basic')], // two copies of m1 in a: once
            ['events/a.gz', 'plan: must be one of …', raw('m2', 'gold')], // another reason: replayed
            ['events/b.gz', ID_CONFLICT_REASON, raw('m3', 'free')], // an object the replay does not read
            ['events/a.gz', ID_CONFLICT_REASON, 'not json'],
          ],
          ['events/a.gz'],
          'event_id',
        ],
      ]);
      expect(pairs!.value).toEqual([['events/a.gz', 'm1']]);
    },
  );

  withPython(
    'parses a record nested 1,000 levels deep, as the upload check and Spark take it (no RecursionError)',
    () => {
      const deep = (levels: number, leaf: string) => `${'{"a":'.repeat(levels)}${leaf}${'}'.repeat(levels)}`;
      const line = deep(999, '"x\\ud800"');
      const r = py([
        ['json_text_layout', `${line}\n{"a":1}\n`],
        ['lone_surrogate_document_values', line],
        ['lone_surrogate_scan', [b64(Buffer.from(`${line}\n`))], false],
      ]);
      expect(r.map((x) => x.error)).toEqual([undefined, undefined, undefined]);
      expect(r[0]!.value).toBe('lines');
      expect(r[1]!.value).toEqual([[Array(999).fill('a'), 'x?']]);
      expect(r[2]!.value).toEqual([1, [[Array(999).fill('a'), 'x?']]]);
    },
  );

  withPython(
    'builds the read schema tree from the plan input paths (events: the envelope with data.*)',
    () => {
      const plan = plans.tables.page_view!;
      const tree = one(
        'schema_tree',
        plan.input.columns.map((c) => c.path),
      ).value;
      expect(Object.keys(tree)).toEqual(['id', 'occurred_at', 'received_at', 'data']);
      expect(tree.id).toBeNull();
      expect(Object.keys(tree.data)).toEqual(
        plan.input.columns.filter((c) => c.path[0] === 'data').map((c) => c.path[1]),
      );
      expect(one('schema_tree', [['data'], ['data', 'x']]).error).toMatch(/conflicts/);
    },
  );

  withPython(
    'names state objects exactly as lib/etl/plans.ts and lib/etl/run.ts do (shared with the local runner)',
    () => {
      const [manifest, rejected, rejectedFile, replayed, summary, date, none] = py([
        ['manifest_key', plans.layout, 'page_view', '2024-03-01'],
        ['rejected_prefix', plans.layout, 'orders', '2024-03-02'],
        ['rejected_object_key', plans.layout, 'orders', '2024-03-02', 'run-7', 3],
        ['replayed_key', plans.layout, 'orders'],
        ['summary_key', plans.layout, 'run-7'],
        [
          'arrival_date',
          `${plans.events.page_view!.rawPrefix}arrival_date=2024-03-01/arrival_hour=05/data-lake-prod-events-1-2024-03-01-05-00-00-abc.gz`,
          plans.layout.arrivalDatePattern,
        ],
        ['arrival_date', 'uploads/orders/a.csv', plans.layout.arrivalDatePattern],
      ]);
      expect(manifest!.value).toBe(compactionManifestKey('page_view', '2024-03-01'));
      expect(manifest!.value).toBe('_state/compaction/page_view/arrival_date=2024-03-01.json');
      expect(rejected!.value).toBe(rejectedRowsPrefix('orders', '2024-03-02'));
      expect(rejected!.value).toBe('rejected/table_name=orders/run_date=2024-03-02/');
      expect(rejectedFile!.value).toBe(rejectedObjectKey('orders', '2024-03-02', 'run-7', 3));
      expect(rejectedFile!.value).toBe('rejected/table_name=orders/run_date=2024-03-02/run-7-3.json');
      expect(replayed!.value).toBe(replayedStateKey('orders'));
      expect(summary!.value).toBe(runSummaryKey('run-7'));
      expect(date!.value).toBe('2024-03-01');
      expect(none!.value).toBeNull();
    },
  );

  withPython('compacts only raw event objects the manifests do not list, and adds them after the run', () => {
    const prefix = plans.events.signup!.rawPrefix;
    const k = (date: string, name: string) => `${prefix}arrival_date=${date}/arrival_hour=00/${name}.gz`;
    // A delivery object under a hidden folder (a copy someone keeps: .backup/) is not compacted, as the local runner
    // and the rebuild skip it.
    const hiddenKey = `${prefix}arrival_date=2024-01-01/arrival_hour=00/.backup/h.gz`;
    const keys = [
      k('2024-01-02', 'c'),
      k('2024-01-01', 'a'),
      k('2024-01-01', 'b'),
      `${prefix}notes.txt`,
      hiddenKey,
    ];
    const processed = { '2024-01-01': [k('2024-01-01', 'a')] };
    const [pending, manifest, fresh, noDate] = py([
      ['pending_by_date', keys, processed, plans.layout],
      [
        'merged_manifest',
        { processed: [k('2024-01-01', 'a')], versions: { [k('2024-01-01', 'a')]: 'ea' } },
        [k('2024-01-01', 'b')],
        { [k('2024-01-01', 'b')]: 'eb' },
      ],
      ['merged_manifest', {}, [k('2024-01-02', 'c')]],
      ['pending_by_date', [`${prefix}misplaced.gz`], {}, plans.layout],
    ]);
    expect(pending!.value).toEqual({
      '2024-01-01': [k('2024-01-01', 'b')],
      '2024-01-02': [k('2024-01-02', 'c')],
    });
    expect(manifest!.value).toEqual({
      processed: [k('2024-01-01', 'a'), k('2024-01-01', 'b')],
      versions: { [k('2024-01-01', 'a')]: 'ea', [k('2024-01-01', 'b')]: 'eb' },
    });
    expect(fresh!.value).toEqual({ processed: [k('2024-01-02', 'c')], versions: {} });
    expect(noDate!.error).toMatch(/no arrival_date/);
  });

  withPython('accounts for every row read and writes an EtlRunSummary with engine glue', () => {
    const orders = plans.tables.orders!;
    const events = plans.tables.page_view!;
    // orders: 10 read, 2 rejected, 8 valid; 5 rows already in the touched partitions; 9 rows after the merge.
    const [figures, clean, above, within, empty] = py([
      [
        'table_figures',
        orders,
        10,
        2,
        5,
        9,
        ['dt=2024-01-02', 'dt=2024-01-01'],
        'rejected/orders/x/',
        plans.layout,
      ],
      ['table_figures', events, 4, 0, 0, 3, ['event_date=2024-01-01'], null, plans.layout],
      ['rejected_above', { rowsRead: 10, rowsRejected: 1, maxRejectedRatio: 0.05 }],
      ['rejected_above', { rowsRead: 20, rowsRejected: 1, maxRejectedRatio: 0.05 }],
      ['rejected_above', { rowsRead: 0, rowsRejected: 0, maxRejectedRatio: 0 }],
    ]);
    const f = figures!.value as EtlTableFigures;
    expect(f).toEqual({
      table: 'orders',
      schemaVersion: orders.version,
      rowsRead: 10,
      rowsWritten: 4,
      rowsRejected: 2,
      duplicatesRemoved: 4,
      partitions: ['dt=2024-01-01', 'dt=2024-01-02'],
      partitionCount: 2,
      rejectedLocation: 'rejected/orders/x/',
      maxRejectedRatio: 0.05,
    });
    expect(f.rowsRead).toBe(f.rowsWritten + f.rowsRejected + f.duplicatesRemoved);
    expect(clean!.value).toMatchObject({ rowsWritten: 3, duplicatesRemoved: 1, maxRejectedRatio: 0 });
    expect(clean!.value).not.toHaveProperty('rejectedLocation');
    expect([above!.value, within!.value, empty!.value]).toEqual([true, false, false]);
  });

  withPython(
    "reads CSV records of as many fields as a line the local runner reads holds: past Spark's 20,480 a record is malformed, not the file's failure",
    () => {
      const drive = `
import importlib.util, sys
spec = importlib.util.spec_from_file_location("etl_job", sys.argv[1])
job = importlib.util.module_from_spec(spec); spec.loader.exec_module(job)
print(job.CSV_MAX_COLUMNS)
`;
      const max = Number(execFileSync(python!, ['-c', drive, script]).toString().trim());
      // The most fields in a line read_csv reads: one byte each, with the commas between them.
      expect(max).toBeGreaterThanOrEqual(Math.floor(MAX_CSV_LINE_BYTES / 2) + 1);
      expect(max).toBeGreaterThan(20_480);
      // …and the CSV reader is given it (read_csv needs Spark: its options, as written).
      const source = readFileSync(script, 'utf8');
      const readCsv = source.slice(source.indexOf('def read_csv('), source.indexOf('def read_parquet('));
      expect(readCsv).toMatch(/"maxColumns": str\(CSV_MAX_COLUMNS\)/);
    },
  );

  withPython('builds a bounded summary: counts and a pointer for the inputs, capped partition lists', () => {
    const drive = `
import importlib.util, json, sys
from datetime import datetime, timezone
spec = importlib.util.spec_from_file_location("etl_job", sys.argv[1])
job = importlib.util.module_from_spec(spec); spec.loader.exec_module(job)
plans = json.load(sys.stdin)
layout = plans["layout"]
days = ["dt=2024-%02d-%02d" % (m, d) for m in range(1, 13) for d in range(1, 29)]
a = job.table_figures(plans["tables"]["orders"], 10, 1, 0, 9, days, "rejected/orders/r/", layout)
b = job.table_figures(plans["tables"]["signup"], 4, 1, 0, 3, ["event_date=2024-01-01"], None, layout)
start = datetime(2024, 1, 1, 0, 0, 0, 123456, tzinfo=timezone.utc)
end = datetime(2024, 1, 1, 0, 5, 0, tzinfo=timezone.utc)
keys = ["events/type=signup/arrival_date=2024-01-01/arrival_hour=00/x-%05d.gz" % i for i in range(5000)]
options = {"run_id": "r", "mode": "events", "job_run_id": "jr_9"}
uploads = {"taken": 2, "succeeded": 1, "failed": 1}
print(json.dumps(job.run_summary(options, start, end, keys, [a, b], uploads, {"signup"}, job.inputs_key(layout, "r"), None, 3)))
`;
    const out = execFileSync(python!, ['-c', drive, script], { input: JSON.stringify(plans) }).toString();
    const s = JSON.parse(out) as EtlRunSummary;
    const expected: EtlRunSummary = {
      runId: 'r',
      jobRunId: 'jr_9',
      mode: 'events',
      engine: 'glue',
      startedAt: '2024-01-01T00:00:00.123Z',
      finishedAt: '2024-01-01T00:05:00.000Z',
      inputCount: 5000,
      inputsKey: runInputsKey('r'),
      tables: s.tables,
      rowsRead: 14,
      rowsWritten: 12,
      rowsRejected: 2,
      rejectedRatio: 2 / 14,
      // The event table allows none; orders (10 %, allows 5 %) is judged in its uploads' results.
      rejectedAboveThreshold: true,
      rejectedAbove: 'signup: 1 of 4 rows rejected, above its maxRejectedRatio, 3 new rows loaded',
      uploads: { taken: 2, succeeded: 1, failed: 1 },
      eventObjectsLeft: 3,
    };
    expect(s).toEqual(expected);
    expect(Object.keys(s).sort()).toEqual(Object.keys(expected).sort());
    expect(s.tables.map((t) => t.table)).toEqual(['orders', 'signup']);
    const days = Array.from(
      { length: 12 * 28 },
      (_, i) =>
        `dt=2024-${String(Math.floor(i / 28) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`,
    );
    expect(s.tables[0]).toMatchObject({ partitionCount: 336, partitions: days.slice(0, 20) });
    // A backlog of 5,000 objects and 336 partitions stays far below Step Functions' 256 KiB payload quota.
    expect(Buffer.byteLength(out)).toBeLessThan(8 * 1024);
  });

  withPython(
    'takes the queue of uploads as lib/etl/upload-queue.ts defines it: keys, order, own inputs, results',
    () => {
      const pending = (execution: string, acceptedAt: string) => ({
        execution,
        table: 'orders',
        key: `uploads/orders/${execution}.csv`,
        acceptedAt,
      });
      const fileOptions = {
        mode: 'file',
        run_id: 'exec-own',
        table: 'orders',
        inputs: ['uploads/orders/own.csv'],
        job_run_id: 'jr_1',
      };
      const sources = {
        'uploads/orders/a.csv': {
          rowsRead: 10,
          rowsRejected: 1,
          rowsWritten: 7,
          partitions: ['dt=2024-01-02'],
        },
        'uploads/orders/b.csv': {
          rowsRead: 5,
          rowsRejected: 0,
          rowsWritten: 5,
          partitions: ['dt=2024-01-01'],
        },
      };
      const record = { ...pending('exec-1', '2024-01-01T00:00:00Z'), key: 'uploads/orders/a.csv' };
      const at = '2024-01-03T00:00:00.000Z';
      const [pendingKey, resultKey, order, own, ownQueued, ownDone, success, failed, unknown] = py([
        ['pending_upload_key', plans.layout, 'exec-1'],
        ['upload_result_key', plans.layout, 'exec-1'],
        [
          'queue_order',
          [
            pending('b', '2024-01-02T00:00:00Z'),
            pending('a', '2024-01-02T00:00:00Z'),
            pending('c', '2024-01-01T00:00:00Z'),
          ],
        ],
        ['own_pending', fileOptions, [], false, at],
        ['own_pending', fileOptions, [pending('exec-own', '2024-01-01T00:00:00Z')], false, at],
        ['own_pending', fileOptions, [], true, at],
        [
          'upload_success',
          fileOptions,
          record,
          plans.tables.orders,
          [sources['uploads/orders/a.csv'], sources['uploads/orders/b.csv']],
          'rejected/table_name=orders/run_date=2024-01-03/',
          plans.layout,
          at,
        ],
        ['upload_failure', fileOptions, record, 'Etl.InputMissing', 'gone', plans.tables.orders, at],
        ['upload_failure', fileOptions, record, 'Etl.TableFailed', 'no such dataset', null, at],
      ]);
      expect(pendingKey!.value).toBe(pendingUploadKey('exec-1'));
      expect(resultKey!.value).toBe(uploadResultKey('exec-1'));
      expect((order!.value as { execution: string }[]).map((r) => r.execution)).toEqual(['c', 'a', 'b']);
      // A run started by hand takes its own --inputs; not when validateUpload queued them or a run took them.
      expect(own!.value).toEqual({
        execution: 'exec-own',
        table: 'orders',
        key: 'uploads/orders/own.csv',
        keys: ['uploads/orders/own.csv'],
        acceptedAt: at,
      });
      expect(ownQueued!.value).toBeNull();
      expect(ownDone!.value).toBeNull();
      // The result the local runner writes too (tests/etl/duckdb-runner.test.ts): same fields, same arithmetic.
      const expectedFigures = {
        table: 'orders',
        schemaVersion: plans.tables.orders!.version,
        rowsRead: 15,
        rowsWritten: 12,
        rowsRejected: 1,
        duplicatesRemoved: 2,
        partitions: ['dt=2024-01-01', 'dt=2024-01-02'],
        partitionCount: 2,
        rejectedLocation: 'rejected/table_name=orders/run_date=2024-01-03/',
        maxRejectedRatio: 0.05,
      };
      const ok: UploadResult = {
        execution: 'exec-1',
        key: 'uploads/orders/a.csv',
        mode: 'file',
        runId: 'exec-own',
        jobRunId: 'jr_1',
        processedAt: at,
        ...expectedFigures,
        status: 'SUCCEEDED',
        rejectedRatio: 1 / 15,
        rejectedAboveThreshold: true,
        rejectedAbove: 'orders: 1 of 15 rows rejected, above its maxRejectedRatio, 12 new rows loaded',
        tables: [expectedFigures],
      };
      expect(success!.value).toEqual(ok);
      expect(failed!.value).toMatchObject({
        execution: 'exec-1',
        status: 'FAILED',
        error: 'Etl.InputMissing',
        cause: 'gone',
        schemaVersion: plans.tables.orders!.version,
        maxRejectedRatio: 0.05,
        rowsRead: 0,
        tables: [],
        rejectedAboveThreshold: false,
        rejectedAbove: '',
      });
      expect(unknown!.value).toMatchObject({ schemaVersion: null, maxRejectedRatio: 0 });
    },
  );

  withPython('accepts the generated catalog tables and refuses one that differs from the plan', () => {
    // What glue:GetTable returns for the tables resources/catalog.cjs creates (bucket name substituted).
    const bucket = 'data-lake-prod-curated-123-us-east-1';
    const asGetTable = (name: string) => {
      const input = (glueTableResource(lakeTables().find((t) => t.name === name)!) as any).Properties
        .TableInput; // eslint-disable-line @typescript-eslint/no-explicit-any
      const location = (input.StorageDescriptor.Location['Fn::Sub'] as string).replace(
        '${CuratedBucket}',
        bucket,
      );
      return { ...input, StorageDescriptor: { ...input.StorageDescriptor, Location: location } };
    };
    const names = Object.keys(plans.tables);
    const ok = py(names.map((n) => ['catalog_mismatch', asGetTable(n), plans.tables[n], bucket]));
    expect(ok.map((r) => r.value)).toEqual(names.map(() => null));

    const orders = asGetTable('orders');
    const fewer = {
      ...orders,
      StorageDescriptor: { ...orders.StorageDescriptor, Columns: orders.StorageDescriptor.Columns.slice(1) },
    };
    const moved = {
      ...orders,
      StorageDescriptor: { ...orders.StorageDescriptor, Location: `s3://${bucket}/elsewhere/` },
    };
    const [a, b, c] = py([
      ['catalog_mismatch', fewer, plans.tables.orders, bucket],
      ['catalog_mismatch', moved, plans.tables.orders, bucket],
      ['catalog_mismatch', { ...orders, PartitionKeys: [] }, plans.tables.orders, bucket],
    ]);
    expect(a!.value).toMatch(/^columns/);
    expect(b!.value).toMatch(/^location/);
    expect(c!.value).toMatch(/^partition keys/);
  });
});

describe('resources/glue/etl_job.py: a Parquet value as raw_input text (as_text)', () => {
  /** Python: pyspark's modules stood in for by F (functions) and T (types), defined before it; the job loaded as job. */
  const LOAD_JOB = `sql = types.ModuleType("pyspark.sql"); sql.functions = F; sql.types = T
sys.modules.update({"pyspark": types.ModuleType("pyspark"), "pyspark.sql": sql, "pyspark.sql.functions": F,
    "pyspark.sql.types": T})
spec = importlib.util.spec_from_file_location("etl_job", sys.argv[1])
job = importlib.util.module_from_spec(spec); spec.loader.exec_module(job)`;
  // The Spark functions as_text calls, evaluated on Python values the way Spark does on the JVM: CAST(decimal AS
  // STRING) with ANSI off is BigDecimal.toString (Python's str of a Decimal writes the same: 5E-8, 12.50000000),
  // format_number(x, d) a DecimalFormat "#,###,##0.<d zeros>" in Locale.US of the exact BigDecimal (Python's
  // format(x, ',.<d>f')), regexp_replace a replacement of every match.
  const drive = `
import importlib.util, json, re, sys, types
from decimal import Decimal, getcontext
getcontext().prec = 60  # a Spark decimal has up to 38 digits
class Col:
    def __init__(self, f): self.f = f
    def cast(self, t): return Col(lambda v: None if self.f(v) is None else str(self.f(v)))
F = types.SimpleNamespace(
    format_number=lambda c, d: Col(lambda v: None if c.f(v) is None else format(c.f(v), ",.%df" % d)),
    regexp_replace=lambda c, p, r: Col(lambda v: None if c.f(v) is None else re.sub(p, r, c.f(v))),
    to_json=lambda c, o: Col(lambda v: json.dumps(c.f(v))))
class DecimalType:
    def __init__(self, precision, scale): self.precision, self.scale = precision, scale
class Other: pass
T = types.SimpleNamespace(DecimalType=DecimalType, FloatType=type("FloatType", (Other,), {}), ArrayType=type("ArrayType", (Other,), {}),
    MapType=type("MapType", (Other,), {}), StructType=type("StructType", (Other,), {}))
${LOAD_JOB}
out = []
for p, s, values in json.load(sys.stdin):
    text = job.as_text(Col(lambda v: v), DecimalType(p, s))
    out.append([text.f(None if v is None else Decimal(v).quantize(Decimal(1).scaleb(-s))) for v in values])
print(json.dumps(out))
`;
  const cases: [number, number, string[]][] = [
    [18, 8, ['0', '0.00000005', '0.0000001', '12.5', '-0.00000003', '1234567.5', '9999999999.99999999']],
    [38, 10, ['0.0000000001', '-12345678901234567890123456.5']],
    [10, 2, ['0', '0.01', '-5.5']],
    [12, 0, ['0', '-42', '123456789012']],
  ];

  withPython("writes a decimal's plain digits, as the local runner reads a Parquet DECIMAL", async () => {
    const out = JSON.parse(
      execFileSync(python!, ['-c', drive, script], { input: JSON.stringify(cases) }).toString(),
    ) as string[][];
    // The local runner's text of the same values (lib/etl/duckdb-runner/readers/parquet.ts: CAST to VARCHAR).
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const local: string[][] = [];
    for (const [p, s, values] of cases) {
      const rows = await c.runAndReadAll(
        `SELECT CAST(CAST(v AS DECIMAL(${p},${s})) AS VARCHAR) AS t FROM (SELECT UNNEST([${values.map((v) => `'${v}'`).join(',')}]) AS v)`,
      );
      local.push(rows.getRowObjects().map((r) => String(r.t)));
    }
    c.closeSync();
    expect(out).toEqual(local);
    expect(out[0]!.slice(0, 2)).toEqual(['0.00000000', '0.00000005']);
  });

  withPython(
    "widens a 32-bit FLOAT to a double before its text, as the local runner does: the float's value",
    async () => {
      // The casts as_text asks Spark for, by the column's type: Java 17's Float.toString (2681.2812 for 2681.28125)
      // and DuckDB's float text (67194850 for 67194848) are other doubles; a double's text is the same double in both.
      const casts = `
import importlib.util, json, sys, types
class Col:
    def __init__(self, casts): self.casts = casts
    def cast(self, t): return Col(self.casts + [t])
F = types.SimpleNamespace()
class Other: pass
T = types.SimpleNamespace(DecimalType=type("DecimalType", (Other,), {}), FloatType=type("FloatType", (Other,), {}),
    DoubleType=type("DoubleType", (Other,), {}), ArrayType=type("ArrayType", (Other,), {}),
    MapType=type("MapType", (Other,), {}), StructType=type("StructType", (Other,), {}))
${LOAD_JOB}
print(json.dumps({n: job.as_text(Col([]), getattr(T, n)()).casts for n in ["FloatType", "DoubleType"]}))
`;
      const out = JSON.parse(execFileSync(python!, ['-c', casts, script]).toString()) as Record<
        string,
        string[]
      >;
      expect(out).toEqual({ FloatType: ['double', 'string'], DoubleType: ['string'] });
      // The local runner's text of a FLOAT (readers/parquet.ts) is its double's.
      const { DuckDBInstance } = await import('@duckdb/node-api');
      const db = await DuckDBInstance.create(':memory:');
      const c = await db.connect();
      const rows = await c.runAndReadAll(
        'SELECT CAST(CAST(CAST(v AS FLOAT) AS DOUBLE) AS VARCHAR) AS t FROM (VALUES (2681.28125), (67194848), (0.1)) x(v)',
      );
      c.closeSync();
      expect(rows.getRowObjects().map((r) => Number(r.t))).toEqual([2681.28125, 67194848, Math.fround(0.1)]);
    },
  );
});

describe('resources/glue/etl_job.py: a CSV read by its header (read_csv)', () => {
  // Spark stood in for: which columns of the file's scan the frame references (Spark refuses a raw CSV scan whose
  // only referenced column is the corrupt-record one), and the frames made.
  const drive = `
import importlib.util, json, sys, types
REFS = []
class Col:
    def __init__(self, d): self.d = d
    def alias(self, a): return Col(self.d)
    def cast(self, t): return Col(self.d)
    def getField(self, f): return Col(self.d + "." + f)
def col(n):
    REFS.append(n.strip("\`")); return Col(n)
F = types.SimpleNamespace(col=col, lit=lambda v: Col("lit"), regexp_replace=lambda *a: Col("re"), input_file_name=lambda: Col("f"))
class StructField:
    def __init__(self, n, t, nullable): self.name = n
class StructType:
    def __init__(self, fields): self.fields = fields
    def fieldNames(self): return [f.name for f in self.fields]
T = types.SimpleNamespace(StructType=StructType, StructField=StructField, StringType=lambda: "string")
class Frame:
    def __init__(self, columns): self.columns = columns
    def select(self, *c): return {"selected": len(c)}
class Reader:
    def __init__(self, header): self.header = header
    def options(self, **o): return self
    def option(self, *a): return self
    def schema(self, s): return self
    def csv(self, path): return Frame(self.header)
class Spark:
    def __init__(self, header): self.read = Reader(header)
    def createDataFrame(self, rows, schema): return {"empty": schema.fieldNames()}
sql = types.ModuleType("pyspark.sql"); sql.functions = F; sql.types = T
sys.modules.update({"pyspark": types.ModuleType("pyspark"), "pyspark.sql": sql, "pyspark.sql.functions": F,
    "pyspark.sql.types": T})
spec = importlib.util.spec_from_file_location("etl_job", sys.argv[1])
job = importlib.util.module_from_spec(spec); spec.loader.exec_module(job)
plan = json.load(sys.stdin)
out = []
for header in (["sku", "qty"], ["order_id", "amount"], []):
    REFS.clear()
    frame = job.read_csv(Spark(header), plan, "raw", "uploads/orders/x.csv", "2026-01-01T00:00:00Z")
    out.append({"refs": sorted(set(REFS)), "frame": frame})
print(json.dumps(out))
`;

  withPython(
    "reads a column of the file beside the corrupt-record one, also when the header names none of the table's; an empty file is no rows",
    () => {
      const orders = plans.tables.orders!;
      const [none, some, empty] = JSON.parse(
        execFileSync(python!, ['-c', drive, script], { input: JSON.stringify(orders) }).toString(),
      ) as { refs: string[]; frame: unknown }[];
      // No column of the table's in the header: its first column is read, not the corrupt-record one alone.
      expect(none!.refs).toEqual(['lake_raw_record', 'sku']);
      expect(some!.refs).toEqual(['amount', 'lake_raw_record', 'order_id']);
      expect(empty!.refs).toEqual([]);
      expect(empty!.frame).toEqual({
        empty: [
          ...orders.input.columns.map((c) => c.name),
          'lake_source_file',
          'lake_ingested_at',
          'lake_raw_record',
          'lake_scan_column',
        ],
      });
    },
  );
});
