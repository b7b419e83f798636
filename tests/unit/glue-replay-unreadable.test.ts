/**
 * The Glue job's replay (resources/glue/etl_job.py run_replay), in python3 with Spark's part stood in for, held to the
 * local runner's (lib/etl/duckdb-runner/replay.ts, tests/etl/replay.test.ts): a source that no longer reads as rows
 * (a gzip stream cut short) is reported with the missing ones and is not counted as read.
 */
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { etlPlansFile } from '../../lib/etl/plans';
import { python, script, withPython } from '../etl/glue-job-python';

const PROGRAM = `
import base64, contextlib, datetime, importlib.util, io, json, sys
spec = importlib.util.spec_from_file_location("etl_job", sys.argv[1])
job = importlib.util.module_from_spec(spec); spec.loader.exec_module(job)
given = json.load(sys.stdin)
layout = given["plans"]["layout"]
started = datetime.datetime(2026, 3, 5, 12, 0, tzinfo=datetime.timezone.utc)
raw = {k: base64.b64decode(v) for k, v in given["raw"].items()}
class NotFound(Exception):
    response = {"Error": {"Code": "404"}}
class S3:
    class exceptions:
        class NoSuchKey(Exception): pass
    def __init__(self, cur): self.cur = cur
    def objects(self, bucket): return raw if bucket == "raw" else self.cur
    def get_object(self, Bucket, Key, Range=None):
        if Key not in self.objects(Bucket): raise S3.exceptions.NoSuchKey(Key)
        body = self.objects(Bucket)[Key]
        body = body.encode() if isinstance(body, str) else body
        class B:
            def read(s, *a): return body
        return {"Body": B()}
    def head_object(self, Bucket, Key, **kw):
        return {"ContentLength": len(self.objects(Bucket)[Key]), "ETag": '"e"'}
    def put_object(self, Bucket, Key, Body, ContentType=None): self.cur[Key] = Body
    def delete_object(self, Bucket, Key): self.cur.pop(Key, None)
    def list_objects_v2(self, Bucket, Prefix, MaxKeys=1000, **kw):
        keys = sorted(k for k in self.objects(Bucket) if k.startswith(Prefix))[:MaxKeys]
        return {"KeyCount": len(keys), "Contents": [{"Key": k, "Size": 10, "LastModified": started} for k in keys]}
    def get_paginator(self, name):
        c = self
        class P:
            def paginate(self, Bucket, Prefix, **kw): return [c.list_objects_v2(Bucket, Prefix)]
        return P()
rejected = layout["rejectedPrefix"] + "table_name=orders/run_date=2026-03-04/load-0.json"
job.rejected_sources = lambda spark, bucket, keys: [[k, ["load"]] for k in sorted(raw)] if keys else []
read = []
def run_plan(spark, s3, options, layout, plan, keys, started_at, declared=None, **kw):
    read.append(list(keys))
    f = job.table_figures(plan, len(keys), 0, 0, len(keys), [], None, layout)
    f["all_partitions"] = []
    return f, {}
job.run_plan = run_plan
options = {"mode": "replay", "table": "orders", "raw_bucket": "raw", "curated_bucket": "cur", "run_id": "rp-1",
    "batches": 0, "job_run_id": None, "rejected_written": [], "inputs": []}
printed = io.StringIO()
with contextlib.redirect_stdout(printed):
    _, _, summary = job.run_replay(None, S3({rejected: "{}\\n"}), options, given["plans"], started)
json.dump({"read": read, "printed": printed.getvalue(), "summary": {k: v for k, v in summary.items() if k != "figures"}}, sys.stdout)
`;

withPython(
  'a replay reports a source that no longer reads as rows (a gzip cut short) with the missing ones',
  () => {
    const cut = 'uploads/orders/a.csv.gz';
    const whole = 'uploads/orders/b.csv';
    const gz = gzipSync('order_id,customer_id\no1,c1\n');
    const out = JSON.parse(
      execFileSync(python!, ['-c', PROGRAM, script], {
        input: JSON.stringify({
          plans: etlPlansFile(),
          raw: {
            [cut]: gz.subarray(0, -10).toString('base64'),
            [whole]: Buffer.from('order_id,customer_id\no2,c2\n').toString('base64'),
          },
        }),
      }).toString(),
    ) as { read: string[][]; printed: string; summary: Record<string, unknown> };
    expect(out.read).toEqual([[whole]]);
    expect(out.printed).toContain('"warning": "a raw object that cannot be read as rows is skipped');
    expect(out.summary).toMatchObject({
      table: 'orders',
      rejectedFiles: 1,
      sources: 1,
      missing: [cut],
      missingCount: 1,
    });
  },
);
