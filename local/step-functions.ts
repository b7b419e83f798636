/**
 * Step Functions on the local lake: the state machines that serverless.yml deploys, run by aws-local-stepfunctions.
 *
 *  - The definition is the one the deployment uses: stepFunctions.stateMachines.<key>.definition from the resolved
 *    service configuration (`sls print`, local/service-config.ts). The CloudFormation intrinsics that
 *    serverless-step-functions turns into Fn::Sub on AWS (Ref, Fn::GetAtt, Fn::Sub, Fn::Join, #{AWS::Region}) are
 *    resolved here to local stand-in names and ARNs (resolveIntrinsics, localResourceRefs).
 *  - Task states run local stand-ins chosen by their Resource (TaskHandlers): Glue startJobRun.sync → the local Glue
 *    runner (lib/etl/duckdb-runner), sns:publish → the notifier (lib/notify), aws-sdk:s3:getObject → the lake's
 *    folders (<LAKE_DIR>/<bucket>/<key>), Lambda → the service's own handlers. Retry, Catch, timeouts and intrinsic
 *    functions are the library's, as on AWS.
 *  - Executions are durable records (lib/workflow/local.ts): written before a run starts and when it ends, with the
 *    state transitions. At most `maxConcurrency` run at once; the others wait their turn in start order.
 *  - At start, an engine runs what was requested but never started, and runs again from the start what a process
 *    that is gone left running (on AWS an execution outlives any worker; its tasks are idempotent: the Glue job by
 *    its run id, notices at least once). An execution interrupted more than MAX_RESTARTS times is marked FAILED
 *    (error Local.Interrupted): a run that brings the process down would do so at every start.
 *  - On AWS a Task timeout or an abort makes Step Functions stop the Glue job run (BatchStopJobRun). The local runner
 *    cannot be interrupted: after a States.Timeout it finishes in the background and its result is ignored.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { faults } from '../lib/faults';
import type { EtlRunSummary } from '../lib/etl/run';
import type { Notice, Notifier } from '../lib/notify/types';
import type { StartResult } from '../lib/workflow/types';
import {
  ETL_STATE_MACHINE,
  LOCAL_ACCOUNT_ID,
  claimsDir,
  engineFile,
  executionsDir,
  isFinal,
  listExecutions,
  onExecutionRequested,
  pendingDir,
  pidAlive,
  readExecution,
  requestExecution,
  writeRecord,
  type ExecutionEvent,
  type ExecutionRecord,
} from '../lib/workflow/local';
import { localLog } from './log';
import { loadServiceConfig, projectRoot, type ServiceConfig } from './service-config';

// ---------------------------------------------------------------------------------------------------------------
// The service configuration, as far as state machines are concerned

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

export interface StateMachineConfig {
  id?: string;
  name?: string;
  type?: string;
  definition: StateMachineDefinition;
  events?: { schedule?: string | { rate: string; enabled?: boolean; input?: unknown } }[];
}

export type ServiceConfigWithStateMachines = ServiceConfig & {
  provider: ServiceConfig['provider'] & { region?: string };
  stepFunctions?: { stateMachines?: Record<string, StateMachineConfig> };
  resources?: { Resources?: Record<string, CfnResource> } | { Resources?: Record<string, CfnResource> }[];
};

/** Every CloudFormation resource the configuration declares (resources: may be an object or a list of them). */
export function declaredResources(config: ServiceConfigWithStateMachines): Record<string, CfnResource> {
  const parts = Array.isArray(config.resources)
    ? config.resources
    : config.resources
      ? [config.resources]
      : [];
  return Object.assign({}, ...parts.map((p) => p?.Resources ?? {})) as Record<string, CfnResource>;
}

// ---------------------------------------------------------------------------------------------------------------
// Intrinsics → local names

export interface ResourceRefs {
  /** What `Ref` returns (including pseudo parameters such as AWS::Region). */
  ref(logicalId: string): string;
  /** What `Fn::GetAtt` returns. */
  getAtt(logicalId: string, attribute: string): string;
}

/**
 * Resolves the CloudFormation intrinsics a state machine definition may carry (Ref, Fn::GetAtt, Fn::Sub, Fn::Join)
 * and serverless-step-functions' #{AWS::...} pseudo parameters. Anything else is an error, so that a definition the
 * local lake cannot run faithfully fails at start rather than at the state.
 */
export function resolveIntrinsics<T>(value: T, refs: ResourceRefs): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(/#\{([^}]+)\}/g, (_, name: string) => refs.ref(name));
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const obj = v as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'))) {
      const key = keys[0]!;
      const arg = obj[key];
      switch (key) {
        case 'Ref':
          return refs.ref(String(arg));
        case 'Fn::GetAtt': {
          const [id, attr] = Array.isArray(arg) ? arg.map(String) : String(arg).split(/\.(.+)/);
          return refs.getAtt(id!, attr!);
        }
        case 'Fn::Sub': {
          const [template, vars] = Array.isArray(arg) ? arg : [arg, {}];
          const resolvedVars = walk(vars ?? {}) as Record<string, unknown>;
          return String(template).replace(/\$\{([^}]+)\}/g, (_, expr: string) => {
            if (expr.startsWith('!')) return `\${${expr.slice(1)}}`;
            if (expr in resolvedVars) return String(resolvedVars[expr]);
            const dot = expr.indexOf('.');
            return dot > 0 && !expr.startsWith('AWS::')
              ? refs.getAtt(expr.slice(0, dot), expr.slice(dot + 1))
              : refs.ref(expr);
          });
        }
        case 'Fn::Join': {
          const [sep, list] = arg as [string, unknown[]];
          return (walk(list) as unknown[]).map(String).join(sep);
        }
        default:
          throw new Error(`the local lake cannot resolve ${key} in a state machine definition`);
      }
    }
    return Object.fromEntries(Object.entries(obj).map(([k, x]) => [k, walk(x)]));
  };
  return walk(value) as T;
}

export interface LocalAws {
  region: string;
  accountId: string;
}

/** serverless-step-functions' / the framework's normalized logical id of a function: my-fn → MyDashfnLambdaFunction. */
export const functionLogicalId = (key: string) =>
  key.charAt(0).toUpperCase() +
  key.slice(1).replace(/-/g, 'Dash').replace(/_/g, 'Underscore') +
  'LambdaFunction';

/** A bucket's folder on the local lake: RawBucket → raw, CuratedBucket → curated (<LAKE_DIR>/<folder>/<key>). */
export const localBucketName = (logicalId: string) =>
  logicalId
    .replace(/Bucket$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase();

/**
 * Local stand-in names for the resources of the configuration: buckets are lake folders, topics, Glue jobs, functions
 * and state machines get ARNs in the local account.
 */
export function localResourceRefs(config: ServiceConfigWithStateMachines, aws: LocalAws): ResourceRefs {
  const resources = declaredResources(config);
  const stage = config.provider.stage ?? 'local';
  const stackName = `${config.service}-${stage}`;
  const functions = new Map<string, string>();
  for (const [key, fn] of Object.entries(config.functions ?? {})) {
    functions.set(
      functionLogicalId(key),
      (fn as { name?: string }).name ?? `${config.service}-${stage}-${key}`,
    );
  }
  const machines = new Map<string, string>();
  for (const [key, sm] of Object.entries(config.stepFunctions?.stateMachines ?? {})) {
    machines.set(
      sm.id ?? `${key.charAt(0).toUpperCase()}${key.slice(1)}StepFunctionsStateMachine`,
      sm.name ?? key,
    );
  }
  const { region, accountId } = aws;
  const arn = (service: string, rest: string) => `arn:aws:${service}:${region}:${accountId}:${rest}`;

  const refs: ResourceRefs = {
    ref(id) {
      switch (id) {
        case 'AWS::Region':
          return region;
        case 'AWS::AccountId':
          return accountId;
        case 'AWS::Partition':
          return 'aws';
        case 'AWS::StackName':
          return stackName;
        case 'AWS::URLSuffix':
          return 'amazonaws.com';
      }
      if (functions.has(id)) return functions.get(id)!;
      if (machines.has(id)) return arn('states', `stateMachine:${machines.get(id)}`);
      const r = resources[id];
      if (!r) throw new Error(`the state machine refers to ${id}, which serverless.yml does not declare`);
      const name = (prop: string) => {
        const v = r.Properties?.[prop];
        return v === undefined ? id : String(resolveIntrinsics(v, refs));
      };
      switch (r.Type) {
        case 'AWS::S3::Bucket':
          return localBucketName(id);
        case 'AWS::SNS::Topic':
          return arn('sns', name('TopicName'));
        case 'AWS::Glue::Job':
          return name('Name');
        case 'AWS::Lambda::Function':
          return name('FunctionName');
        default:
          return id;
      }
    },
    getAtt(id, attribute) {
      if (attribute === 'Arn') {
        if (functions.has(id)) return arn('lambda', `function:${functions.get(id)}`);
        const type = resources[id]?.Type;
        switch (type) {
          case 'AWS::S3::Bucket':
            return `arn:aws:s3:::${refs.ref(id)}`;
          case 'AWS::SNS::Topic':
            return refs.ref(id);
          case 'AWS::Glue::Job':
            return arn('glue', `job/${refs.ref(id)}`);
          case 'AWS::Lambda::Function':
            return arn('lambda', `function:${refs.ref(id)}`);
          case 'AWS::IAM::Role':
            return `arn:aws:iam::${accountId}:role/${id}`;
        }
      }
      if (attribute === 'TopicName' && resources[id]?.Type === 'AWS::SNS::Topic')
        return refs.ref(id).split(':').pop()!;
      throw new Error(`the local lake has no stand-in for Fn::GetAtt ${id}.${attribute}`);
    },
  };
  return refs;
}

// ---------------------------------------------------------------------------------------------------------------
// Task handlers

export const RESOURCE = {
  glueStartJobRunSync: 'arn:aws:states:::glue:startJobRun.sync',
  snsPublish: 'arn:aws:states:::sns:publish',
  s3GetObject: 'arn:aws:states:::aws-sdk:s3:getObject',
  lambdaInvoke: 'arn:aws:states:::lambda:invoke',
  /** Any function ARN in a Resource field (arn:aws:lambda:<region>:<account>:function:<name>). */
  lambdaFunction: 'arn:aws:lambda:function',
} as const;

export interface TaskContext {
  executionName: string;
  stateName: string;
  resource: string;
}

/** Runs one Task state: its effective input (after Parameters) in, its result out; throws errors named as on AWS. */
export type TaskHandler = (params: Json, ctx: TaskContext) => Promise<Json>;
/** Keyed by the Task's Resource (RESOURCE). */
export type TaskHandlers = Partial<Record<string, TaskHandler>>;

export type EtlRunner = (args: Record<string, string>, opts: { lakeDir: string }) => Promise<EtlRunSummary>;

export function namedError(name: string, message: string): Error {
  const err = new Error(message);
  err.name = name;
  return err;
}

/**
 * glue:startJobRun.sync: runs the job with the run's Arguments and answers the JobRun that GetJobRun reports.
 * Errors the runner names Glue.* are errors of the StartJobRun call and reach Retry/Catch as they are; any other
 * error is a run that ended FAILED: States.TaskFailed with the job run as the Cause, as Step Functions reports it.
 */
export function glueJobHandler(runner: () => Promise<EtlRunner>, lakeDir: string): TaskHandler {
  return async (params) => {
    const { JobName, Arguments = {} } = params as { JobName: string; Arguments?: Record<string, string> };
    const run = await runner();
    // Fault injection (LAKE_FAULTS glue.concurrent / glue.fail, lib/faults.ts), keyed by the run id so that one
    // run's retries see the same choice: a transient StartJobRun error, or a run that ends FAILED having written
    // nothing.
    const runKey = String(Arguments['--run_id'] ?? JSON.stringify(Arguments));
    if (faults().transient('glue.concurrent', runKey, { runId: runKey })) {
      throw namedError(
        'Glue.ConcurrentRunsExceededException',
        `Concurrent runs exceeded for ${JobName} (injected)`,
      );
    }
    const startedOn = Date.now();
    const jobRun = {
      Id: `jr_${randomBytes(32).toString('hex')}`,
      Attempt: 0,
      JobName,
      Arguments,
      StartedOn: startedOn,
      GlueVersion: 'local',
    };
    try {
      if (faults().permanent('glue.fail', runKey, { runId: runKey }))
        throw new Error('Worker lost: the job run failed (injected)');
      await run(Arguments, { lakeDir });
    } catch (e) {
      const err = e as Error;
      if (typeof err?.name === 'string' && err.name.startsWith('Glue.')) throw err;
      const completedOn = Date.now();
      throw namedError(
        'States.TaskFailed',
        JSON.stringify({
          ...jobRun,
          JobRunState: 'FAILED',
          ErrorMessage: err instanceof Error ? err.message : String(err),
          CompletedOn: completedOn,
          ExecutionTime: Math.round((completedOn - startedOn) / 1000),
        }),
      );
    }
    const completedOn = Date.now();
    return {
      ...jobRun,
      JobRunState: 'SUCCEEDED',
      CompletedOn: completedOn,
      LastModifiedOn: completedOn,
      ExecutionTime: Math.round((completedOn - startedOn) / 1000),
    };
  };
}

/**
 * sns:publish: the message is a notice ({kind, subject, detail}, lib/notify); anything else is wrapped in one.
 * A Message that is a JSON object is serialized, as Step Functions does.
 */
export function snsPublishHandler(getNotifier: () => Promise<Notifier> | Notifier): TaskHandler {
  return async (params) => {
    const p = params as {
      Message?: Json;
      Subject?: string;
      MessageAttributes?: Record<string, { StringValue?: string }>;
    };
    if (p.Message === undefined || p.Message === null) {
      throw namedError('SNS.InvalidParameterException', 'Invalid parameter: Message');
    }
    const message = typeof p.Message === 'string' ? p.Message : JSON.stringify(p.Message);
    let notice: Notice;
    try {
      const parsed = JSON.parse(message) as Partial<Notice>;
      if (typeof parsed?.kind !== 'string' || typeof parsed.detail !== 'object' || parsed.detail === null) {
        throw new Error('not a notice');
      }
      notice = { kind: parsed.kind, subject: parsed.subject ?? p.Subject ?? '', detail: parsed.detail };
    } catch {
      notice = {
        kind: p.MessageAttributes?.kind?.StringValue ?? 'SNS_MESSAGE',
        subject: p.Subject ?? '',
        detail: { message },
      };
    }
    await (await getNotifier()).publish(notice);
    return { MessageId: randomUUID() };
  };
}

/** aws-sdk:s3:getObject: <lakeDir>/<bucket folder>/<key>, the Body as a string, as the SDK integration returns it. */
export function s3GetObjectHandler(lakeDir: string): TaskHandler {
  return async (params) => {
    const { Bucket, Key } = params as { Bucket: string; Key: string };
    if (!/^[a-z0-9][a-z0-9.-]*$/.test(Bucket ?? ''))
      throw namedError('S3.NoSuchBucketException', `no bucket ${Bucket}`);
    const root = path.join(lakeDir, Bucket);
    const file = path.resolve(root, Key ?? '');
    if (!Key || !file.startsWith(root + path.sep)) throw namedError('S3.S3Exception', `invalid key ${Key}`);
    let body: Buffer;
    let stat: import('node:fs').Stats;
    try {
      [body, stat] = await Promise.all([fs.readFile(file), fs.stat(file)]);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') {
        throw namedError('S3.NoSuchKeyException', 'The specified key does not exist.');
      }
      throw e;
    }
    return {
      Body: body.toString('utf8'),
      ContentLength: body.length,
      ContentType: Key.endsWith('.json') ? 'application/json' : 'binary/octet-stream',
      ETag: `"${createHash('md5').update(body).digest('hex')}"`,
      LastModified: stat.mtime.toISOString(),
    };
  };
}

/** Lambda: the service's own handlers, by function name (lambda:invoke and function ARNs). */
export function lambdaHandlers(config: ServiceConfigWithStateMachines): TaskHandlers {
  const stage = config.provider.stage ?? 'local';
  const byName = new Map<string, string>();
  for (const [key, fn] of Object.entries(config.functions ?? {})) {
    byName.set((fn as { name?: string }).name ?? `${config.service}-${stage}-${key}`, fn.handler);
    byName.set(key, fn.handler);
  }
  const invoke = async (functionName: string, payload: Json): Promise<Json> => {
    const name = functionName.replace(/^arn:aws:lambda:[^:]*:[^:]*:function:/, '').replace(/:[^:]+$/, '');
    const handler = byName.get(name);
    if (!handler) throw namedError('Lambda.ResourceNotFoundException', `Function not found: ${functionName}`);
    const dot = handler.lastIndexOf('.');
    const mod = (await import(path.join(projectRoot, handler.slice(0, dot)))) as Record<string, unknown>;
    const fn = mod[handler.slice(dot + 1)] as (event: Json, context: unknown) => Promise<Json>;
    const context = {
      functionName: name,
      functionVersion: '$LATEST',
      invokedFunctionArn: functionName,
      memoryLimitInMB: '512',
      awsRequestId: randomUUID(),
      getRemainingTimeInMillis: () => 60_000,
      callbackWaitsForEmptyEventLoop: false,
    };
    return (await fn(payload, context)) ?? null;
  };
  return {
    [RESOURCE.lambdaInvoke]: async (params) => {
      const p = params as { FunctionName: string; Payload?: Json };
      return {
        ExecutedVersion: '$LATEST',
        StatusCode: 200,
        Payload: await invoke(p.FunctionName, p.Payload ?? {}),
      };
    },
    [RESOURCE.lambdaFunction]: async (params, ctx) => invoke(ctx.resource, params),
  };
}

/** The stand-ins of the local lake, each loaded on first use. */
export function defaultTaskHandlers(config: ServiceConfigWithStateMachines, lakeDir: string): TaskHandlers {
  // Loaded on first use: DuckDB only when a job runs.
  return {
    [RESOURCE.glueStartJobRunSync]: glueJobHandler(
      async () => (await import('../lib/etl/duckdb-runner')).runEtlJob,
      lakeDir,
    ),
    [RESOURCE.snsPublish]: snsPublishHandler(async () => (await import('../lib/notify')).notifier()),
    [RESOURCE.s3GetObject]: s3GetObjectHandler(lakeDir),
    ...lambdaHandlers(config),
  };
}

interface TaskState {
  Type: string;
  Resource?: string;
  States?: Record<string, TaskState>;
  Branches?: { States: Record<string, TaskState> }[];
  Iterator?: { States: Record<string, TaskState> };
  ItemProcessor?: { States: Record<string, TaskState> };
}

/** Task state name → Resource, through Parallel branches and Map iterators. */
export function taskStates(definition: { States: Record<string, unknown> }): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (states: Record<string, TaskState>) => {
    for (const [name, s] of Object.entries(states)) {
      if (s.Type === 'Task') {
        const prev = out.get(name);
        if (prev !== undefined && prev !== s.Resource) {
          throw new Error(
            `two Task states are named ${name}; the local engine overrides tasks by state name`,
          );
        }
        out.set(name, String(s.Resource));
      }
      for (const b of s.Branches ?? []) visit(b.States);
      if (s.Iterator) visit(s.Iterator.States);
      if (s.ItemProcessor) visit(s.ItemProcessor.States);
    }
  };
  visit(definition.States as Record<string, TaskState>);
  return out;
}

function handlerFor(handlers: TaskHandlers, resource: string): TaskHandler | undefined {
  if (handlers[resource]) return handlers[resource];
  if (/^arn:aws:lambda:[^:]*:[^:]*:function:/.test(resource)) return handlers[RESOURCE.lambdaFunction];
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// The engine

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
  /** How often to look for requests made by other processes (ms); 0: only this process's (default 1000). */
  pollIntervalMs?: number;
  /** At open: run pending requests and mark executions of dead processes FAILED (default true). */
  recover?: boolean;
  /** How long close() lets running executions finish before aborting them (default 20 s). */
  stopGraceMs?: number;
  logger?: Pick<typeof localLog, 'info' | 'warn' | 'error'>;
}

/** How often an execution interrupted by the death of its process is run again before it is marked FAILED. */
export const MAX_RESTARTS = 2;

/** Instances of this process that are open (an execution claimed by a closed one is no longer running). */
const openInstances = new Set<string>();

const MAX_EVENTS = 25_000;
const MAX_EVENT_PAYLOAD_BYTES = 8 * 1024;

function small(value: unknown): unknown {
  const s = JSON.stringify(value);
  return s !== undefined && s.length <= MAX_EVENT_PAYLOAD_BYTES ? value : '(too large to keep)';
}

function compactEvent(ev: Record<string, unknown>): ExecutionEvent {
  const out: ExecutionEvent = {
    type: String(ev.type),
    timestamp: new Date(Number(ev.timestamp)).toISOString(),
  };
  const state = ev.state as { name: string; type: string; input?: unknown; output?: unknown } | undefined;
  if (state) {
    out.state = state.name;
    out.stateType = state.type;
  }
  if ('Error' in ev) {
    out.error = String(ev.Error);
    out.cause = typeof ev.Cause === 'string' ? ev.Cause : JSON.stringify(ev.Cause);
  }
  if (ev.type === 'StateRetried') out.attempt = (ev.retry as { attempt: number }).attempt;
  if (ev.type === 'StateEntered') out.input = small(state?.input);
  if (ev.type === 'StateExited') out.output = small(state?.output);
  if (ev.type === 'ExecutionStarted') out.input = small(ev.input);
  if (ev.type === 'ExecutionSucceeded') out.output = small(ev.output);
  return out;
}

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number >= 0, got '${raw}'`);
  return n;
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
  private readonly tasks = new Map<string, { resource: string; handler: TaskHandler }>();
  private readonly maxConcurrency: number;
  /** close() is stopping what still runs after its grace period (those run again at the next start). */
  private shutdownAbort = false;
  private readonly log: NonNullable<LocalStateMachineOptions['logger']>;
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly running = new Map<string, Running>();
  private readonly finishWaiters = new Map<string, (() => void)[]>();
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
    this.machine = opts.machine ?? ETL_STATE_MACHINE;
    this.lakeDir = opts.lakeDir;
    this.stateMachineArn = `arn:aws:states:${opts.region ?? process.env.AWS_REGION ?? 'us-east-1'}:${LOCAL_ACCOUNT_ID}:stateMachine:${opts.stateMachineName}`;
    this.maxConcurrency = Math.max(1, opts.maxConcurrency ?? envInt('LAKE_SFN_MAX_CONCURRENCY', 2));
    this.log = opts.logger ?? localLog;
    this.stateMachine = new StateMachine(opts.definition);
    const missing: string[] = [];
    for (const [stateName, resource] of taskStates(opts.definition)) {
      const handler = handlerFor(opts.handlers, resource);
      if (!handler) {
        missing.push(`${stateName} (${resource})`);
        continue;
      }
      this.tasks.set(stateName, { resource, handler });
    }
    if (missing.length) throw new Error(`no local stand-in for the Task states ${missing.join(', ')}`);
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
      await fs.writeFile(
        engineFile(sm.lakeDir, sm.machine),
        JSON.stringify({ pid: process.pid, instance: sm.instance }),
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

  /** Starts an execution (alreadyStarted when the name exists); it runs when a slot is free. */
  async startExecution(name: string, input: unknown): Promise<StartResult> {
    if (this.closed) throw new Error('the local state machine is stopped');
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

  /** Aborts an execution this engine runs (status ABORTED). */
  stopExecution(name: string): boolean {
    const r = this.running.get(name);
    r?.abort();
    return !!r;
  }

  /**
   * Stops serving: no new runs; running executions get `stopGraceMs` to finish, then are stopped and left to run
   * again from the start at the next start (as after a crash, counted in MAX_RESTARTS: on AWS, stopping a machine
   * does not stop an execution). Requests that have not started stay pending for the next start.
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

  /** Temporary files of record writes that a process which is gone never finished. */
  private async removeStaleTemporaryFiles(): Promise<void> {
    const tmp = path.join(executionsDir(this.lakeDir, this.machine), '.tmp');
    for (const f of await fs.readdir(tmp).catch(() => [] as string[])) {
      if (!pidAlive(Number(f.split('-')[0]))) await fs.rm(path.join(tmp, f), { force: true });
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
  }

  private claimPath(name: string): string {
    return path.join(claimsDir(this.lakeDir, this.machine), name);
  }

  /** The owner of a claim, if that engine is still running. */
  private async liveClaim(name: string): Promise<{ pid: number; instance: string } | 'dead' | undefined> {
    let owner: { pid: number; instance: string };
    try {
      owner = JSON.parse(await fs.readFile(this.claimPath(name), 'utf8')) as {
        pid: number;
        instance: string;
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      return 'dead'; // torn claim: its writer died while writing it
    }
    const alive = owner.pid === process.pid ? openInstances.has(owner.instance) : pidAlive(owner.pid);
    return alive ? owner : 'dead';
  }

  private async claim(name: string): Promise<boolean> {
    const data = JSON.stringify({ pid: process.pid, instance: this.instance });
    for (let i = 0; i < 2; i++) {
      try {
        await fs.writeFile(this.claimPath(name), data, { flag: 'wx' });
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        if ((await this.liveClaim(name)) !== 'dead') return false;
        // Left by a process that is gone before it started the run (recover() handles started ones).
        const r = await readExecution(this.lakeDir, this.machine, name);
        if (r?.runStartDate) return false;
        await fs.rm(this.claimPath(name), { force: true });
      }
    }
    return false;
  }

  private async recover(): Promise<void> {
    const records = await listExecutions(this.lakeDir, this.machine);
    const pending: ExecutionRecord[] = [];
    for (const r of records.filter((x) => x.status === 'RUNNING')) {
      const owner = await this.liveClaim(r.name);
      if (owner && owner !== 'dead') continue; // another live engine runs it
      if (owner === 'dead' && r.runStartDate) {
        const restarts = r.restarts ?? 0;
        const now = new Date().toISOString();
        await fs.rm(this.claimPath(r.name), { force: true });
        if (restarts < MAX_RESTARTS) {
          // Step Functions keeps an execution going when a worker dies; the local engine runs it again from the
          // start, under the same name and input. Its tasks are idempotent by design: the Glue job by its run id
          // (the execution name: a re-run replaces what a torn run left), notices at least once.
          const restarted = await this.requestAgain(r, [], `process ${r.runBy?.pid ?? '?'} stopped`);
          this.log.warn('restarting an execution interrupted by a stopped process', {
            name: r.name,
            restart: restarts + 1,
          });
          pending.push(restarted);
          continue;
        }
        await writeRecord(this.lakeDir, this.machine, {
          ...r,
          status: 'FAILED',
          stopDate: now,
          error: 'Local.Interrupted',
          cause:
            `The local lake process (pid ${r.runBy?.pid ?? '?'}) that ran this execution stopped before it finished, ` +
            `${restarts + 1} times: it is not run again (it may be what stops the process). ` +
            'Start a new execution to run its input again.',
          events: [
            ...(r.events ?? []),
            { type: 'ExecutionFailed', timestamp: now, error: 'Local.Interrupted' },
          ],
        });
        await fs.rm(path.join(pendingDir(this.lakeDir, this.machine), r.name), { force: true });
        this.log.error('an execution was interrupted too often; marked FAILED', { name: r.name });
        continue;
      }
      pending.push(r);
    }
    pending.sort((a, b) => (a.startDate < b.startDate ? -1 : a.startDate > b.startDate ? 1 : 0));
    if (pending.length)
      this.log.info('resuming executions requested earlier', { names: pending.map((p) => p.name) });
    for (const r of pending) this.enqueue(r.name);
  }

  /**
   * Writes `r` back as requested and not started (its history so far, `events` of a run cut short, and an
   * ExecutionRestarted event), one restart more: to run again from the start.
   */
  private async requestAgain(
    r: ExecutionRecord,
    events: ExecutionEvent[],
    cause: string,
  ): Promise<ExecutionRecord> {
    const again: ExecutionRecord = {
      ...r,
      restarts: (r.restarts ?? 0) + 1,
      events: [
        ...(r.events ?? []),
        ...events,
        { type: 'ExecutionRestarted', timestamp: new Date().toISOString(), cause },
      ],
    };
    delete again.runStartDate;
    delete again.runBy;
    await writeRecord(this.lakeDir, this.machine, again);
    return again;
  }

  // -- one execution ---------------------------------------------------------------------------------------------

  private async run(name: string, setAbort: (abort: () => void) => void): Promise<void> {
    if (!(await this.claim(name))) return;
    const marker = path.join(pendingDir(this.lakeDir, this.machine), name);
    let record = await readExecution(this.lakeDir, this.machine, name);
    if (!record || isFinal(record.status) || this.closed) {
      await fs.rm(this.claimPath(name), { force: true });
      if (!this.closed || !record || isFinal(record.status)) await fs.rm(marker, { force: true });
      return;
    }
    record = {
      ...record,
      runStartDate: new Date().toISOString(),
      runBy: { pid: process.pid, instance: this.instance },
    };
    await writeRecord(this.lakeDir, this.machine, record);
    await fs.rm(marker, { force: true });

    // aws-local-stepfunctions overrides Task states by name.
    const overrides = Object.fromEntries(
      [...this.tasks].map(([stateName, { resource, handler }]) => [
        stateName,
        (input: Json) => handler(input, { executionName: name, stateName, resource }),
      ]),
    );
    const execution = this.stateMachine.run(record.input as Json, {
      overrides: {
        taskResourceLocalHandlers: overrides,
        ...(this.opts.retryIntervalOverrides
          ? { retryIntervalOverrides: this.opts.retryIntervalOverrides }
          : {}),
      },
      context: {
        Execution: {
          Id: record.executionArn,
          Name: name,
          RoleArn: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/local-step-functions`,
          RedriveCount: 0,
        },
        StateMachine: { Id: this.stateMachineArn, Name: this.opts.stateMachineName },
      },
    });
    setAbort(execution.abort);
    const events: ExecutionEvent[] = [];
    let eventsTruncated = false;
    const collecting = (async () => {
      for await (const ev of execution.eventLogs) {
        if (events.length < MAX_EVENTS) events.push(compactEvent(ev as unknown as Record<string, unknown>));
        else eventsTruncated = true;
      }
    })();

    let outcome: Pick<ExecutionRecord, 'status' | 'output' | 'error' | 'cause'>;
    let requeue = false;
    try {
      outcome = { status: 'SUCCEEDED', output: await execution.result };
    } catch (e) {
      if (e instanceof ExecutionAbortedError) {
        outcome = { status: 'ABORTED' };
        requeue = this.shutdownAbort && (record.restarts ?? 0) < MAX_RESTARTS;
      } else if (e instanceof ExecutionTimeoutError) {
        outcome = {
          status: 'TIMED_OUT',
          error: 'States.Timeout',
          cause: 'The execution ran longer than its TimeoutSeconds',
        };
      } else if (e instanceof ExecutionError) {
        const inner = e.cause as Error | undefined;
        outcome = {
          status: 'FAILED',
          error: inner?.name ?? 'States.Runtime',
          cause: inner?.message ?? e.message,
        };
      } else {
        outcome = { status: 'FAILED', error: 'States.Runtime', cause: (e as Error)?.message ?? String(e) };
      }
    }
    // The library closes its event log with the outcome; don't hang on it should that ever not happen.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([collecting, new Promise((r) => (timer = setTimeout(r, 1000)))]);
    clearTimeout(timer);
    if (requeue) {
      // Stopped by the shutdown: requested again, to run from the start at the next start.
      await this.requestAgain(record, events, 'the local lake stopped');
      await fs.writeFile(marker, '');
      await fs.rm(this.claimPath(name), { force: true });
      return;
    }
    await writeRecord(this.lakeDir, this.machine, {
      ...record,
      ...outcome,
      stopDate: new Date().toISOString(),
      // After a restart: the history before it (ExecutionRestarted), then this run's.
      events: [...(record.events ?? []), ...events],
      ...(eventsTruncated ? { eventsTruncated } : {}),
    });
    await fs.rm(this.claimPath(name), { force: true });
    const level = outcome.status === 'SUCCEEDED' ? 'info' : 'warn';
    this.log[level]('execution finished', { name, status: outcome.status, error: outcome.error });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The schedule

/** rate(N minute|minutes|hour|hours|day|days) in seconds; undefined for cron() and anything else. */
export function rateSeconds(expression: string): number | undefined {
  const m = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/.exec(expression.trim());
  if (!m) return undefined;
  const unit = m[2]!.startsWith('minute') ? 60 : m[2]!.startsWith('hour') ? 3600 : 86400;
  return Number(m[1]) * unit;
}

export interface LocalSchedule {
  intervalSeconds: number;
  input: unknown;
  source: string;
}

/**
 * The schedule events of a state machine, as the local lake runs them: the rate from serverless.yml, or
 * LAKE_COMPACTION_INTERVAL_SECONDS (0 disables). cron() expressions need the variable.
 */
export function localSchedules(sm: StateMachineConfig, env = process.env): LocalSchedule[] {
  const override = env.LAKE_COMPACTION_INTERVAL_SECONDS;
  const out: LocalSchedule[] = [];
  for (const ev of sm.events ?? []) {
    if (!ev.schedule) continue;
    const s = typeof ev.schedule === 'string' ? { rate: ev.schedule } : ev.schedule;
    if (s.enabled === false && (override === undefined || override === '')) continue;
    let seconds: number | undefined;
    let source = s.rate;
    if (override !== undefined && override !== '') {
      seconds = Number(override);
      source = 'LAKE_COMPACTION_INTERVAL_SECONDS';
      if (!Number.isFinite(seconds) || seconds < 0) {
        throw new Error(
          `LAKE_COMPACTION_INTERVAL_SECONDS must be a number of seconds >= 0, got '${override}'`,
        );
      }
    } else {
      seconds = rateSeconds(s.rate);
      if (seconds === undefined) {
        localLog.warn(
          'schedule not run locally: only rate() expressions are; set LAKE_COMPACTION_INTERVAL_SECONDS',
          {
            schedule: s.rate,
          },
        );
        continue;
      }
    }
    if (seconds > 0) out.push({ intervalSeconds: seconds, input: s.input ?? {}, source });
  }
  return out;
}

/** A name for a scheduled execution: the time it fires, to the second. */
export const scheduledExecutionName = (at: Date, prefix = 'scheduled') =>
  `${prefix}-${at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;

// ---------------------------------------------------------------------------------------------------------------
// The local lake's ETL state machine

export interface LocalEtlOptions {
  config?: ServiceConfigWithStateMachines;
  stage?: string;
  lakeDir: string;
  handlers?: TaskHandlers;
  /** Run the schedule events (default true). */
  schedule?: boolean;
  engine?: Partial<
    Omit<LocalStateMachineOptions, 'definition' | 'handlers' | 'lakeDir' | 'stateMachineName'>
  >;
}

export interface LocalEtl {
  engine: LocalStateMachine;
  /** Starts an execution now, as the schedule does (npm run compact). */
  startScheduled(prefix?: string): Promise<StartResult & { name: string }>;
  stop(): Promise<void>;
}

/** The definition of a state machine of the configuration, resolved for the local lake. */
export function localDefinition(
  config: ServiceConfigWithStateMachines,
  key = ETL_STATE_MACHINE,
): { sm: StateMachineConfig; definition: StateMachineDefinition; name: string } {
  const sm = config.stepFunctions?.stateMachines?.[key];
  if (!sm)
    throw new Error(`serverless.yml declares no state machine '${key}' under stepFunctions.stateMachines`);
  const refs = localResourceRefs(config, {
    region: config.provider.region ?? process.env.AWS_REGION ?? 'us-east-1',
    accountId: LOCAL_ACCOUNT_ID,
  });
  return {
    sm,
    definition: resolveIntrinsics(sm.definition, refs),
    name: sm.name ?? `${config.service}-${config.provider.stage ?? 'local'}-${key}`,
  };
}

/**
 * LAKE_SFN_RETRY_INTERVAL_MS: every Retry of every state waits this long instead of its IntervalSeconds, backoff
 * and jitter (system tests and soaks, where a 60 s concurrency backoff would only slow the run). Unset: the ASL's.
 */
export function retryIntervalsFromEnv(
  definition: StateMachineDefinition,
  env = process.env,
): Record<string, number> | undefined {
  const raw = env.LAKE_SFN_RETRY_INTERVAL_MS;
  if (raw === undefined || raw === '') return undefined;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 0)
    throw new Error(`LAKE_SFN_RETRY_INTERVAL_MS must be a whole number >= 0, got '${raw}'`);
  const out: Record<string, number> = {};
  for (const [name, state] of Object.entries(definition.States as Record<string, { Retry?: unknown[] }>))
    if (Array.isArray(state.Retry) && state.Retry.length > 0) out[name] = ms;
  return out;
}

/** Opens the ETL state machine on the local lake, with its schedule. */
export async function startLocalEtl(opts: LocalEtlOptions): Promise<LocalEtl> {
  const config = (opts.config ??
    (await loadServiceConfig(opts.stage ?? 'local'))) as ServiceConfigWithStateMachines;
  const { sm, definition, name } = localDefinition(config);
  const engine = await LocalStateMachine.open({
    lakeDir: opts.lakeDir,
    stateMachineName: name,
    definition,
    handlers: { ...defaultTaskHandlers(config, opts.lakeDir), ...opts.handlers },
    region: config.provider.region,
    retryIntervalOverrides: retryIntervalsFromEnv(definition),
    ...opts.engine,
  });
  const schedules = opts.schedule === false ? [] : localSchedules(sm);
  const timers: NodeJS.Timeout[] = [];
  const startScheduled = async (
    prefix = 'scheduled',
    input: unknown = schedules[0]?.input ?? { mode: 'events' },
  ) => {
    const execName = scheduledExecutionName(new Date(), prefix);
    return { name: execName, ...(await engine.startExecution(execName, input)) };
  };
  for (const s of schedules) {
    localLog.info('schedule', { stateMachine: name, everySeconds: s.intervalSeconds, from: s.source });
    // Unlike EventBridge, a tick is skipped while the previous scheduled execution has not finished: one machine
    // does not pile up compactions of the same events.
    let previous: string | undefined;
    const tick = async () => {
      const prev = previous && (await engine.describeExecution(previous));
      if (prev && prev.status === 'RUNNING') {
        localLog.info('scheduled execution skipped: the previous one is still running', { previous });
        return;
      }
      previous = (await startScheduled('scheduled', s.input)).name;
    };
    const t = setInterval(() => {
      tick().catch((e) => localLog.error('scheduled execution failed to start', { error: e as Error }));
    }, s.intervalSeconds * 1000);
    t.unref();
    timers.push(t);
  }
  return {
    engine,
    startScheduled: (prefix) => startScheduled(prefix),
    stop: async () => {
      for (const t of timers) clearInterval(t);
      await engine.close();
    },
  };
}
