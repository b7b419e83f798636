/**
 * Section: the ingest handler's CPU per event, in-process (bench/ingest-cpu-child.ts, a fresh process), for 1-, 100-
 * and 500-event batches, and what it costs on Lambda per million events at the configured memory: the function gets
 * memory/1769 MB of a vCPU, so a CPU-bound handler runs 1769/memory times longer than its CPU time (same core
 * speed as this machine assumed), billed per GB-second (arm64) plus per request.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { projectPath, runCommand } from './processes';
import type { Figures } from './ingest-cpu-child';
import { emptyResult, fmtNum, type BenchContext, type Section, type SectionResult } from './report';

/** AWS Lambda, arm64, us-east-1 (published prices): per GB-second and per request. */
const PRICE_PER_GB_SECOND = 0.0000133334;
const PRICE_PER_REQUEST = 0.2 / 1e6;
/** Memory at which a function has one full vCPU. */
const MB_PER_VCPU = 1769;

async function configuredMemoryMb(root: string): Promise<number> {
  const yml = parseYaml(await fs.readFile(path.join(root, 'serverless.yml'), 'utf8'), {
    logLevel: 'error',
  }) as {
    provider?: { memorySize?: number };
    functions?: { ingest?: { memorySize?: number } };
  };
  return yml.functions?.ingest?.memorySize ?? yml.provider?.memorySize ?? 1024;
}

async function run(ctx: BenchContext): Promise<SectionResult> {
  const result = emptyResult();
  const memoryMb = await configuredMemoryMb(ctx.root);
  const out = path.join(await fs.mkdtemp(path.join(ctx.tmpBase, 'bench-ingest-cpu-')), 'figures.json');
  ctx.progress('ingest handler in-process: 1, 100 and 500-event batches');
  const r = await runCommand(
    process.execPath,
    ['--import', 'tsx', path.join(ctx.root, 'bench/ingest-cpu-child.ts')],
    {
      cwd: ctx.root,
      env: {
        PATH: projectPath(ctx.root),
        HOME: process.env.HOME ?? '/tmp',
        BENCH_OUT: out,
        LAKE_RUNTIME: 'aws',
        // As inside Lambda: metrics on (the EMF lines are part of the cost), process.env as Lambda makes it
        // (lib/lambda-environment.ts).
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
        DELIVERY_STREAM_NAME: 'bench',
        AWS_REGION: 'us-east-1',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_METRICS_NAMESPACE: 'DataLake',
        POWERTOOLS_SERVICE_NAME: 'data-lake',
        LAKE_STAGE: 'bench',
        ...Object.fromEntries(
          ['BENCH_INGEST_CPU_EVENTS', 'BENCH_INGEST_CPU_ROUNDS'].flatMap((k) =>
            process.env[k] ? [[k, process.env[k]!]] : [],
          ),
        ),
      },
      timeoutMs: 600_000,
    },
  );
  if (r.code !== 0)
    throw new Error(`ingest CPU run failed (exit ${r.code}): ${r.stderr.trim().slice(-2000)}`);
  const figures = JSON.parse(await fs.readFile(out, 'utf8')) as Record<string, Figures>;
  const slowdown = MB_PER_VCPU / Math.min(memoryMb, MB_PER_VCPU);
  const rows = Object.entries(figures).map(([size, f]) => {
    const billedSecondsPerMillion = (f.cpuUsPerEvent * slowdown * 1e6) / 1e6;
    const compute = billedSecondsPerMillion * (memoryMb / 1024) * PRICE_PER_GB_SECOND;
    const requests = (1e6 / Number(size)) * PRICE_PER_REQUEST;
    return { size: Number(size), ...f, compute, requests, total: compute + requests };
  });
  result.tables.push({
    title: `Ingest handler CPU per event (in-process, whole middy chain, stream stubbed) and Lambda cost per million events at ${memoryMb} MB arm64`,
    columns: [
      'batch',
      'events',
      'CPU µs/event (median)',
      'least',
      'wall µs/event',
      'compute $/M events',
      'requests $/M events',
      'total $/M events',
    ],
    rows: rows.map((x) => [
      x.size,
      x.events,
      fmtNum(x.cpuUsPerEvent, 1),
      fmtNum(x.cpuUsPerEventMin, 1),
      fmtNum(x.wallUsPerEvent, 1),
      fmtNum(x.compute, 4),
      fmtNum(x.requests, 4),
      fmtNum(x.total, 4),
    ]),
  });
  result.notes.push(
    `cost: CPU time × ${fmtNum(slowdown, 2)} (a ${memoryMb} MB function has ${memoryMb}/${MB_PER_VCPU} of a vCPU; this machine's core speed assumed) × ${memoryMb / 1024} GB × $${PRICE_PER_GB_SECOND}/GB-s, plus $0.20 per million requests; Firehose's own price and the handler's wait for PutRecordBatch are not included`,
  );
  result.data = { memoryMb, figures: rows };
  return result;
}

export const ingestCpuSection: Section = {
  id: 'ingest-cpu',
  title: 'Ingest handler CPU per event and Lambda cost',
  run,
};
