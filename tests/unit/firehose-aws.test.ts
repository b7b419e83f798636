import { FirehoseClient, PutRecordBatchCommand, ServiceUnavailableException } from '@aws-sdk/client-firehose';
import { mockClient } from 'aws-sdk-client-mock';
import type { EventRecord } from '../../lib/envelope';
import {
  chunkEntries,
  FirehoseEventStream,
  PUT_RECORD_BATCH_MAX_BYTES,
  PUT_RECORD_BATCH_MAX_RECORDS,
} from '../../lib/firehose/aws';

const firehose = mockClient(FirehoseClient);
const sleeps: number[] = [];
/** The adapter's clock: moved by its backoffs only (an attempt's own time is not counted: timers are not exact). */
let clock = 0;
const stream = (maxAttempts = 4, timing = { attemptTimeoutMs: 3000, budgetMs: 60_000 }) =>
  new FirehoseEventStream(
    new FirehoseClient({ region: 'us-east-1' }),
    'events-stream',
    { maxAttempts, baseDelayMs: 100, maxDelayMs: 1000, ...timing },
    async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    () => 0.999,
    () => clock,
  );

const record = (i: number, size = 50): EventRecord => {
  const base = `{"id":"e${i}","type":"t","pad":""}`;
  return {
    id: `e${i}`,
    type: 't',
    line: base.replace('"pad":""', `"pad":"${'x'.repeat(Math.max(0, size - base.length - 1))}"`),
  };
};
const ok = (n: number) => ({
  FailedPutCount: 0,
  RequestResponses: Array.from({ length: n }, (_, i) => ({ RecordId: `r${i}` })),
});
const sentIds = (call: number) =>
  (firehose.commandCalls(PutRecordBatchCommand)[call]!.args[0].input.Records ?? []).map(
    (r) => JSON.parse(Buffer.from(r.Data!).toString('utf8')).id as string,
  );

beforeEach(() => {
  firehose.reset();
  sleeps.length = 0;
  clock = 0;
});

describe('Firehose adapter (PutRecordBatch)', () => {
  it('sends newline-delimited records to the configured stream', async () => {
    firehose.on(PutRecordBatchCommand).callsFake((input) => ok(input.Records.length));
    const res = await stream().putRecords([record(1), record(2)]);
    expect(res.failed).toEqual([]);
    expect(firehose).toHaveReceivedCommandTimes(PutRecordBatchCommand, 1);
    expect(firehose).toHaveReceivedCommandWith(PutRecordBatchCommand, {
      DeliveryStreamName: 'events-stream',
    });
    const data = Buffer.from(
      firehose.commandCalls(PutRecordBatchCommand)[0]!.args[0].input.Records![0]!.Data!,
    ).toString();
    expect(data.endsWith('\n')).toBe(true);
    expect(JSON.parse(data).id).toBe('e1');
  });

  it('splits at 500 records per call', async () => {
    firehose.on(PutRecordBatchCommand).callsFake((input) => ok(input.Records.length));
    const records = Array.from({ length: 1001 }, (_, i) => record(i));
    expect((await stream().putRecords(records)).failed).toEqual([]);
    const sizes = firehose.commandCalls(PutRecordBatchCommand).map((c) => c.args[0].input.Records!.length);
    expect(sizes).toEqual([500, 500, 1]);
    expect(PUT_RECORD_BATCH_MAX_RECORDS).toBe(500);
  });

  it('splits at 4 MiB per call, never exceeding it', async () => {
    firehose.on(PutRecordBatchCommand).callsFake((input) => ok(input.Records.length));
    // 9 records of ~900 KiB: 4 fit in 4 MiB (3.5 MiB), the 5th would not.
    const records = Array.from({ length: 9 }, (_, i) => record(i, 900 * 1024));
    expect((await stream().putRecords(records)).failed).toEqual([]);
    const calls = firehose.commandCalls(PutRecordBatchCommand);
    expect(calls.map((c) => c.args[0].input.Records!.length)).toEqual([4, 4, 1]);
    for (const c of calls) {
      const bytes = c.args[0].input.Records!.reduce((n, r) => n + r.Data!.byteLength, 0);
      expect(bytes).toBeLessThanOrEqual(PUT_RECORD_BATCH_MAX_BYTES);
    }
    // Exactly at the limit still fits in one call.
    const exact = chunkEntries([
      { data: new Uint8Array(2 * 1024 * 1024) },
      { data: new Uint8Array(2 * 1024 * 1024) },
    ]);
    expect(exact).toHaveLength(1);
    expect(
      chunkEntries([
        { data: new Uint8Array(2 * 1024 * 1024) },
        { data: new Uint8Array(2 * 1024 * 1024 + 1) },
      ]),
    ).toHaveLength(2);
  });

  it('never sends a record over 1,000 KiB and reports it as failed', async () => {
    firehose.on(PutRecordBatchCommand).callsFake((input) => ok(input.Records.length));
    const res = await stream().putRecords([record(1), record(2, 1000 * 1024 + 1)]);
    expect(res.failed).toEqual([
      expect.objectContaining({ index: 1, id: 'e2', errorCode: 'RecordTooLarge' }),
    ]);
    expect(sentIds(0)).toEqual(['e1']);
    // Exactly 1,000 KiB including the newline is allowed.
    firehose.reset();
    firehose.on(PutRecordBatchCommand).callsFake((input) => ok(input.Records.length));
    expect((await stream().putRecords([record(3, 1000 * 1024 - 1)])).failed).toEqual([]);
  });

  it('retries only the entries that failed, with growing jittered backoff', async () => {
    firehose
      .on(PutRecordBatchCommand)
      .resolvesOnce({
        FailedPutCount: 2,
        RequestResponses: [
          { RecordId: 'a' },
          { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' },
          { RecordId: 'c' },
          { ErrorCode: 'InternalFailure', ErrorMessage: 'oops' },
        ],
      })
      .resolvesOnce({
        FailedPutCount: 1,
        RequestResponses: [
          { RecordId: 'b' },
          { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' },
        ],
      })
      .resolvesOnce(ok(1));
    const res = await stream().putRecords([record(1), record(2), record(3), record(4)]);
    expect(res.failed).toEqual([]);
    expect(sentIds(0)).toEqual(['e1', 'e2', 'e3', 'e4']);
    expect(sentIds(1)).toEqual(['e2', 'e4']);
    expect(sentIds(2)).toEqual(['e4']);
    expect(sleeps).toEqual([99, 199]); // full jitter (random 0.999) of 100 ms, then 200 ms
  });

  it('gives up after the attempt budget and names the records that were not accepted', async () => {
    firehose.on(PutRecordBatchCommand).callsFake((input) => ({
      FailedPutCount: 1,
      RequestResponses: input.Records.map((_: unknown, i: number) =>
        i === 0
          ? { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' }
          : { RecordId: `r${i}` },
      ),
    }));
    const res = await stream(3).putRecords([record(1), record(2)]);
    expect(res.failed).toEqual([
      { index: 0, id: 'e1', errorCode: 'ServiceUnavailableException', errorMessage: 'Slow down.' },
    ]);
    expect(firehose).toHaveReceivedCommandTimes(PutRecordBatchCommand, 3);
    expect(sleeps).toEqual([99, 199]);
  });

  it('caps the backoff', async () => {
    firehose
      .on(PutRecordBatchCommand)
      .rejects(new ServiceUnavailableException({ message: 'throttled', $metadata: {} }));
    await stream(6).putRecords([record(1)]);
    expect(sleeps).toEqual([99, 199, 399, 799, 999]);
  });

  it('retries a throttled call (ServiceUnavailableException) and succeeds', async () => {
    firehose
      .on(PutRecordBatchCommand)
      .rejectsOnce(
        new ServiceUnavailableException({ message: 'Slow down.', $metadata: { httpStatusCode: 503 } }),
      )
      .resolves(ok(2));
    const res = await stream().putRecords([record(1), record(2)]);
    expect(res.failed).toEqual([]);
    expect(firehose).toHaveReceivedCommandTimes(PutRecordBatchCommand, 2);
  });

  it('reports every record of a persistently throttled call as failed', async () => {
    firehose
      .on(PutRecordBatchCommand)
      .rejects(
        new ServiceUnavailableException({ message: 'Slow down.', $metadata: { httpStatusCode: 503 } }),
      );
    const res = await stream().putRecords([record(1), record(2)]);
    expect(res.failed.map((f) => f.id)).toEqual(['e1', 'e2']);
    expect(res.failed[0]!.errorCode).toBe('ServiceUnavailableException');
    expect(firehose).toHaveReceivedCommandTimes(PutRecordBatchCommand, 4);
  });

  it('gives up a call Firehose never answers, retries it with the same ids, and stops within the budget', async () => {
    // A stalled connection: the SDK's HTTP handler has no timeout of its own; the ingest function must answer
    // (503, every id) before its own timeout rather than end in API Gateway's 502.
    const signals: (AbortSignal | undefined)[] = [];
    firehose.on(PutRecordBatchCommand).callsFake(() => new Promise(() => undefined));
    const send = FirehoseClient.prototype.send;
    const spy = jest.spyOn(FirehoseClient.prototype, 'send').mockImplementation(function (
      this: FirehoseClient,
      command: never,
      options?: unknown,
    ) {
      signals.push((options as { abortSignal?: AbortSignal } | undefined)?.abortSignal);
      return (send as (c: never, o?: unknown) => Promise<unknown>).call(this, command, options);
    } as never);
    try {
      const res = await stream(10, { attemptTimeoutMs: 40, budgetMs: 200 }).putRecords([
        record(1),
        record(2),
      ]);
      // Firehose may have taken them: MaybeStored (send them again under the same ids; they are kept once).
      expect(res.failed).toEqual([
        expect.objectContaining({ id: 'e1', errorCode: 'MaybeStored' }),
        expect.objectContaining({ id: 'e2', errorCode: 'MaybeStored' }),
      ]);
      expect(res.failed[0]!.errorMessage).toMatch(
        /may have stored the record \(last attempt: TimeoutError: Firehose did not answer PutRecordBatch within 40 ms\)/,
      );
      // Attempts stop where the next could end past the budget (40 ms each, backoffs of 99 and 199 ms, 200 ms in
      // all, by the adapter's clock): two, not ten.
      const calls = firehose.commandCalls(PutRecordBatchCommand);
      expect(calls).toHaveLength(2);
      expect(sentIds(1)).toEqual(['e1', 'e2']);
      // Each given-up call was aborted (the SDK closes its connection).
      expect(signals).toHaveLength(2);
      expect(signals.every((s) => s?.aborted)).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it('says a record may be stored when an earlier attempt got no answer, whatever the last attempt answered', async () => {
    // The first call is given up (Firehose may have stored e1); the later ones refuse it record by record.
    firehose
      .on(PutRecordBatchCommand)
      .callsFakeOnce(() => new Promise(() => undefined))
      .callsFake(() => ({
        FailedPutCount: 1,
        RequestResponses: [{ ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' }],
      }));
    const res = await stream(3, { attemptTimeoutMs: 20, budgetMs: 60_000 }).putRecords([record(1)]);
    expect(res.failed).toEqual([
      {
        index: 0,
        id: 'e1',
        errorCode: 'MaybeStored',
        errorMessage: expect.stringMatching(/last attempt: ServiceUnavailableException: Slow down\./),
      },
    ]);
    // A call Firehose answered (an HTTP status) stored nothing of what it refused: not MaybeStored.
    firehose.reset();
    firehose
      .on(PutRecordBatchCommand)
      .rejects(
        new ServiceUnavailableException({ message: 'Slow down.', $metadata: { httpStatusCode: 503 } }),
      );
    expect((await stream(2).putRecords([record(2)])).failed[0]!.errorCode).toBe(
      'ServiceUnavailableException',
    );
  });

  it('does not retry errors that will not go away (e.g. missing stream)', async () => {
    const err = Object.assign(new Error('Stream not found'), {
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 400 },
    });
    firehose.on(PutRecordBatchCommand).rejects(err);
    const res = await stream().putRecords([record(1)]);
    expect(res.failed).toEqual([
      { index: 0, id: 'e1', errorCode: 'ResourceNotFoundException', errorMessage: 'Stream not found' },
    ]);
    expect(firehose).toHaveReceivedCommandTimes(PutRecordBatchCommand, 1);
  });

  it('treats a response without an entry for a record as a failure of that record', async () => {
    firehose
      .on(PutRecordBatchCommand)
      .resolvesOnce({ FailedPutCount: 1, RequestResponses: [{ RecordId: 'a' }] })
      .resolves(ok(1));
    const res = await stream().putRecords([record(1), record(2)]);
    expect(res.failed).toEqual([]);
    expect(sentIds(1)).toEqual(['e2']);
  });

  it('only fails the chunk that failed when a batch spans several calls', async () => {
    let call = 0;
    firehose.on(PutRecordBatchCommand).callsFake((input) => {
      call++;
      if (input.Records.length === 1)
        throw Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
      return ok(input.Records.length);
    });
    const res = await stream().putRecords(Array.from({ length: 501 }, (_, i) => record(i)));
    expect(res.failed.map((f) => [f.index, f.id])).toEqual([[500, 'e500']]);
    expect(call).toBe(2);
  });
});
