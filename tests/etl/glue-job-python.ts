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
import base64, importlib.util, json, sys
spec = importlib.util.spec_from_file_location("etl_job", sys.argv[1])
job = importlib.util.module_from_spec(spec)
spec.loader.exec_module(job)
reads = []
def arg(a):
    if isinstance(a, dict) and "$reader" in a:
        data = base64.b64decode(a["$reader"])
        def read(size):
            reads.append(size)
            return data[:size]
        return read
    return base64.b64decode(a["$b64"]) if isinstance(a, dict) and "$b64" in a else a
out = []
for name, *args in json.load(sys.stdin):
    try:
        v = getattr(job, name)
        del reads[:]
        out.append({"value": v(*[arg(a) for a in args]) if callable(v) else v, "reads": list(reads)})
    except job.JobError as e:
        out.append({"error": str(e)})
json.dump(out, sys.stdout, default=sorted)
`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Result = { value?: any; error?: string; reads?: number[] };

export function py(calls: unknown[][]): Result[] {
  const stdout = execFileSync(python!, ['-c', DRIVER, script], { input: JSON.stringify(calls) });
  return JSON.parse(stdout.toString()) as Result[];
}
export const one = (name: string, ...args: unknown[]) => py([[name, ...args]])[0]!;
export const b64 = (b: Buffer) => ({ $b64: b.toString('base64') });
/** A read(size) function over the bytes (their first size bytes); the sizes it was called with come as reads. */
export const reader = (b: Buffer) => ({ $reader: b.toString('base64') });
