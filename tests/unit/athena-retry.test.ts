/**
 * Athena's throttling and unavailability are retried by the SDK's retry strategy, not by our code
 * (lib/query/athena.ts): a real AthenaClient whose HTTP layer answers from a script, so that serialisation, the
 * retry strategy and deserialisation all run — only the backoff is zero. The strategy is the standard one with
 * ATHENA_MAX_ATTEMPTS attempts, as lib/query/index.ts configures the client.
 */
import { Readable } from 'node:stream';
import { AthenaClient } from '@aws-sdk/client-athena';
import { ConfiguredRetryStrategy } from '@smithy/util-retry';
import { ATHENA_MAX_ATTEMPTS, AthenaQueryEngine } from '../../lib/query/athena';
import { checkQuery } from '../../lib/query/sql-guard';
import { EngineBusyError } from '../../lib/query/types';

interface Answer {
  status: number;
  body: object;
  /** Athena's error type (x-amzn-errortype). */
  type?: string;
}

const ID = '3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const THROTTLED: Answer = {
  status: 400,
  type: 'TooManyRequestsException',
  body: { __type: 'TooManyRequestsException', Message: 'Rate exceeded' },
};
const UNAVAILABLE: Answer = { status: 500, type: 'InternalServerException', body: { Message: 'internal' } };

function scriptedAthena(answers: Answer[]) {
  const requests: { target: string; body: Record<string, unknown> }[] = [];
  const client = new AthenaClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    retryStrategy: new ConfiguredRetryStrategy(ATHENA_MAX_ATTEMPTS, () => 0),
    requestHandler: {
      handle: async (request: { headers: Record<string, string>; body: string }) => {
        requests.push({ target: request.headers['x-amz-target']!, body: JSON.parse(request.body) });
        const a = answers[Math.min(requests.length, answers.length) - 1]!;
        return {
          response: {
            statusCode: a.status,
            headers: {
              'content-type': 'application/x-amz-json-1.1',
              ...(a.type ? { 'x-amzn-errortype': a.type } : {}),
            },
            body: Readable.from([Buffer.from(JSON.stringify(a.body))]),
          },
        };
      },
    } as never,
  });
  const engine = new AthenaQueryEngine(client, {
    workGroup: 'wg',
    database: 'data_lake_test',
    resultReuseMinutes: 0,
    sleep: async () => undefined,
  });
  return { engine, requests };
}

const checked = (sql: string) =>
  checkQuery(sql, { database: 'data_lake_test', tables: ['page_view'], maxBytes: 65536 });

describe('Athena calls: the SDK retries', () => {
  it('throttling, with the same request (one ClientRequestToken: the query starts once)', async () => {
    const { engine, requests } = scriptedAthena([
      THROTTLED,
      THROTTLED,
      { status: 200, body: { QueryExecutionId: ID } },
    ]);
    expect((await engine.start(checked('SELECT 1'))).id).toBe(ID);
    expect(requests.map((r) => r.target)).toEqual(Array(3).fill('AmazonAthena.StartQueryExecution'));
    expect(new Set(requests.map((r) => r.body.ClientRequestToken)).size).toBe(1);
  });

  it(`gives up after ${ATHENA_MAX_ATTEMPTS} attempts: EngineBusyError (429 TOO_MANY_QUERIES)`, async () => {
    const { engine, requests } = scriptedAthena([THROTTLED]);
    const err = await engine.start(checked('SELECT 1')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineBusyError);
    expect((err as Error).message).toMatch(/throttling/);
    expect(requests).toHaveLength(ATHENA_MAX_ATTEMPTS);
  });

  it('server errors too; then says Athena is unavailable', async () => {
    const { engine, requests } = scriptedAthena([UNAVAILABLE]);
    const err = await engine.status(ID).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineBusyError);
    expect((err as Error).message).toMatch(/unavailable/);
    expect(requests).toHaveLength(ATHENA_MAX_ATTEMPTS);
  });

  it('not a refusal: InvalidRequestException is answered at once', async () => {
    const { engine, requests } = scriptedAthena([
      {
        status: 400,
        type: 'InvalidRequestException',
        body: { Message: 'Queries of this type are not supported' },
      },
    ]);
    await expect(engine.start(checked('SELECT 1'))).rejects.toThrow(/not supported/);
    expect(requests).toHaveLength(1);
  });

  it('throttled GetQueryResults', async () => {
    const execution = {
      QueryExecution: {
        QueryExecutionId: ID,
        WorkGroup: 'wg',
        StatementType: 'DML',
        Status: { State: 'SUCCEEDED', SubmissionDateTime: 1709287200 },
      },
    };
    const results = {
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: [{ Name: 'n', Type: 'integer' }] },
        Rows: [{ Data: [{ VarCharValue: 'n' }] }, { Data: [{ VarCharValue: '1' }] }],
      },
    };
    const { engine, requests } = scriptedAthena([
      { status: 200, body: execution },
      THROTTLED,
      { status: 200, body: results },
    ]);
    expect((await engine.results(ID, { maxRows: 5 })).rows).toEqual([[1]]);
    expect(requests.map((r) => r.target)).toEqual([
      'AmazonAthena.GetQueryExecution',
      'AmazonAthena.GetQueryResults',
      'AmazonAthena.GetQueryResults',
    ]);
  });
});
