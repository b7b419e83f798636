/**
 * Where the code runs, and process.env as a plain object inside a Lambda execution environment.
 *
 * Powertools' Logger and Metrics read environment variables on every use, not once: whether invocations may share
 * the process (AWS_LAMBDA_MAX_CONCURRENCY, checked at each access of their per-invocation stores), the time zone
 * of each timestamp, the trace id, dev mode. Node's process.env is no plain object: each read, found or not, asks
 * the C library's environment. A one-event POST /events makes a few dozen such reads: with a plain copy its CPU went
 * from ~52 to ~36 µs (bench/ingest-cpu-child.ts, one run after the other).
 *
 * Inside Lambda (not `sls invoke local`) the function's environment is fixed when it starts, so the handler
 * modules replace process.env with a copy that is a plain object. One variable changes per invocation,
 * _X_AMZN_TRACE_ID (set by the runtime where it has no InvokeStore): the copy reads and writes it through to the
 * real environment. Every other write lands in the copy, where every reader in this process (Node's child_process
 * included, which takes process.env when given no env) finds it; nothing in the functions writes the environment
 * for native code or changes TZ after start.
 */

/** Inside a Lambda execution environment on AWS (not `sls invoke local`, which sets IS_LOCAL). */
export const inLambda = (env: NodeJS.ProcessEnv = process.env): boolean =>
  Boolean(env.AWS_EXECUTION_ENV?.startsWith('AWS_Lambda_')) && !env.IS_LOCAL;

/** Variables the Lambda runtime may change while the process lives: read and written through. */
export const PER_INVOCATION_VARIABLES = ['_X_AMZN_TRACE_ID'] as const;

/** A plain-object copy of `env`, with the per-invocation variables read and written through to it. */
export function plainEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy: NodeJS.ProcessEnv = { ...env };
  for (const key of PER_INVOCATION_VARIABLES) {
    delete copy[key];
    Object.defineProperty(copy, key, {
      get: () => env[key],
      set: (value: string | undefined) => {
        if (value === undefined) delete env[key];
        else env[key] = value;
      },
      enumerable: true,
      configurable: true,
    });
  }
  return copy;
}

let replaced = false;

/** Inside Lambda, makes process.env a plainEnvironment copy (once per process); true if it is one. */
export function usePlainEnvironmentInLambda(): boolean {
  if (!replaced && inLambda(process.env)) {
    process.env = plainEnvironment(process.env);
    replaced = true;
  }
  return replaced;
}
