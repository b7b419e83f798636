/**
 * A function worker thread (local/function-workers.ts): an execution environment of the functions it is given, as
 * Lambda runs them — the same handler modules, the environment serverless.yml gives them (inherited from the lake's
 * thread), one log context per invocation — with the delivery stream relayed to the lake's writer
 * (local/relayed-event-stream.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ValidateFunction } from 'ajv';
import { setEventStream } from '../lib/firehose';
import { enableInvocationScopes } from '../lib/invocation-scope';
import { logger as functionsLog } from '../lib/logger';
import { invokeFunction, loadHandler, type Invocation } from './function-invoker';
import { compile } from './http-routes';
import { useSchemas } from '../lib/validators/snapshot';
import { installPrettyLogs } from './pretty-log';
import { RelayedEventStream, type PutAnswer, type PutMessage } from './relayed-event-stream';
import type { Route } from './service-config';

/** The schemas the lake runs on (lib/schema-loader.ts schemaSnapshot), as a worker message can carry them. */
export interface SchemasMessage {
  type: 'schemas';
  events: [string, object][];
  datasets: [string, object][];
  histories?: [string, object][];
}

/** What the pool gives each worker. */
export interface WorkerSetup {
  /** The http routes of the functions this worker runs. */
  routes: Route[];
  logFormat: 'json' | 'pretty';
  /** The schemas in use when the worker starts (none: schemas/ as on disk). */
  schemas?: SchemasMessage;
}

/** Pool → worker. */
export type ToWorker =
  { type: 'invoke'; id: number; functionName: string; invocation: Invocation } | PutAnswer | SchemasMessage;

/** Worker → pool. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'done'; id: number; outcome: unknown }
  | { type: 'failed'; id: number; error: { name: string; message: string; stack?: string } }
  | PutMessage;

const port = parentPort;
if (!port) throw new Error('local/function-worker.ts runs in a worker thread (local/function-workers.ts)');
const setup = workerData as WorkerSetup;

enableInvocationScopes();
if (setup.logFormat === 'pretty') installPrettyLogs({ loggers: [functionsLog] });
const stream = new RelayedEventStream(port);
setEventStream(stream);

/** The lake's schemas and validators compiled from them, as the lake's thread uses them (local/schemas-follower.ts). */
const useLakeSchemas = (m: SchemasMessage) =>
  useSchemas({
    events: new Map(m.events),
    datasets: new Map(m.datasets),
    ...(m.histories ? { histories: new Map(m.histories) } : {}),
  });
if (setup.schemas) useLakeSchemas(setup.schemas);

/** The request validator's models of each function's route (one http route per worker function). */
const models = new Map<string, Map<string, ValidateFunction>>();
for (const route of setup.routes) {
  models.set(route.functionName, compile(route).models);
  loadHandler(route.fn.handler);
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'put-result') return stream.answer(m);
  // An edit of schemas/ the lake applied: invocations from now on use it (messages arrive in order).
  if (m.type === 'schemas') return void useLakeSchemas(m);
  const { id, functionName, invocation } = m;
  invokeFunction(invocation, models.get(functionName) ?? new Map()).then(
    (outcome) => port.postMessage({ type: 'done', id, outcome } satisfies FromWorker),
    (e: unknown) => {
      const err = e instanceof Error ? e : new Error(String(e));
      port.postMessage({
        type: 'failed',
        id,
        error: { name: err.name, message: err.message, stack: err.stack },
      } satisfies FromWorker);
    },
  );
});
port.postMessage({ type: 'ready' } satisfies FromWorker);
