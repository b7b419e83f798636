/**
 * What the local lake refuses before it starts (npm start, and the CLIs that run an execution in their own process):
 * settings of the environment that would otherwise be read late or silently replaced, and a stage that serverless.yml
 * deploys to AWS.
 */
import os from 'node:os';
import { LogLevelThreshold } from '@aws-lambda-powertools/logger';
import { ingestLimits, localFirehoseSettings } from '../lib/config';
import { parseFaults } from '../lib/faults';
import { localQuerySettings, queryLimits } from '../lib/query/settings';
import { SettingError } from '../lib/setting-error';
import { sampleLimits } from '../lib/uploads/types';
import type { ServiceConfig } from './service-config';

/** A setting of the environment that is no such value: told in one line, without a stack. */
export { SettingError };

/**
 * The settings read where they are used (by the functions, the engine, the watchers, the delivery stream), each
 * parsed here first: one that is no such value is refused before the lake or a command writes anything — its folder,
 * the schema versions it records as in use.
 */
const READ_LATER: readonly (() => unknown)[] = [
  ingestLimits,
  localFirehoseSettings,
  queryLimits,
  localQuerySettings,
  sampleLimits,
  () => parseFaults(process.env.LAKE_FAULTS),
  () => functionWorkerCount(),
  () => uploadsWatcherTimings(),
  () => retryIntervalMs(),
  () => compactionIntervalSeconds(),
];

function laterSettingProblem(): string | undefined {
  for (const parse of READ_LATER) {
    try {
      parse();
    } catch (e) {
      if (e instanceof SettingError) return e.message;
      throw e;
    }
  }
  return undefined;
}

/**
 * The Node.js the lake needs (package.json engines, the Lambda runtime nodejs24.x): an older one fails deep in the
 * start on what it lacks (JSON.rawJSON), so the start says this first. `npm start` and npx run the devDependency's.
 */
export function nodeVersionProblem(version = process.versions.node): string | undefined {
  const major = Number(version.split('.')[0]);
  return major >= 24
    ? undefined
    : `the local data lake needs Node.js 24 or later, and this is Node.js ${version}: start it with npm start, or ` +
        'npx node --import tsx local/main.ts (Node.js 24 is a devDependency: npm and npx run it)';
}

/** Settings of the environment that would otherwise be read late (at the stop) or silently replaced. */
export function startSettingProblem(): string | undefined {
  const env = process.env;
  const access = env.LAKE_ACCESS_LOG;
  if (access !== undefined && access !== 'true' && access !== 'false')
    return `LAKE_ACCESS_LOG must be true or false, got '${access}'`;
  // Powertools' own levels (it falls back to INFO silently on any other).
  const level = env.POWERTOOLS_LOG_LEVEL;
  const levels = Object.keys(LogLevelThreshold);
  if (level !== undefined && !levels.includes(level.toUpperCase()))
    return `POWERTOOLS_LOG_LEVEL must be one of ${levels.join(', ')}, got '${level}'`;
  // A header value is visible ASCII: a client cannot send another key, so no request would be let in.
  const key = env.LAKE_API_KEY?.trim();
  if (key && !/^[\x21-\x7e]+$/.test(key))
    return 'LAKE_API_KEY must be visible ASCII characters (an HTTP header value): clients cannot send this one';
  return (
    wholeNumberProblem('LAKE_SFN_STOP_GRACE_SECONDS', env) ??
    // 0 would run no execution at all (the state machine runs at least one at a time).
    wholeNumberProblem('LAKE_SFN_MAX_CONCURRENCY', env, 1) ??
    waitMsProblem(env) ??
    laterSettingProblem()
  );
}

/** How many function workers: LAKE_FUNCTION_WORKERS, else one per core beyond the lake's own thread (at least one). */
export function functionWorkerCount(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.LAKE_FUNCTION_WORKERS?.trim();
  if (raw === undefined || raw === '') return Math.max(1, os.availableParallelism() - 1);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 64)
    throw new SettingError(`LAKE_FUNCTION_WORKERS must be a whole number from 0 to 64, got '${raw}'`);
  return n;
}

/** The uploads watcher's rescan interval and retry delay: LAKE_UPLOADS_POLL_MS, LAKE_UPLOADS_RETRY_MS (1000 each). */
export function uploadsWatcherTimings(): { pollMs: number; retryDelayMs: number } {
  return {
    pollMs: msFromEnv('LAKE_UPLOADS_POLL_MS', 10),
    retryDelayMs: msFromEnv('LAKE_UPLOADS_RETRY_MS', 0),
  };
}

/** A number of milliseconds from the environment (default 1000), at least `min`. */
function msFromEnv(name: string, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return 1000;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min)
    throw new SettingError(`${name} must be a number >= ${min}, got '${raw}'`);
  return n;
}

/**
 * LAKE_SFN_RETRY_INTERVAL_MS: what every Retry of every state waits instead of its IntervalSeconds, backoff and jitter
 * (local/step-functions/etl.ts); undefined when unset (the ASL's).
 */
export function retryIntervalMs(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.LAKE_SFN_RETRY_INTERVAL_MS;
  if (raw === undefined || raw === '') return undefined;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 0)
    throw new SettingError(`LAKE_SFN_RETRY_INTERVAL_MS must be a whole number >= 0, got '${raw}'`);
  return ms;
}

/**
 * LAKE_COMPACTION_INTERVAL_SECONDS: the local compaction schedule's interval instead of serverless.yml's (0 disables;
 * local/step-functions/schedules.ts); undefined when unset.
 */
export function compactionIntervalSeconds(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.LAKE_COMPACTION_INTERVAL_SECONDS;
  if (raw === undefined || raw === '') return undefined;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0)
    throw new SettingError(`LAKE_COMPACTION_INTERVAL_SECONDS must be a number of seconds >= 0, got '${raw}'`);
  return seconds;
}

/** A whole number >= min (unset or empty: the default), or why not — the rule of the step functions' settings. */
export function wholeNumberProblem(name: string, env = process.env, min = 0): string | undefined {
  const value = env[name];
  if (
    value === undefined ||
    value === '' ||
    (/^[0-9]+$/.test(value) && Number.isSafeInteger(Number(value)) && Number(value) >= min)
  )
    return undefined;
  return `${name} must be a whole number >= ${min}, got '${value}'`;
}

/** LAKE_SFN_WAIT_MS: a whole number >= 0 or 'asl' (unset: the default), or why not. */
export function waitMsProblem(env = process.env): string | undefined {
  const wait = env.LAKE_SFN_WAIT_MS;
  // Empty is unset, as for the other settings.
  if (wait === undefined || wait === '' || wait === 'asl' || /^[0-9]+$/.test(wait)) return undefined;
  return `LAKE_SFN_WAIT_MS must be a whole number >= 0 or 'asl', got '${wait}'`;
}

/** Why `stage` is no stage the local lake runs (its functions would call AWS), or undefined. */
export function notLocalStage(stage: string, config: ServiceConfig): string | undefined {
  const runtime = config.provider.environment?.LAKE_RUNTIME;
  if (runtime === 'local') return undefined;
  // A stage serverless.yml does not declare (a typo: LAKE_STAGE=locl) takes the default params, AWS's.
  const declared = Object.keys((config as { params?: Record<string, unknown> }).params ?? {}).filter(
    (k) => k !== 'default',
  );
  if (declared.length > 0 && !declared.includes(stage))
    return (
      `LAKE_STAGE=${stage} is no stage serverless.yml declares (its params: ${declared.join(', ')}): the local lake ` +
      "runs the stage 'local' (LAKE_STAGE unset)"
    );
  return (
    `LAKE_STAGE=${stage} is a stage serverless.yml deploys to AWS (runtime ${String(runtime)}): the local lake ` +
    "runs a stage whose params say runtime: local (the stage 'local'); deploy this one with sls deploy"
  );
}
