/**
 * The Glue job's replay run again under its run id after its job run died (resources/glue/etl_job.py run_replay), in
 * python3 with Spark's part stood in for, held to what the local runner does (lib/etl/duckdb-runner/replay.ts,
 * tests/etl/replay.test.ts): the run again takes the same rejected files and reads only the raw objects whose batches
 * were not in, so that a row that still fails is recorded once under the run id; the progress record goes at the end.
 */
import { execFileSync } from 'node:child_process';
import { etlPlansFile } from '../../lib/etl/plans';
import { rebuildingStateKey, replayedStateKey, replayingStateKey } from '../../lib/etl/rejected';
import { BYTES_S3, python, script, withPython } from '../etl/glue-job-python';

const PROGRAM = `
import contextlib, importlib.util, io, json, sys
spec = importlib.util.spec_from_file_location("etl_job", sys.argv[1])
job = importlib.util.module_from_spec(spec)
spec.loader.exec_module(job)
given = json.load(sys.stdin)
objects = {("cur", k): (v.encode() if isinstance(v, str) else json.dumps(v).encode()) for k, v in given["curated"].items()}
${BYTES_S3}
class LakeS3(S3):
    def delete_object(self, Bucket, Key):
        objects.pop((Bucket, Key), None)
    def get_paginator(self, name):
        class P:
            def paginate(self, Bucket, Prefix):
                keys = sorted(k for b, k in objects if b == Bucket and k.startswith(Prefix))
                return [{"Contents": [{"Key": k} for k in keys]}]
        return P()
class JobKilled(BaseException):
    pass
job.rejected_sources = lambda spark, bucket, taken: sorted({(s, frozenset()) for f in taken for s in given["sources"].get(f, [])})
job.head_object = lambda s3, bucket, key: {"ContentLength": 10, "ETag": '"e"'}
job.queue_records = lambda s3, bucket, layout: []
job.list_objects = lambda s3, bucket, prefix, **kw: [
    [k, 10, "e"] for k in given.get("uploads", []) if bucket == "raw" and k.startswith(prefix)]
read = []
def run_plan(spark, s3, options, layout, plan, keys, started_at, declared=None, reload=False, after_read=None, outcome=None, **kw):
    read.append(list(keys))
    if any(k in given.get("crashing", []) for k in keys):
        raise JobKilled()
    f = job.table_figures(plan, len(keys), 0, len(keys), 0, [], None, layout)
    job.record_outcome(s3, options["curated_bucket"], outcome(f, {}) if outcome else None)
    return f, {}
job.run_plan = run_plan
job.BATCH_BYTES = 1
options = {"mode": given.get("mode", "replay"), "table": "orders", "raw_bucket": "raw", "curated_bucket": "cur", "run_id": given["runId"], "batches": 0, "job_run_id": None, "rejected_written": []}
summary, error = None, None
printed = io.StringIO()
try:
    with contextlib.redirect_stdout(printed):
        run = job.run_rebuild if options["mode"] == "rebuild" else job.run_replay
        _, _, summary = run(None, LakeS3(), options, given["plans"], job.datetime.now(job.timezone.utc))
except JobKilled:
    error = "killed"
state = {k: json.loads(v) for (b, k), v in objects.items() if b == "cur" and k.startswith("_state/")}
json.dump({"read": read, "summary": summary, "error": error, "state": state, "printed": printed.getvalue()}, sys.stdout)
`;

const plans = etlPlansFile();
const rejected = (name: string) => `rejected/table_name=orders/run_date=2026-03-05/${name}.json`;

function replay(given: {
  runId: string;
  curated: Record<string, unknown>;
  crashing?: string[];
  mode?: 'replay' | 'rebuild';
  uploads?: string[];
}) {
  const stdout = execFileSync(python!, ['-c', PROGRAM, script], {
    input: JSON.stringify({
      ...given,
      plans,
      sources: {
        [rejected('load-a-0')]: ['uploads/orders/a.csv'],
        [rejected('load-b-0')]: ['uploads/orders/b.csv'],
      },
    }),
  });
  return JSON.parse(stdout.toString()) as {
    read: string[][];
    summary: { rejectedFiles?: number; sources: number } | null;
    error: string | null;
    state: Record<string, unknown>;
    printed: string;
  };
}

describe('the Glue job runs a replay again as the local runner does', () => {
  withPython('reads only the raw objects whose batches were not in, then records the files it took', () => {
    const curated = { [rejected('load-a-0')]: {}, [rejected('load-b-0')]: {} };
    const cut = replay({ runId: 'replay-k', curated, crashing: ['uploads/orders/b.csv'] });
    expect(cut.error).toBe('killed');
    expect(cut.read).toEqual([['uploads/orders/a.csv'], ['uploads/orders/b.csv']]);
    const progress = {
      runId: 'replay-k',
      taken: [rejected('load-a-0'), rejected('load-b-0')],
      done: ['uploads/orders/a.csv'],
    };
    expect(cut.state[replayingStateKey('orders')]).toEqual(progress);
    // What it reads, recorded before its first batch (a replay that dies or fails has said it), as the local runner.
    const readByCut = { 'replay-k': { 'uploads/orders/a.csv': 'e', 'uploads/orders/b.csv': 'e' } };
    expect(cut.state[replayedStateKey('orders')]).toEqual({ replayed: [], read: readByCut });
    // Its own rejected file of the first attempt is there now; the run again takes the files it had taken.
    const again = replay({
      runId: 'replay-k',
      curated: {
        ...curated,
        [rejected('replay-k-0')]: {},
        [replayingStateKey('orders')]: progress,
        [replayedStateKey('orders')]: cut.state[replayedStateKey('orders')],
      },
    });
    expect(again.error).toBeNull();
    expect(again.read).toEqual([['uploads/orders/b.csv']]);
    expect(again.printed).toMatch(
      /run again after its first attempt ended unfinished.*"objectsLoadedBefore": 1/,
    );
    // Its figures count what it read now (the warning says the first attempt loaded a.csv).
    expect(again.summary).toMatchObject({ rejectedFiles: 2, sources: 1 });
    expect(again.state[replayingStateKey('orders')]).toBeUndefined();
    // With the content of the uploads it read (ReplayedState.read), a.csv's by the attempt that died kept.
    expect(again.state[replayedStateKey('orders')]).toEqual({ replayed: progress.taken, read: readByCut });
    // Another replay's progress (a run that never ran again) is not taken for this one's.
    const other = replay({
      runId: 'replay-new',
      curated: { ...curated, [replayingStateKey('orders')]: { ...progress, runId: 'replay-old' } },
    });
    expect(other.read).toEqual([['uploads/orders/a.csv'], ['uploads/orders/b.csv']]);
    // A record that does not read is taken for none (told), and a file taken and gone since is not read.
    const damaged = replay({
      runId: 'replay-k',
      curated: { ...curated, [replayingStateKey('orders')]: '{"runId":"replay-k","tak' },
    });
    expect(damaged.error).toBeNull();
    expect(damaged.printed).toMatch(/a progress record of a replay or rebuild does not read: taken for none/);
    expect(damaged.read).toEqual([['uploads/orders/a.csv'], ['uploads/orders/b.csv']]);
    const moved = replay({
      runId: 'replay-k',
      curated: { [rejected('load-a-0')]: {}, [replayingStateKey('orders')]: { ...progress, done: [] } },
    });
    expect(moved.read).toEqual([['uploads/orders/a.csv']]);
    expect(moved.summary).toMatchObject({ rejectedFiles: 1, sources: 1 });
  });

  withPython('a rebuild run again reads only the uploads whose batches were not in', () => {
    const uploads = ['uploads/orders/a.csv', 'uploads/orders/b.csv'];
    const cut = replay({
      mode: 'rebuild',
      runId: 'rebuild-k',
      curated: {},
      uploads,
      crashing: [uploads[1]!],
    });
    expect(cut.error).toBe('killed');
    const progress = { runId: 'rebuild-k', done: [uploads[0]] };
    expect(cut.state[rebuildingStateKey('orders')]).toEqual(progress);
    const again = replay({
      mode: 'rebuild',
      runId: 'rebuild-k',
      curated: { [rebuildingStateKey('orders')]: progress },
      uploads,
    });
    expect(again.error).toBeNull();
    expect(again.read).toEqual([[uploads[1]]]);
    expect(again.summary).toMatchObject({ sources: 1 });
    expect(again.state[rebuildingStateKey('orders')]).toBeUndefined();
  });
});
