/**
 * Section: each function's memory for its largest normal input, beside the Lambda memory serverless.yml gives it.
 * Each function runs in fresh processes (bench/function-memory-child.ts: the handler as deployed, its SDK client
 * answered by aws-sdk-client-mock, RUNS invocations); the figure is the largest peak resident memory of
 * FRESH_PROCESSES runs. It includes Node itself and tsx's TypeScript loader, which a bundled Lambda does not load:
 * an upper bound of what Lambda reports as "Max Memory Used".
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { projectPath, runCommand } from './processes';
import {
  emptyResult,
  fmtBytes,
  fmtInt,
  fmtPct,
  target,
  targetCells,
  type BenchContext,
  type Cell,
  type Section,
  type SectionResult,
} from './report';

const FRESH_PROCESSES = 3;
/** A function's peak should stay under this share of its configured memory (headroom for larger inputs). */
const TARGET_SHARE = 0.6;

/** Row groups of the Parquet upload: a 2 GiB file of DuckDB's default 122,880-row groups (~3 MB each) has ~700. */
const PARQUET_ROW_GROUPS = 700;

const CASES = [
  { fn: 'ingest', input: 'a 500-event batch (the largest POST /events takes)' },
  { fn: 'queries', input: 'a 1,000-row result page (12 text columns)' },
  {
    fn: 'validateUpload',
    input: `a full 1 MiB / 1,000-row sample (JSON lines, plain and gzip), a ${PARQUET_ROW_GROUPS}-row-group Parquet footer`,
  },
  {
    fn: 'lake',
    input:
      "GET /executions/{name}: 1,000 history events (a full page) with ~8 KB of state each, and the ETL's definition",
  },
];

/** A customers Parquet file with PARQUET_ROW_GROUPS row groups (its footer is what validateUpload reads). */
async function writeParquetUpload(file: string): Promise<number> {
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await db.connect();
  try {
    await conn.run(
      `COPY (SELECT 'cust-' || lpad(CAST(n AS VARCHAR), 8, '0') AS customer_id, 'c' || n || '@example.com' AS email, ` +
        `'Name ' || n AS name, 'DE' AS country, 'vip' AS segment, n % 2 = 0 AS marketing_opt_in, n * 1.5 AS lifetime_value, ` +
        `TIMESTAMP '2026-03-01 10:00:00' AS created_at, TIMESTAMP '2026-03-02 10:00:00' AS updated_at ` +
        `FROM range(${PARQUET_ROW_GROUPS * 2048}) t(n)) TO '${file.replaceAll("'", "''")}' (FORMAT parquet, ROW_GROUP_SIZE 2048)`,
    );
  } finally {
    conn.closeSync();
    db.closeSync();
  }
  const tail = Buffer.alloc(8);
  const fh = await fs.open(file);
  try {
    await fh.read(tail, 0, 8, (await fh.stat()).size - 8);
  } finally {
    await fh.close();
  }
  return tail.readUInt32LE(0);
}

/** The memory serverless.yml gives each function (its own memorySize, else the provider's), MB. */
async function configuredMemory(root: string): Promise<Record<string, number>> {
  const doc = YAML.parse(await fs.readFile(path.join(root, 'serverless.yml'), 'utf8'), {
    customTags: [
      { tag: '!GetAtt', resolve: (v: string) => v },
      { tag: '!Ref', resolve: (v: string) => v },
      { tag: '!Sub', resolve: (v: string) => v },
    ],
  }) as { provider: { memorySize?: number }; functions: Record<string, { memorySize?: number }> };
  const out: Record<string, number> = {};
  for (const [name, fn] of Object.entries(doc.functions))
    out[name] = Number(fn.memorySize ?? doc.provider.memorySize ?? 1024);
  return out;
}

async function run(ctx: BenchContext): Promise<SectionResult> {
  const result = emptyResult();
  const memory = await configuredMemory(ctx.root);
  const rows: Cell[][] = [];
  const data: Record<string, unknown> = {};
  const workDir = await fs.mkdtemp(path.join(ctx.tmpBase, 'function-memory-'));
  const parquetFile = path.join(workDir, 'customers.parquet');
  ctx.progress(`memory: writing a ${PARQUET_ROW_GROUPS}-row-group Parquet upload`);
  const footerBytes = await writeParquetUpload(parquetFile);
  try {
    for (const c of CASES) {
      ctx.progress(`memory: ${c.fn}, ${c.input}, ${FRESH_PROCESSES} fresh processes`);
      const peaks: number[] = [];
      for (let i = 0; i < FRESH_PROCESSES; i++) {
        const r = await runCommand(
          path.join(ctx.root, 'node_modules', '.bin', 'node'),
          ['--import', 'tsx', path.join('bench', 'function-memory-child.ts'), c.fn],
          {
            cwd: ctx.root,
            env: {
              ...process.env,
              PATH: projectPath(ctx.root),
              POWERTOOLS_LOG_LEVEL: 'ERROR',
              BENCH_PARQUET_FILE: parquetFile,
            },
            timeoutMs: 120_000,
          },
        );
        const last = r.stdout.trim().split('\n').at(-1) ?? '';
        if (r.code !== 0 || !last.startsWith('{"fn"'))
          throw new Error(`${c.fn}: the memory run failed (exit ${r.code}): ${r.stderr.slice(-1500)}`);
        peaks.push((JSON.parse(last) as { maxRssBytes: number }).maxRssBytes);
      }
      const peak = Math.max(...peaks);
      const configuredMb = memory[c.fn] ?? null;
      const share = configuredMb ? peak / (configuredMb * 1024 * 1024) : null;
      const t = target(`${c.fn}: peak memory / Lambda memory`, share, 'x', '<=', TARGET_SHARE);
      result.targets.push(t);
      rows.push([
        c.fn,
        c.input,
        fmtBytes(peak),
        configuredMb === null ? '-' : `${fmtInt(configuredMb)} MB`,
        fmtPct(share),
        ...targetCells(t),
      ]);
      data[c.fn] = { peaks, configuredMb };
    }
  } finally {
    await fs.rm(workDir, { recursive: true, force: true });
  }
  result.tables.push({
    title: `Functions: peak resident memory for their largest normal input (largest of ${FRESH_PROCESSES} fresh processes)`,
    columns: ['function', 'input', 'peak RSS', 'Lambda memory', 'share', 'target', 'status'],
    rows,
  });
  result.notes.push(
    "peak RSS = the process's maxrss (getrusage), Node and tsx's loader included: a bundled Lambda loads less, so this is an upper bound of Lambda's \"Max Memory Used\"",
    `validateUpload runs its three largest checks in turn, each accepted; the Parquet footer is ${fmtBytes(footerBytes)} ` +
      `(${PARQUET_ROW_GROUPS} row groups). The bucket mock holds only what range reads may ask for, so no object is in memory whole`,
  );
  result.data = data;
  return result;
}

export const functionMemorySection: Section = {
  id: 'memory',
  title: 'Function memory (largest normal input vs configured Lambda memory)',
  run,
};
