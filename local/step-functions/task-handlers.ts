/** Task handlers: the local stand-ins that run Task states, keyed by their Resource. */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { faults } from '../../lib/faults';
import type { EtlRunSummary } from '../../lib/etl/run';
import type { Notice, Notifier } from '../../lib/notify/types';
import { SNS_MAX_MESSAGE_BYTES } from '../../lib/notify/message';
import { ETL_STATE_MACHINE } from '../../lib/workflow/local';
import { projectRoot } from '../service-config';
import { declaredResources, type Json, type ServiceConfigWithStateMachines } from './config';
import { stateMachineS3Access, type S3ReadAccess } from './state-machine-role';

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
  /**
   * Aborted when the execution is stopped (StopExecution, or the lake stopping after its grace): Step Functions then
   * stops a `.sync` job run (BatchStopJobRun), and the local Glue job run is interrupted.
   */
  signal?: AbortSignal;
}

/** Runs one Task state: its effective input (after Parameters) in, its result out; throws errors named as on AWS. */
export type TaskHandler = (params: Json, ctx: TaskContext) => Promise<Json>;
/** Keyed by the Task's Resource (RESOURCE). */
export type TaskHandlers = Partial<Record<string, TaskHandler>>;

export type EtlRunner = (
  args: Record<string, string>,
  opts: { lakeDir: string; signal?: AbortSignal },
) => Promise<EtlRunSummary>;

export function namedError(name: string, message: string): Error {
  const err = new Error(message);
  err.name = name;
  return err;
}

/**
 * What StartJobRun itself answers with, of the runner's errors: another run is in progress (the job allows one).
 * Its other Glue.* errors (bad arguments, an unknown table) come from the job script on AWS — StartJobRun does not
 * read argument values — so they end the run FAILED, as any error of the run does.
 */
const START_JOB_RUN_ERRORS = new Set(['Glue.ConcurrentRunsExceededException']);

/**
 * glue:startJobRun.sync: runs the job with the run's Arguments and answers the JobRun that GetJobRun reports.
 * An error of the StartJobRun call (START_JOB_RUN_ERRORS) reaches Retry/Catch as it is; any other error is a run
 * that ended FAILED: States.TaskFailed with the job run as the Cause (its ErrorMessage the error's name and
 * message, as the job's exception), as Step Functions reports it. A run longer than the job's Timeout (minutes:
 * `timeoutMinutes`, from its AWS::Glue::Job resource) is stopped and ends TIMEOUT, as Glue ends it.
 */
export function glueJobHandler(
  runner: () => Promise<EtlRunner>,
  lakeDir: string,
  timeoutMinutes: (jobName: string) => number | undefined = () => undefined,
): TaskHandler {
  return async (params, ctx) => {
    const { JobName, Arguments = {} } = params as { JobName: string; Arguments?: Record<string, string> };
    const minutes = timeoutMinutes(JobName);
    const timeout = minutes !== undefined ? AbortSignal.timeout(minutes * 60_000) : undefined;
    const signals = [ctx?.signal, timeout].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
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
      // Glue hands every run its own id as an argument (--JOB_RUN_ID): the run records it in its results.
      // Stopped with its execution, as Step Functions stops a .sync job run (the run fails where it is, as a crash).
      await run({ ...Arguments, '--JOB_RUN_ID': jobRun.Id }, { lakeDir, ...(signal ? { signal } : {}) });
    } catch (e) {
      const err = e as Error;
      if (typeof err?.name === 'string' && START_JOB_RUN_ERRORS.has(err.name)) throw err;
      const completedOn = Date.now();
      const named = err instanceof Error && err.name.startsWith('Glue.');
      const timedOut = timeout?.aborted === true && ctx?.signal?.aborted !== true;
      throw namedError(
        'States.TaskFailed',
        JSON.stringify({
          ...jobRun,
          JobRunState: timedOut ? 'TIMEOUT' : 'FAILED',
          ErrorMessage: timedOut
            ? `The job run exceeded the job's Timeout of ${minutes} minutes and was stopped`
            : err instanceof Error
              ? named
                ? `${err.name}: ${err.message}`
                : err.message
              : String(err),
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
 * A Message that is a JSON object is serialized, as Step Functions does, and published as that text — not as the
 * notifier writes a notice of its own (publishedAt, a detail cut to fit): subscribers get what they get on AWS, and a
 * message over SNS's limit fails the task as SNS fails it.
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
    const attributes = Object.entries(p.MessageAttributes ?? {}).map(
      ([name, a]) => name + 'String' + (a.StringValue ?? ''),
    );
    if (Buffer.byteLength(message + (p.Subject ?? '') + attributes.join('')) > SNS_MAX_MESSAGE_BYTES) {
      throw namedError('SNS.InvalidParameterException', 'Invalid parameter: Message too long');
    }
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
    await (await getNotifier()).publish(notice, message);
    return { MessageId: randomUUID() };
  };
}

/**
 * aws-sdk:s3:getObject: <lakeDir>/<bucket folder>/<key>, the Body as a string, as the SDK integration returns it,
 * answered as S3 answers the state machine's role (`access`, state-machine-role.ts):
 *  - no s3:GetObject on the object: 403 AccessDenied, whether or not the object exists;
 *  - a missing key: 404 NoSuchKey if the role may s3:ListBucket on the bucket, 403 AccessDenied if not (Amazon S3
 *    API Reference, GetObject, "Permissions": "If you have the s3:ListBucket permission on the bucket, Amazon S3
 *    returns an HTTP status code 404 Not Found error. If you don't have the s3:ListBucket permission, Amazon S3
 *    returns an HTTP status code 403 Access Denied error.").
 * Error names as Step Functions reports them ("Learning to use AWS service SDK integrations in Step Functions":
 * ServiceName.ErrorName with the Exception suffix): S3.NoSuchKeyException, S3.NoSuchBucketException; AccessDenied
 * has no modelled exception, so it is S3's generic S3.S3Exception, its cause the SDK's message ("Access Denied
 * (Service: S3, Status Code: 403, Request ID: …, Extended Request ID: …)").
 */
export function s3GetObjectHandler(lakeDir: string, access: S3ReadAccess): TaskHandler {
  const requestIds = () => {
    const id = randomBytes(8).toString('hex').toUpperCase();
    return `Request ID: ${id}, Extended Request ID: ${randomBytes(48).toString('base64')}`;
  };
  const accessDenied = (why: string) =>
    namedError(
      'S3.S3Exception',
      `Access Denied (Service: S3, Status Code: 403, ${requestIds()}) [local: ${access.principal} ${why}]`,
    );
  return async (params) => {
    const { Bucket, Key } = params as { Bucket: string; Key: string };
    if (!/^[a-z0-9][a-z0-9.-]*$/.test(Bucket ?? ''))
      throw namedError(
        'S3.NoSuchBucketException',
        `The specified bucket does not exist (Service: S3, Status Code: 404, ${requestIds()})`,
      );
    const root = path.join(lakeDir, Bucket);
    const file = path.resolve(root, Key ?? '');
    if (!Key || !file.startsWith(root + path.sep)) throw namedError('S3.S3Exception', `invalid key ${Key}`);
    if (!access.mayGetObject(Bucket, Key))
      throw accessDenied(`may not s3:GetObject on arn:aws:s3:::${Bucket}/${Key}`);
    let body: Buffer;
    let stat: import('node:fs').Stats;
    try {
      [body, stat] = await Promise.all([fs.readFile(file), fs.stat(file)]);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') {
        if (!access.mayListBucket(Bucket))
          throw accessDenied(`may not s3:ListBucket on arn:aws:s3:::${Bucket}, so a missing key is a 403`);
        throw namedError(
          'S3.NoSuchKeyException',
          `The specified key does not exist. (Service: S3, Status Code: 404, ${requestIds()})`,
        );
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

/** The Timeout (minutes) of each AWS::Glue::Job the configuration declares, by the job's name. */
export function glueJobTimeouts(
  config: ServiceConfigWithStateMachines,
): (jobName: string) => number | undefined {
  const timeouts = new Map<string, number>();
  for (const r of Object.values(declaredResources(config))) {
    const p = r.Properties as { Name?: unknown; Timeout?: unknown } | undefined;
    if (r.Type === 'AWS::Glue::Job' && typeof p?.Name === 'string' && typeof p.Timeout === 'number')
      timeouts.set(p.Name, p.Timeout);
  }
  return (jobName) => timeouts.get(jobName);
}

/**
 * The stand-ins of the local lake, each loaded on first use, for the state machine `machine` (its key under
 * stepFunctions.stateMachines: the S3 stand-in answers as that state machine's role allows).
 */
export function defaultTaskHandlers(
  config: ServiceConfigWithStateMachines,
  lakeDir: string,
  machine = ETL_STATE_MACHINE,
): TaskHandlers {
  // Loaded on first use: DuckDB only when a job runs.
  return {
    [RESOURCE.glueStartJobRunSync]: glueJobHandler(
      async () => (await import('../../lib/etl/duckdb-runner')).runEtlJob,
      lakeDir,
      glueJobTimeouts(config),
    ),
    [RESOURCE.snsPublish]: snsPublishHandler(async () => (await import('../../lib/notify')).notifier()),
    [RESOURCE.s3GetObject]: s3GetObjectHandler(lakeDir, stateMachineS3Access(config, machine)),
    ...lambdaHandlers(config),
  };
}
