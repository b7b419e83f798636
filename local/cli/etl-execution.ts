/**
 * Starts an execution of the ETL state machine on the local lake and waits for its outcome, for the CLIs that run
 * the ETL by hand (npm run compact, replay, rebuild). With a local lake running on LAKE_DIR (npm start) the
 * execution is handed to it; otherwise it runs in this process. Prints the outcome (the notice's detail, or the
 * error and cause) and, once it ended, the run's figures from its summary (_state/runs/<execution>.json). Resolves
 * to the exit code: 0 when it succeeded.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { lakeDir } from '../../lib/config';
import { runSummaryKey, type EtlRunSummary } from '../../lib/etl/run';
import {
  ETL_STATE_MACHINE,
  engineAlive,
  readExecution,
  requestExecution,
  type ExecutionRecord,
} from '../../lib/workflow/local';
import { applyFunctionEnvironment } from '../environment';
import { loadServiceConfig } from '../service-config';

export interface EtlExecutionRequest {
  /** The execution's input, e.g. {"mode": "replay", "table": "orders"}. */
  input: Record<string, unknown>;
  /** Its name's prefix: <prefix>-<yyyyMMddTHHmmssSSSZ>. */
  prefix: string;
  /** Wait for the outcome (default true); in this process it is waited for anyway. */
  wait?: boolean;
  out?: NodeJS.WritableStream;
}

/** <prefix>-<yyyyMMddTHHmmssSSSZ>: two runs asked for in the same second are two executions. */
export function executionName(prefix: string, at = new Date()): string {
  return `${prefix}-${at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.(\d+)Z$/, '$1Z')}`;
}

async function report(
  dir: string,
  r: ExecutionRecord | undefined,
  out: NodeJS.WritableStream,
): Promise<number> {
  if (!r) return 1;
  const detail =
    r.status === 'SUCCEEDED' ? JSON.stringify(r.output) : `${r.error ?? ''} ${r.cause ?? ''}`.trim();
  out.write(`${r.name}: ${r.status}${detail ? ` ${detail}` : ''}\n`);
  const summary = await fs
    .readFile(path.join(dir, 'curated', runSummaryKey(r.name)), 'utf8')
    .then((t) => JSON.parse(t) as EtlRunSummary)
    .catch(() => undefined);
  if (summary) {
    const { tables, rowsRead, rowsWritten, rowsRejected, uploads, replay, rebuild } = summary;
    const figures = { rowsRead, rowsWritten, rowsRejected, uploads, tables, replay, rebuild };
    out.write(`figures: ${JSON.stringify(figures, null, 2)}\n`);
  }
  return r.status === 'SUCCEEDED' ? 0 : 1;
}

async function viaRunningLake(
  dir: string,
  req: EtlExecutionRequest,
  out: NodeJS.WritableStream,
): Promise<number> {
  const name = executionName(req.prefix);
  await requestExecution(dir, ETL_STATE_MACHINE, name, req.input);
  out.write(`started ${name} on the running local lake\n`);
  if (req.wait === false) return 0;
  for (;;) {
    const r = await readExecution(dir, ETL_STATE_MACHINE, name);
    if (r && r.status !== 'RUNNING') return report(dir, r, out);
    if (!(await engineAlive(dir))) {
      out.write(`the local lake stopped; ${name} runs when it starts again\n`);
      return 0;
    }
    await new Promise((res) => setTimeout(res, 500));
  }
}

async function inProcess(dir: string, req: EtlExecutionRequest, out: NodeJS.WritableStream): Promise<number> {
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
    const name = executionName(req.prefix);
    await etl.engine.startExecution(name, req.input);
    out.write(`started ${name} in this process (no local lake is running on ${dir})\n`);
    if (req.wait === false) out.write('waiting for it anyway: it runs in this process\n');
    return await report(dir, await etl.engine.waitForExecution(name, Number.MAX_SAFE_INTEGER), out);
  } finally {
    await etl.stop();
  }
}

export async function runEtlExecution(req: EtlExecutionRequest): Promise<number> {
  const dir = lakeDir();
  const out = req.out ?? process.stdout;
  return (await engineAlive(dir, ETL_STATE_MACHINE))
    ? viaRunningLake(dir, req, out)
    : inProcess(dir, req, out);
}

/** Runs a CLI's main: exits with its code, or 2 (with the stack) when it could not start. */
export function cliMain(what: string, main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`${what} failed to start: ${(err as Error).stack ?? err}\n`);
      process.exit(2);
    },
  );
}
