/** The local lake's ETL state machine: its definition, resolved, run by the engine with its schedule. */
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import type { StartResult } from '../../lib/workflow/types';
import { ETL_STATE_MACHINE, LOCAL_ACCOUNT_ID } from '../../lib/workflow/local';
import { writeLocalDefinition } from '../../lib/workflow/local-workflow';
import { localLog } from '../log';
import { loadServiceConfig } from '../service-config';
import { retryIntervalMs, SettingError, waitMsProblem } from '../start-settings';
import type { ServiceConfigWithStateMachines, StateMachineConfig } from './config';
import { localResourceRefs, resolveIntrinsics } from './intrinsics';
import { armSchedule } from './schedule-timers';
import { localSchedules, scheduledExecutionName } from './schedules';
import { LocalStateMachine, type LocalStateMachineOptions } from './state-machine';
import { defaultTaskHandlers, type TaskHandlers } from './task-handlers';

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
  /** No schedule starts an execution any more (the first step of a stop). */
  stopSchedules(): void;
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
  const ms = retryIntervalMs(env);
  if (ms === undefined) return undefined;
  const out: Record<string, number> = {};
  for (const [name, state] of Object.entries(definition.States as Record<string, { Retry?: unknown[] }>))
    if (Array.isArray(state.Retry) && state.Retry.length > 0) out[name] = ms;
  return out;
}

/**
 * LAKE_SFN_WAIT_MS: how long, at most, every Wait state waits on the local lake (default 1000 ms; `asl`: the ASL's
 * own Seconds). The ETL's only Wait is WaitForLake, between two looks at a busy lake: 60 s on AWS, where a run lasts
 * minutes; locally a run lasts seconds, and a streak of waits starts with a 100 ms look, doubling up to this
 * (wait-tracker.ts). Only the pace differs: the states visited and their order are the ASL's.
 */
export function waitTimesFromEnv(
  definition: StateMachineDefinition,
  env = process.env,
): Record<string, number> | undefined {
  const why = waitMsProblem(env);
  if (why) throw new SettingError(why);
  const raw = env.LAKE_SFN_WAIT_MS || '1000';
  if (raw === 'asl') return undefined;
  const ms = Number(raw);
  const out: Record<string, number> = {};
  for (const [name, state] of Object.entries(definition.States as Record<string, { Type?: string }>))
    if (state.Type === 'Wait') out[name] = ms;
  return out;
}

/** Opens the ETL state machine on the local lake, with its schedule. */
export async function startLocalEtl(opts: LocalEtlOptions): Promise<LocalEtl> {
  const config = (opts.config ??
    (await loadServiceConfig(opts.stage ?? 'local'))) as ServiceConfigWithStateMachines;
  const { sm, definition, name } = localDefinition(config);
  // What GET /executions/{name} shows as the definition (lib/workflow/local-workflow.ts): written before the engine
  // opens, as the executions it resumes at once record its id.
  await writeLocalDefinition(opts.lakeDir, definition);
  const engine = await LocalStateMachine.open({
    lakeDir: opts.lakeDir,
    stateMachineName: name,
    definition,
    handlers: { ...defaultTaskHandlers(config, opts.lakeDir), ...opts.handlers },
    region: config.provider.region,
    retryIntervalOverrides: retryIntervalsFromEnv(definition),
    waitTimeOverrides: waitTimesFromEnv(definition),
    // The job's run id is the execution name (state-machines/etl.asl.json --run_id): a run stopped with the lake
    // does not count as one of the attempts of the uploads it took.
    onStopped: async (execution) =>
      (await import('../../lib/etl/duckdb-runner/uploads')).releaseUploadsTakenBy(opts.lakeDir, execution),
    ...opts.engine,
  });
  const schedules = opts.schedule === false ? [] : localSchedules(sm);
  const stops: (() => void)[] = [];
  const stopSchedules = () => {
    for (const stop of stops.splice(0)) stop();
  };
  const startScheduled = async (
    prefix = 'scheduled',
    input: unknown = schedules[0]?.input ?? { mode: 'events' },
  ) => {
    const execName = scheduledExecutionName(new Date(), prefix);
    return { name: execName, ...(await engine.startExecution(execName, input)) };
  };
  for (const s of schedules) {
    localLog.info('schedule', {
      stateMachine: name,
      ...(s.cron !== undefined ? { cron: s.cron } : { everySeconds: s.intervalSeconds }),
      from: s.source,
    });
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
    stops.push(armSchedule(s, tick, { stateMachine: name, from: s.source }));
  }
  return {
    engine,
    startScheduled: (prefix) => startScheduled(prefix),
    stopSchedules,
    stop: async () => {
      stopSchedules();
      await engine.close();
    },
  };
}
