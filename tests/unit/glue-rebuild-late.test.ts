/**
 * The Glue job's rebuild of an event table (resources/glue/etl_job.py run_rebuild), in python3 with Spark's part
 * stood in for, held to the local runner's (lib/etl/duckdb-runner/rebuild.ts): a raw object delivered after the run
 * read its tables is left to the next compaction and listed among the skipped, on both runtimes; a dataset's rebuild
 * that read every upload by its name (no record of any) records them, so that a later one reads them again.
 */
import { execFileSync } from 'node:child_process';
import { etlPlansFile } from '../../lib/etl/plans';
import { python, script, withPython } from '../etl/glue-job-python';

const PROGRAM = `
import contextlib, datetime, importlib.util, io, json, sys
spec = importlib.util.spec_from_file_location("etl_job", sys.argv[1])
job = importlib.util.module_from_spec(spec); spec.loader.exec_module(job)
given = json.load(sys.stdin)
started = datetime.datetime(2026, 3, 5, 12, 0, tzinfo=datetime.timezone.utc)
raw = {}  # key: LastModified
class S3:
    class exceptions:
        class NoSuchKey(Exception): pass
    def __init__(self): self.cur = {}
    def get_object(self, Bucket, Key, Range=None):
        if Bucket == "raw":
            class Empty:
                def read(s, *a): return b""
            return {"Body": Empty()}
        if Key in self.cur:
            body = self.cur[Key]
            class B:
                def read(s, *a): return body
            return {"Body": B()}
        raise S3.exceptions.NoSuchKey(Key)
    def put_object(self, Bucket, Key, Body, ContentType=None): self.cur[Key] = Body
    def delete_object(self, Bucket, Key): self.cur.pop(Key, None)
    def list_objects_v2(self, Bucket, Prefix, MaxKeys=1000, **kw):
        keys = sorted(k for k in (raw if Bucket == "raw" else self.cur) if k.startswith(Prefix))[:MaxKeys]
        return {"KeyCount": len(keys), "Contents": [
            {"Key": k, "Size": 10, "LastModified": raw.get(k, started), "ETag": '"e-%s"' % k} for k in keys]}
    def get_paginator(self, name):
        c = self
        class P:
            def paginate(self, Bucket, Prefix, **kw): return [c.list_objects_v2(Bucket, Prefix)]
        return P()
read = []
def run_plan(spark, s3, options, layout, plan, keys, started_at, declared=None, **kw):
    read.append(list(keys))
    f = job.table_figures(plan, len(keys), 0, 0, len(keys), [], None, layout)
    f["all_partitions"] = []
    if kw.get("outcome"):
        job.record_outcome(s3, options["curated_bucket"], kw["outcome"](f, {}))
    return f, {}
job.run_plan = run_plan
job.gzip_problem = lambda read, chunk=0: None
s3 = S3()
summaries = []
for step in given["steps"]:  # {table, run_id, raw: {key: seconds after the start}, cur: {key: JSON}}
    raw.update({k: started + datetime.timedelta(seconds=s) for k, s in step["raw"].items()})
    s3.cur.update({k: json.dumps(v).encode() for k, v in step.get("cur", {}).items()})
    options = {"mode": "rebuild", "table": step["table"], "raw_bucket": "raw", "curated_bucket": "cur",
        "run_id": step["run_id"], "batches": 0, "job_run_id": None, "rejected_written": []}
    with contextlib.redirect_stdout(io.StringIO()):
        _, _, summary = job.run_rebuild(None, s3, options, given["plans"], started)
    summaries.append({k: v for k, v in summary.items() if k != "figures"})
json.dump({"read": read, "summaries": summaries, "cur": sorted(s3.cur)}, sys.stdout)
`;

const runRebuilds = (steps: object[]) =>
  JSON.parse(
    execFileSync(python!, ['-c', PROGRAM, script], {
      input: JSON.stringify({ plans: etlPlansFile(), steps }),
    }).toString(),
  ) as { read: string[][]; summaries: Record<string, unknown>[]; cur: string[] };

withPython(
  'a rebuild lists an object delivered after it read its tables among the skipped (left to the compaction)',
  () => {
    const day = 'events/type=page_view/arrival_date=2026-03-05/';
    const before = `${day}data-lake-local-events-1-2026-03-05-10-00-00-aaaa.gz`;
    const late = `${day}data-lake-local-events-1-2026-03-05-12-00-05-bbbb.gz`;
    const out = runRebuilds([{ table: 'page_view', run_id: 'rb-1', raw: { [before]: -3600, [late]: 5 } }]);
    expect(out.read).toEqual([[before]]);
    expect(out.summaries[0]).toMatchObject({
      table: 'page_view',
      sources: 1,
      skipped: [late],
      skippedCount: 1,
    });
  },
);

withPython(
  "a rebuild that read every upload by its name records them: a later upload's record does not make the next skip them",
  () => {
    const [a, b, n, late] = ['a', 'b', 'n', 'late'].map((f) => `uploads/orders/${f}.csv`);
    const out = runRebuilds([
      // No record of any upload (the curated bucket's _state/ lost): every upload by its name, recorded.
      { table: 'orders', run_id: 'rb-1', raw: { [a!]: -60, [b!]: -60 } },
      // An upload checked since (its done record), and a file dropped while no check ran.
      {
        table: 'orders',
        run_id: 'rb-2',
        raw: { [n!]: -30, [late!]: -30 },
        cur: { '_state/uploads/done/load-n.json': { table: 'orders', key: n, etag: `e-${n}` } },
      },
    ]);
    expect(out.cur).toContain('_state/uploads/restored/rb-1.json');
    expect(out.summaries.map((r) => [r.sources, r.skipped])).toEqual([
      [2, []],
      [3, [late]],
    ]);
    expect(out.read.flat().sort()).toEqual([a, b, a, b, n].sort());
  },
);
