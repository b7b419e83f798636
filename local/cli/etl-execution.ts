/**
 * Starts an execution of the ETL state machine on the local lake and waits for its outcome, for the CLIs that run
 * the ETL by hand (npm run compact, replay, rebuild). With a local lake running on LAKE_DIR (npm start) the
 * execution is handed to it; otherwise it runs in this process. Where LAKE_DIR holds no lake it says so and starts
 * nothing (a mistyped LAKE_DIR or another folder would otherwise make, and report on, an empty lake). Prints the lake
 * it used, the outcome and, once it ended, the run's figures from its summary (_state/runs/<execution>.json) in a
 * few lines (describeRun), or the error and cause. Resolves to the exit code: 0 when it succeeded.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { refusedSchemaEdits } from '../../lib/catalog/refused-edits';
import { lakeTable } from '../../lib/catalog/tables';
import { lakeDir } from '../../lib/config';
import { executionName } from '../../lib/workflow/names';
import {
  ETL_STATE_MACHINE,
  engineAlive,
  isFinal,
  readExecution,
  requestExecution,
  type ExecutionRecord,
} from '../../lib/workflow/local';
import { applyFunctionEnvironment } from '../environment';
import { applySchemas, SchemasRefused } from '../schemas-follower';
import { loadServiceConfig, type ServiceConfig } from '../service-config';
import { lakeDirProblem } from '../lake-dir-checks';
import { notLocalStage, startSettingProblem } from '../start-settings';
import { exitWhenWritten, quietWhenOutputClosed } from './exit';
import { causeText, eventsTakenBy, eventsTakenText } from './execution-summary';
import { describeRun, readRunSummary } from './run-figures';
import { isToldRefusal } from '../told-refusals';
import { checkLakeFormat, claimLakeFormat, LakeFormatError } from '../../lib/lake-format';
import { claimLakeDir, LakeDirInUse, type Presence } from '../../lib/lake-presence';

export interface EtlExecutionRequest {
  /** The execution's input, e.g. {"mode": "replay", "table": "orders"}. */
  input: Record<string, unknown>;
  /** Its name's prefix: <prefix>-<yyyyMMddTHHmmssSSSZ>. */
  prefix: string;
  /** Wait for the outcome (default true); in this process it is waited for anyway. */
  wait?: boolean;
  out?: NodeJS.WritableStream;
  err?: NodeJS.WritableStream;
}

export { executionName } from '../../lib/workflow/names';

/** Whether a folder holds a (non-empty) file, at any depth: stops at the first one. */
export async function holdsFile(folder: string): Promise<boolean> {
  const entries = await fs.readdir(folder, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (!e.isFile() || e.name.startsWith('.')) continue;
    if (((await fs.stat(path.join(folder, e.name)).catch(() => undefined))?.size ?? 0) > 0) return true;
  }
  for (const e of entries) if (e.isDirectory() && (await holdsFile(path.join(folder, e.name)))) return true;
  return false;
}

async function report(
  dir: string,
  req: EtlExecutionRequest,
  r: ExecutionRecord | undefined,
  out: NodeJS.WritableStream,
  lakeRunning: boolean,
): Promise<number> {
  if (!r) return 1;
  const summary = await readRunSummary(dir, r.name);
  const failure = `${r.error ?? ''} ${r.cause ? causeText(r.cause) : ''}`.trim();
  const figures = summary ? describeRun(summary) : [];
  out.write(`${r.name}: ${r.status}${figures.length ? `: ${figures[0]}` : failure ? ` ${failure}` : ''}\n`);
  for (const line of figures.slice(1)) out.write(`${line}\n`);
  if (figures.length && failure) out.write(`  ${failure}\n`);
  if (req.input.mode !== 'events') {
    // A replay or rebuild of an event table reads raw/events/: what is still in the delivery stream is not in it.
    const table = typeof req.input.table === 'string' ? lakeTable(req.input.table) : undefined;
    if (table?.kind === 'events' && (await holdsFile(path.join(dir, '.firehose'))))
      out.write(
        lakeRunning
          ? 'events accepted in the last seconds are still in the delivery stream (.firehose/), not in this run: ' +
              'they reach raw/events/ when its buffer rolls over (LAKE_FIREHOSE_BUFFER_SECONDS, default 10), and ' +
              `${table.name} at the next compaction\n`
          : 'events the lake accepted before it stopped are still in its delivery stream (.firehose/), not in this ' +
              `run: they reach raw/events/ when npm start runs again (it delivers them first), and ${table.name} at ` +
              'the compaction after\n',
      );
    return r.status === 'SUCCEEDED' ? 0 : 1;
  }
  if (r.status === 'SUCCEEDED' && !summary) {
    // EventsTakenByAnotherRun (state-machines/etl.asl.json): no run of its own, so no figures.
    out.write(`${eventsTakenBy(r.output) ?? eventsTakenText(undefined)}\n`);
    return 0;
  }
  const buffered = await holdsFile(path.join(dir, '.firehose'));
  if (summary && summary.rowsRead === 0 && !summary.eventObjectsLeft) {
    const delivered = await holdsFile(path.join(dir, 'raw', 'events'));
    out.write(
      delivered && buffered
        ? 'nothing to compact yet: the events in raw/events/ had been compacted already, and no newer one has ' +
            'reached it\n'
        : delivered
          ? 'no events were waiting: the raw event objects had been compacted already (a damaged one, which stays ' +
            'pending, is named in the lake\'s log: README "Damaged state files")\n'
          : buffered
            ? `nothing to compact yet: no event has reached raw/events/ in ${dir}\n`
            : `nothing to compact: the lake in ${dir} holds no events (raw/events/ is empty)\n`,
    );
  }
  if (buffered)
    out.write(
      lakeRunning
        ? 'events accepted in the last seconds are still in the delivery stream (.firehose/): they reach ' +
            'raw/events/ when its buffer rolls over (LAKE_FIREHOSE_BUFFER_SECONDS, default 10), and their table at ' +
            'the next run\n'
        : 'events the lake accepted before it stopped are still in its delivery stream (.firehose/): they reach ' +
            'raw/events/ when npm start runs again (it delivers them first), and their table at the run after\n',
    );
  return r.status === 'SUCCEEDED' ? 0 : 1;
}

async function viaRunningLake(
  dir: string,
  req: EtlExecutionRequest,
  out: NodeJS.WritableStream,
): Promise<number> {
  // The running lake refused what schemas/ holds now, if the check refuses it (judged as it judges an edit: against
  // the versions it has used) and keeps running on the schemas it accepted: said, and nothing started, as in this
  // process (inProcess) — a rebuild would run under schemas the user believes changed, a new table's not be there.
  const refused = refusedSchemaEdits(dir);
  if (refused.length) {
    (req.err ?? process.stderr).write(
      `nothing ran: ${new SchemasRefused(refused).message}\n` +
        '(the local lake running in this folder refused them too, and runs on the schemas it accepted before)\n',
    );
    return 1;
  }
  const name = executionName(req.prefix);
  await requestExecution(dir, ETL_STATE_MACHINE, name, req.input);
  out.write(`started ${name} on the local lake running in ${dir}\n`);
  if (req.wait === false) return 0;
  const r = await waitOnRunningLake(dir, name, out);
  return r ? report(dir, req, r, out, true) : 1;
}

/** Free space under which waiting on the lake says the disk may stop it recording the execution. */
const LOW_DISK_BYTES = 64 * 1024 * 1024;

/** The bytes free to this user on the disk holding `dir`, or undefined when unknown. */
async function freeBytes(dir: string): Promise<number | undefined> {
  try {
    const s = await fs.statfs(dir);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

/**
 * Waits for an execution the running lake runs, until it ends (its record) or the lake stops first (undefined, said
 * on `out`: it runs when the lake starts again; not a success). Ctrl-C stops the waiting, not the run: that is said
 * too, or the command run again would start a second one.
 */
export async function waitOnRunningLake(
  dir: string,
  name: string,
  out: NodeJS.WritableStream,
  free: (dir: string) => Promise<number | undefined> = freeBytes,
): Promise<ExecutionRecord | undefined> {
  const interrupted = () => {
    out.write(`interrupted: ${name} keeps running on the local lake (npm run executions -- ${name})\n`);
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  let lowDiskSaid = false;
  try {
    for (let polls = 0; ; polls++) {
      const alive = await engineAlive(dir);
      // Read after the lake was seen alive or not: one that ended the run and then stopped is told by its end.
      const r = await readExecution(dir, ETL_STATE_MACHINE, name);
      if (r && isFinal(r.status)) return r;
      if (!alive) {
        out.write(`the local lake stopped; ${name} runs when it starts again\n`);
        return undefined;
      }
      // A full disk: the lake cannot write the execution's record (it says ENOSPC in its log and tries again), so
      // the run may have ended unrecorded. Said once, every 5 s looked at.
      if (!lowDiskSaid && polls % 10 === 9) {
        const bytes = await free(dir);
        if (bytes !== undefined && bytes < LOW_DISK_BYTES) {
          lowDiskSaid = true;
          out.write(
            `the disk holding ${dir} has ${Math.floor(bytes / 1024)} KB free: the lake may be unable to record ` +
              `${name}'s progress or end (its log then says ENOSPC); free some space and it goes on by itself\n`,
          );
        }
      }
      await new Promise((res) => setTimeout(res, 500));
    }
  } finally {
    process.off('SIGINT', interrupted);
  }
}

async function inProcess(dir: string, req: EtlExecutionRequest, out: NodeJS.WritableStream): Promise<number> {
  // What npm start refuses is refused here too, before anything is written: a stage deployed to AWS would run the
  // functions against AWS with the shell's credentials; a lake folder npm start refuses (local/lake-dir-checks.ts).
  const stage = process.env.LAKE_STAGE || 'local';
  const config = await loadServiceConfig(stage);
  const refused = startSettingProblem() ?? lakeDirProblem(dir) ?? notLocalStage(stage, config);
  if (refused) {
    (req.err ?? process.stderr).write(`nothing ran: ${refused}\n`);
    return 1;
  }
  // Not a folder of a newer version of the project (lib/lake-format.ts), before anything reads or writes it.
  try {
    await checkLakeFormat(dir);
  } catch (e) {
    if (!(e instanceof LakeFormatError)) throw e;
    (req.err ?? process.stderr).write(`nothing ran: ${e.message}\n`);
    return 1;
  }
  // The schemas a run in this process uses pass the check npm start makes, against the history and the versions this
  // lake has used (local/schemas-in-use.ts), and what it applies is recorded as used: a refused change never takes
  // effect by this door either (a rebuild would re-type the stored rows under it).
  try {
    const schemas = applySchemas(undefined, dir);
    if (schemas.unrecorded.length)
      (req.err ?? process.stderr).write(
        `schema changes not recorded (${schemas.unrecorded.join(', ')}): npm run schemas:accept before a deploy\n`,
      );
  } catch (e) {
    if (!(e instanceof SchemasRefused)) throw e;
    (req.err ?? process.stderr).write(
      `nothing ran: ${e.message}\n(npm start refuses these schemas too; the lake keeps what it stored)\n`,
    );
    return 1;
  }
  await claimLakeFormat(dir);
  const name = executionName(req.prefix);
  // Present on the folder as a command (lib/lake-presence.ts) while it runs: a lake of another pid namespace, which
  // cannot see this process, would judge its run dead — take its lake lock, remove its work, run it again beside it.
  let presence: Presence;
  try {
    presence = await claimLakeDir(dir, undefined, undefined, undefined, `execution ${name}`);
  } catch (e) {
    if (!(e instanceof LakeDirInUse)) throw e;
    (req.err ?? process.stderr).write(`nothing ran: ${e.message}\n`);
    return 1;
  }
  try {
    return await runHere(dir, req, out, config, stage, name);
  } finally {
    await presence.stop();
  }
}

/** Runs the execution `name` in this process (inProcess, once the folder is claimed). */
async function runHere(
  dir: string,
  req: EtlExecutionRequest,
  out: NodeJS.WritableStream,
  config: ServiceConfig,
  stage: string,
  name: string,
): Promise<number> {
  // The lake's own log lines only when something goes wrong (./quiet-logs.ts, which the CLIs import first).
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
  // Ctrl-C: the execution stays RUNNING in the lake's records, and the next npm start runs it again from the start
  // (as after a crash); say so rather than leave without a word.
  const interrupted = () => {
    out.write(`interrupted: ${name} runs again from the start at the next npm start\n`);
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  try {
    await etl.engine.startExecution(name, req.input);
    out.write(`started ${name} in this process, on the lake in ${dir} (no npm start is running there)\n`);
    if (req.wait === false) out.write('waiting for it anyway: it runs in this process\n');
    return await report(
      dir,
      req,
      await etl.engine.waitForExecution(name, Number.MAX_SAFE_INTEGER),
      out,
      false,
    );
  } finally {
    process.off('SIGINT', interrupted);
    await etl.stop();
  }
}

/**
 * Why `dir` is no local lake (a mistyped LAKE_DIR, or a command run from another folder: it must not make, or report
 * on, an empty lake), or undefined.
 */
export async function noLakeIn(dir: string): Promise<string | undefined> {
  if (await fs.stat(path.join(dir, 'raw')).catch(() => undefined)) return undefined;
  return (
    `no local lake in ${dir} (LAKE_DIR, default the project's .lake): run this where npm start runs, ` +
    'or set LAKE_DIR to the folder it prints'
  );
}

export async function runEtlExecution(req: EtlExecutionRequest): Promise<number> {
  const dir = lakeDir();
  const out = req.out ?? process.stdout;
  const noLake = await noLakeIn(dir);
  if (noLake) {
    (req.err ?? process.stderr).write(`${noLake}\n`);
    return 1;
  }
  return (await engineAlive(dir, ETL_STATE_MACHINE))
    ? viaRunningLake(dir, req, out)
    : inProcess(dir, req, out);
}

/** Runs a CLI's main: exits with its code, or 2 (with the stack) when it could not start. */
export function cliMain(what: string, main: () => Promise<number>): void {
  quietWhenOutputClosed();
  main().then(
    (code) => exitWhenWritten(code),
    (err) => {
      // A refusal (local/told-refusals.ts: serverless.yml that does not resolve, a setting that is no such value, …)
      // is told by its reason, without a stack.
      const told = isToldRefusal(err);
      process.stderr.write(
        `${what} failed to start: ${told ? (err as Error).message : ((err as Error).stack ?? err)}\n`,
      );
      exitWhenWritten(2);
    },
  );
}
