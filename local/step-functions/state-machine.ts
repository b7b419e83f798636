/**
 * The engine: durable executions of one state machine, run by aws-local-stepfunctions with local task handlers.
 * Step Functions' quotas the library does not know are enforced here: the payload quota (payload-quota.ts: at
 * start, around every Task stand-in, and on the event log) and the history quota (history-quota.ts, on the event
 * log: execution-watch.ts).
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { StartResult } from '../../lib/workflow/types';
import {
  ETL_STATE_MACHINE,
  LOCAL_ACCOUNT_ID,
  claimsDir,
  engineFile,
  definitionId,
  executionsDir,
  isFinal,
  listExecutions,
  onExecutionRequested,
  pendingDir,
  readExecution,
  requestExecution,
  writeRecord,
  type ExecutionEvent,
  type ExecutionRecord,
} from '../../lib/workflow/local';
import { tempFileOwnerRunning } from '../../lib/durable-fs';
import { folderIdentity } from '../../lib/lake-presence';
import { thisProcess } from '../../lib/process-identity';
import { localLog } from '../log';
import { claimExecution, claimPath, openInstances } from './execution-claims';
import { executionsToResume, requestAgain } from './execution-recovery';
import { executionProgress } from './execution-progress';
import { startRun, taskStandIns, type Outcome, type TaskStandIn } from './execution-run';
import { checkExecutionInput, oversizedStatePayload } from './payload-quota';
import type { Notice } from '../../lib/notify/types';
import type { Json } from './config';
import { namedError, RESOURCE, type TaskHandlers } from './task-handlers';
import { waitLoops } from './wait-tracker';
import { SettingError, wholeNumberProblem } from '../start-settings';

/** How often a running engine looks for executions another engine on its folder left when it died (ms). */
const DEAD_RUNNERS_CHECK_MS = 5_000;

export interface LocalStateMachineOptions {
  lakeDir: string;
  /** The key in stepFunctions.stateMachines (names the records' folder). */
  machine?: string;
  /** The deployed name, e.g. data-lake-local-etl. */
  stateMachineName: string;
  /** The definition with its intrinsics resolved. */
  definition: StateMachineDefinition;
  handlers: TaskHandlers;
  region?: string;
  /** Executions running at once (env LAKE_SFN_MAX_CONCURRENCY, default 2); the rest wait in start order. */
  maxConcurrency?: number;
  /** Shorter retry pauses, per state (tests): aws-local-stepfunctions' retryIntervalOverrides. */
  retryIntervalOverrides?: Record<string, number | number[]>;
  /** Shorter Wait states, per state, in ms: aws-local-stepfunctions' waitTimeOverrides. */
  waitTimeOverrides?: Record<string, number>;
  /** How often to look for requests made by other processes (ms); 0: only this process's (default 1000). */
  pollIntervalMs?: number;
  /** At open: run pending requests and mark executions of dead processes FAILED (default true). */
  recover?: boolean;
  /** How long close() lets running executions finish before aborting them (default 20 s). */
  stopGraceMs?: number;
  /** Wait before a final record that could not be written (a full disk) is tried again (default 5 s). */
  recordRetryMs?: number;
  logger?: Pick<typeof localLog, 'info' | 'warn' | 'error'>;
  /** Step Functions' history quota in (estimated AWS) events: HISTORY_QUOTA_EVENTS, 25,000; lower in tests. */
  historyQuota?: number;
  /** An execution stopped by close() (to run again at the next start): release what its run took. */
  onStopped?: (executionName: string) => Promise<void>;
}

function envInt(name: string, fallback: number, min = 0): number {
  const why = wholeNumberProblem(name, process.env, min);
  if (why) throw new SettingError(why);
  const raw = process.env[name];
  return raw === undefined || raw === '' ? fallback : Number(raw);
}

interface Running {
  abort: () => void;
  done: Promise<void>;
}

export class LocalStateMachine {
  readonly machine: string;
  readonly stateMachineArn: string;
  readonly lakeDir: string;
  private readonly instance = randomBytes(8).toString('hex');
  private readonly stateMachine: StateMachine;
  /** Task state name → its stand-in. */
  private readonly tasks: Map<string, TaskStandIn>;
  /** Each Wait state → the states of its loop (wait-tracker.ts). */
  private readonly loops: Map<string, Set<string>>;
  private readonly maxConcurrency: number;
  /** close() is stopping what still runs after its grace period (those run again at the next start). */
  private shutdownAbort = false;
  /** Executions stopped by close() before a job run they would have started (noJobRunsAfterClose). */
  private readonly stoppedBeforeJobRun = new Set<string>();
  private readonly log: NonNullable<LocalStateMachineOptions['logger']>;
  /** The id of the definition it runs (ExecutionRecord.definitionId). */
  private readonly definitionId: string;
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly running = new Map<string, Running>();
  private readonly finishWaiters = new Map<string, (() => void)[]>();
  /** Wait before a final record that could not be written is tried again. */
  private readonly recordRetryMs: number;
  private poller?: NodeJS.Timeout;
  private unlisten?: () => void;
  private closed = false;
  private closing?: Promise<void>;

  private constructor(private readonly opts: LocalStateMachineOptions) {
    if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') {
      // Otherwise every Task state fails (after its handler ran) with a TypeError.
      throw new Error(
        `aws-local-stepfunctions needs Node >= 22 (this is ${process.version}); use npm start / npx`,
      );
    }
    // Before the engine reads it (aws-local-stepfunctions adds to the definition it is given).
    this.definitionId = definitionId(opts.definition);
    this.machine = opts.machine ?? ETL_STATE_MACHINE;
    this.lakeDir = opts.lakeDir;
    this.stateMachineArn = `arn:aws:states:${opts.region ?? process.env.AWS_REGION ?? 'us-east-1'}:${LOCAL_ACCOUNT_ID}:stateMachine:${opts.stateMachineName}`;
    this.maxConcurrency = Math.max(1, opts.maxConcurrency ?? envInt('LAKE_SFN_MAX_CONCURRENCY', 2, 1));
    this.recordRetryMs = opts.recordRetryMs ?? 5000;
    this.log = opts.logger ?? localLog;
    this.stateMachine = new StateMachine(opts.definition);
    this.tasks = taskStandIns(opts.definition, this.noJobRunsAfterClose(opts.handlers));
    this.loops = waitLoops(opts.definition);
  }

  /** Opens the engine: recovers what earlier processes left, then serves requests. */
  static async open(opts: LocalStateMachineOptions): Promise<LocalStateMachine> {
    const sm = new LocalStateMachine(opts);
    openInstances.add(sm.instance);
    const dir = executionsDir(sm.lakeDir, sm.machine);
    await fs.mkdir(pendingDir(sm.lakeDir, sm.machine), { recursive: true });
    await fs.mkdir(claimsDir(sm.lakeDir, sm.machine), { recursive: true });
    await sm.removeStaleTemporaryFiles();
    sm.unlisten = onExecutionRequested((lake, machine, name) => {
      if (path.resolve(lake) === path.resolve(sm.lakeDir) && machine === sm.machine) sm.enqueue(name);
    });
    if (opts.recover !== false) await sm.recover();
    const poll = opts.pollIntervalMs ?? 1000;
    if (poll > 0) {
      const folder = await folderIdentity(sm.lakeDir);
      await fs.writeFile(
        engineFile(sm.lakeDir, sm.machine),
        JSON.stringify({ ...thisProcess(), instance: sm.instance, ...(folder ? { folder } : {}) }),
      );
      sm.poller = setInterval(
        () => void sm.pollPending().catch((e) => sm.log.warn('polling failed', { error: e })),
        poll,
      );
      sm.poller.unref();
    }
    sm.log.info('local state machine ready', { stateMachineArn: sm.stateMachineArn, executions: dir });
    return sm;
  }

  /**
   * Starts an execution (alreadyStarted when the name exists); it runs when a slot is free. An input over the payload
   * quota is refused as StartExecution refuses it (ValidationException).
   */
  async startExecution(name: string, input: unknown): Promise<StartResult> {
    if (this.closed) throw new Error('the local state machine is stopped');
    checkExecutionInput(input ?? {});
    const res = await requestExecution(this.lakeDir, this.machine, name, input, this.stateMachineArn);
    if (!res.alreadyStarted) this.enqueue(name);
    return res;
  }

  describeExecution(name: string): Promise<ExecutionRecord | undefined> {
    return readExecution(this.lakeDir, this.machine, name);
  }

  listExecutions(): Promise<ExecutionRecord[]> {
    return listExecutions(this.lakeDir, this.machine);
  }

  /** Resolves with the record once the execution is final (or the time is up: the record as it is). */
  async waitForExecution(name: string, timeoutMs = 60_000): Promise<ExecutionRecord | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.describeExecution(name);
      if (!r || isFinal(r.status) || Date.now() >= deadline) return r;
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, Math.min(250, Math.max(0, deadline - Date.now())));
        const list = this.finishWaiters.get(name) ?? [];
        list.push(done);
        this.finishWaiters.set(name, list);
        function done() {
          clearTimeout(t);
          resolve();
        }
      });
    }
  }

  /** The executions this engine is running now, by name. */
  runningExecutions(): string[] {
    return [...this.running.keys()];
  }

  /** Aborts an execution this engine runs (status ABORTED). */
  stopExecution(name: string): boolean {
    const r = this.running.get(name);
    r?.abort();
    return !!r;
  }

  /**
   * Stops serving: no new runs; running executions get `stopGraceMs` to finish, then are stopped and left to run
   * again from the start at the next start (not counted in MAX_RESTARTS, which bounds crashes: on AWS, stopping a
   * machine does not stop an execution). Requests that have not started stay pending for the next start.
   */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      this.closed = true;
      this.unlisten?.();
      if (this.poller) clearInterval(this.poller);
      this.queue.length = 0;
      this.queued.clear();
      const grace = this.opts.stopGraceMs ?? envInt('LAKE_SFN_STOP_GRACE_SECONDS', 20) * 1000;
      const all = Promise.all([...this.running.values()].map((r) => r.done));
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        all.then(() => false),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(true), grace))),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        this.shutdownAbort = true;
        for (const [name, r] of this.running) {
          this.log.warn('stopping an execution still running at shutdown: it runs again at the next start', {
            name,
          });
          r.abort();
        }
        await all;
      }
      if (this.poller) {
        const f = engineFile(this.lakeDir, this.machine);
        const owner = await fs.readFile(f, 'utf8').catch(() => '');
        if (owner.includes(this.instance)) await fs.rm(f, { force: true });
      }
      openInstances.delete(this.instance);
    })());
  }

  /**
   * No job run starts once the engine is stopping (close(): "no new runs"): an execution about to start one (a retry
   * after the lake was busy, the next step of a loop) is stopped instead, to run again from the start at the next
   * start, as one stopped after the grace period is — not a whole ETL run begun during the stop, and cut at its end.
   */
  private noJobRunsAfterClose(handlers: TaskHandlers): TaskHandlers {
    const startJobRun = handlers[RESOURCE.glueStartJobRunSync];
    if (!startJobRun) return handlers;
    return {
      ...handlers,
      [RESOURCE.glueStartJobRunSync]: async (params, ctx) => {
        if (!this.closed) return startJobRun(params, ctx);
        this.log.info(
          'the lake is stopping: no job run is started; the execution runs again at the next start',
          {
            name: ctx.executionName,
          },
        );
        this.stoppedBeforeJobRun.add(ctx.executionName);
        this.running.get(ctx.executionName)?.abort();
        throw namedError('States.Runtime', 'the local lake is stopping: no job run is started');
      },
    };
  }

  /** Temporary files of record writes that a process which is gone never finished. */
  private async removeStaleTemporaryFiles(): Promise<void> {
    const tmp = path.join(executionsDir(this.lakeDir, this.machine), '.tmp');
    for (const f of await fs.readdir(tmp).catch(() => [] as string[])) {
      if (!tempFileOwnerRunning(f)) await fs.rm(path.join(tmp, f), { force: true });
    }
  }

  // -- scheduling ------------------------------------------------------------------------------------------------

  private enqueue(name: string): void {
    if (this.closed || this.queued.has(name) || this.running.has(name)) return;
    this.queued.add(name);
    this.queue.push(name);
    this.pump();
  }

  private pump(): void {
    while (!this.closed && this.running.size < this.maxConcurrency && this.queue.length) {
      const name = this.queue.shift()!;
      this.queued.delete(name);
      let abort: () => void = () => undefined;
      const done = this.run(name, (a) => (abort = a))
        .catch((e) => this.log.error('local execution failed to run', { name, error: e as Error }))
        .finally(() => {
          this.running.delete(name);
          for (const w of this.finishWaiters.get(name) ?? []) w();
          this.finishWaiters.delete(name);
          this.pump();
        });
      this.running.set(name, { abort: () => abort(), done });
    }
  }

  private async pollPending(): Promise<void> {
    if (this.closed) return;
    const names = await fs.readdir(pendingDir(this.lakeDir, this.machine)).catch(() => [] as string[]);
    for (const n of names) this.enqueue(n);
    // Another lake on the folder (in this pid namespace) that died while it ran an execution: run again here, as the
    // next start would (its write-ahead segments are taken over the same way, lib/firehose/local.ts).
    if (
      this.opts.recover !== false &&
      performance.now() - this.deadRunnersCheckedAt >= DEAD_RUNNERS_CHECK_MS
    ) {
      this.deadRunnersCheckedAt = performance.now();
      await this.recover(true);
    }
  }

  /** When pollPending last looked for executions whose engine is gone (monotonic: no wall-clock step holds it). */
  private deadRunnersCheckedAt = performance.now();

  private async recover(onlyOfDeadRunners = false): Promise<void> {
    // An execution interrupted too often ends FAILED with its notice, published as its Task would publish it.
    const publish = async (notice: Notice) => {
      const sns = this.opts.handlers[RESOURCE.snsPublish];
      if (!sns) throw new Error('no sns:publish handler');
      const params = { Subject: notice.subject, Message: notice } as unknown as Json;
      const ctx = {
        executionName: String(notice.detail.runId),
        stateName: 'Recovery',
        resource: RESOURCE.snsPublish,
      };
      await sns(params, ctx);
    };
    for (const r of await executionsToResume(
      this.lakeDir,
      this.machine,
      this.log,
      publish,
      onlyOfDeadRunners,
    ))
      this.enqueue(r.name);
  }

  // -- one execution ---------------------------------------------------------------------------------------------

  private async run(name: string, setAbort: (abort: () => void) => void): Promise<void> {
    if (!(await claimExecution(this.lakeDir, this.machine, name, this.instance))) return;
    const marker = path.join(pendingDir(this.lakeDir, this.machine), name);
    let record = await readExecution(this.lakeDir, this.machine, name);
    if (!record || isFinal(record.status) || this.closed) {
      await fs.rm(claimPath(this.lakeDir, this.machine, name), { force: true });
      if (!this.closed || !record || isFinal(record.status)) await fs.rm(marker, { force: true });
      return;
    }
    record = {
      ...record,
      runStartDate: new Date().toISOString(),
      runBy: { pid: process.pid, instance: this.instance },
      // The definition this run follows (local/step-functions/etl.ts keeps its file): the one it is described with.
      definitionId: this.definitionId,
    };
    await writeRecord(this.lakeDir, this.machine, record);
    await fs.rm(marker, { force: true });

    // An input StartExecution would have refused, requested by a path that does not check it (another process,
    // lib/workflow/local.ts): FAILED without running, as no execution would exist on AWS.
    const refused = oversizedStatePayload({ type: 'ExecutionStarted', input: record.input });
    if (refused) {
      await this.finish(record, { status: 'FAILED', ...refused }, [], false);
      return;
    }

    // Waits logged and paced, and the record rewritten while the execution waits (execution-progress.ts).
    const running = record;
    const progress = executionProgress({
      name,
      definition: this.opts.definition,
      loops: this.loops,
      waitTimes: this.opts.waitTimeOverrides,
      log: this.log,
      write: (events) =>
        writeRecord(this.lakeDir, this.machine, {
          ...running,
          events: [...(running.events ?? []), ...events],
        }),
    });
    const { abort, settled } = startRun(this.stateMachine, record, {
      definition: this.opts.definition,
      tasks: this.tasks,
      stateMachineArn: this.stateMachineArn,
      stateMachineName: this.opts.stateMachineName,
      retryIntervalOverrides: this.opts.retryIntervalOverrides,
      waitTimeOverrides: progress.waitTimeOverrides,
      historyQuota: this.opts.historyQuota,
      onEvent: progress.onEvent,
    });
    setAbort(abort);
    const { outcome, aborted, events, eventsTruncated } = await settled;
    await progress.settle();
    if (aborted && (this.shutdownAbort || this.stoppedBeforeJobRun.delete(name))) {
      // Stopped by the shutdown: requested again, to run from the start at the next start. Not a restart counted
      // toward MAX_RESTARTS (that bounds executions whose process died, which they may be the cause of): a lake
      // stopped three times during a long run would otherwise end it ABORTED, its file never loaded. What the
      // stopped run took is released to the next one (the uploads' attempts, opts.onStopped).
      await this.opts
        .onStopped?.(record.name)
        .catch((e: unknown) =>
          this.log.error('what a stopped execution took could not be released', { name, error: e as Error }),
        );
      await requestAgain(this.lakeDir, this.machine, record, events, 'the local lake stopped', false);
      await fs.writeFile(marker, '');
      await fs.rm(claimPath(this.lakeDir, this.machine, name), { force: true });
      return;
    }
    await this.finish(record, outcome, events, eventsTruncated);
  }

  /** Writes the final record and releases the claim. */
  private async finish(
    record: ExecutionRecord,
    outcome: Outcome,
    events: ExecutionEvent[],
    eventsTruncated: boolean,
  ): Promise<void> {
    const final: ExecutionRecord = {
      ...record,
      ...outcome,
      stopDate: new Date().toISOString(),
      // After a restart: the history before it (ExecutionRestarted), then this run's.
      events: [...(record.events ?? []), ...events],
      ...(eventsTruncated ? { eventsTruncated } : {}),
    };
    // A record that cannot be written (a full disk) is tried again until it is, so that the execution does not stay
    // RUNNING for ever once space is freed (waiters read the record); a stop gives up: the next start runs it again.
    for (let attempt = 1; ; attempt++) {
      try {
        await writeRecord(this.lakeDir, this.machine, final);
        break;
      } catch (e) {
        if (this.closed) throw e;
        if (attempt === 1)
          this.log.error(
            'the execution ended, but its record cannot be written: trying again every few seconds',
            {
              name: record.name,
              status: outcome.status,
              error: e as Error,
            },
          );
        await new Promise((resolve) => setTimeout(resolve, this.recordRetryMs));
      }
    }
    await fs.rm(claimPath(this.lakeDir, this.machine, record.name), { force: true });
    const level = outcome.status === 'SUCCEEDED' ? 'info' : 'warn';
    this.log[level]('execution finished', {
      name: record.name,
      status: outcome.status,
      error: outcome.error,
    });
  }
}
