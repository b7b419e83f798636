/**
 * The workflow port on the local lake, over the durable execution records of lib/workflow/local.ts (the same ones
 * the lake's engine writes and `npm run executions` reads): a start is a recorded request the lake's engine runs;
 * lists, descriptions and retries read and write those records. The definition is the one the engine runs,
 * resolved, which it writes beside the records when it starts (local/step-functions/etl.ts).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { lakeDir } from '../config';
import { writeFileDurably } from '../durable-fs';
import { checkExecutionInput } from './execution-input';
import {
  ETL_STATE_MACHINE,
  definitionFile,
  definitionId,
  definitionVersionFile,
  engineAlive,
  listExecutions,
  newestFirst,
  readExecution,
  requestExecution,
  type ExecutionRecord,
} from './local';
import { EXECUTION_NAME, nextRetry, retryable } from './names';
import { decodePageToken, encodePageToken } from './page-token';
import {
  DamagedExecutionRecordError,
  InvalidNextTokenError,
  NotRetryableError,
  type ExecutionDetail,
  type ExecutionListItem,
  type ExecutionPage,
  type ListExecutionsOptions,
  type RetryCheck,
  type StartResult,
  type Executions,
} from './types';

/**
 * Records the definition the lake's engine runs (resolved for the local lake), for describeExecution: as the current
 * one, and under its id, which the engine writes in each execution it runs (ExecutionRecord.definitionId).
 */
export async function writeLocalDefinition(dir: string, definition: unknown, machine = ETL_STATE_MACHINE) {
  const text = JSON.stringify(definition);
  const version = definitionVersionFile(dir, machine, definitionId(definition));
  // Its id is its text's: a file of that id that holds other text (emptied, cut short by a disk error) is written
  // again with the one text it stands for.
  if ((await fs.readFile(version, 'utf8').catch(() => undefined)) !== text) {
    await fs.mkdir(path.dirname(version), { recursive: true });
    await writeFileDurably(version, text);
  }
  await writeFileDurably(definitionFile(dir, machine), text);
}

/** A definition file's JSON, undefined when there is none; one that does not read is named (README). */
const readJson = async (file: string): Promise<unknown> => {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new DamagedExecutionRecordError(
      file,
      `not JSON (${(e as Error).message})`,
      'state machine definition',
    );
  }
};

/** The definition an execution ran (its id's file), else the current one (a record from before ids), or null. */
async function readLocalDefinition(dir: string, machine: string, id: string | undefined): Promise<unknown> {
  const ran = id === undefined ? undefined : await readJson(definitionVersionFile(dir, machine, id));
  return ran ?? (await readJson(definitionFile(dir, machine))) ?? null;
}

const listItem = (r: ExecutionRecord): ExecutionListItem => ({
  name: r.name,
  status: r.status,
  startDate: r.startDate,
  stopDate: r.stopDate ?? null,
  input: r.input ?? null,
});

/** An instant as the records write it (toISOString). */
const isIsoTime = (t: string | undefined): t is string =>
  t !== undefined && !Number.isNaN(Date.parse(t)) && new Date(t).toISOString() === t;

/** The ETL workflow on the local lake: each start is recorded and run by the lake's engine. */
export class LocalWorkflow implements Executions {
  constructor(
    private readonly dir: string,
    private readonly machine = ETL_STATE_MACHINE,
  ) {}

  async startRefusal(): Promise<string | undefined> {
    // The schema check is the local lake's only (left out of a bundle built for AWS: lib/bundle-runtime.ts).
    if (process.env.LAKE_BUNDLE_RUNTIME !== 'aws') {
      const { refusedSchemaEdits, schemasRefusedMessage } = await import('../catalog/refused-edits');
      const lines = refusedSchemaEdits(this.dir);
      return lines.length
        ? schemasRefusedMessage(lines, await engineAlive(this.dir, this.machine))
        : undefined;
    }
    return undefined;
  }

  async startExecution(name: string, input: Record<string, unknown>): Promise<StartResult> {
    // Refused before anything is recorded, as StartExecution refuses it (lib/workflow/execution-input.ts).
    checkExecutionInput(input);
    return requestExecution(this.dir, this.machine, name, input);
  }

  /**
   * A page of executions, newest first. The token names the last execution given (its start and name), not a
   * position: one started or changing status between pages neither repeats an execution nor skips one, as Step
   * Functions' own tokens do.
   */
  async listExecutions(opts: ListExecutionsOptions): Promise<ExecutionPage<ExecutionListItem>> {
    const after = opts.nextToken ? decodePageToken<string>(opts.nextToken, opts.status, 'string') : undefined;
    const [startDate, name] = after?.split('\n') ?? [];
    // The position this list gave: a start time and an execution name (a token read otherwise gives another page).
    if (after !== undefined && !(isIsoTime(startDate) && name !== undefined && EXECUTION_NAME.test(name)))
      throw new InvalidNextTokenError('nextToken is not a token this list gave');
    let records = await listExecutions(this.dir, this.machine);
    if (opts.status) records = records.filter((r) => r.status === opts.status);
    if (after !== undefined)
      records = records.filter((r) => newestFirst(r, { startDate: startDate!, name: name ?? '' }) > 0);
    const page = records.slice(0, opts.limit);
    const last = page.at(-1);
    return {
      items: page.map(listItem),
      ...(last && page.length < records.length
        ? { nextToken: encodePageToken(`${last.startDate}\n${last.name}`, opts.status) }
        : {}),
    };
  }

  async describeExecution(name: string): Promise<ExecutionDetail | undefined> {
    if (!EXECUTION_NAME.test(name)) return undefined;
    const r = await readExecution(this.dir, this.machine, name);
    if (!r) return undefined;
    return {
      ...listItem(r),
      output: r.output ?? null,
      error: r.error ?? null,
      cause: r.cause ?? null,
      events: r.events ?? [],
      definition: await readLocalDefinition(this.dir, this.machine, r.definitionId),
    };
  }

  async retryExecution(
    name: string,
    check?: RetryCheck,
  ): Promise<{ name: string; startDate: string } | undefined> {
    if (!EXECUTION_NAME.test(name)) return undefined;
    const r = await readExecution(this.dir, this.machine, name);
    if (!r) return undefined;
    if (!retryable(r.status)) throw new NotRetryableError(name, r.status);
    const { again, family, inFlight } = await nextRetry(
      name,
      async (n) => (await readExecution(this.dir, this.machine, n))?.status,
    );
    if (inFlight) throw new NotRetryableError(name, r.status, inFlight);
    const refused = await check?.(JSON.stringify(r.input ?? {}), family);
    if (refused) throw new NotRetryableError(name, r.status, refused);
    await requestExecution(this.dir, this.machine, again, r.input);
    // Its record (or, should another caller have asked for the same retry at the same moment, that one's).
    const record = await readExecution(this.dir, this.machine, again);
    return { name: again, startDate: record?.startDate ?? new Date().toISOString() };
  }
}

export async function openLocalWorkflow(): Promise<Executions> {
  return new LocalWorkflow(lakeDir());
}
