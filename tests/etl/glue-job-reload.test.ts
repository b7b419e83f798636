/**
 * The Glue job's pure helpers for the rejected store, replays and rebuilds (resources/glue/etl_job.py), run in
 * python3 against what the local runner does with the same inputs (lib/etl/duckdb-runner/replay.ts, rebuild.ts):
 * the record's columns, which rejected files a replay takes, which raw objects a rebuild reads, how both batch.
 */
import { etlPlansFile, type EtlPlansFile } from '../../lib/etl/plans';
import type { EtlRunSummary, RebuildSummary, ReplaySummary } from '../../lib/etl/run';
import { REJECTED_COLUMNS, rejectedObjectKey, rejectedTablePrefix } from '../../lib/etl/rejected';
import { bySize } from '../../lib/etl/duckdb-runner/batching';
import { notAnUpload } from '../../lib/etl/duckdb-runner/rebuild';
import {
  acceptedUploads,
  notAccepted,
  queueRecords,
  runsReplacedSince,
} from '../../lib/etl/duckdb-runner/accepted-uploads';
import { pendingUploadsPrefix, restoredUploadsKey, uploadResultKey } from '../../lib/etl/upload-queue';
import { uploadOrders } from '../../lib/etl/upload-order';
import { md5File } from '../../lib/objects/local';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { logger } from '../../lib/logger';
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { gzipProblem } from '../../lib/etl/duckdb-runner/gzip-check';
import path from 'node:path';
import { one, py, python, script, withPython } from './glue-job-python';
import { newLake, useReloadLakes, writeRaw } from './reload-lake';

useReloadLakes();

let plans: EtlPlansFile;
beforeAll(() => {
  plans = etlPlansFile();
});

const base = {
  run_id: 'run-1',
  raw_bucket: 'raw',
  curated_bucket: 'curated',
  plans_bucket: 'deploy',
  plans_key: 'k/plans.json',
};

describe('resources/glue/etl_job.py: replay and rebuild', () => {
  withPython(
    'orders the uploads of a reload merge as the local runner does (lib/etl/upload-order.ts)',
    () => {
      const records = [
        {
          table: 'orders',
          key: 'uploads/orders/b.csv',
          runId: 'run-2',
          processedAt: '2026-03-05T09:00:01.000Z',
        },
        {
          table: 'orders',
          key: 'uploads/orders/a.csv',
          runId: 'run-2',
          processedAt: '2026-03-05T09:00:00.500Z',
        },
        {
          table: 'orders',
          key: 'uploads/orders/c.csv',
          runId: 'run-1',
          processedAt: '2026-03-05T08:00:00.000Z',
        },
        // c.csv again, in a later run: its latest run counts.
        {
          table: 'orders',
          key: 'uploads/orders/c.csv',
          runId: 'run-3',
          processedAt: '2026-03-05T10:00:00.000Z',
        },
        // Pending (no run yet), another table's, not a record: no order.
        { table: 'orders', key: 'uploads/orders/d.csv', acceptedAt: '2026-03-05T11:00:00.000Z' },
        {
          table: 'customers',
          key: 'uploads/customers/x.json',
          runId: 'run-9',
          processedAt: '2026-03-05T12:00:00Z',
        },
        'not a record',
      ];
      const local = uploadOrders(
        records.flatMap((r) => (typeof r === 'object' && r.table === 'orders' ? [r] : [])),
      );
      expect(local).toEqual([
        ['uploads/orders/a.csv', '2026-03-05T09:00:00.500Z'],
        ['uploads/orders/b.csv', '2026-03-05T09:00:00.500Z'],
        ['uploads/orders/c.csv', '2026-03-05T10:00:00.000Z'],
      ]);
      expect(one('upload_orders', records, 'orders').value).toEqual(local);
    },
  );

  withPython('takes modes replay and rebuild with their table, as the local runner does', () => {
    const [replay, rebuild, noTable, modes] = py([
      ['job_options', { ...base, etl_mode: 'replay', table: 'orders' }],
      ['job_options', { ...base, etl_mode: 'rebuild', table: 'page_view' }],
      ['job_options', { ...base, etl_mode: 'rebuild' }],
      ['MODES'],
    ]);
    expect(replay!.value).toMatchObject({ mode: 'replay', table: 'orders', inputs: [], batches: 0 });
    expect(rebuild!.value).toMatchObject({ mode: 'rebuild', table: 'page_view' });
    expect(noTable!.error).toMatch(/--table is required in mode 'rebuild'/);
    expect(modes!.value).toEqual(['file', 'events', 'replay', 'rebuild']);
  });

  withPython(
    "builds a rejected record's columns from the plan: the layout's, in order, every raw value kept",
    () => {
      const orders = plans.tables.orders!;
      const [sql, oldPlan, shuffled, numbered] = py([
        ['rejected_records_sql', orders, plans.layout],
        ['rejected_records_sql', { ...orders, rejectedSql: 'SELECT * FROM typed' }, plans.layout],
        [
          'rejected_records_sql',
          orders,
          { ...plans.layout, rejected: { ...plans.layout.rejected, columns: ['reason', 'run_id'] } },
        ],
        ['next_batch', { batches: 4 }],
      ]);
      expect(sql!.value).toBe(orders.rejectedSql.spark);
      expect(sql!.value).toContain(
        `CAST(to_json(struct(${orders.rawRecordColumns.map((c) => `raw_${c} AS ${c}`).join(', ')}), ` +
          `map('ignoreNullFields', 'false')) AS STRING) AS raw_record`,
      );
      expect(plans.layout.rejected.columns).toEqual(REJECTED_COLUMNS.map((c) => c.name));
      expect(oldPlan!.error).toMatch(/no Spark rejectedSql/);
      expect(shuffled!.error).toMatch(
        /select \['run_id', 'source_file', 'reason', 'raw_record', 'rejected_at'/,
      );
      expect(numbered!.value).toBe(4);
    },
  );

  withPython(
    "takes an event table's conflicting copies' SQL from the plan, checked as the rejected records; none for a dataset",
    () => {
      const views = plans.tables.page_view!;
      const [sql, dataset, incomplete, shuffled, version] = py([
        ['conflict_sql', views, plans.layout],
        ['conflict_sql', plans.tables.orders!, plans.layout],
        ['conflict_sql', { ...views, conflicts: { countSql: views.conflicts!.countSql } }, plans.layout],
        [
          'conflict_sql',
          views,
          { ...plans.layout, rejected: { ...plans.layout.rejected, columns: ['reason', 'run_id'] } },
        ],
        ['PLANS_FILE_VERSION'],
      ]);
      expect(version!.value).toBe(plans.version);
      expect(sql!.value).toEqual([views.conflicts!.countSql, views.conflicts!.recordsSql.spark]);
      expect(views.conflicts!.recordsSql.spark).toContain(
        `CAST(to_json(struct(${views.rawRecordColumns.map((c) => `raw_${c} AS ${c}`).join(', ')}), ` +
          `map('ignoreNullFields', 'false')) AS STRING) AS raw_record`,
      );
      expect(dataset!.value).toBeNull();
      expect(incomplete!.error).toMatch(/conflicts SQL of page_view is incomplete/);
      expect(shuffled!.error).toMatch(/conflicting copies' records of page_view select/);
    },
  );

  withPython('takes the rejected files no replay took, nor this run wrote; records them all after', () => {
    const prefix = rejectedTablePrefix('orders');
    const k = (date: string, run: string, n = 0) => rejectedObjectKey('orders', date, run, n);
    const keys = [
      k('2024-01-02', 'b'),
      k('2024-01-01', 'a'),
      k('2024-01-01', 'a', 1),
      k('2024-01-03', 'own'),
      `${prefix}run_date=2024-01-01/_tmp/part-0.json`,
      `${prefix}run_date=2024-01-01/notes.txt`,
    ];
    const [taken, sources, state, fresh] = py([
      ['replay_taken', prefix, keys, { replayed: [k('2024-01-01', 'a')] }, [k('2024-01-03', 'own')]],
      ['replay_sources', ['uploads/orders/b.csv', null, '', 'uploads/orders/a.csv', 'uploads/orders/b.csv']],
      ['replayed_state', { replayed: [k('2024-01-01', 'a')] }, [k('2024-01-02', 'b')]],
      ['replayed_state', {}, []],
    ]);
    expect(taken!.value).toEqual([k('2024-01-01', 'a', 1), k('2024-01-02', 'b')]);
    expect(sources!.value).toEqual(['uploads/orders/a.csv', 'uploads/orders/b.csv']);
    expect(state!.value).toEqual({ replayed: [k('2024-01-01', 'a'), k('2024-01-02', 'b')] });
    expect(fresh!.value).toEqual({ replayed: [] });
  });

  withPython("lists a dataset's uploads as the local runner does (what validateUpload would take)", () => {
    const keys = [
      'uploads/orders/a.csv',
      'uploads/orders/B.JSONL.gz',
      'uploads/orders/c.parquet',
      'uploads/orders/d.parquet.gz',
      'uploads/orders/e.txt',
      'uploads/orders/noext',
      'uploads/orders/f.csv.tmp',
      'uploads/orders/g.csv~',
      'uploads/orders/.hidden.csv',
      'uploads/orders/_SUCCESS',
      'uploads/orders/_temporary/0/x.csv',
      'uploads/orders/nested/x.csv',
      'uploads/orders/back\\slash.csv',
      'uploads/orders/ctl\u0001.csv',
      // Glob characters: Spark and DuckDB read such a path as a pattern (validateUpload quarantines it).
      'uploads/orders/a[1].csv',
      'uploads/orders/b*.csv',
      'uploads/orders/c?.csv',
      'uploads/orders/{d}.csv',
      'uploads/orders/h.json',
    ];
    const objects = keys.map((k, i) => [k, i + 1, `e${i}`]);
    // Every key accepted, by a record of any content (accepted uploads: the next test).
    const accepted = Object.fromEntries(keys.map((k) => [k, null]));
    const [rebuild, ...problems] = py([
      ['rebuild_uploads', objects, 'orders', plans.layout, accepted],
      ...keys.map((k) => ['upload_problem', k, 'orders', plans.layout]),
    ]);
    const local = keys.filter((k) => notAnUpload(k, 'orders') === undefined);
    expect(local).toEqual([
      'uploads/orders/a.csv',
      'uploads/orders/B.JSONL.gz',
      'uploads/orders/c.parquet',
      'uploads/orders/h.json',
    ]);
    expect(problems.map((p, i) => (p.value === null ? keys[i] : null)).filter(Boolean)).toEqual(local);
    const [inputs, skipped] = rebuild!.value as [[string, number][], string[]];
    expect(inputs.map(([k]) => k)).toEqual([...local].sort());
    expect(inputs.find(([k]) => k === 'uploads/orders/c.parquet')![1]).toBe(3);
    expect(skipped).toEqual(keys.filter((k) => !local.includes(k)).sort());
  });

  withPython(
    'reads an upload again only when the upload check accepted its present content, as the local runner',
    async () => {
      const lake = await newLake();
      const body = (k: string) => `order_id\n${k}\n`;
      const md5 = (t: string) => createHash('md5').update(t).digest('hex');
      const keys = [
        'uploads/orders/a.csv',
        'uploads/orders/b.csv',
        'uploads/orders/c.csv',
        'uploads/orders/d.csv',
      ];
      for (const k of keys) await writeRaw(lake, k, body(k));
      const records = [
        // a: accepted as it is; b: accepted, then replaced; c: a record of a result written before results had an
        // ETag (any content); d: none (dropped while no check ran). Other tables' records do not count.
        { table: 'orders', key: keys[0], etag: md5(body(keys[0]!)), execution: 'x1' },
        { table: 'orders', key: keys[1], etag: md5('the content accepted before'), execution: 'x2' },
        { table: 'orders', key: keys[2], execution: 'x3' },
        { table: 'customers', key: keys[3], execution: 'x4' },
      ];
      const taken = ['uploads/orders/a.csv', 'uploads/orders/c.csv'];
      // The local runner, from the queue's files.
      for (const [i, r] of records.entries()) {
        const dir = i % 2 ? pendingUploadsPrefix : uploadResultKey('').slice(0, -'.json'.length);
        await writeRaw(lake, `../curated/${dir}${r.execution}.json`, JSON.stringify(r));
      }
      // A damaged record (here beside the others) is named in a warning, and counts for no upload.
      await writeRaw(
        lake,
        `../curated/${pendingUploadsPrefix}damaged.json`,
        '{"table": "orders", "key": "uplo',
      );
      const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
      const local = await acceptedUploads(path.join(lake, 'curated'), 'orders');
      expect(warn).toHaveBeenCalledWith(
        'a record of the queue of accepted uploads is damaged: its upload is not read again',
        expect.objectContaining({ record: expect.stringMatching(/damaged\.json$/) }),
      );
      warn.mockRestore();
      const localTaken: string[] = [];
      for (const k of keys)
        if ((await notAccepted(local, k, path.join(lake, 'raw', k))) === undefined) localTaken.push(k);
      expect(localTaken).toEqual(taken);
      // The Glue job, from the same records and S3's listing (ETags quoted as S3 lists them).
      const [accepted] = py([['accepted_uploads', records, 'orders']]);
      const objects = keys.map((k) => [k, 10, `"${md5(body(k))}"`]);
      const [rebuild] = py([['rebuild_uploads', objects, 'orders', plans.layout, accepted!.value]]);
      const [inputs, skipped] = rebuild!.value as [[string, number][], string[]];
      expect(inputs.map(([k]) => k)).toEqual(taken);
      expect(skipped).toEqual(['uploads/orders/b.csv', 'uploads/orders/d.csv']);
      // Its warning names each with the reason the local runner gives.
      expect(JSON.parse(rebuild!.printed!.trim()).skipped).toEqual(
        await Promise.all(
          skipped.map(async (key) => ({
            key,
            reason: await notAccepted(local, key, path.join(lake, 'raw', key)),
          })),
        ),
      );
      // No record of the table's uploads at all (the curated state lost): every upload by its name, on both.
      const [none] = py([['rebuild_uploads', objects, 'orders', plans.layout, {}]]);
      const byName = (none!.value as [[string, number][], string[]])[0];
      expect(byName.map(([k]) => k)).toEqual(keys);
      // Such a rebuild records what it read as accepted (one record, uploads: [{key, etag}]): with it among the
      // others, every upload as it is now is read again on both, one replaced since is not.
      const [restored] = py([['restored_record', 'orders', 'rebuild-1', 'at', byName, objects]]);
      expect(restored!.value).toEqual({
        table: 'orders',
        runId: 'rebuild-1',
        restoredAt: 'at',
        uploads: keys.map((k) => ({ key: k, etag: md5(body(k)) })),
      });
      await writeRaw(lake, `../curated/${restoredUploadsKey('rebuild-1')}`, JSON.stringify(restored!.value));
      await writeRaw(lake, keys[2]!, 'replaced since');
      const [expanded] = py([['restored_uploads', restored!.value]]);
      // Taken by that rebuild when it recorded them: their place in the order uploads were loaded in, on both.
      const [orders] = py([['upload_orders', expanded!.value, 'orders']]);
      expect(orders!.value).toEqual(uploadOrders(await queueRecords(path.join(lake, 'curated'), 'orders')));
      expect(orders!.value).toEqual(keys.map((k) => [k, 'at']));
      const [again] = py([['accepted_uploads', [...records, ...(expanded!.value as object[])], 'orders']]);
      const now = keys.map((k, i) => [k, 10, `"${md5(i === 2 ? 'replaced since' : body(k))}"`]);
      const [rebuiltAgain] = py([['rebuild_uploads', now, 'orders', plans.layout, again!.value]]);
      const localAgain = await acceptedUploads(path.join(lake, 'curated'), 'orders');
      const localTakenAgain: string[] = [];
      for (const k of keys)
        if ((await notAccepted(localAgain, k, path.join(lake, 'raw', k))) === undefined)
          localTakenAgain.push(k);
      // c.csv: its record without an ETag (any content) still takes it.
      expect(localTakenAgain).toEqual(keys);
      expect((rebuiltAgain!.value as [[string, number][], string[]])[0].map(([k]) => k)).toEqual(keys);
      await writeRaw(lake, keys[1]!, 'replaced since');
      const localThird = await acceptedUploads(path.join(lake, 'curated'), 'orders');
      expect(await notAccepted(localThird, keys[1]!, path.join(lake, 'raw', keys[1]!))).toMatch(
        /replaced since/,
      );
      const third = keys.map((k, i) => [k, 10, `"${md5(i === 1 || i === 2 ? 'replaced since' : body(k))}"`]);
      const [rebuiltThird] = py([['rebuild_uploads', third, 'orders', plans.layout, again!.value]]);
      expect((rebuiltThird!.value as [[string, number][], string[]])[1]).toEqual(['uploads/orders/b.csv']);
    },
  );

  withPython(
    'a replay tells an upload replaced since its rows were rejected as the local runner does',
    async () => {
      const lake = await newLake();
      const md5 = (t: string) => createHash('md5').update(t).digest('hex');
      const key = 'uploads/orders/w.csv';
      await writeRaw(lake, key, 'now');
      const records = [
        { key, runId: 'load-1', etag: md5('before') },
        { key, runId: 'load-2', etag: md5('now') },
        { key, runId: 'load-0' }, // a result written before results carried an ETag
      ];
      const cases: [string[], string[]][] = [
        [['load-1'], ['load-1']], // its rows came from the content replaced since
        [['load-2'], []],
        // The content replaced by content that had rejected rows of its own: load-1's rows are gone, load-2's not.
        [['load-1', 'load-2'], ['load-1']],
        [['load-0'], []], // no record tells: read as before
        [['load-0', 'load-1'], ['load-1']],
        [['replay-1'], []], // a replay's own rejections: no upload record
        [[], []],
      ];
      for (const [runs, replaced] of cases) {
        // The content the upload has now (the local runner's md5 of the file, as the replay gives it).
        const local = runsReplacedSince(
          records,
          key,
          new Set(runs),
          await md5File(path.join(lake, 'raw', key)),
        );
        const [glue] = py([['runs_replaced_since', records, key, runs, `"${md5('now')}"`]]);
        expect({ runs, local, glue: glue!.value }).toEqual({ runs, local: replaced, glue: replaced });
      }
    },
  );

  withPython(
    'skips a gzip object that is not whole in a replay or rebuild, as the local runner does',
    async () => {
      const lake = await newLake();
      const text = Buffer.from(
        Array.from({ length: 5000 }, (_, i) => `line ${i} ${'x'.repeat(i % 97)}`).join('\n'),
      );
      const whole = gzipSync(text);
      const files: [string, Buffer][] = [
        ['whole', whole],
        ['two-members', Buffer.concat([gzipSync(text), gzipSync(text)])],
        ['cut', whole.subarray(0, Math.floor(whole.length * 0.75))],
        ['corrupt', Buffer.concat([whole.subarray(0, 40), Buffer.alloc(200, 7), whole.subarray(240)])],
        ['not-gzip', Buffer.from('order_id\n1\n')],
        // Bytes after the last member: DuckDB reads no such file, and Node's gunzip skips zero bytes unasked.
        ['zero-padded', Buffer.concat([whole, Buffer.alloc(2000)])],
        ['zero-then-garbage', Buffer.concat([whole, Buffer.from('\0xyz')])],
        ['empty-last-member', Buffer.concat([whole, gzipSync('')])],
      ];
      const local: Record<string, boolean> = {};
      for (const [name, bytes] of files) {
        const file = path.join(lake, `${name}.gz`);
        writeFileSync(file, bytes);
        local[name] = (await gzipProblem(file)) === undefined;
      }
      // The Glue job's check, reading the bytes as it reads an S3 body (a few KiB at a time).
      const driver =
        'import importlib.util, io, json, sys\n' +
        'spec = importlib.util.spec_from_file_location("etl_job", sys.argv[1])\n' +
        'job = importlib.util.module_from_spec(spec); spec.loader.exec_module(job)\n' +
        'files = json.load(sys.stdin)\n' +
        'print(json.dumps({n: job.gzip_problem(io.BytesIO(bytes.fromhex(h)).read, 4096) for n, h in files}))';
      const glue = JSON.parse(
        execFileSync(python!, ['-c', driver, script], {
          input: JSON.stringify(files.map(([n, b]) => [n, b.toString('hex')])),
        }).toString(),
      ) as Record<string, string | null>;
      expect(local).toEqual({
        whole: true,
        'two-members': true,
        cut: false,
        corrupt: false,
        'not-gzip': false,
        'zero-padded': false,
        'zero-then-garbage': false,
        'empty-last-member': true,
      });
      expect(Object.fromEntries(Object.entries(glue).map(([n, p]) => [n, p === null]))).toEqual(local);
      expect(glue.cut).toMatch(/^not a complete gzip stream/);
    },
  );

  withPython(
    'splits a rebuild’s raw event objects into those a compaction took and those none took yet',
    () => {
      const prefix = plans.events.signup!.rawPrefix;
      const k = (date: string, name: string) => `${prefix}arrival_date=${date}/arrival_hour=00/${name}`;
      const objects = [
        [k('2024-01-01', 'a.gz'), 1],
        [k('2024-01-01', 'b.gz'), 2],
        [k('2024-01-02', 'c.gz'), 3],
      ];
      const manifests = { '2024-01-01': { processed: [k('2024-01-01', 'a.gz')] } };
      const [split] = py([['compacted_split', objects, manifests, plans.layout]]);
      expect(split!.value).toEqual([[objects[0]], [objects[1], objects[2]]]);
      // Listed at another size (put again with other records after it was compacted): not compacted; at its size, it is.
      const at = (size: string) => ({
        '2024-01-01': { processed: [k('2024-01-01', 'a.gz')], versions: { [k('2024-01-01', 'a.gz')]: size } },
      });
      const [again, same] = py([
        ['compacted_split', objects, at('7'), plans.layout],
        ['compacted_split', objects, at('1'), plans.layout],
      ]);
      expect(again!.value).toEqual([[], objects]);
      expect(same!.value).toEqual([[objects[0]], [objects[1], objects[2]]]);
    },
  );

  withPython("lists an event type's raw objects by arrival date, and what is no delivery object", () => {
    const prefix = plans.events.signup!.rawPrefix;
    const k = (date: string, name: string) => `${prefix}arrival_date=${date}/arrival_hour=00/${name}`;
    const objects = [
      [k('2024-01-02', 'a.gz'), 10],
      [k('2024-01-01', 'z.gz'), 20],
      [k('2024-01-01', 'notes.txt'), 1],
      [`${prefix}.tmp/x.gz`, 1],
    ];
    const [listed, noDate] = py([
      ['rebuild_events', objects, prefix, plans.layout],
      ['rebuild_events', [[`${prefix}misplaced.gz`, 1]], prefix, plans.layout],
    ]);
    expect(listed!.value).toEqual([
      [
        [k('2024-01-01', 'z.gz'), 20],
        [k('2024-01-02', 'a.gz'), 10],
      ],
      [`${prefix}.tmp/x.gz`, k('2024-01-01', 'notes.txt')].sort(),
    ]);
    expect(noDate!.error).toMatch(/no arrival_date/);
  });

  withPython('batches by size exactly as the local runner does', () => {
    const sizes = [5, 1, 9, 3, 3, 3, 12, 1, 1, 8, 2];
    for (const max of [1, 4, 6, 10, 100]) {
      const local = bySize(
        sizes.map((bytes, i) => ({ i, bytes })),
        max,
      ).map((b) => b.map((x) => x.i));
      expect(
        one(
          'size_batches',
          sizes.map((n, i) => [i, n]),
          max,
        ).value,
      ).toEqual(local);
    }
  });

  withPython("finds the table's partitions from its objects (Parquet files only), with their bytes", () => {
    const plan = plans.tables.orders!;
    const objects = [
      [`${plan.prefix}dt=2024-01-02/part-0-r.parquet`, 100],
      [`${plan.prefix}dt=2024-01-01/part-0-r.parquet`, 50],
      [`${plan.prefix}dt=2024-01-01/part-1-r.parquet`, 5],
      [`${plan.prefix}dt=2024-01-03/_SUCCESS`, 0],
      [`${plan.prefix}dt=2024-01-04/.part-0.parquet.crc`, 1],
      [`${plan.prefix}other=x/part-0.parquet`, 1],
      [`${plan.prefix}dt=/part-0.parquet`, 1],
      [`${plan.prefix}part-0.parquet`, 1],
    ];
    expect(one('table_partitions', objects, plan).value).toEqual([
      { values: ['2024-01-01'], name: 'dt=2024-01-01', bytes: 55 },
      { values: ['2024-01-02'], name: 'dt=2024-01-02', bytes: 100 },
    ]);
  });

  withPython('writes the partitions the merged rows are in, and empties those it left without rows', () => {
    // As lib/etl/duckdb-runner/batch.ts: a partition that held an incoming key (held) or took an incoming row, left
    // without rows by the merge, is emptied where the table has it and not written where it does not.
    const [moved, stale, none] = py([
      ['partitions_written', [['2026-03-02']], [['2026-03-01']], [['2026-03-02']], [['2026-03-01']]],
      ['partitions_written', [['2026-03-05']], [['2026-03-01']], [['2026-03-01']], [['2026-03-01']]],
      [
        'partitions_written',
        [['2026-03-04']],
        [['2026-03-03']],
        [['2026-03-03']],
        [['2026-03-03'], ['2026-03-04']],
      ],
    ]);
    expect(moved!.value).toEqual([[['2026-03-01'], ['2026-03-02']], [['2026-03-01']]]);
    expect(stale!.value).toEqual([[['2026-03-01']], []]);
    expect(none!.value).toEqual([[['2026-03-03'], ['2026-03-04']], [['2026-03-04']]]);
  });

  withPython('adds the parts of a run that loaded one table, and summarises a replay and a rebuild', () => {
    const orders = plans.tables.orders!;
    const days = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => `dt=2024-02-${String(from + i).padStart(2, '0')}`);
    const [a, b, c] = py([
      ['table_figures', orders, 10, 1, 0, 9, days(1, 15), null, plans.layout],
      [
        'table_figures',
        orders,
        4,
        2,
        3,
        4,
        days(10, 15),
        'rejected/table_name=orders/run_date=2024-02-01/',
        plans.layout,
      ],
      ['table_figures', plans.tables.signup!, 1, 0, 0, 1, ['event_date=2024-01-01'], null, plans.layout],
    ]);
    // The figures of a batch list its partitions up to the cap: all of them travel under all_partitions.
    const withAll = (f: { value?: Record<string, unknown> }, all: string[]) => ({
      ...f.value,
      all_partitions: all,
    });
    const [combined] = py([
      [
        'combined_figures',
        [withAll(a!, days(1, 15)), withAll(c!, ['event_date=2024-01-01']), withAll(b!, days(10, 15))],
        plans.layout,
      ],
    ]);
    const [ordersTotal, signup] = combined!.value as Record<string, unknown>[];
    expect(ordersTotal).toEqual({
      table: 'orders',
      schemaVersion: orders.version,
      rowsRead: 14,
      rowsWritten: 10,
      rowsRejected: 3,
      duplicatesRemoved: 1,
      partitions: days(1, 20),
      partitionCount: 24,
      rejectedLocation: 'rejected/table_name=orders/run_date=2024-02-01/',
      maxRejectedRatio: orders.maxRejectedRatio,
    });
    expect(signup).toMatchObject({ table: 'signup', rowsRead: 1, partitionCount: 1 });

    const [replay, rebuild] = py([
      [
        'replay_summary',
        'orders',
        ['r1', 'r2'],
        [['uploads/orders/a.csv', 3]],
        ['uploads/orders/gone.csv'],
        ordersTotal,
        plans.layout,
      ],
      ['rebuild_summary', 'orders', 5, ['uploads/orders/x.txt'], 2, ordersTotal, plans.layout],
    ]);
    const expectedReplay: ReplaySummary = {
      table: 'orders',
      rejectedFiles: 2,
      sources: 1,
      missing: ['uploads/orders/gone.csv'],
      missingCount: 1,
      figures: ordersTotal as unknown as ReplaySummary['figures'],
    };
    const expectedRebuild: RebuildSummary = {
      table: 'orders',
      sources: 5,
      skipped: ['uploads/orders/x.txt'],
      skippedCount: 1,
      partitionsRewritten: 2,
      figures: ordersTotal as unknown as RebuildSummary['figures'],
    };
    expect(replay!.value).toEqual(expectedReplay);
    expect(rebuild!.value).toEqual(expectedRebuild);
  });
});

describe('resources/glue/etl_job.py: the run summary of a replay', () => {
  withPython('records the replay and judges its own figures against the table threshold', () => {
    const drive = `
import importlib.util, json, sys
from datetime import datetime, timezone
spec = importlib.util.spec_from_file_location("etl_job", sys.argv[1])
job = importlib.util.module_from_spec(spec); spec.loader.exec_module(job)
plans = json.load(sys.stdin)
layout = plans["layout"]
start = datetime(2024, 1, 1, 0, 0, 0, 5000, tzinfo=timezone.utc)
figures = job.table_figures(plans["tables"]["orders"], 10, 2, 0, 8, ["dt=2024-01-01"], None, layout)
options = {"run_id": "r", "mode": "replay", "job_run_id": None}
own = job.replay_summary("orders", ["k"], [["uploads/orders/a.csv", 1]], [], figures, layout)
summary = job.run_summary(options, start, start, ["uploads/orders/a.csv"], [figures], {"taken": 0, "succeeded": 0, "failed": 0}, set(plans["events"]), None, own)
print(json.dumps([summary, job.run_row(options, start)]))
`;
    const [s, row] = JSON.parse(
      execFileSync(python!, ['-c', drive, script], { input: JSON.stringify(plans) }).toString(),
    ) as [EtlRunSummary, { run_id: string; rejected_at: string }];
    expect(s.mode).toBe('replay');
    expect(s.replay).toMatchObject({
      table: 'orders',
      rejectedFiles: 1,
      sources: 1,
      missing: [],
      missingCount: 0,
    });
    // 2 of 10 rows still rejected, more than the 5 % orders allows: the execution reports it.
    expect(s.rejectedAboveThreshold).toBe(true);
    expect(row).toEqual({ run_id: 'r', rejected_at: '2024-01-01T00:00:00.005Z' });
  });
});
