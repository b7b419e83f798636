/**
 * The Glue job's take of the queue of accepted uploads (resources/glue/etl_job.py take_uploads) in python3, with
 * Spark's part (run_plan) stood in for, held to what the local runner does (lib/etl/duckdb-runner/uploads.ts):
 *  - the uploads of a table run in batches of BATCH_BYTES, each upload's result written once its batch is in (one
 *    batch of every upload could outrun the job's timeout at every run, and give them all up);
 *  - a gzip stream cut short fails its own upload (Etl.InvalidInput) before any read (Spark's EOFException failed the
 *    whole batch);
 *  - a file replaced while its batch was read (Spark reads what is under the key then) fails its own upload
 *    (Etl.InputMissing) and the rest of the batch runs again without it: the other version never reaches the table;
 *  - a batch that fails otherwise runs again upload by upload.
 */
import { execFileSync } from 'node:child_process';
import { etlPlansFile } from '../../lib/etl/plans';
import { BYTES_S3, python, script, withPython } from '../etl/glue-job-python';

const PROGRAM = `
import contextlib, gzip, importlib.util, io, json, sys
spec = importlib.util.spec_from_file_location("etl_job", sys.argv[1])
job = importlib.util.module_from_spec(spec)
spec.loader.exec_module(job)
given = json.load(sys.stdin)
objects, versions = {}, {}
for key, f in given["raw"].items():
    body = ("h\\n" + "r\\n" * f.get("lines", 1)).encode()
    if key.endswith(".gz"):
        body = gzip.compress(body)
        body = body[: -f["cut"]] if f.get("cut") else body
    objects[("raw", key)] = body
    versions[key] = "v1"
for key, value in given["pending"].items():
    objects[("cur", key)] = json.dumps(value).encode()
${BYTES_S3}
class LakeS3(S3):
    def delete_object(self, Bucket, Key):
        objects.pop((Bucket, Key), None)
    def list_objects_v2(self, Bucket, Prefix, MaxKeys=1000):
        keys = sorted(k for b, k in objects if b == Bucket and k.startswith(Prefix))[:MaxKeys]
        return {"KeyCount": len(keys), "Contents": [{"Key": k} for k in keys]}
    def get_paginator(self, name):
        client = self
        class P:
            def paginate(self, Bucket, Prefix):
                return [client.list_objects_v2(Bucket, Prefix)]
        return P()
def head_object(s3, bucket, key):
    if key in given.get("headFails", []):
        raise RuntimeError("AccessDenied: HeadObject")  # S3 refusing the read: not the file's answer
    if (bucket, key) not in objects:
        return None
    return {"ContentLength": given["raw"][key].get("size", len(objects[(bucket, key)])), "VersionId": versions[key], "ETag": '"%s-%s"' % (key, versions[key])}
job.head_object = head_object
batches = []
class JobKilled(BaseException):
    pass
def run_plan(spark, s3, options, layout, plan, keys, started_at, declared=None, reload=False, after_read=None, outcome=None, **kw):
    batches.append(list(keys))
    for key in given.get("replaceWhileRead", []):
        versions[key] = "v2"  # written again while Spark read it
    if after_read:
        after_read()
    for key in keys:
        if key in given.get("unclosedQuote", []):
            # What read_raw_input's check raises for a CSV upload with a quote never closed (refuse_unclosed_quotes).
            raise job.UploadUnreadable(key, job.UNCLOSED_QUOTE_REASON % (3, 11))
    if any(k in given.get("crashing", []) for k in keys):
        raise JobKilled()  # the job's timeout, a driver crash: the run ends where it is
    if any(k in given.get("failing", []) for k in keys):
        raise RuntimeError("Spark failed on a file of the batch")
    if given.get("catalogMismatch"):
        raise job.CatalogMismatch("Glue table lake.orders does not match the ETL plan (columns …)")
    if given.get("swapFails"):
        raise job.SwapFailed("the swap of _state/swaps/r-0.json failed (InternalError): the next run finishes or undoes it")
    f = job.table_figures(plan, len(keys), 0, 0, len(keys), ["dt=2026-03-01"], None, layout)
    sources = {k: {"rowsRead": 1, "rowsRejected": 0, "rowsWritten": 1, "partitions": ["dt=2026-03-01"]} for k in keys}
    # The outcome, recorded as the real run_plan's swap records it (its last step).
    job.record_outcome(s3, options["curated_bucket"], outcome(f, sources) if outcome else None)
    return f, sources
job.run_plan = run_plan
job.BATCH_BYTES = given["batchBytes"]
options = {"mode": "events", "table": None, "raw_bucket": "raw", "curated_bucket": "cur", "run_id": "r", "batches": 0, "job_run_id": None}
printed = io.StringIO()
inputs, counts, error = [], None, None
try:
    with contextlib.redirect_stdout(printed):
        inputs, tables, counts = job.take_uploads(None, LakeS3(), options, given["plans"], job.datetime.now(job.timezone.utc))
except job.JobError as e:
    error = str(e)
except JobKilled:
    error = "killed"
except RuntimeError as e:
    error = str(e)
results = {k.rsplit("/", 1)[-1][:-5]: json.loads(v) for (b, k), v in objects.items() if b == "cur" and "/done/" in k}
pending = sorted(k.rsplit("/", 1)[-1][:-5] for (b, k) in objects if b == "cur" and "/pending/" in k)
attempts = {k.rsplit("/", 1)[-1][:-5]: json.loads(v).get("attempts", 0) for (b, k), v in objects.items() if b == "cur" and "/pending/" in k}
json.dump({"attempts": attempts, "batches": batches, "inputs": inputs, "counts": counts, "error": error, "pending": pending, "results": {e: [r["status"], r.get("error"), r.get("cause")] for e, r in results.items()}}, sys.stdout)
`;

const plans = etlPlansFile();
type Upload = { lines?: number; size?: number; cut?: number; attempts?: number };

function takeUploads(given: {
  raw: Record<string, Upload>;
  batchBytes: number;
  replaceWhileRead?: string[];
  unclosedQuote?: string[];
  failing?: string[];
  crashing?: string[];
  headFails?: string[];
  catalogMismatch?: boolean;
  swapFails?: boolean;
}) {
  const pending = Object.fromEntries(
    Object.keys(given.raw).map((key, i) => {
      const execution = `orders-${i}`;
      const record = {
        execution,
        table: 'orders',
        key,
        versionId: 'v1',
        acceptedAt: `2026-03-06T10:00:0${i}.000Z`,
        ...(given.raw[key]!.attempts ? { attempts: given.raw[key]!.attempts } : {}),
      };
      return [`${plans.layout.pendingUploadsPrefix}${execution}.json`, record];
    }),
  );
  const stdout = execFileSync(python!, ['-c', PROGRAM, script], {
    input: JSON.stringify({ ...given, pending, plans }),
  });
  return JSON.parse(stdout.toString()) as {
    attempts: Record<string, number>;
    batches: string[][];
    inputs: string[];
    counts: { taken: number; succeeded: number; failed: number } | null;
    error: string | null;
    pending: string[];
    results: Record<string, [string, string | null, string | null]>;
  };
}

const file = (n: number, ext = 'csv') => `uploads/orders/part-${n}.${ext}`;

describe('the Glue job takes the queue of accepted uploads as the local runner does', () => {
  withPython('in batches of BATCH_BYTES, in queue order; every upload gets its result', () => {
    const raw = Object.fromEntries([0, 1, 2, 3, 4].map((n) => [file(n), { size: 1.5e9 }]));
    const r = takeUploads({ raw, batchBytes: 2 * 1024 ** 3 });
    expect(r.batches).toEqual([[file(0)], [file(1)], [file(2)], [file(3)], [file(4)]]);
    const small = takeUploads({ raw, batchBytes: 4e9 });
    expect(small.batches).toEqual([[file(0), file(1)], [file(2), file(3)], [file(4)]]);
    expect(small.counts).toEqual({ taken: 5, succeeded: 5, failed: 0 });
  });

  withPython('a gzip stream cut short fails its own upload before any read; the others load', () => {
    const r = takeUploads({
      raw: { [file(0)]: {}, [file(1, 'csv.gz')]: { lines: 20000, cut: 500 }, [file(2)]: {} },
      batchBytes: 2 * 1024 ** 3,
    });
    expect(r.batches).toEqual([[file(0), file(2)]]);
    expect(r.results['orders-1']).toEqual([
      'FAILED',
      'Etl.InvalidInput',
      expect.stringMatching(/^'uploads\/orders\/part-1\.csv\.gz' is not a complete gzip stream/),
    ]);
    expect(r.results['orders-0']![0]).toBe('SUCCEEDED');
  });

  /** The second of three uploads in one batch fails alone (`error`, its cause matching `cause`); the batch runs again without it. */
  function failsAlone(
    given: { replaceWhileRead?: string[]; unclosedQuote?: string[] },
    error: string,
    cause: RegExp,
  ) {
    const r = takeUploads({
      raw: { [file(0)]: {}, [file(1)]: {}, [file(2)]: {} },
      batchBytes: 2 * 1024 ** 3,
      ...given,
    });
    expect(r.batches).toEqual([
      [file(0), file(1), file(2)],
      [file(0), file(2)],
    ]);
    expect(r.inputs).toEqual([file(0), file(2)]);
    expect(r.results['orders-1']).toEqual(['FAILED', error, expect.stringMatching(cause)]);
    expect([r.results['orders-0']![0], r.results['orders-2']![0]]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  }

  withPython('a file replaced while its batch was read fails alone; the batch runs again without it', () =>
    failsAlone(
      { replaceWhileRead: [file(1)] },
      'Etl.InputMissing',
      /was replaced after it was accepted \(accepted version v1, now v2\)/,
    ),
  );

  withPython(
    'a CSV upload with a quote never closed fails alone (Etl.InvalidInput); the batch runs again without it',
    () =>
      failsAlone(
        { unclosedQuote: [file(1)] },
        'Etl.InvalidInput',
        /^line 3: a quoted field opened there \(byte 11\) is never closed/,
      ),
  );

  withPython('a batch that fails otherwise runs again upload by upload: only the failing one fails', () => {
    const r = takeUploads({
      raw: { [file(0)]: {}, [file(1)]: {}, [file(2)]: {} },
      batchBytes: 2 * 1024 ** 3,
      failing: [file(1)],
    });
    expect(r.batches).toEqual([[file(0), file(1), file(2)], [file(0)], [file(1)], [file(2)]]);
    expect(r.results['orders-1']).toEqual([
      'FAILED',
      'Etl.TableFailed',
      'orders: Spark failed on a file of the batch',
    ]);
    expect(r.counts).toEqual({ taken: 3, succeeded: 2, failed: 1 });
  });

  withPython(
    'counts an attempt only for the uploads a run reached; one a run took without an outcome runs alone',
    () => {
      // A run that ends in its first batch (the job's timeout, a crash): the uploads after it count nothing.
      const raw = Object.fromEntries([0, 1, 2, 3].map((n) => [file(n), { size: 1.5e9 }]));
      const cut = takeUploads({ raw, batchBytes: 4e9, crashing: [file(1)] });
      expect(cut.error).toBe('killed');
      expect(cut.attempts).toEqual({ 'orders-0': 1, 'orders-1': 1, 'orders-2': 0, 'orders-3': 0 });
      // Taken again: the two of that batch each alone, the others in batches as before.
      const again = takeUploads({
        raw: {
          [file(0)]: { size: 1.5e9, attempts: 1 },
          [file(1)]: { size: 1.5e9, attempts: 1 },
          [file(2)]: { size: 1e9 },
          [file(3)]: { size: 1e9 },
        },
        batchBytes: 4e9,
        crashing: [file(1)],
      });
      expect(again.batches).toEqual([[file(0)], [file(1)]]);
      expect(again.attempts).toEqual({ 'orders-1': 2, 'orders-2': 0, 'orders-3': 0 });
      // Given up after its attempts; the others load.
      const last = takeUploads({
        raw: { [file(0)]: { attempts: 3 }, [file(1)]: {}, [file(2)]: { attempts: 2 }, [file(3)]: {} },
        batchBytes: 4e9,
      });
      expect(last.batches).toEqual([[file(1)], [file(2)], [file(3)]]);
      expect(last.results['orders-0']![1]).toBe('Etl.UploadGivenUp');
      expect(last.counts).toEqual({ taken: 4, succeeded: 3, failed: 1 });
    },
  );

  withPython(
    'an upload whose own check fails the run (S3 refusing it) counts its attempt, and is given up at last',
    () => {
      const failing = takeUploads({
        raw: { [file(0)]: {}, [file(1)]: {} },
        batchBytes: 4e9,
        headFails: [file(0)],
      });
      expect(failing.error).toMatch(/AccessDenied/);
      expect(failing.attempts).toEqual({ 'orders-0': 1, 'orders-1': 0 });
      const last = takeUploads({
        raw: { [file(0)]: { attempts: 3 }, [file(1)]: {} },
        batchBytes: 4e9,
        headFails: [file(0)],
      });
      expect(last.results['orders-0']![1]).toBe('Etl.UploadGivenUp');
      expect(last.counts).toEqual({ taken: 2, succeeded: 1, failed: 1 });
    },
  );

  withPython(
    'a catalog that differs from the plans of the run (a deploy during the run) fails the run, not the uploads: they stay queued',
    () => {
      const r = takeUploads({
        raw: { [file(0)]: {}, [file(1)]: {} },
        batchBytes: 2 * 1024 ** 3,
        catalogMismatch: true,
      });
      expect(r.error).toMatch(/does not match the ETL plan/);
      expect(r.results).toEqual({});
      expect(r.pending).toEqual(['orders-0', 'orders-1']);
    },
  );

  withPython(
    'a swap that failed after its journal fails the run, not the uploads: their rows may be in already',
    () => {
      const r = takeUploads({
        raw: { [file(0)]: {}, [file(1)]: {} },
        batchBytes: 2 * 1024 ** 3,
        swapFails: true,
      });
      expect(r.error).toMatch(/the next run finishes or undoes it/);
      expect(r.results).toEqual({});
      expect(r.pending).toEqual(['orders-0', 'orders-1']);
    },
  );

  withPython('a file of no format the ETL reads fails its own upload; the others load', () => {
    const r = takeUploads({
      raw: { [file(0)]: {}, [file(1, 'txt')]: {}, [file(2)]: {} },
      batchBytes: 2 * 1024 ** 3,
    });
    expect(r.error).toBeNull();
    expect(r.results['orders-1']).toEqual([
      'FAILED',
      'Etl.InvalidInput',
      expect.stringMatching(/cannot tell the format/),
    ]);
    expect([r.results['orders-0']![0], r.results['orders-2']![0]]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  });
});
