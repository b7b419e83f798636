/**
 * The workflow port on the local lake, and the durable record of local executions that the local Step Functions
 * engine (local/step-functions/), `npm run executions` and `npm run compact` share.
 *
 * Layout, per state machine (the key under stepFunctions.stateMachines in serverless.yml, e.g. `etl`):
 *   <LAKE_DIR>/.stepfunctions/<machine>/<name>.json        one ExecutionRecord per execution name
 *   <LAKE_DIR>/.stepfunctions/<machine>/.pending/<name>    a request no engine has taken yet (a hint; the record rules)
 *   <LAKE_DIR>/.stepfunctions/<machine>/.claims/<name>     {pid, instance} of the engine running it
 *   <LAKE_DIR>/.stepfunctions/<machine>/.engine.json       {pid} of the engine serving this lake (npm start)
 *
 * Starting an execution writes its record (status RUNNING, no runStartDate) exclusively — a second start of the same
 * name finds it and answers alreadyStarted, as Step Functions does for a duplicate name — then leaves the pending
 * marker. Whichever engine serves the lake runs it: at once when the request comes from its own process (the
 * functions the local lake runs), within a second when it comes from another one (`sls invoke local`, `npm run
 * compact`), or at its next start. This module has no engine of its own, so it is cheap to load anywhere.
 */
import { fsyncDir, tempFileName } from '../durable-fs';
import { folderIdentity, otherLakes } from '../lake-presence';
import { type ProcessIdentity, processRunning } from '../process-identity';
import { promises as fs } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { EXECUTION_NAME } from './names';
export { retryName } from './names';
import {
  DamagedExecutionRecordError,
  type ExecutionEvent,
  type ExecutionStatus,
  type StartResult,
} from './types';

export const ETL_STATE_MACHINE = 'etl';
/** The account id local ARNs carry. */
export const LOCAL_ACCOUNT_ID = '000000000000';

export type { ExecutionEvent, ExecutionStatus } from './types';

export interface ExecutionRecord {
  name: string;
  executionArn: string;
  stateMachineArn: string;
  status: ExecutionStatus;
  input: unknown;
  /** When the execution was requested (Step Functions' startDate). */
  startDate: string;
  /** When an engine began running it (after the local concurrency limit let it through). */
  runStartDate?: string;
  stopDate?: string;
  output?: unknown;
  error?: string;
  cause?: string;
  requestedBy: { pid: number };
  runBy?: { pid: number; instance: string };
  events?: ExecutionEvent[];
  /** More events than the record keeps (Step Functions' own history limit, 25,000). */
  eventsTruncated?: boolean;
  /**
   * Times the local engine ran it again from the start after its process died or stopped
   * (local/step-functions/execution-recovery.ts).
   */
  restarts?: number;
  /**
   * The definition the engine ran it with (definitionId; its file definitionVersionFile): what describeExecution
   * gives, as Step Functions' DescribeStateMachineForExecution does after the machine changed.
   */
  definitionId?: string;
}

export const isFinal = (status: ExecutionStatus) => status !== 'RUNNING';

export function executionsDir(dir: string, machine = ETL_STATE_MACHINE): string {
  return path.join(dir, '.stepfunctions', machine);
}

export const recordPath = (dir: string, machine: string, name: string) =>
  path.join(executionsDir(dir, machine), `${name}.json`);
export const pendingDir = (dir: string, machine: string) =>
  path.join(executionsDir(dir, machine), '.pending');
export const claimsDir = (dir: string, machine: string) => path.join(executionsDir(dir, machine), '.claims');
export const engineFile = (dir: string, machine: string) =>
  path.join(executionsDir(dir, machine), '.engine.json');
/** The definition the lake's engine runs, resolved (written by the engine at start: local/step-functions/etl.ts). */
export const definitionFile = (dir: string, machine: string) =>
  path.join(executionsDir(dir, machine), '.definition.json');

/** A definition's id: the first 16 hex digits of the SHA-256 of its JSON text. */
export const definitionId = (definition: unknown): string =>
  createHash('sha256').update(JSON.stringify(definition)).digest('hex').slice(0, 16);

/** Where the definition of that id is kept (one file per definition the engine ran). */
export const definitionVersionFile = (dir: string, machine: string, id: string) =>
  path.join(executionsDir(dir, machine), '.definitions', `${id}.json`);

export function checkExecutionName(name: string): void {
  if (!EXECUTION_NAME.test(name)) {
    const err = new Error(`execution name '${name}' must be 1-80 characters of [A-Za-z0-9-_]`);
    err.name = 'InvalidName';
    throw err;
  }
}

/** The ARN of the local state machine `machine` (ETL_STATE_MACHINE_ARN when the environment has a real one). */
export function localStateMachineArn(machine = ETL_STATE_MACHINE, stateMachineName?: string): string {
  const fromEnv = process.env.ETL_STATE_MACHINE_ARN;
  if (!stateMachineName && machine === ETL_STATE_MACHINE && fromEnv?.startsWith('arn:')) return fromEnv;
  const name =
    stateMachineName ??
    `${process.env.POWERTOOLS_SERVICE_NAME || 'data-lake'}-${process.env.LAKE_STAGE || 'local'}-${machine}`;
  return `arn:aws:states:${process.env.AWS_REGION || 'us-east-1'}:${LOCAL_ACCOUNT_ID}:stateMachine:${name}`;
}

export function localExecutionArn(stateMachineArn: string, name: string): string {
  return stateMachineArn.replace(/:stateMachine:([^:]+)$/, ':execution:$1:') + name;
}

async function writeTemp(dir: string, data: string): Promise<string> {
  const tmpDir = path.join(dir, '.tmp');
  await fs.mkdir(tmpDir, { recursive: true });
  const tmp = path.join(tmpDir, tempFileName('.json'));
  const fh = await fs.open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (e) {
    await fh.close();
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  return tmp;
}

/** Replaces a record atomically and durably (temporary file, fsync, rename, fsync of the folder). */
export async function writeRecord(dir: string, machine: string, record: ExecutionRecord): Promise<void> {
  const folder = executionsDir(dir, machine);
  const tmp = await writeTemp(folder, JSON.stringify(record, null, 1));
  await fs.rename(tmp, recordPath(dir, machine, record.name));
  await fsyncDir(folder);
}

/** Creates a record only if none has its name; false when one exists. */
async function createRecord(dir: string, machine: string, record: ExecutionRecord): Promise<boolean> {
  const folder = executionsDir(dir, machine);
  await fs.mkdir(folder, { recursive: true });
  const tmp = await writeTemp(folder, JSON.stringify(record, null, 1));
  try {
    await fs.link(tmp, recordPath(dir, machine, record.name));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    await fs.rm(tmp, { force: true });
  }
  await fsyncDir(folder);
  return true;
}

export async function readExecution(
  dir: string,
  machine: string,
  name: string,
): Promise<ExecutionRecord | undefined> {
  // No other name is an execution's: a path (../x) would read another file.
  if (!EXECUTION_NAME.test(name)) return undefined;
  const file = recordPath(dir, machine, name);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let record: Partial<ExecutionRecord> | null;
  try {
    record = JSON.parse(text) as Partial<ExecutionRecord> | null;
  } catch (e) {
    throw new DamagedExecutionRecordError(file, (e as Error).message);
  }
  if (
    typeof record !== 'object' ||
    record === null ||
    record.name !== name ||
    typeof record.status !== 'string' ||
    typeof record.startDate !== 'string'
  )
    throw new DamagedExecutionRecordError(file, `it is no execution record of ${name}`);
  return record as ExecutionRecord;
}

/**
 * Every execution of `machine`, newest first; a record that does not read is left out and told to `onDamaged` (a
 * command says so: one left out silently could be a running execution a wait did not wait for).
 */
export async function listExecutions(
  dir: string,
  machine = ETL_STATE_MACHINE,
  onDamaged?: (name: string, error: Error) => void,
): Promise<ExecutionRecord[]> {
  let files: string[];
  try {
    files = await fs.readdir(executionsDir(dir, machine));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: ExecutionRecord[] = [];
  for (const f of files) {
    if (!f.endsWith('.json') || f.startsWith('.')) continue;
    const r = await readExecution(dir, machine, f.slice(0, -5)).catch((e: Error) => {
      onDamaged?.(f.slice(0, -5), e);
      return undefined;
    });
    if (r) out.push(r);
  }
  return out.sort(newestFirst);
}

/** Newest first; executions started at the same instant by name (a fixed order, for pages). */
export function newestFirst(a: Pick<ExecutionRecord, 'startDate' | 'name'>, b: typeof a): number {
  if (a.startDate !== b.startDate) return a.startDate < b.startDate ? 1 : -1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

type RequestListener = (dir: string, machine: string, name: string) => void;
const listeners = new Set<RequestListener>();

/** An engine in this process hears of requests at once (others poll the pending folder). */
export function onExecutionRequested(listener: RequestListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Records a request to run `name` with `input`. Nothing new happens when an execution with that name exists
 * (alreadyStarted), whatever its status, as Step Functions keeps names unique per state machine.
 */
export async function requestExecution(
  dir: string,
  machine: string,
  name: string,
  input: unknown,
  stateMachineArn = localStateMachineArn(machine),
): Promise<StartResult> {
  checkExecutionName(name);
  const executionArn = localExecutionArn(stateMachineArn, name);
  const record: ExecutionRecord = {
    name,
    executionArn,
    stateMachineArn,
    status: 'RUNNING',
    input: input ?? {},
    startDate: new Date().toISOString(),
    requestedBy: { pid: process.pid },
  };
  if (!(await createRecord(dir, machine, record))) {
    const existing = await readExecution(dir, machine, name);
    return { executionArn: existing?.executionArn ?? executionArn, alreadyStarted: true };
  }
  await fs.mkdir(pendingDir(dir, machine), { recursive: true });
  await fs.writeFile(path.join(pendingDir(dir, machine), name), '');
  for (const l of listeners) l(dir, machine, name);
  return { executionArn, alreadyStarted: false, startDate: record.startDate };
}

/**
 * Whether an engine is serving this lake's executions (npm start): the one its engine file names, or any lake
 * running on the folder (lib/lake-presence.ts) — one of another pid namespace, which this process cannot see, or a
 * second npm start whose stop removed the file while the first still serves.
 */
export async function engineAlive(dir: string, machine = ETL_STATE_MACHINE): Promise<boolean> {
  try {
    const engine = JSON.parse(await fs.readFile(engineFile(dir, machine), 'utf8')) as ProcessIdentity & {
      folder?: string;
    };
    // An engine file copied with the folder names a process that serves the original (lib/lake-presence.ts).
    const ours = engine.folder === undefined || engine.folder === (await folderIdentity(dir));
    if (ours && processRunning(engine)) return true;
  } catch {
    // no engine file: no lake started, or the last one stopped
  }
  // A command running an execution in its own process serves none.
  return (await otherLakes(dir)).some((o) => !o.command);
}

/**
 * The executions commands run in their own process on the folder (npm run compact, replay, rebuild when no lake
 * serves it: local/cli/etl-execution.ts), by name: running, though no lake runs them.
 */
export async function executionsInCommands(dir: string): Promise<Set<string>> {
  const prefix = 'execution ';
  return new Set(
    (await otherLakes(dir))
      .filter((o) => o.command?.startsWith(prefix))
      .map((o) => o.command!.slice(prefix.length)),
  );
}

/** Polls a record until it is final (or the time is up: then the last record read). */
export async function waitForExecution(
  dir: string,
  machine: string,
  name: string,
  opts: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<ExecutionRecord | undefined> {
  const deadline = Date.now() + (opts.timeoutMs ?? Number.POSITIVE_INFINITY);
  for (;;) {
    const r = await readExecution(dir, machine, name);
    if (!r || isFinal(r.status) || Date.now() >= deadline) return r;
    await new Promise((res) => setTimeout(res, opts.intervalMs ?? 200));
  }
}
