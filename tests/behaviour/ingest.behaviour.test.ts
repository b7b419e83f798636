/**
 * One behaviour suite, two runtimes: the ingest path against the AWS adapter (Firehose mocked with
 * aws-sdk-client-mock) and against the local Firehose writer (real files). What a producer posts must come out of
 * the delivery stream the same way in both.
 */
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { mockClient } from 'aws-sdk-client-mock';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { ingest } from '../../functions/ingest';
import { ApiError } from '../../lib/errors';
import { setEventStream } from '../../lib/firehose';
import { FirehoseEventStream } from '../../lib/firehose/aws';
import { LocalFirehose } from '../../lib/firehose/local';
import { apiEvent, pageView } from '../support/api-event';
import { deliveredRecords, tempLake } from '../support/raw-zone';

interface Runtime {
  /** Everything the delivery stream received, as parsed records. */
  delivered(): Promise<Record<string, unknown>[]>;
  done(): Promise<void>;
}

const runtimes: [string, () => Promise<Runtime>][] = [
  [
    'aws (Firehose mocked)',
    async () => {
      const firehose = mockClient(FirehoseClient);
      firehose.on(PutRecordBatchCommand).callsFake((input) => ({
        FailedPutCount: 0,
        RequestResponses: input.Records.map((_: unknown, i: number) => ({ RecordId: String(i) })),
      }));
      setEventStream(new FirehoseEventStream(new FirehoseClient({ region: 'us-east-1' }), 'stream'));
      return {
        delivered: async () =>
          firehose.commandCalls(PutRecordBatchCommand).flatMap((c) =>
            c.args[0].input.Records!.map((r) => {
              const text = Buffer.from(r.Data!).toString('utf8');
              expect(text.endsWith('\n')).toBe(true);
              return JSON.parse(text) as Record<string, unknown>;
            }),
          ),
        done: async () => firehose.restore(),
      };
    },
  ],
  [
    'local (files)',
    async () => {
      const lake = await tempLake('behaviour');
      const stream = await LocalFirehose.open({
        lakeDir: lake,
        streamName: 's',
        bufferBytes: 1 << 20,
        bufferIntervalMs: 60_000,
      });
      setEventStream(stream);
      return {
        delivered: async () => {
          await stream.flush();
          return deliveredRecords(lake);
        },
        done: async () => void (await stream.close()),
      };
    },
  ],
];

async function post(body: unknown) {
  try {
    const res = (await ingest(apiEvent({ body: JSON.stringify(body) }))) as APIGatewayProxyResult;
    return { status: res.statusCode, body: JSON.parse(res.body) };
  } catch (e) {
    if (e instanceof ApiError) return { status: e.status, body: { code: e.code } };
    throw e;
  }
}

describe.each(runtimes)('ingest behaviour on %s', (_name, make) => {
  let rt: Runtime;
  beforeEach(async () => {
    rt = await make();
  });
  afterEach(async () => {
    await rt.done();
    setEventStream(undefined);
  });

  it('delivers each accepted event once, as the stamped envelope', async () => {
    const order = {
      type: 'order_placed',
      id: 'order-evt-1',
      occurred_at: '2026-11-20T08:00:00+01:00',
      data: {
        order_id: 'o-1',
        customer_id: 'c-1',
        currency: 'EUR',
        total: 12.5,
        items: [{ sku: 'A', quantity: 1, unit_price: 12.5 }],
      },
    };
    const res = await post({ events: [order, pageView({ id: 'pv-1' })] });
    expect(res.status).toBe(202);
    const delivered = await rt.delivered();
    expect(delivered.map((r) => r.id).sort()).toEqual(['order-evt-1', 'pv-1']);
    const o = delivered.find((r) => r.id === 'order-evt-1')!;
    expect(o).toEqual({
      id: 'order-evt-1',
      type: 'order_placed',
      occurred_at: '2026-11-20T07:00:00.000Z',
      received_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      data: order.data,
    });
  });

  it('delivers a full batch of 500 with distinct server ids', async () => {
    const res = await post({ events: Array.from({ length: 500 }, () => pageView()) });
    expect(res.status).toBe(202);
    const ids = (await rt.delivered()).map((r) => r.id);
    expect(ids).toHaveLength(500);
    expect(new Set(ids)).toEqual(new Set(res.body.ids));
  });

  it('delivers nothing when any event of a batch is invalid', async () => {
    const res = await post({ events: [pageView({ id: 'good' }), pageView({ id: 'bad', data: {} })] });
    expect([res.status, res.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(await rt.delivered()).toEqual([]);
  });
});
