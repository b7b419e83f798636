/**
 * What the local lake refuses before it starts (npm start, and the CLIs that run an execution in their own process):
 * settings of the environment that would otherwise be read late or silently replaced, and a stage that serverless.yml
 * deploys to AWS.
 */
import { LogLevelThreshold } from '@aws-lambda-powertools/logger';
import type { ServiceConfig } from './service-config';

/** A setting of the environment that is no such value: told in one line, without a stack. */
export class SettingError extends Error {
  override readonly name = 'SettingError';
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
    waitMsProblem(env)
  );
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
  if (wait === undefined || wait === 'asl' || /^[0-9]+$/.test(wait)) return undefined;
  return `LAKE_SFN_WAIT_MS must be a whole number >= 0 or 'asl', got '${wait}'`;
}

/** Why `stage` is no stage the local lake runs (its functions would call AWS), or undefined. */
export function notLocalStage(stage: string, config: ServiceConfig): string | undefined {
  const runtime = config.provider.environment?.LAKE_RUNTIME;
  if (runtime === 'local') return undefined;
  return (
    `LAKE_STAGE=${stage} is a stage serverless.yml deploys to AWS (runtime ${String(runtime)}): the local lake ` +
    "runs a stage whose params say runtime: local (the stage 'local'); deploy this one with sls deploy"
  );
}
