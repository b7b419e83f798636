/**
 * `npm run bench`: the performance report. Prints measured numbers beside their targets and writes the same
 * report as JSON to .bench/report.json. A missed target never fails the run; a crash (exit 1) or a failed correctness check (exit 2) does, after
 * everything else has been reported).
 *
 * Environment:
 *   BENCH_SECONDS          measured duration of each ingest load level (default 8)
 *   BENCH_WARMUP_SECONDS   warm-up before each level (default 1.5)
 *   BENCH_CONNECTIONS      ingest concurrency levels (default 1,10,50)
 *   BENCH_INIT_RUNS        fresh processes per bundle for the init-time median (default 5)
 *   BENCH_ONLY             comma-separated section ids to run (default: all)
 *   BENCH_TMPDIR           where temporary lake directories go (default: the OS temp dir)
 *   BENCH_ETL_ROWS         rows of each generated file in the ETL section (default 1000000)
 *   BENCH_ETL_EVENTS       events compacted in the ETL section (default 500000)
 *   BENCH_QUERY_EVENTS     events in the query section's generated lake (default 10000000; kept in .bench/query-lake/)
 *   BENCH_QUERY_DAYS       days the query lake's events span (default 75)
 *   BENCH_QUERY_RUNS       measured runs of each query after its warm-up (default 20)
 *   BENCH_QUERY_FRESH      1: rebuild the query lake even if the kept one matches
 *   BENCH_SYSTEM_SCALE     test (default) or soak: the size of the whole-system proof (bench/system.ts)
 *   BENCH_REPORT           the JSON report's file name under .bench/ (default report.json)
 *
 * `npm run soak` is BENCH_ONLY=system BENCH_SYSTEM_SCALE=soak BENCH_REPORT=soak-report.json.
 * Exit status: 1 if a section crashed, 2 if a correctness check failed (a missed target is reported only).
 *
 * A new section (ETL, query, ...) is a module exporting a `Section`, added to `sections` below.
 */
import os from 'node:os';
import path from 'node:path';
import { bundlesSection } from './bundles';
import { consoleSection } from './console';
import { etlSection } from './etl';
import { functionMemorySection } from './function-memory';
import { ingestSection } from './ingest';
import { ingestCpuSection } from './ingest-cpu';
import { querySection } from './query';
import { systemSection } from './system';
import {
  environmentInfo,
  renderSection,
  renderSummary,
  writeJsonReport,
  type BenchContext,
  type Section,
  type SectionOutcome,
} from './report';

const sections: Section[] = [
  ingestSection,
  ingestCpuSection,
  bundlesSection,
  consoleSection,
  functionMemorySection,
  etlSection,
  querySection,
  systemSection,
];

/** A setting the bench cannot run with: said in one line, exit status 2, as the CLIs say theirs. */
class BenchUsageError extends Error {}

function numberEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    throw new BenchUsageError(`${name} must be a positive number, got '${raw}'`);
  return n;
}

async function main(): Promise<number> {
  const root = path.resolve(__dirname, '..');
  const ctx: BenchContext = {
    root,
    seconds: numberEnv('BENCH_SECONDS', 8),
    warmupSeconds: numberEnv('BENCH_WARMUP_SECONDS', 1.5),
    tmpBase: process.env.BENCH_TMPDIR || os.tmpdir(),
    progress: (message) =>
      process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`),
  };
  const only = (process.env.BENCH_ONLY ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = only.filter((id) => !sections.some((s) => s.id === id));
  if (unknown.length > 0)
    throw new BenchUsageError(
      `BENCH_ONLY: unknown section(s) ${unknown.join(', ')}; known: ${sections.map((s) => s.id).join(', ')}`,
    );
  const selected = only.length > 0 ? sections.filter((s) => only.includes(s.id)) : sections;

  const env = environmentInfo();
  process.stdout.write(
    `Benchmark report — ${new Date().toISOString()}\n` +
      `Node ${env.node}, ${env.cpus} x ${env.cpuModel}, ${env.memoryGB} GB RAM, ${env.platform}\n`,
  );

  const started = performance.now();
  const outcomes: SectionOutcome[] = [];
  for (const [i, section] of selected.entries()) {
    ctx.progress(`section ${section.id}: ${section.title}`);
    const t0 = performance.now();
    const outcome: SectionOutcome = { id: section.id, title: section.title, durationMs: 0 };
    try {
      outcome.result = await section.run(ctx);
    } catch (e) {
      outcome.error = (e as Error).stack ?? String(e);
    }
    outcome.durationMs = performance.now() - t0;
    outcomes.push(outcome);
    process.stdout.write(renderSection(i + 1, outcome) + '\n');
  }
  process.stdout.write(renderSummary(outcomes) + '\n');

  const file = await writeJsonReport(
    root,
    { seconds: ctx.seconds, warmupSeconds: ctx.warmupSeconds, sections: selected.map((s) => s.id) },
    outcomes,
    process.env.BENCH_REPORT || 'report.json',
  );
  process.stdout.write(
    `\nTotal ${((performance.now() - started) / 1000).toFixed(1)} s. JSON report: ${path.relative(process.cwd(), file)}\n`,
  );
  if (outcomes.some((o) => o.error)) return 1;
  return outcomes.some((o) => o.result?.checks.some((c) => !c.ok)) ? 2 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof BenchUsageError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`bench crashed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
