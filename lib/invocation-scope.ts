/**
 * One log context per invocation when several invocations share a process (the local lake runs every function,
 * the state machine and the notifier in one process, with concurrent requests).
 *
 * Powertools' Logger keeps an invocation's context (function name and request id, correlation id, appended keys)
 * in plain instance state — shared by every invocation of the process — unless AWS_LAMBDA_MAX_CONCURRENCY is set,
 * as on Lambda Managed Instances: then it keeps it in the runtime's InvokeStore (globalThis.awslambda.InvokeStore,
 * an AsyncLocalStorage per invocation), and falls back to the shared state outside any invocation. On the local
 * lake there is no Lambda runtime to provide that store: enableInvocationScopes() installs one, and `isolated()`
 * runs each invocation of a handler in a scope of its own, as the runtime would.
 *
 *  - A scope ends when its invocation returns: what it left running (a delivery it triggered, an execution it
 *    started) logs afterwards under no invocation, not under one that is over.
 *  - `runAs()` gives work that is not a function its own identity (the SNS stand-in logs as its topic).
 *  - `outsideInvocations()` runs work that an invocation starts but that is not part of it (a state machine
 *    execution) without the invocation's context.
 *
 * On AWS (no LAKE_SERVER, one invocation per environment) nothing is enabled and `isolated()` calls the handler as
 * it is.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { inLambda } from './lambda-environment';

/** The variable Powertools reads to keep invocation state apart (Lambda Managed Instances). */
export const MAX_CONCURRENCY_ENV = 'AWS_LAMBDA_MAX_CONCURRENCY';

/** The keys the Lambda runtime protects in its InvokeStore (@aws/lambda-invoke-store's PROTECTED_KEYS). */
const PROTECTED_KEYS = {
  REQUEST_ID: Symbol.for('_AWS_LAMBDA_REQUEST_ID'),
  X_RAY_TRACE_ID: Symbol.for('_AWS_LAMBDA_X_RAY_TRACE_ID'),
  TENANT_ID: Symbol.for('_AWS_LAMBDA_TENANT_ID'),
  TRACEPARENT: Symbol.for('_AWS_LAMBDA_TRACEPARENT'),
  TRACESTATE: Symbol.for('_AWS_LAMBDA_TRACESTATE'),
  BAGGAGE: Symbol.for('_AWS_LAMBDA_BAGGAGE'),
} as const;
const PROTECTED = new Set<symbol>(Object.values(PROTECTED_KEYS));

/** Set on a scope when its invocation has returned. */
const ENDED = Symbol('invocation ended');

type Scope = Record<string | symbol, unknown>;

/**
 * The InvokeStore interface Powertools and the AWS SDK use (@aws/lambda-invoke-store 0.3, InvokeStoreMulti), over
 * an AsyncLocalStorage whose scopes end with their invocation.
 */
class LocalInvokeStore {
  static readonly PROTECTED_KEYS = PROTECTED_KEYS;
  readonly local = true;
  private readonly als = new AsyncLocalStorage<Scope>();

  getContext(): Scope | undefined {
    const s = this.als.getStore();
    return s && !s[ENDED] ? s : undefined;
  }
  hasContext(): boolean {
    return this.getContext() !== undefined;
  }
  get(key: string | symbol): unknown {
    return this.getContext()?.[key];
  }
  set(key: string | symbol, value: unknown): void {
    if (typeof key === 'symbol' && PROTECTED.has(key))
      throw new Error(`Cannot modify protected Lambda context field: ${String(key)}`);
    const s = this.getContext();
    if (!s) throw new Error('No context available');
    s[key] = value;
  }
  run<T>(context: Scope, fn: () => T): T {
    return this.als.run(context, fn);
  }
  exit<T>(fn: () => T): T {
    return this.als.exit(fn);
  }
  isProtectedKey(key: string | symbol): boolean {
    return typeof key === 'symbol' && PROTECTED.has(key);
  }
  getRequestId(): string {
    return (this.get(PROTECTED_KEYS.REQUEST_ID) as string | undefined) ?? '-';
  }
  getXRayTraceId(): string | undefined {
    return this.get(PROTECTED_KEYS.X_RAY_TRACE_ID) as string | undefined;
  }
  getTenantId(): string | undefined {
    return this.get(PROTECTED_KEYS.TENANT_ID) as string | undefined;
  }
  getTraceparent(): string | undefined {
    return this.get(PROTECTED_KEYS.TRACEPARENT) as string | undefined;
  }
  getTracestate(): string | undefined {
    return this.get(PROTECTED_KEYS.TRACESTATE) as string | undefined;
  }
  getBaggage(): string | undefined {
    return this.get(PROTECTED_KEYS.BAGGAGE) as string | undefined;
  }
}

const runtimeGlobal = globalThis as { awslambda?: { InvokeStore?: unknown } };

function localStore(): LocalInvokeStore | undefined {
  const s = runtimeGlobal.awslambda?.InvokeStore;
  return s instanceof LocalInvokeStore ? s : undefined;
}

/**
 * Keeps invocations apart in this process from now on: sets AWS_LAMBDA_MAX_CONCURRENCY (if unset) and installs
 * the store Powertools then reads. Loggers created before keep working: Powertools looks the store up at every
 * use. For the local runtime only (local/environment.ts); never on Lambda, whose runtime has its own store.
 */
export function enableInvocationScopes(env: NodeJS.ProcessEnv = process.env): void {
  if (!localStore()) {
    runtimeGlobal.awslambda ??= {};
    runtimeGlobal.awslambda.InvokeStore = new LocalInvokeStore();
  }
  env[MAX_CONCURRENCY_ENV] ??= '1000';
}

/**
 * For a process started with AWS_LAMBDA_MAX_CONCURRENCY but no Lambda runtime (a local tool run from a shell that
 * exported it): Powertools would fail at every log line without a store. Called by lib/lake-logger.ts at load.
 * Inside Lambda the runtime provides the store: nothing is done there.
 */
export function ensureInvokeStore(env: NodeJS.ProcessEnv = process.env): void {
  if (env[MAX_CONCURRENCY_ENV] && !inLambda(env) && !runtimeGlobal.awslambda?.InvokeStore)
    enableInvocationScopes(env);
}

/** Whether invocations run in scopes of their own in this process. */
export function invocationScopesEnabled(): boolean {
  return localStore() !== undefined;
}

function scoped<T>(store: LocalInvokeStore, requestId: string, fn: () => Promise<T>): Promise<T> {
  const scope: Scope = { [PROTECTED_KEYS.REQUEST_ID]: requestId };
  return store.run(scope, async () => {
    try {
      return await fn();
    } finally {
      scope[ENDED] = true;
    }
  });
}

/** A Lambda handler that runs each invocation in a scope of its own (when scopes are enabled; else as it is). */
export function isolated<E, R, C extends { awsRequestId?: string } | undefined>(
  handler: (event: E, context: C) => Promise<R>,
): (event: E, context: C) => Promise<R> {
  return (event, context) => {
    const store = localStore();
    if (!store) return handler(event, context);
    return scoped(store, context?.awsRequestId || randomUUID(), () => handler(event, context));
  };
}

/** Who a scope that is not a function's invocation logs as: Powertools' Lambda context fields. */
export interface ScopeIdentity {
  functionName: string;
  /** function_arn in the log lines. */
  arn: string;
  /** function_request_id (default: a new UUID). */
  requestId?: string;
}

/** Minimal logger surface runAs needs (Powertools' Logger). */
interface ContextLogger {
  addContext(context: import('aws-lambda').Context): void;
}

/**
 * Runs `fn` in a scope of its own whose log lines carry `identity` (when scopes are enabled; else as it is): work
 * that is no function's, done for whichever invocation called it (the SNS stand-in publishing a notice).
 */
export function runAs<T>(logger: ContextLogger, identity: ScopeIdentity, fn: () => Promise<T>): Promise<T> {
  const store = localStore();
  if (!store) return fn();
  const requestId = identity.requestId ?? randomUUID();
  return scoped(store, requestId, () => {
    logger.addContext({
      functionName: identity.functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: identity.arn,
      awsRequestId: requestId,
    } as import('aws-lambda').Context);
    return fn();
  });
}

/** Runs `fn` (and all it starts) outside any invocation's scope: work an invocation starts but does not own. */
export function outsideInvocations<T>(fn: () => T): T {
  const store = localStore();
  return store ? store.exit(fn) : fn();
}
