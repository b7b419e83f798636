/**
 * The delivery stream as a function worker sees it (local/function-workers.ts): putRecords is relayed to the lake's
 * thread, where the one local Firehose writer of the process appends the records to its write-ahead log and
 * answers once they are fsynced (or says which failed). So a worker's 202 means what the lake's thread's does, and
 * the write-ahead segments keep one owner per process (lib/firehose/local-segments.ts).
 */
import type { MessagePort } from 'node:worker_threads';
import type { EventRecord } from '../lib/envelope';
import type { EventStream, PutResult } from '../lib/firehose/types';

/**
 * Worker → lake thread: write these records. Packed (each field of every record in one string, the lengths in one
 * array), since copying a message of a hundred small objects between threads costs about twice as much.
 */
export interface PutMessage extends PackedRecords {
  type: 'put';
  id: number;
}

export interface PackedRecords {
  ids: string;
  types: string;
  lines: string;
  /** Per record, the length of its id, type and line (UTF-16 code units). */
  lengths: Uint32Array;
}

export function packRecords(records: EventRecord[]): PackedRecords {
  const lengths = new Uint32Array(records.length * 3);
  let ids = '';
  let types = '';
  let lines = '';
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    ids += r.id;
    types += r.type;
    lines += r.line;
    lengths[3 * i] = r.id.length;
    lengths[3 * i + 1] = r.type.length;
    lengths[3 * i + 2] = r.line.length;
  }
  return { ids, types, lines, lengths };
}

export function unpackRecords(p: PackedRecords): EventRecord[] {
  const records: EventRecord[] = [];
  const n = p.lengths;
  for (let i = 0, id = 0, type = 0, line = 0; i < n.length; i += 3) {
    records.push({
      id: p.ids.slice(id, (id += n[i]!)),
      type: p.types.slice(type, (type += n[i + 1]!)),
      line: p.lines.slice(line, (line += n[i + 2]!)),
    });
  }
  return records;
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
      this.port.postMessage({ type: 'put', id, ...packRecords(records) } satisfies PutMessage);
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
    return { type: 'put-result', id: m.id, result: await (await stream()).putRecords(unpackRecords(m)) };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return {
      type: 'put-result',
      id: m.id,
      error: { name: err.name, message: err.message, ...(err.code ? { code: err.code } : {}) },
    };
  }
}
