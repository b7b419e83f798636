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
stores = {}
class FakeS3:
    # An S3 client over {key: text}: get_object, list_objects_v2 and its paginator, and the writes (put_object, copy,
    # delete_object, delete_objects), as the job calls them. {"$s3": objects, "$store": name} shares one store between
    # calls ({"$objects": name} is its objects then); "$fail": {"copy": n} fails the n-th copy (from 1), "delete": n
    # the n-th delete_objects, as S3 could.
    class exceptions:
        class NoSuchKey(Exception):
            pass
    def __init__(self, objects, fail=None):
        self.objects = objects
        self.fail = dict(fail or {})
        self.calls = {"copy": 0, "delete": 0}
    def failing(self, what):
        self.calls[what] += 1
        when = self.fail.get(what)
        if when == self.calls[what] or (isinstance(when, list) and self.calls[what] in when):
            raise RuntimeError("injected %s failure (S3 503 Slow Down)" % what)
    def put_object(self, Bucket, Key, Body, ContentType=None):
        self.objects[Key] = Body.decode("utf-8") if isinstance(Body, bytes) else Body
    def copy(self, CopySource, Bucket, Key):
        self.failing("copy")
        self.objects[Key] = self.objects[CopySource["Key"]]
    def delete_object(self, Bucket, Key):
        self.objects.pop(Key, None)
    def delete_objects(self, Bucket, Delete):
        # An injected failure is what S3 answers a key it could not delete: an error of its own in a 200 answer.
        try:
            self.failing("delete")
        except RuntimeError as e:
            first, *rest = [o["Key"] for o in Delete["Objects"]]
            for key in rest:
                self.objects.pop(key, None)
            return {"Errors": [{"Key": first, "Code": "InternalError", "Message": str(e)}]}
        for o in Delete["Objects"]:
            self.objects.pop(o["Key"], None)
        return {}
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
    if isinstance(a, list):
        return [arg(x) for x in a]
    if isinstance(a, dict) and "$s3" in a:
        if "$store" not in a:
            return FakeS3(a["$s3"], a.get("$fail"))
        if a["$store"] not in stores:
            stores[a["$store"]] = FakeS3(a["$s3"], a.get("$fail"))
        store = stores[a["$store"]]
        store.fail = dict(a.get("$fail") or {})
        store.calls = {"copy": 0, "delete": 0}
        return store
    if isinstance(a, dict) and "$reader" in a:
        data = base64.b64decode(a["$reader"])
        def read(size):
            reads.append(size)
            return data[:size]
        return read
    if isinstance(a, dict) and "$datetime" in a:
        import datetime
        return datetime.datetime.fromisoformat(a["$datetime"])
    return base64.b64decode(a["$b64"]) if isinstance(a, dict) and "$b64" in a else a
out = []
for name, *args in json.load(sys.stdin):
    if name == "$objects":
        out.append({"value": dict(stores[args[0]].objects)})
        continue
    printed = io.StringIO()
    try:
        v = getattr(job, name)
        del reads[:]
        with contextlib.redirect_stdout(printed):
            value = v(*[arg(a) for a in args]) if callable(v) else v
        out.append({"value": value, "reads": list(reads), "printed": printed.getvalue()})
    except (job.JobError, RuntimeError) as e:
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
/**
 * An S3 client kept between the calls of one py([...]) under `store` (its objects: the call storeObjects(store)),
 * failing its n-th copy or delete_objects (or each of a list of them) of the call it is given to, when asked.
 */
export const sharedS3 = (
  store: string,
  objects: Record<string, string> = {},
  fail?: { copy?: number | number[]; delete?: number | number[] },
) => ({
  $s3: objects,
  $store: store,
  ...(fail ? { $fail: fail } : {}),
});
/** The call that answers the objects of a shared store (sharedS3) at that point of the calls. */
export const storeObjects = (store: string) => ['$objects', store];
/** A timezone-aware datetime argument (ISO-8601 with an offset). */
export const datetimeArg = (iso: string) => ({ $datetime: iso });
/** A read(size) function over the bytes (their first size bytes); the sizes it was called with come as reads. */
export const reader = (b: Buffer) => ({ $reader: b.toString('base64') });

/**
 * Python of an S3 client over the global dict `objects` ({(bucket, key): bytes}) for programs that run the job's
 * functions with Spark stood in for: get_object (its Body read in pieces) and put_object; a program subclasses S3 for
 * the listing and deleting it needs.
 */
export const BYTES_S3 = `
class Body:
    def __init__(self, data):
        self.data, self.at = data, 0
    def read(self, n=-1):
        chunk = self.data[self.at :] if n < 0 else self.data[self.at : self.at + n]
        self.at += len(chunk)
        return chunk
class S3:
    class exceptions:
        class NoSuchKey(Exception):
            pass
    def get_object(self, Bucket, Key, Range=None):
        if (Bucket, Key) not in objects:
            raise S3.exceptions.NoSuchKey(Key)
        return {"Body": Body(objects[(Bucket, Key)])}
    def put_object(self, Bucket, Key, Body, ContentType=None):
        objects[(Bucket, Key)] = Body
`;
