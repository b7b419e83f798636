/**
 * The ETL workflow on AWS: Step Functions on env ETL_STATE_MACHINE_ARN — StartExecution, and for the console's
 * routes ListExecutions, DescribeExecution, GetExecutionHistory (every page, mapped by ./sfn-history.ts) and
 * DescribeStateMachineForExecution (the definition the execution ran).
 */
import {
  DescribeExecutionCommand,
  DescribeStateMachineForExecutionCommand,
  ListExecutionsCommand,
  StartExecutionCommand,
  paginateGetExecutionHistory,
  type DescribeExecutionCommandOutput,
  type ListExecutionsCommandOutput,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { AWS_EXECUTION_NAME, EXECUTION_NAME, nextRetry, retryable } from './names';
import { decodePageToken, encodePageToken } from './page-token';
import { fromSfnHistory } from './sfn-history';
import {
  InvalidNextTokenError,
  NotRetryableError,
  type ExecutionDetail,
  type ExecutionListItem,
  type ExecutionPage,
  type ExecutionStatus,
  type ListExecutionsOptions,
  type RetryCheck,
  type StartResult,
  type Executions,
} from './types';

export { EXECUTION_NAME } from './names';

/** DescribeExecution calls at once when a list page is given its inputs (ListExecutions has none). */
const DESCRIBE_CONCURRENCY = 8;

/** How far apart Lambda's and Step Functions' clocks may be (both NTP-synchronised) when comparing a start date. */
const CLOCK_TOLERANCE_MS = 1000;

/** The ARN an execution of `stateMachineArn` named `name` has. */
export function executionArn(stateMachineArn: string, name: string): string {
  const m = /^(arn:[^:]+:states:[^:]*:[^:]*):stateMachine:([^:]+)$/.exec(stateMachineArn);
  if (!m) throw new Error(`'${stateMachineArn}' is not a state machine ARN`);
  return `${m[1]}:execution:${m[2]}:${name}`;
}

const iso = (d: Date | undefined) => (d ? d.toISOString() : null);
const parsed = (text: string | undefined): unknown => (text === undefined ? null : JSON.parse(text));
const notFound = (e: unknown) => (e as Error).name === 'ExecutionDoesNotExist';

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export class SfnWorkflow implements Executions {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async startExecution(name: string, input: Record<string, unknown>): Promise<StartResult> {
    if (!EXECUTION_NAME.test(name)) {
      throw new Error(`execution name '${name}' must be 1-80 characters of [A-Za-z0-9-_]`);
    }
    try {
      const sent = Date.now();
      const res = await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name,
          input: JSON.stringify(input),
        }),
      );
      // Same name and input as a running execution: Step Functions answers success with that execution, its start
      // date the original one (idempotent; a closed one or another input is ExecutionAlreadyExists, below). A start
      // date before this request was sent (with a second for the two clocks) is that: alreadyStarted, as the local
      // workflow answers for any existing name. A duplicate within that second reads as started; nothing new runs.
      const startedBefore =
        res.startDate !== undefined && res.startDate.getTime() < sent - CLOCK_TOLERANCE_MS;
      return {
        executionArn: res.executionArn ?? executionArn(this.stateMachineArn, name),
        alreadyStarted: startedBefore,
        ...(res.startDate ? { startDate: res.startDate.toISOString() } : {}),
      };
    } catch (e) {
      if ((e as Error).name === 'ExecutionAlreadyExists') {
        return { executionArn: executionArn(this.stateMachineArn, name), alreadyStarted: true };
      }
      throw e;
    }
  }

  private async describe(name: string): Promise<DescribeExecutionCommandOutput | undefined> {
    try {
      return await this.sfn.send(
        new DescribeExecutionCommand({ executionArn: executionArn(this.stateMachineArn, name) }),
      );
    } catch (e) {
      if (notFound(e)) return undefined;
      throw e;
    }
  }

  async listExecutions(opts: ListExecutionsOptions): Promise<ExecutionPage<ExecutionListItem>> {
    let res: ListExecutionsCommandOutput;
    try {
      res = await this.sfn.send(
        new ListExecutionsCommand({
          stateMachineArn: this.stateMachineArn,
          maxResults: opts.limit,
          ...(opts.status ? { statusFilter: opts.status } : {}),
          ...(opts.nextToken
            ? { nextToken: decodePageToken<string>(opts.nextToken, opts.status, 'string') }
            : {}),
        }),
      );
    } catch (e) {
      // Step Functions' page tokens expire after 24 hours (HTTP 400 InvalidToken): a page left open for a day.
      if ((e as Error).name === 'InvalidToken') {
        throw new InvalidNextTokenError(
          'nextToken has expired or is not one Step Functions gave (its tokens last 24 hours): list again from the first page',
        );
      }
      throw e;
    }
    const listed = res.executions ?? [];
    // ListExecutions has no input: each listed execution is described (an execution gone since: input null).
    const described = await mapLimited(listed, DESCRIBE_CONCURRENCY, (x) => this.describe(x.name ?? ''));
    const items = listed.map((x, i) => ({
      name: x.name ?? '',
      status: x.status as ExecutionStatus,
      startDate: iso(x.startDate) ?? '',
      stopDate: iso(x.stopDate),
      input: parsed(described[i]?.input),
    }));
    return { items, ...(res.nextToken ? { nextToken: encodePageToken(res.nextToken, opts.status) } : {}) };
  }

  async describeExecution(name: string): Promise<ExecutionDetail | undefined> {
    if (!AWS_EXECUTION_NAME.test(name)) return undefined;
    const d = await this.describe(name);
    if (!d) return undefined;
    const arn = executionArn(this.stateMachineArn, name);
    const history: HistoryEvent[] = [];
    for await (const page of paginateGetExecutionHistory(
      { client: this.sfn },
      { executionArn: arn, maxResults: 1000, includeExecutionData: true },
    ))
      history.push(...(page.events ?? []));
    const machine = await this.sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn: arn }));
    return {
      name,
      status: d.status as ExecutionStatus,
      startDate: iso(d.startDate) ?? '',
      stopDate: iso(d.stopDate),
      input: parsed(d.input),
      output: parsed(d.output),
      error: d.error ?? null,
      cause: d.cause ?? null,
      events: fromSfnHistory(history),
      definition: parsed(machine.definition),
    };
  }

  async retryExecution(
    name: string,
    check?: RetryCheck,
  ): Promise<{ name: string; startDate: string } | undefined> {
    if (!AWS_EXECUTION_NAME.test(name)) return undefined;
    const d = await this.describe(name);
    if (!d) return undefined;
    if (!retryable(String(d.status))) throw new NotRetryableError(name, d.status as ExecutionStatus);
    const { again, family, inFlight } = await nextRetry(name, async (n) => {
      const retry = await this.describe(n);
      return retry ? String(retry.status) : undefined;
    });
    if (inFlight) throw new NotRetryableError(name, d.status as ExecutionStatus, inFlight);
    const refused = await check?.(d.input ?? '{}', family);
    if (refused) throw new NotRetryableError(name, d.status as ExecutionStatus, refused);
    try {
      const res = await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: again,
          input: d.input ?? '{}',
        }),
      );
      return { name: again, startDate: (res.startDate ?? new Date()).toISOString() };
    } catch (e) {
      // Another caller asked for the same retry at the same moment and its run has ended already (a running one is
      // answered as started, above): that retry is the answer, as the local workflow gives it, not a second run.
      if ((e as Error).name !== 'ExecutionAlreadyExists') throw e;
      const other = await this.describe(again);
      return { name: again, startDate: (other?.startDate ?? new Date()).toISOString() };
    }
  }
}
