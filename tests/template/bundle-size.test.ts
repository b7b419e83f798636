/**
 * The function bundles `sls package --stage prod` writes (.serverless/<function>.zip, offline): each handler's
 * minified .js within its size bound (issue 15), the AWS SDK v3 left to the nodejs24.x runtime (serverless.yml
 * custom.esbuild.exclude), nothing of ajv's compiler inside (the validators are generated at build time), and in the
 * query function one SQL grammar and nothing of the local query engine (lib/bundle-runtime.ts).
 * Sizes only: the module init time is a measurement of `npm run bench`, not a test.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageService, type Packaged } from '../support/template';

const KB = 1024;
/** Uncompressed main .js of each function, at most. */
const BOUNDS: Record<string, number> = { ingest: 250 * KB, validateUpload: 250 * KB, queries: 350 * KB };

let packaged: Packaged;

beforeAll(async () => {
  packaged = await packageService('prod');
}, 400_000);

/** The entries of a zip with their uncompressed sizes (`unzip -l`). */
function zipEntries(zip: string): { name: string; bytes: number }[] {
  const out = execFileSync('unzip', ['-l', zip]).toString();
  return out
    .split('\n')
    .map((line) => /^\s*(\d+)\s+\S+\s+\S+\s+(.+)$/.exec(line))
    .filter((m): m is RegExpExecArray => !!m && !m[2]!.endsWith('/'))
    .map((m) => ({ name: m[2]!.trim(), bytes: Number(m[1]) }));
}

function mainJs(fn: string, handlerFile: string) {
  const zip = path.join(packaged.dir, `${fn}.zip`);
  const entries = zipEntries(zip);
  const main = entries.find((e) => e.name === handlerFile);
  if (!main) throw new Error(`${fn}.zip has no ${handlerFile}: ${entries.map((e) => e.name).join(', ')}`);
  const text = execFileSync('unzip', ['-p', zip, handlerFile], { maxBuffer: 64 * 1024 * 1024 }).toString();
  return { entries, bytes: main.bytes, text };
}

const FUNCTIONS: [string, string][] = [
  ['ingest', 'functions/ingest.js'],
  ['validateUpload', 'functions/validate-upload.js'],
  ['queries', 'functions/queries.js'],
];

describe('function bundles', () => {
  it.each(FUNCTIONS)('%s: its .js is within its bound', (fn, file) => {
    const { bytes } = mainJs(fn, file);
    expect(bytes).toBeLessThanOrEqual(BOUNDS[fn]!);
  });

  it('queries: one SQL grammar (Trino), no local query engine (lib/bundle-runtime.ts)', () => {
    const { text } = mainJs('queries', 'functions/queries.js');
    // Each of node-sql-parser's grammars (build/<database>.js) carries its own peggy SyntaxError class.
    expect(text.match(/name="SyntaxError"/g)).toHaveLength(1);
    expect(text).toContain('database:"trino"');
    // big-integer is the one-comparison stand-in (serverless.yml custom.esbuild.alias), not the library.
    expect(text).toContain('big-integer-as-number.cjs stands in');
    expect(text).not.toContain('Invalid integer:');
    // The DuckDB engine and its dialect: the driver, the session settings of the sandbox, the Trino macros.
    expect(text).not.toContain('@duckdb/node-api');
    expect(text).not.toContain('enable_external_access');
    expect(text).not.toContain('CREATE OR REPLACE TEMP MACRO');
  });

  it('queries: built for AWS, it refuses to run against the local lake, naming why', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'queries-bundle-'));
    try {
      const bundle = path.join(dir, 'queries.js');
      writeFileSync(bundle, mainJs('queries', 'functions/queries.js').text);
      const script = `require(${JSON.stringify(bundle)}).handler(
          { httpMethod: 'GET', resource: '/tables', path: '/tables', headers: {}, requestContext: {} },
          { awsRequestId: 'r', functionName: 'queries', getRemainingTimeInMillis: () => 1000 },
        ).then((r) => process.stdout.write('\\nRESULT ' + JSON.stringify(r)));`;
      const run = spawnSync(process.execPath, ['-e', script], {
        env: {
          PATH: process.env.PATH,
          NODE_PATH: path.resolve(__dirname, '../../node_modules'),
          LAKE_RUNTIME: 'local',
          POWERTOOLS_LOG_LEVEL: 'ERROR',
          AWS_REGION: 'us-east-1',
        },
        encoding: 'utf8',
      });
      // The answer on stdout, the error's log line on stderr.
      const out = run.stdout;
      const result = JSON.parse(out.slice(out.indexOf('RESULT ') + 7)) as { statusCode: number };
      expect(result.statusCode).toBe(500);
      expect(run.stderr).toContain('this bundle was built for AWS (LAKE_BUNDLE_RUNTIME=aws)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lake: built for AWS, it knows the lake’s tables from its environment (schemas/ is not in the bundle)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lake-bundle-'));
    try {
      const bundle = path.join(dir, 'lake.js');
      writeFileSync(bundle, mainJs('lake', 'functions/lake.js').text);
      // The runtime's SDK, where the bundle's imports (ES modules: NODE_PATH is not read) find it.
      symlinkSync(path.resolve(__dirname, '../../node_modules'), path.join(dir, 'node_modules'));
      const env = packaged.template.Resources.LakeLambdaFunction!.Properties.Environment.Variables as Record<
        string,
        unknown
      >;
      const tableEnv = Object.fromEntries(
        Object.entries(env).filter(([k, v]) => k.startsWith('LAKE_') && typeof v === 'string'),
      ) as Record<string, string>;
      const start = (table: string) => {
        const script = `require(${JSON.stringify(bundle)}).handler(
            { httpMethod: 'POST', resource: '/executions', path: '/executions',
              headers: { 'content-type': 'application/json' },
              body: ${JSON.stringify(JSON.stringify({ mode: 'replay', table }))}, requestContext: {} },
            { awsRequestId: 'r', functionName: 'lake', getRemainingTimeInMillis: () => 1000 },
          ).then((r) => process.stdout.write('\\nRESULT ' + JSON.stringify(r)));`;
        const run = spawnSync(process.execPath, ['-e', script], {
          cwd: dir,
          env: {
            PATH: process.env.PATH,
            NODE_PATH: path.resolve(__dirname, '../../node_modules'),
            ...tableEnv,
            RAW_BUCKET: 'raw',
            // Nothing listens there: a start that passes the check fails at Step Functions, not before.
            ETL_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:data-lake-prod-etl',
            AWS_ENDPOINT_URL_SFN: 'http://127.0.0.1:9',
            AWS_ACCESS_KEY_ID: 'test',
            AWS_SECRET_ACCESS_KEY: 'test',
            AWS_MAX_ATTEMPTS: '1',
            POWERTOOLS_LOG_LEVEL: 'ERROR',
            AWS_REGION: 'us-east-1',
          },
          encoding: 'utf8',
        });
        const out = run.stdout;
        return JSON.parse(out.slice(out.indexOf('RESULT ') + 7)) as { statusCode: number; body: string };
      };
      expect(tableEnv.LAKE_RUNTIME).toBe('aws');
      const unknown = start('no_such_table');
      expect(unknown.statusCode).toBe(400);
      const { message } = JSON.parse(unknown.body) as { message: string };
      for (const t of ['orders', 'customers', 'page_view', 'signup']) expect(message).toContain(t);
      // A table of schemas/ passes the check: the answer is Step Functions' (unreachable here), not UNKNOWN_TABLE.
      const known = start('orders');
      expect(known.body).not.toContain('UNKNOWN_TABLE');
      expect(known.statusCode).toBeGreaterThanOrEqual(500);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(FUNCTIONS)('%s: the AWS SDK is the runtime’s, required, not bundled or packaged', (fn, file) => {
    const { entries, text } = mainJs(fn, file);
    expect(entries.filter((e) => e.name.includes('node_modules/'))).toEqual([]);
    expect(text).toMatch(/require\("@aws-sdk\/client-[a-z0-9-]+"\)/);
    // A bundled client would carry the SDK's middleware (its user-agent header among them).
    expect(text).not.toContain('x-amz-user-agent');
  });

  it.each(FUNCTIONS.filter(([fn]) => fn !== 'queries'))(
    '%s: validators precompiled, no ajv compiler inside',
    (fn, file) => {
      const { text } = mainJs(fn, file);
      // ajv's compiler carries these messages; the generated validators and ajv's runtime helpers do not.
      expect(text).not.toContain('schema with key or id');
      expect(text).not.toContain('unknown keyword');
    },
  );
});
