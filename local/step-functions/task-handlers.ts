/** Task handlers: the local stand-ins that run Task states, keyed by their Resource. */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { faults } from '../../lib/faults';
import type { EtlRunSummary } from '../../lib/etl/run';
import type { Notice, Notifier } from '../../lib/notify/types';
import { projectRoot } from '../service-config';
import type { Json, ServiceConfigWithStateMachines } from './config';

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
      async () => (await import('../../lib/etl/duckdb-runner')).runEtlJob,
      lakeDir,
    ),
    [RESOURCE.snsPublish]: snsPublishHandler(async () => (await import('../../lib/notify')).notifier()),
    [RESOURCE.s3GetObject]: s3GetObjectHandler(lakeDir),
    ...lambdaHandlers(config),
  };
}
