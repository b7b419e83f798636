/**
 * Function workers: the local lake runs some functions in worker threads, so that their CPU work (parsing,
 * validating and stamping events) uses the machine's other cores while the lake's thread serves HTTP and writes the
 * write-ahead log. Each worker is an execution environment of those functions (local/function-worker.ts); an
 * invocation goes to the worker with the fewest in flight. A function runs in a worker only if every port it uses
 * can be relayed to the lake's thread: today the delivery stream (local/relayed-event-stream.ts), so that the one
 * local Firehose writer of the process keeps its write-ahead log, its group commit and its segments' ownership.
 *
 * A worker that dies fails the invocations it was running (the gateway answers 502, as for a crashed function) and
 * is replaced; what it had written stays written.
 *
 * With `idleLakeThread`, the lake's own thread is one more execution environment, used when it would otherwise
 * wait: the invocation of a client alone (no other client sent a request lately: local/client-activity.ts) that
 * arrives while no other invocation is in flight runs there, as LAKE_FUNCTION_WORKERS=0 runs them all; every other
 * goes to a worker. One client at a time then skips the four thread hand-offs of a worker invocation (invoke, put,
 * its answer, done), which cost it more than the handler does: ~1.5x the events/s at one connection (README).
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { eventStream } from '../lib/firehose';
import type { EventStream } from '../lib/firehose/types';
import { invokeFunction, loadHandler, type Invocation, type InvocationOutcome } from './function-invoker';
import type { FromWorker, SchemasMessage, ToWorker, WorkerSetup } from './function-worker';
import type { FunctionRunner, InvokeHints } from './http-api';
import { answerPut } from './relayed-event-stream';
import type { Route } from './service-config';
import type { SchemaSnapshot } from '../lib/schema-loader';

/**
 * The functions that can run in a worker: their only port is the delivery stream. (validateUpload, queries and
 * tables use the object store's watcher, the workflow, the notifier or the query engine, which live in the lake's
 * thread.)
 */
export const WORKER_FUNCTIONS: readonly string[] = ['ingest'];

export { functionWorkerCount } from './start-settings';

export interface FunctionWorkersOptions {
  /** The http routes of the functions to run in workers. */
  routes: Route[];
  size: number;
  logFormat: WorkerSetup['logFormat'];
  /** The lake's delivery stream, which the workers' puts are relayed to. */
  stream: () => Promise<EventStream>;
  onError?: (err: Error, info: Record<string, unknown>) => void;
  /** The schemas the lake runs on (lib/schema-loader.ts schemaSnapshot); none: schemas/ as on disk. */
  schemas?: SchemaSnapshot;
  /** Run an invocation of a client alone, while no other is in flight, in the lake's thread (see above). */
  idleLakeThread?: boolean;
}

interface Pending {
  resolve: (o: InvocationOutcome) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  ready: Promise<void>;
}

const ENTRY = path.join(__dirname, 'function-worker.cjs');

export class FunctionWorkers implements FunctionRunner {
  private readonly slots: Slot[] = [];
  private readonly functions: Set<string>;
  private invocations = 0;
  /** Invocations in flight, in workers and in the lake's thread. */
  private running = 0;
  private closed = false;
  private schemas: SchemasMessage | undefined;
  /**
   * Counters, for tests and the bench: invocations sent to workers, run in the lake's thread, workers replaced
   * after they exited.
   */
  readonly stats = { invoked: 0, inLakeThread: 0, replaced: 0 };

  private constructor(private readonly opts: FunctionWorkersOptions) {
    this.functions = new Set(opts.routes.map((r) => r.functionName));
    if (opts.schemas) this.useSchemas(opts.schemas);
    // Loaded now, not by the first request that runs here.
    if (opts.idleLakeThread) for (const route of opts.routes) loadHandler(route.fn.handler);
  }

  /** Starts the workers and waits until each has loaded its handlers. */
  static async start(opts: FunctionWorkersOptions): Promise<FunctionWorkers> {
    // An invocation in this thread writes to this thread's delivery stream: it must be the one workers relay to.
    if (opts.idleLakeThread && (await eventStream()) !== (await opts.stream()))
      throw new Error(
        "idleLakeThread: this thread's delivery stream (lib/firehose) is not the workers' stream",
      );
    const pool = new FunctionWorkers(opts);
    for (let i = 0; i < opts.size; i++) pool.slots.push(pool.spawn());
    try {
      await Promise.all(pool.slots.map((s) => s.ready));
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  get size(): number {
    return this.slots.length;
  }

  takes(functionName: string): boolean {
    return !this.closed && this.slots.length > 0 && this.functions.has(functionName);
  }

  invoke(functionName: string, invocation: Invocation, hints?: InvokeHints): Promise<InvocationOutcome> {
    const here = this.opts.idleLakeThread === true && this.running === 0 && hints?.alone === true;
    this.running++;
    const done = () => void this.running--;
    if (here) {
      this.stats.inLakeThread++;
      return invokeFunction(invocation, hints.models).finally(done);
    }
    return this.invokeInWorker(functionName, invocation).finally(done);
  }

  private invokeInWorker(functionName: string, invocation: Invocation): Promise<InvocationOutcome> {
    let slot = this.slots[0]!;
    for (const s of this.slots) if (s.pending.size < slot.pending.size) slot = s;
    const id = ++this.invocations;
    this.stats.invoked++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ type: 'invoke', id, functionName, invocation } satisfies ToWorker);
    });
  }

  /**
   * The schemas the lake now runs on (an edit of schemas/ that passed the check): every worker uses them for the
   * invocations it gets from now on, and a worker started later starts with them.
   */
  useSchemas(snapshot: SchemaSnapshot): void {
    this.schemas = {
      type: 'schemas',
      events: [...snapshot.events],
      datasets: [...snapshot.datasets],
      ...(snapshot.histories ? { histories: [...snapshot.histories] } : {}),
    };
    for (const s of this.slots) s.worker.postMessage(this.schemas satisfies ToWorker);
  }

  /** Stops the workers (the gateway has answered every request by then). */
  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => s.worker.terminate()));
    for (const s of slots) this.failAll(s, new Error('the function workers stopped'));
  }

  private spawn(): Slot {
    const setup: WorkerSetup = {
      routes: this.opts.routes,
      logFormat: this.opts.logFormat,
      ...(this.schemas ? { schemas: this.schemas } : {}),
    };
    // The functions' environment as this thread has it now (serverless.yml's, local/environment.ts).
    const worker = new Worker(ENTRY, { workerData: setup, env: { ...process.env } });
    const slot: Slot = { worker, pending: new Map(), ready: Promise.resolve() };
    slot.ready = new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`a function worker exited at start (code ${code})`)));
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'ready') return resolve();
        this.onMessage(slot, m);
      });
    });
    slot.ready.then(
      () => {
        worker.on('error', (e) => this.opts.onError?.(e, { phase: 'function worker' }));
        worker.once('exit', (code) => this.replace(slot, code));
      },
      () => undefined,
    );
    return slot;
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    if (m.type === 'put') {
      const worker = slot.worker;
      void answerPut(this.opts.stream, m).then((a) => worker.postMessage(a));
      return;
    }
    if (m.type !== 'done' && m.type !== 'failed') return;
    const p = slot.pending.get(m.id);
    if (!p) return;
    slot.pending.delete(m.id);
    if (m.type === 'done') p.resolve(m.outcome as InvocationOutcome);
    else p.reject(Object.assign(new Error(m.error.message), m.error));
  }

  /** A worker that exited while the lake runs: its invocations fail, a new worker takes its place. */
  private replace(slot: Slot, code: number): void {
    this.failAll(slot, new Error(`the function worker running this invocation exited (code ${code})`));
    const i = this.slots.indexOf(slot);
    if (i < 0 || this.closed) return;
    this.opts.onError?.(new Error(`a function worker exited (code ${code}): starting another`), {});
    this.stats.replaced++;
    this.slots[i] = this.spawn();
  }

  private failAll(slot: Slot, err: Error): void {
    for (const p of slot.pending.values()) p.reject(err);
    slot.pending.clear();
  }
}
