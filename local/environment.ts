/**
 * Applies the environment that serverless.yml gives the functions (provider-wide and per function) to this
 * process, as Lambda would to each function. Variables already set by the user win, so any setting can be
 * overridden from the shell. Log lines are JSON, as on Lambda, unless local/pretty-log.ts is installed (a terminal).
 */
import { enableInvocationScopes } from '../lib/invocation-scope';
import type { ServiceConfig } from './service-config';

export function applyFunctionEnvironment(config: ServiceConfig): void {
  const merged: Record<string, string> = { ...(config.provider.environment ?? {}) };
  for (const [name, fn] of Object.entries(config.functions ?? {})) {
    for (const [k, v] of Object.entries(fn.environment ?? {})) {
      if (k in merged && merged[k] !== String(v)) {
        throw new Error(
          `functions.${name}.environment.${k} differs from another function's; the local runtime shares one process`,
        );
      }
      merged[k] = String(v);
    }
  }
  for (const [k, v] of Object.entries(merged)) if (process.env[k] === undefined) process.env[k] = v;
  process.env.LAKE_SERVER = '1';
  // Lambda's TZ (a reserved variable there): UTC. Powertools' Logger writes a timestamp's offset from the local zone,
  // an hour wrong in a zone of -03:30 (America/St_Johns), and the JSON lines are Lambda's, in UTC.
  process.env.TZ = 'UTC';
  process.env.IS_LOCAL ??= 'true';
  // Every function runs in this one process, many at once: each invocation keeps its own log context.
  enableInvocationScopes();
}
