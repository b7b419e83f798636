/**
 * Calls the Spark-free helpers of the Glue job script (resources/glue/etl_job.py) in python3: no Spark, boto3 or
 * awsglue needed. Shared by tests/unit/glue-etl-job.test.ts and tests/etl/glue-job-reload.test.ts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';

export const script = path.resolve(__dirname, '../../resources/glue/etl_job.py');

export const python = (() => {
  const r = spawnSync('python3', ['--version']);
  return r.status === 0 ? 'python3' : null;
})();
export const withPython = python ? it : it.skip;
if (!python) console.warn('python3 is not installed: the Glue job script tests are skipped');

// Calls functions of the script in one python3 process: [[name, ...args]] → results ({error} when one raises; the
// sizes a reader argument was read with as reads).
const DRIVER = `
import base64, contextlib, importlib.util, io, json, sys
spec = importlib.util.spec_from_file_location("etl_job", sys.argv[1])
job = importlib.util.module_from_spec(spec)
spec.loader.exec_module(job)
reads = []
class FakeS3:
    # An S3 client over {key: text}: get_object, list_objects_v2 and its paginator, as the job calls them.
    class exceptions:
        class NoSuchKey(Exception):
            pass
    def __init__(self, objects):
        self.objects = objects
    def get_object(self, Bucket, Key):
        if Key not in self.objects:
            raise FakeS3.exceptions.NoSuchKey(Key)
        body = self.objects[Key].encode("utf-8")
        class Body:
            def read(self):
                return body
        return {"Body": Body()}
    def list_objects_v2(self, Bucket, Prefix, MaxKeys=1000):
        keys = [k for k in sorted(self.objects) if k.startswith(Prefix)][:MaxKeys]
        return {"KeyCount": len(keys), "Contents": [{"Key": k} for k in keys]}
    def get_paginator(self, name):
        client = self
        class Paginator:
            def paginate(self, Bucket, Prefix):
                return [client.list_objects_v2(Bucket, Prefix)]
        return Paginator()
def arg(a):
    if isinstance(a, dict) and "$s3" in a:
        return FakeS3(a["$s3"])
    if isinstance(a, dict) and "$reader" in a:
        data = base64.b64decode(a["$reader"])
        def read(size):
            reads.append(size)
            return data[:size]
        return read
    return base64.b64decode(a["$b64"]) if isinstance(a, dict) and "$b64" in a else a
out = []
for name, *args in json.load(sys.stdin):
    printed = io.StringIO()
    try:
        v = getattr(job, name)
        del reads[:]
        with contextlib.redirect_stdout(printed):
            value = v(*[arg(a) for a in args]) if callable(v) else v
        out.append({"value": value, "reads": list(reads), "printed": printed.getvalue()})
    except job.JobError as e:
        out.append({"error": str(e), "printed": printed.getvalue()})
json.dump(out, sys.stdout, default=sorted)
`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Result = { value?: any; error?: string; reads?: number[]; printed?: string };

export function py(calls: unknown[][]): Result[] {
  const stdout = execFileSync(python!, ['-c', DRIVER, script], { input: JSON.stringify(calls) });
  return JSON.parse(stdout.toString()) as Result[];
}
export const one = (name: string, ...args: unknown[]) => py([[name, ...args]])[0]!;
export const b64 = (b: Buffer) => ({ $b64: b.toString('base64') });
/** An S3 client over these objects (key → text) for the job's functions. */
export const fakeS3 = (objects: Record<string, string>) => ({ $s3: objects });
/** A read(size) function over the bytes (their first size bytes); the sizes it was called with come as reads. */
export const reader = (b: Buffer) => ({ $reader: b.toString('base64') });
