/**
 * The delivery stream relayed from a function worker to the lake's thread (local/relayed-event-stream.ts): records
 * cross a real MessageChannel packed, and arrive as they were sent.
 */
import { MessageChannel } from 'node:worker_threads';
import type { EventRecord } from '../../lib/envelope';
import type { EventStream, PutResult } from '../../lib/firehose/types';
import {
  answerPut,
  packRecords,
  RelayedEventStream,
  unpackRecords,
  type PutAnswer,
  type PutMessage,
} from '../../local/relayed-event-stream';

const records: EventRecord[] = [
  { id: '01JDQ0000000000000000000A1', type: 'page_view', line: '{"id":"01JDQ0000000000000000000A1"}' },
  { id: 'b', type: 'signup', line: '{"name":"Zoë – 東京 🚀","note":"tab\\there"}' },
  { id: '', type: '', line: '' },
  { id: 'c', type: 'order_placed', line: '"🚀 and a lone \ud800"' },
];

describe('relayed delivery stream', () => {
  it('packs records into three strings and their lengths, and unpacks them as they were', () => {
    const packed = packRecords(records);
    expect(packed.lengths).toHaveLength(records.length * 3);
    expect(packed.lines).toBe(records.map((r) => r.line).join(''));
    expect(unpackRecords(packed)).toEqual(records);
    expect(unpackRecords(packRecords([]))).toEqual([]);
  });

  /** A worker's relayed stream, its puts answered by `lakeStream` across a real MessageChannel. */
  function relayTo(lakeStream: EventStream) {
    const { port1: worker, port2: lake } = new MessageChannel();
    lake.on(
      'message',
      (m: PutMessage) => void answerPut(async () => lakeStream, m).then((a) => lake.postMessage(a)),
    );
    const relayed = new RelayedEventStream(worker);
    worker.on('message', (a: PutAnswer) => relayed.answer(a));
    return {
      relayed,
      close: () => {
        worker.close();
        lake.close();
      },
    };
  }

  it("puts records through a real message channel into the lake thread's stream and answers with its result", async () => {
    const received: EventRecord[][] = [];
    const result: PutResult = {
      failed: [{ index: 1, id: 'b', errorCode: 'DiskFull', errorMessage: 'no space left' }],
    };
    const { relayed, close } = relayTo({
      putRecords: async (r) => {
        received.push(r);
        return result;
      },
    });
    try {
      await expect(relayed.putRecords(records)).resolves.toEqual(result);
      expect(received).toEqual([records]);
    } finally {
      close();
    }
  });

  it("rejects the put with the lake stream's error (name, message, code)", async () => {
    const { relayed, close } = relayTo({
      putRecords: async () => {
        throw Object.assign(new Error('the write-ahead log is closed'), { code: 'EBADF' });
      },
    });
    try {
      await expect(relayed.putRecords(records.slice(0, 1))).rejects.toMatchObject({
        message: 'the write-ahead log is closed',
        code: 'EBADF',
      });
    } finally {
      close();
    }
  });
});
