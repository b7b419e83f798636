/** The ingest handler on the AWS runtime, with Firehose mocked (aws-sdk-client-mock). */
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { mockClient } from 'aws-sdk-client-mock';
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { IngestOutcome } from '../../lib/ingest-stats/types';
import { apiEvent, lambdaContext, pageView } from '../support/api-event';

process.env.LAKE_RUNTIME = 'aws';
process.env.DELIVERY_STREAM_NAME = 'data-lake-test-events';
process.env.INGEST_MAX_BODY_BYTES = String(64 * 1024);
process.env.CORS_ALLOWED_ORIGINS = 'https://app.example';

// Loaded after the environment is set, as Lambda would.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { handler } = require('../../functions/ingest') as typeof import('../../functions/ingest');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { setEventStream } = require('../../lib/firehose') as typeof import('../../lib/firehose');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { setIngestTally } =
  require('../../lib/ingest-stats/tally') as typeof import('../../lib/ingest-stats/tally');

const firehose = mockClient(FirehoseClient);

async function post(body: unknown, headers: Record<string, string> = { 'Content-Type': 'application/json' }) {
  const res = (await handler(
    apiEvent({ body: typeof body === 'string' ? body : JSON.stringify(body), headers }),
    lambdaContext(),
  )) as APIGatewayProxyResult;
  return { status: res.statusCode, headers: res.headers ?? {}, body: JSON.parse(res.body) };
}

beforeEach(() => {
  firehose.reset();
  firehose.on(PutRecordBatchCommand).callsFake((input) => ({
    FailedPutCount: 0,
    RequestResponses: input.Records.map((_: unknown, i: number) => ({ RecordId: `r${i}` })),
  }));
});

describe('POST /events handler (AWS runtime)', () => {
  it('accepts one event: 202 with its id, written to the configured delivery stream', async () => {
    const res = await post(pageView({ id: 'evt-1' }));
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: 1, ids: ['evt-1'] });
    // The correlation id: API Gateway's request id, unless the client sent a valid one.
    expect(res.headers['x-correlation-id']).toBe('req-1');
    expect(firehose).toHaveReceivedCommandWith(PutRecordBatchCommand, {
      DeliveryStreamName: 'data-lake-test-events',
    });
    const sent = JSON.parse(
      Buffer.from(
        firehose.commandCalls(PutRecordBatchCommand)[0]!.args[0].input.Records![0]!.Data!,
      ).toString(),
    );
    expect(sent).toMatchObject({ id: 'evt-1', type: 'page_view', data: pageView().data });
    expect(Date.parse(sent.received_at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('accepts a batch of 500 in one PutRecordBatch call', async () => {
    const res = await post({ events: Array.from({ length: 500 }, () => pageView()) });
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(500);
    expect(new Set(res.body.ids).size).toBe(500);
    expect(firehose).toHaveReceivedCommandTimes(PutRecordBatchCommand, 1);
  });

  it.each([
    ['text/plain', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['application/x-www-form-urlencoded', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['application/json; charset=latin1', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['application/json; CHARSET="iso-8859-1"', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['application/json; profile=x; charset=utf-16', 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ])('refuses content type %s', async (contentType, status, code) => {
    const res = await post(pageView(), { 'content-type': contentType });
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
    expect(firehose).toHaveReceivedCommandTimes(PutRecordBatchCommand, 0);
  });

  it('accepts application/json with a utf-8 charset and +json media types', async () => {
    expect((await post(pageView(), { 'content-type': 'application/json; charset=UTF-8' })).status).toBe(202);
    expect((await post(pageView(), { 'content-type': 'application/json; charset="utf-8"' })).status).toBe(
      202,
    );
    expect((await post(pageView(), { 'Content-Type': 'application/vnd.events+json' })).status).toBe(202);
  });

  it('reads the charset parameter only: another parameter that mentions a charset is none', async () => {
    for (const contentType of [
      'application/json; x-charset=latin1',
      'application/json; profile="https://example.com/charset=iso"',
    ]) {
      const res = await post(pageView(), { 'content-type': contentType });
      expect([contentType, res.status]).toEqual([contentType, 202]);
    }
    const refused = await post(pageView(), { 'content-type': 'application/json; charset="latin1"' });
    expect([refused.status, refused.body.charset]).toEqual([415, 'latin1']);
  });

  it('refuses a missing content type', async () => {
    const res = await post(pageView(), {});
    expect(res.status).toBe(415);
  });

  it('refuses malformed JSON, empty and non-UTF-8 bodies with 400 MALFORMED_JSON', async () => {
    for (const body of ['{"type":', '', '   ']) {
      const res = await post(body);
      expect([res.status, res.body.code]).toEqual([400, 'MALFORMED_JSON']);
    }
    // Empty is JSON's whitespace only: a no-break space, a BOM or U+2028 is a body that is not JSON.
    for (const body of ['\u00a0', '\ufeff', '\u2028', ' \u3000 ']) {
      const res = await post(body);
      expect([res.status, res.body.code]).toEqual([400, 'MALFORMED_JSON']);
      expect(res.body.message).toMatch(/^request body is not valid JSON: /);
    }
    const bad = (await handler(
      apiEvent({ body: Buffer.from([0x7b, 0xff, 0x7d]).toString('base64'), isBase64Encoded: true }),
      lambdaContext(),
    )) as APIGatewayProxyResult;
    expect(bad.statusCode).toBe(400);
    expect(firehose).toHaveReceivedCommandTimes(PutRecordBatchCommand, 0);
  });

  it('refuses a body over the limit with 413', async () => {
    const res = await post({
      events: Array.from({ length: 400 }, () =>
        pageView({ data: { session_id: 'sess-0001', url: 'https://a.b/', title: 'x'.repeat(200) } }),
      ),
    });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', limit: 64 * 1024 });
    expect(firehose).toHaveReceivedCommandTimes(PutRecordBatchCommand, 0);
  });

  it('refuses 501 events with TOO_MANY_EVENTS and writes nothing', async () => {
    const res = await post({ events: Array.from({ length: 501 }, () => ({ type: 'signup', data: {} })) });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('TOO_MANY_EVENTS');
    expect(firehose).toHaveReceivedCommandTimes(PutRecordBatchCommand, 0);
  });

  it('is all or nothing: one bad event, nothing written, each problem listed', async () => {
    const res = await post({
      events: [pageView(), pageView({ data: { url: 'https://a.b/' } }), { type: 'nope', data: {} }],
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      invalidEvents: 2,
      errors: [
        { index: 1, pointer: '/data/session_id', code: 'SCHEMA_VIOLATION', message: 'is required' },
        { index: 2, pointer: '/type', code: 'UNKNOWN_TYPE' },
      ],
    });
    expect(firehose).toHaveReceivedCommandTimes(PutRecordBatchCommand, 0);
  });

  it('answers 503 with Retry-After and the ids that were not accepted when Firehose keeps failing some', async () => {
    firehose.reset();
    firehose.on(PutRecordBatchCommand).callsFake((input) => ({
      FailedPutCount: 1,
      RequestResponses: input.Records.map((r: { Data: Uint8Array }, i: number) =>
        JSON.parse(Buffer.from(r.Data).toString()).id === 'b'
          ? { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' }
          : { RecordId: `r${i}` },
      ),
    }));
    const outcomes: IngestOutcome[] = [];
    setIngestTally({ record: (o) => outcomes.push(o) });
    let res;
    try {
      res = await post({ events: [pageView({ id: 'a' }), pageView({ id: 'b' }), pageView({ id: 'c' })] });
    } finally {
      setIngestTally(undefined);
    }
    // The ingest statistics count what the stream took, not what was sent.
    expect(outcomes.map((o) => [...o.accepted])).toEqual([[['page_view', 2]]]);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    expect(res.headers['x-correlation-id']).toBe('req-1');
    expect(res.body).toMatchObject({
      code: 'DELIVERY_FAILED',
      accepted: 2,
      acceptedIds: ['a', 'c'],
      failedIds: ['b'],
      ids: ['a', 'b', 'c'],
    });
    // The first call carried all three; the retries only 'b'.
    const calls = firehose.commandCalls(PutRecordBatchCommand);
    expect(calls[0]!.args[0].input.Records).toHaveLength(3);
    for (const c of calls.slice(1)) expect(c.args[0].input.Records).toHaveLength(1);
  });

  it('answers 503 when Firehose throttles every attempt', async () => {
    firehose.reset();
    firehose.on(PutRecordBatchCommand).rejects(
      Object.assign(new Error('Slow down.'), {
        name: 'ServiceUnavailableException',
        $metadata: { httpStatusCode: 503 },
      }),
    );
    const res = await post(pageView({ id: 'x1' }));
    expect(res.status).toBe(503);
    expect(res.body.failedIds).toEqual(['x1']);
  });

  it("returns the client's x-correlation-id when it is valid, API Gateway's request id otherwise", async () => {
    const own = await post(pageView(), {
      'content-type': 'application/json',
      'x-correlation-id': 'batch-2026-11-24',
    });
    expect(own.headers['x-correlation-id']).toBe('batch-2026-11-24');
    const refused = await post('{', {
      'content-type': 'application/json',
      'x-correlation-id': 'batch-2026-11-24',
    });
    expect([refused.status, refused.headers['x-correlation-id']]).toEqual([400, 'batch-2026-11-24']);
    const invalid = await post(pageView(), { 'content-type': 'application/json', 'x-correlation-id': 'a b' });
    expect(invalid.headers['x-correlation-id']).toBe('req-1');
  });

  it('adds CORS headers for allowed origins only', async () => {
    const allowed = await post(pageView(), {
      'content-type': 'application/json',
      Origin: 'https://app.example',
    });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example');
    const other = await post(pageView(), {
      'content-type': 'application/json',
      Origin: 'https://evil.example',
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('turns an unexpected SDK error into 503 for those records, never a silent 202', async () => {
    firehose.reset();
    firehose.on(PutRecordBatchCommand).callsFake(() => {
      throw new TypeError('boom');
    });
    const res = await post(pageView({ id: 'u1' }));
    expect(res.status).toBe(503);
    expect(res.body.failedIds).toEqual(['u1']);
  });

  it('answers 500 INTERNAL_ERROR, without internals, when the stream itself throws', async () => {
    setEventStream({
      putRecords: async () => {
        throw new Error('disk on fire');
      },
    });
    try {
      const res = await post(pageView());
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ code: 'INTERNAL_ERROR', message: 'internal error', requestId: 'aws-req-1' });
      expect(res.headers['x-correlation-id']).toBe('req-1');
    } finally {
      setEventStream(undefined);
    }
  });
});
