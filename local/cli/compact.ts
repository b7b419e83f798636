/**
 * `npm run compact`: compacts the streamed events now — starts the ETL state machine with {"mode":"events"}, as its
 * schedule does. With a local lake running on LAKE_DIR (npm start) the execution is handed to it; otherwise it runs
 * in this process. Waits for the outcome and prints it (--no-wait: only start it). Exit code 0 when it succeeded.
 */
import { lakeDir } from '../../lib/config';
import {
  ETL_STATE_MACHINE,
  engineAlive,
  readExecution,
  requestExecution,
  type ExecutionRecord,
} from '../../lib/workflow/local';
import { applyFunctionEnvironment } from '../environment';
import { loadServiceConfig } from '../service-config';

const INPUT = { mode: 'events' };

function executionName(at = new Date()): string {
  return `compact-${at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
}

function report(r: ExecutionRecord | undefined): number {
  if (!r) return 1;
  const detail =
    r.status === 'SUCCEEDED' ? JSON.stringify(r.output) : `${r.error ?? ''} ${r.cause ?? ''}`.trim();
  process.stdout.write(`${r.name}: ${r.status}${detail ? ` ${detail}` : ''}\n`);
  return r.status === 'SUCCEEDED' ? 0 : 1;
}

async function viaRunningLake(dir: string, wait: boolean): Promise<number> {
  const name = executionName();
  await requestExecution(dir, ETL_STATE_MACHINE, name, INPUT);
  process.stdout.write(`started ${name} on the running local lake\n`);
  if (!wait) return 0;
  for (;;) {
    const r = await readExecution(dir, ETL_STATE_MACHINE, name);
    if (r && r.status !== 'RUNNING') return report(r);
    if (!(await engineAlive(dir))) {
      process.stdout.write(`the local lake stopped; ${name} runs when it starts again\n`);
      return 0;
    }
    await new Promise((res) => setTimeout(res, 500));
  }
}

async function inProcess(dir: string, wait: boolean): Promise<number> {
  const stage = process.env.LAKE_STAGE || 'local';
  const config = await loadServiceConfig(stage);
  applyFunctionEnvironment(config);
  // Loaded after the environment is set, as local/main.ts does.
  const { startLocalEtl } = await import('../step-functions');
  // Only this execution: requests of other processes are left to the lake (npm start).
  const etl = await startLocalEtl({
    config,
    stage,
    lakeDir: dir,
    schedule: false,
    engine: { pollIntervalMs: 0, recover: false },
  });
  try {
    const started = await etl.startScheduled('compact');
    process.stdout.write(`started ${started.name} in this process (no local lake is running on ${dir})\n`);
    if (!wait) process.stdout.write('waiting for it anyway: it runs in this process\n');
    return report(await etl.engine.waitForExecution(started.name, Number.MAX_SAFE_INTEGER));
  } finally {
    await etl.stop();
  }
}

async function main(argv: string[]): Promise<number> {
  const wait = !argv.includes('--no-wait');
  const dir = lakeDir();
  return (await engineAlive(dir, ETL_STATE_MACHINE)) ? viaRunningLake(dir, wait) : inProcess(dir, wait);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`compaction failed to start: ${(err as Error).stack ?? err}\n`);
    process.exit(2);
  },
);
