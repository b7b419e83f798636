/**
 * The delivery stream as a function worker sees it (local/function-workers.ts): putRecords is relayed to the lake's
 * thread, where the one local Firehose writer of the process appends the records to its write-ahead log and
 * answers once they are fsynced (or says which failed). So a worker's 202 means what the lake's thread's does, and
 * the write-ahead segments keep one owner per process (lib/firehose/local-segments.ts).
 */
import type { MessagePort } from 'node:worker_threads';
import type { EventRecord } from '../lib/envelope';
import type { EventStream, PutResult } from '../lib/firehose/types';

/** Worker → lake thread: write these records. */
export interface PutMessage {
  type: 'put';
  id: number;
  records: EventRecord[];
}

/** Lake thread → worker: what the writer answered (or why it threw). */
export interface PutAnswer {
  type: 'put-result';
  id: number;
  result?: PutResult;
  error?: { name: string; message: string; code?: string };
}

export class RelayedEventStream implements EventStream {
  private sent = 0;
  private readonly waiting = new Map<
    number,
    { resolve: (r: PutResult) => void; reject: (e: Error) => void }
  >();

  constructor(private readonly port: Pick<MessagePort, 'postMessage'>) {}

  putRecords(records: EventRecord[]): Promise<PutResult> {
    const id = ++this.sent;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.port.postMessage({ type: 'put', id, records } satisfies PutMessage);
    });
  }

  /** Settles the put an answer is for. */
  answer(a: PutAnswer): void {
    const w = this.waiting.get(a.id);
    if (!w) return;
    this.waiting.delete(a.id);
    if (a.result) w.resolve(a.result);
    else w.reject(Object.assign(new Error(a.error?.message ?? 'the delivery stream failed'), a.error ?? {}));
  }
}

/** Answers a worker's put with the lake's own stream. */
export async function answerPut(stream: () => Promise<EventStream>, m: PutMessage): Promise<PutAnswer> {
  try {
    return { type: 'put-result', id: m.id, result: await (await stream()).putRecords(m.records) };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return {
      type: 'put-result',
      id: m.id,
      error: { name: err.name, message: err.message, ...(err.code ? { code: err.code } : {}) },
    };
  }
}
