/**
 * The Glue job's compaction of streamed events (resources/glue/etl_job.py run_events) in python3, with Spark's part
 * (run_plan) stood in for: a backlog is compacted in batches of BATCH_BYTES, each recorded in the manifests once
 * its rows are in the table, as the local runner does (lib/etl/duckdb-runner/events.ts). It ran the whole backlog as
 * one batch and wrote the manifests at the end: a backlog that could not finish within the job's timeout started
 * from nothing at every run, and never got through. A raw object that is not a whole gzip stream is skipped, named,
 * and left pending; a manifest of another shape is named as damaged.
 */
import { execFileSync } from 'node:child_process';
import { MISNAMED_WARNING } from '../../lib/etl/duckdb-runner/events';
import { etlPlansFile } from '../../lib/etl/plans';
import { BYTES_S3, python, script, withPython } from '../etl/glue-job-python';

// Runs run_events over an in-memory S3 (bytes), run_plan recording its batches and failing at the batch `fail`.
const PROGRAM = `
import contextlib, datetime, gzip, importlib.util, io, json, sys
spec = importlib.util.spec_from_file_location("etl_job", sys.argv[1])
job = importlib.util.module_from_spec(spec)
spec.loader.exec_module(job)
given = json.load(sys.stdin)
objects = {}
for key, spec_ in given["raw"].items():
    body = ("".join(json.dumps({"i": i}) + "\\n" for i in range(spec_["lines"]))).encode()
    z = gzip.compress(body)
    objects[("raw", key)] = z[: -spec_["cut"]] if spec_.get("cut") else z
for key, text in given.get("curated", {}).items():
    objects[("cur", key)] = text.encode()
${BYTES_S3}
class LakeS3(S3):
    def get_paginator(self, name):
        class P:
            def paginate(self, Bucket, Prefix):
                keys = sorted(k for b, k in objects if b == Bucket and k.startswith(Prefix))
                return [{"Contents": [{"Key": k, "Size": given["sizes"].get(k, len(objects[(Bucket, k)])), "LastModified": written(k), "ETag": '"%s"' % given.get("etags", {}).get(k, "etag-1")} for k in keys]}]
        return P()
now = job.datetime.now(job.timezone.utc)
def written(key):
    # Delivered an hour before the run, or (given["late"]) an hour after it read its plans.
    return now + datetime.timedelta(hours=1) if key in given.get("late", []) else now - datetime.timedelta(hours=1)
batches = []
def run_plan(spark, s3, options, layout, plan, keys, started_at, declared=None, reload=False, outcome=None, **kw):
    batches.append({"keys": list(keys), "reload": reload})
    if len(batches) == given.get("fail"):
        raise RuntimeError("Glue job run TIMEOUT while writing %s" % plan["table"])
    f = job.table_figures(plan, len(keys), 0, 0, len(keys), ["event_date=2026-03-01"], None, layout)
    f["all_partitions"] = ["event_date=2026-03-01"]
    # The outcome, recorded as the real run_plan's swap records it (its last step).
    job.record_outcome(s3, options["curated_bucket"], outcome(f, None) if outcome else None)
    return f, None
job.run_plan = run_plan
job.BATCH_BYTES = given["batchBytes"]
options = {"mode": "events", "table": None, "raw_bucket": "raw", "curated_bucket": "cur", "run_id": "r", "batches": 0}
out = {}
printed = io.StringIO()
try:
    with contextlib.redirect_stdout(printed):
        inputs, tables, left = job.run_events(None, LakeS3(), options, given["plans"], now)
    out["inputs"] = inputs
    out["left"] = left
    out["rowsRead"] = [t["rowsRead"] for t in tables if t["table"] == "page_view"]
except Exception as e:
    out["error"] = str(e)
out["warnings"] = [json.loads(line) for line in printed.getvalue().splitlines() if line.strip()]
out["batches"] = batches
out["manifests"] = {k: json.loads(v) for (b, k), v in objects.items() if b == "cur" and "/compaction/" in k}
json.dump(out, sys.stdout)
`;

const plans = etlPlansFile();
const key = (day: string, hour: string, n: number) =>
  `events/type=page_view/arrival_date=${day}/arrival_hour=${hour}/events-1-${day}-${hour}-00-00-${n}.gz`;
const manifestOf = (day: string) => `_state/compaction/page_view/arrival_date=${day}.json`;

function runEvents(given: {
  raw: Record<string, { lines: number; cut?: number }>;
  sizes?: Record<string, number>;
  curated?: Record<string, string>;
  fail?: number;
  late?: string[];
  /** ETags listed (default etag-1): the compaction does not go by them. */
  etags?: Record<string, string>;
  batchBytes: number;
}) {
  const only = { ...plans, events: { page_view: plans.events.page_view! } };
  const stdout = execFileSync(python!, ['-c', PROGRAM, script], {
    input: JSON.stringify({ sizes: {}, ...given, plans: only }),
  });
  return JSON.parse(stdout.toString()) as {
    inputs?: string[];
    left?: number;
    error?: string;
    rowsRead?: number[];
    batches: { keys: string[]; reload: boolean }[];
    warnings: { warning: string; key: string; problem: string }[];
    manifests: Record<string, { processed: string[]; versions?: Record<string, string> }>;
  };
}

// Three days of a backlog, three objects a day, each "100 MB" as listed: batches of 250 MB take two at a time.
const backlog = Object.fromEntries(
  ['2026-03-01', '2026-03-02', '2026-03-03'].flatMap((d) =>
    [1, 2, 3].map((n) => [key(d, '10', n), { lines: 2 }]),
  ),
);
const sizes = Object.fromEntries(Object.keys(backlog).map((k) => [k, 100e6]));

describe('the Glue job compacts a backlog of streamed events batch by batch', () => {
  withPython(
    'in arrival order, batches of BATCH_BYTES, each recorded in the manifests once its rows are in',
    () => {
      const r = runEvents({ raw: backlog, sizes, batchBytes: 250e6 });
      expect(r.error).toBeUndefined();
      expect(r.batches.map((b) => b.keys.length)).toEqual([2, 2, 2, 2, 1]);
      expect(r.batches.every((b) => !b.reload)).toBe(true);
      expect(r.batches.flatMap((b) => b.keys)).toEqual(Object.keys(backlog).sort());
      expect(r.inputs).toEqual(Object.keys(backlog).sort());
      expect(r.rowsRead).toEqual([9]);
      for (const d of ['2026-03-01', '2026-03-02', '2026-03-03'])
        expect(r.manifests[manifestOf(d)]!.processed).toHaveLength(3);
    },
  );

  withPython(
    'an object put again under a key already compacted, with other records (another size), is compacted again',
    () => {
      const first = runEvents({ raw: backlog, batchBytes: 250e6 });
      const again = key('2026-03-02', '10', 2);
      const versions = first.manifests[manifestOf('2026-03-02')]!.versions!;
      expect(Object.keys(versions)).toEqual([1, 2, 3].map((n) => key('2026-03-02', '10', n)));
      expect(Object.values(versions).every((v) => /^\d+$/.test(v))).toBe(true);
      const curated = Object.fromEntries(
        Object.entries(first.manifests).map(([k, m]) => [k, JSON.stringify(m)]),
      );
      const reput = { ...backlog, [again]: { lines: 5 } };
      const next = runEvents({ raw: reput, batchBytes: 250e6, curated });
      expect(next.inputs).toEqual([again]);
      expect(next.manifests[manifestOf('2026-03-02')]!.versions![again]).not.toBe(versions[again]);
      // A copy or a restore of the bucket (new ETags under SSE-KMS, the same sizes) is not compacted again.
      const etags = Object.fromEntries(Object.keys(backlog).map((k) => [k, 'etag-of-the-copy']));
      expect(runEvents({ raw: backlog, batchBytes: 250e6, curated, etags }).inputs).toEqual([]);
      // A manifest of before (keys only) counts its objects as compacted whatever their size.
      const keysOnly = Object.fromEntries(
        Object.entries(first.manifests).map(([k, m]) => [k, JSON.stringify({ processed: m.processed })]),
      );
      expect(runEvents({ raw: reput, batchBytes: 250e6, curated: keysOnly }).inputs).toEqual([]);
      // Versions recorded for a few commits as ETags, or as size:modification time: read as none, or by the size.
      const withVersions = (version: (k: string, size: string) => string) =>
        Object.fromEntries(
          Object.entries(first.manifests).map(([k, m]) => [
            k,
            JSON.stringify({
              processed: m.processed,
              versions: Object.fromEntries(Object.entries(m.versions!).map(([o, v]) => [o, version(o, v)])),
            }),
          ]),
        );
      const etagged = withVersions(() => '9b2cf535f27731c974343645a3985328');
      expect(runEvents({ raw: backlog, batchBytes: 250e6, curated: etagged }).inputs).toEqual([]);
      const timed = withVersions((_o, v) => `${v}:1796518742343.4666`);
      expect(runEvents({ raw: backlog, batchBytes: 250e6, curated: timed }).inputs).toEqual([]);
      expect(runEvents({ raw: reput, batchBytes: 250e6, curated: timed }).inputs).toEqual([again]);
    },
  );

  withPython(
    "an object whose name starts with '_' is not compacted (Spark reads no such file) and the log says so, as locally; one under a '.' folder is hidden",
    () => {
      // Spark's listing drops a file named _… even when its path is given: compacted, it would have given no row and
      // been recorded in the manifest. A '_' folder is read (the name alone counts). Locally the same rule
      // (tests/etl/events-rewritten.test.ts).
      const underscored = key('2026-03-01', '10', 8).replace('/events-1-', '/_events-1-');
      const inFolder = key('2026-03-01', '10', 6).replace('/arrival_hour=10/', '/arrival_hour=10/_moved/');
      const dotted = key('2026-03-01', '10', 7).replace('/arrival_hour=10/', '/arrival_hour=10/.backup/');
      const r = runEvents({
        raw: { [underscored]: { lines: 1 }, [inFolder]: { lines: 1 }, [dotted]: { lines: 1 } },
        batchBytes: 250e6,
      });
      expect(r.error).toBeUndefined();
      expect(r.batches.flatMap((b) => b.keys)).toEqual([inFolder]);
      expect(r.warnings).toEqual([
        { warning: MISNAMED_WARNING, table: 'page_view', objects: 1, first: underscored },
      ]);
    },
  );

  withPython('an object whose name does not end in .gz is not compacted, and the log says so', () => {
    const misnamed = key('2026-03-01', '10', 9).replace(/\.gz$/, '.jsonl');
    const r = runEvents({ raw: { ...backlog, [misnamed]: { lines: 1 } }, batchBytes: 250e6 });
    expect(r.inputs).not.toContain(misnamed);
    expect(r.warnings).toEqual([
      {
        warning: MISNAMED_WARNING,
        table: 'page_view',
        objects: 1,
        first: misnamed,
      },
    ]);
  });

  withPython(
    'a run that fails in its third batch keeps the two before: the next run goes on from there',
    () => {
      const failed = runEvents({ raw: backlog, sizes, batchBytes: 250e6, fail: 3 });
      expect(failed.error).toMatch(/TIMEOUT/);
      const recorded = Object.values(failed.manifests).flatMap((m) => m.processed);
      expect(recorded).toEqual(failed.batches.slice(0, 2).flatMap((b) => b.keys));
      const curated = Object.fromEntries(
        Object.entries(failed.manifests).map(([k, m]) => [k, JSON.stringify(m)]),
      );
      const next = runEvents({ raw: backlog, sizes, batchBytes: 250e6, curated });
      expect(next.batches.flatMap((b) => b.keys)).toEqual(Object.keys(backlog).sort().slice(4));
    },
  );

  withPython(
    'an object that is not a whole gzip stream is skipped, named, and left pending; the others are compacted',
    () => {
      const damaged = key('2026-03-01', '10', 2);
      const r = runEvents({ raw: { ...backlog, [damaged]: { lines: 2000, cut: 100 } }, batchBytes: 250e6 });
      expect(r.error).toBeUndefined();
      expect(r.inputs).not.toContain(damaged);
      expect(r.inputs).toHaveLength(8);
      expect(r.manifests[manifestOf('2026-03-01')]!.processed).not.toContain(damaged);
      expect(r.warnings).toEqual([
        {
          // The text README "Damaged state files" names, the local runner's (lib/etl/duckdb-runner/events.ts).
          warning: 'a raw event object that cannot be read as rows is skipped; it stays pending',
          table: 'page_view',
          key: damaged,
          problem: expect.stringMatching(/^not a complete gzip stream/),
        },
      ]);
    },
  );

  withPython(
    'an object delivered after the run read its plans is left to the next run (its schema may be newer)',
    () => {
      const late = key('2026-03-03', '10', 3);
      const r = runEvents({ raw: backlog, batchBytes: 250e6, late: [late] });
      expect(r.inputs).toHaveLength(8);
      expect(r.inputs).not.toContain(late);
      expect(r.left).toBe(1);
      expect(r.manifests[manifestOf('2026-03-03')]!.processed).not.toContain(late);
    },
  );

  withPython('a manifest that is JSON but not {"processed": [keys]} is named as damaged', () => {
    for (const body of ['[]', 'null', '{"processed": null}', '{"processed": [1]}']) {
      const r = runEvents({ raw: backlog, batchBytes: 250e6, curated: { [manifestOf('2026-03-02')]: body } });
      expect(r.error).toMatch(
        /s3:\/\/cur\/_state\/compaction\/page_view\/arrival_date=2026-03-02\.json is damaged \(not a compaction manifest/,
      );
      expect(r.batches).toEqual([]);
    }
  });
});
