/** The Athena query engine (lib/query/athena.ts) and the query handler on the AWS runtime, with Athena mocked. */
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  InternalServerException,
  InvalidRequestException,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  TooManyRequestsException,
  type QueryExecution,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { apiEvent, lambdaContext } from '../support/api-event';

process.env.LAKE_RUNTIME = 'aws';
process.env.ATHENA_WORKGROUP = 'data-lake-test-queries';
process.env.GLUE_DATABASE = 'data_lake_test';
process.env.LAKE_TABLES = 'page_view,signup,orders';
process.env.QUERY_RESULT_REUSE_MINUTES = '30';

/* eslint-disable @typescript-eslint/no-require-imports */
const { AthenaQueryEngine, athenaCell, parseStructure } =
  require('../../lib/query/athena') as typeof import('../../lib/query/athena');
const { checkQuery } = require('../../lib/query/sql-guard') as typeof import('../../lib/query/sql-guard');
const types = require('../../lib/query/types') as typeof import('../../lib/query/types');
const { handler } = require('../../functions/queries') as typeof import('../../functions/queries');
const { setQueryEngine } = require('../../lib/query') as typeof import('../../lib/query');
/* eslint-enable @typescript-eslint/no-require-imports */

const athena = mockClient(AthenaClient);
const ID = '3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const WORKGROUP = 'data-lake-test-queries';
const sleeps: number[] = [];
const sleep = async (ms: number) => {
  sleeps.push(ms);
};

const engine = new AthenaQueryEngine(new AthenaClient({ region: 'us-east-1' }), {
  workGroup: WORKGROUP,
  database: 'data_lake_test',
  resultReuseMinutes: 30,
  sleep,
});

const checked = (sql: string) =>
  checkQuery(sql, { database: 'data_lake_test', tables: ['page_view', 'signup', 'orders'], maxBytes: 65536 });

function execution(over: Partial<QueryExecution> & { state?: string } = {}): {
  QueryExecution: QueryExecution;
} {
  const { state = 'SUCCEEDED', ...rest } = over;
  return {
    QueryExecution: {
      QueryExecutionId: ID,
      Query: 'SELECT 1',
      StatementType: 'DML',
      WorkGroup: WORKGROUP,
      Status: {
        State: state as never,
        SubmissionDateTime: new Date('2024-03-01T10:00:00Z'),
        ...(state === 'SUCCEEDED' || state === 'FAILED' || state === 'CANCELLED'
          ? { CompletionDateTime: new Date('2024-03-01T10:00:02Z') }
          : {}),
      },
      Statistics: { DataScannedInBytes: 123456, EngineExecutionTimeInMillis: 1500 },
      ...rest,
    },
  };
}

const throttled = () => new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} });
const invalid = (message: string) => new InvalidRequestException({ message, $metadata: {} });

beforeEach(() => {
  athena.reset();
  sleeps.length = 0;
});

describe('Athena engine: start', () => {
  it('starts in the workgroup and database with a client request token and result reuse', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
    const s = await engine.start(checked('SELECT count(*) FROM page_view;'));
    expect(s).toMatchObject({
      id: ID,
      state: 'QUEUED',
      engine: 'athena',
      sql: 'SELECT count(*) FROM page_view',
    });
    const input = athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      QueryString: 'SELECT count(*) FROM page_view',
      WorkGroup: WORKGROUP,
      QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: 'data_lake_test' },
      ResultReuseConfiguration: { ResultReuseByAgeConfiguration: { Enabled: true, MaxAgeInMinutes: 30 } },
    });
    expect(input.ClientRequestToken!.length).toBeGreaterThanOrEqual(32);
  });

  it('asks for no result reuse by default (a query after a compaction sees the new rows)', async () => {
    const { queryLimits } = require('../../lib/query/settings') as typeof import('../../lib/query/settings'); // eslint-disable-line @typescript-eslint/no-require-imports
    delete process.env.QUERY_RESULT_REUSE_MINUTES;
    expect(queryLimits().resultReuseMinutes).toBe(0);
    const fresh = new AthenaQueryEngine(new AthenaClient({ region: 'us-east-1' }), {
      workGroup: WORKGROUP,
      database: 'data_lake_test',
      resultReuseMinutes: queryLimits().resultReuseMinutes,
      sleep,
    });
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
    await fresh.start(checked('SELECT 1'));
    expect(
      athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input.ResultReuseConfiguration,
    ).toBeUndefined();
  });

  // The retries themselves are the SDK's (tests/unit/athena-retry.test.ts): a mocked `send` is past them.
  it('throttling that outlasts the SDK’s retries is EngineBusyError', async () => {
    athena.on(StartQueryExecutionCommand).rejects(throttled());
    await expect(engine.start(checked('SELECT 1'))).rejects.toBeInstanceOf(types.EngineBusyError);
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(1);
  });

  it('so is an internal error of Athena; a refusal is not', async () => {
    athena
      .on(StartQueryExecutionCommand)
      .rejects(new InternalServerException({ message: 'boom', $metadata: { httpStatusCode: 500 } }));
    await expect(engine.start(checked('SELECT 1'))).rejects.toBeInstanceOf(types.EngineBusyError);
    athena.on(StartQueryExecutionCommand).rejects(invalid('nope'));
    await expect(engine.start(checked('SELECT 1'))).rejects.not.toBeInstanceOf(types.EngineBusyError);
  });

  it('passes on a refusal of the request', async () => {
    athena.on(StartQueryExecutionCommand).rejects(invalid('Queries of this type are not supported'));
    await expect(engine.start(checked('SELECT 1'))).rejects.toThrow(types.QueryRejectedError);
  });
});

describe('Athena engine: status', () => {
  it('maps state, times, data scanned and engine time', async () => {
    athena.on(GetQueryExecutionCommand, { QueryExecutionId: ID }).resolves(execution());
    expect(await engine.status(ID)).toEqual({
      id: ID,
      state: 'SUCCEEDED',
      sql: 'SELECT 1',
      submittedAt: '2024-03-01T10:00:00.000Z',
      completedAt: '2024-03-01T10:00:02.000Z',
      dataScannedBytes: 123456,
      engineTimeMs: 1500,
      engine: 'athena',
    });
  });

  it('passes on the failure reason and category', async () => {
    athena.on(GetQueryExecutionCommand).resolves(
      execution({
        state: 'FAILED',
        Status: {
          State: 'FAILED',
          SubmissionDateTime: new Date('2024-03-01T10:00:00Z'),
          StateChangeReason: "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved",
          AthenaError: {
            ErrorCategory: 2,
            ErrorType: 1006,
            ErrorMessage: "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved",
          },
        },
      }),
    );
    expect(await engine.status(ID)).toMatchObject({
      state: 'FAILED',
      reason: "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved",
      errorCategory: 'USER',
    });
    expect(await engine.status(ID)).not.toHaveProperty('timedOut');
  });

  it("tells a query Athena stopped for its time limit (error type 206) as timed out, as the local engine's", async () => {
    const reason = 'Query exhausted resources at this scale factor: Query timeout';
    athena.on(GetQueryExecutionCommand).resolves(
      execution({
        state: 'FAILED',
        Status: {
          State: 'FAILED',
          SubmissionDateTime: new Date('2024-03-01T10:00:00Z'),
          StateChangeReason: reason,
          AthenaError: { ErrorCategory: 2, ErrorType: 206, ErrorMessage: reason },
        },
      }),
    );
    expect(await engine.status(ID)).toMatchObject({ state: 'FAILED', errorCategory: 'USER', timedOut: true });
  });

  it('reports the bytes-scanned cutoff as CANCELLED with the reason; result reuse', async () => {
    athena.on(GetQueryExecutionCommand).resolves(
      execution({
        Status: {
          State: 'CANCELLED',
          SubmissionDateTime: new Date(),
          StateChangeReason: 'Query cancelled! : Bytes scanned limit was exceeded',
        },
        Statistics: {
          ResultReuseInformation: { ReusedPreviousResult: false },
          DataScannedInBytes: 10737418240,
        },
      }),
    );
    expect(await engine.status(ID)).toMatchObject({
      state: 'CANCELLED',
      reason: expect.stringMatching(/Bytes scanned limit/),
      resultReused: false,
    });
  });

  it('does not know unknown ids, nor ids of other workgroups', async () => {
    athena.on(GetQueryExecutionCommand).rejects(invalid(`QueryExecution ${ID} was not found`));
    expect(await engine.status(ID)).toBeUndefined();
    athena.reset();
    athena.on(GetQueryExecutionCommand).resolves(execution({ WorkGroup: 'primary' }));
    expect(await engine.status(ID)).toBeUndefined();
  });

  it('waits by polling until the query finishes', async () => {
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce(execution({ state: 'QUEUED' }))
      .resolvesOnce(execution({ state: 'RUNNING' }))
      .resolves(execution());
    expect((await engine.wait(ID, 10_000))?.state).toBe('SUCCEEDED');
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(3);
    expect(sleeps).toEqual([200, 400]);
  });
});

describe('Athena engine: results', () => {
  const columnInfo = [
    { Name: 's', Type: 'varchar' },
    { Name: 'b', Type: 'bigint' },
    { Name: 'i', Type: 'integer' },
    { Name: 'd', Type: 'double' },
    { Name: 'ok', Type: 'boolean' },
    { Name: 'day', Type: 'date' },
    { Name: 'ts', Type: 'timestamp', Precision: 3 },
    { Name: 'price', Type: 'decimal', Precision: 10, Scale: 2 },
    { Name: 'arr', Type: 'array' },
    { Name: 'm', Type: 'map' },
    { Name: 'r', Type: 'row' },
    { Name: 'j', Type: 'json' },
  ];
  const header = { Data: columnInfo.map((c) => ({ VarCharValue: c.Name })) };
  const row = (values: (string | undefined)[]) => ({
    Data: values.map((v) => (v === undefined ? {} : { VarCharValue: v })),
  });

  it('drops the header row of the first page, types values by the metadata, returns the next token', async () => {
    athena.on(GetQueryExecutionCommand).resolves(execution());
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: columnInfo },
        Rows: [
          header,
          row([
            'a',
            '9007199254740993',
            '7',
            '2.5',
            'true',
            '2024-03-01',
            '2024-03-01 10:00:00.123',
            '12.50',
            '[1, 2, 3]',
            '{a=1, b=2}',
            '{x=1, y=abc}',
            '{"k":[1,null]}',
          ]),
          row([
            undefined,
            '42',
            undefined,
            'NaN',
            'false',
            undefined,
            undefined,
            undefined,
            '[]',
            '{}',
            undefined,
            'null',
          ]),
        ],
      },
      NextToken: 'athena-token-2',
    });
    const page = await engine.results(ID, { maxRows: 2 });
    expect(athena.commandCalls(GetQueryResultsCommand)[0]!.args[0].input).toEqual({
      QueryExecutionId: ID,
      MaxResults: 3,
    });
    expect(page.columns).toEqual([
      { name: 's', type: 'varchar' },
      { name: 'b', type: 'bigint' },
      { name: 'i', type: 'integer' },
      { name: 'd', type: 'double' },
      { name: 'ok', type: 'boolean' },
      { name: 'day', type: 'date' },
      { name: 'ts', type: 'timestamp' },
      { name: 'price', type: 'decimal(10,2)' },
      { name: 'arr', type: 'array' },
      { name: 'm', type: 'map' },
      { name: 'r', type: 'row' },
      { name: 'j', type: 'json' },
    ]);
    expect(page.rows).toEqual([
      [
        'a',
        '9007199254740993',
        7,
        2.5,
        true,
        '2024-03-01',
        '2024-03-01 10:00:00.123',
        12.5,
        ['1', '2', '3'],
        { a: '1', b: '2' },
        { x: '1', y: 'abc' },
        { k: [1, null] },
      ],
      [null, 42, null, 'NaN', false, null, null, null, [], {}, null, null],
    ]);
    expect(page.nextToken).toBe('athena-token-2');
  });

  it("keeps every digit of a json cell's integer beyond a double's exact range, as the API's JSON answer writes it", async () => {
    athena.on(GetQueryExecutionCommand).resolves(execution());
    const text = '{"big":9223372036854775807,"n":[-9007199254740993,1.5,2.5e-3],"s":"9223372036854775807"}';
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: [{ Name: 'j', Type: 'json' }] },
        Rows: [{ Data: [{ VarCharValue: 'j' }] }, { Data: [{ VarCharValue: text }] }],
      },
    });
    const page = await engine.results(ID, { maxRows: 1 });
    expect(JSON.stringify(page.rows)).toBe(
      '[[{"big":9223372036854775807,"n":[-9007199254740993,1.5,0.0025],"s":"9223372036854775807"}]]',
    );
  });

  it('pages on with the token without dropping a row', async () => {
    athena.on(GetQueryExecutionCommand).resolves(execution());
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: [{ Name: 'n', Type: 'bigint' }] },
        Rows: [row(['3']), row(['4'])],
      },
    });
    const page = await engine.results(ID, { maxRows: 2, nextToken: 'athena-token-2' });
    expect(athena.commandCalls(GetQueryResultsCommand)[0]!.args[0].input).toEqual({
      QueryExecutionId: ID,
      MaxResults: 2,
      NextToken: 'athena-token-2',
    });
    expect(page).toEqual({ columns: [{ name: 'n', type: 'bigint' }], rows: [[3], [4]], nextToken: null });
  });

  it('keeps the first row of statements without a header row', async () => {
    athena.on(GetQueryExecutionCommand).resolves(execution({ StatementType: 'UTILITY' }));
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: [{ Name: 'tab_name', Type: 'varchar' }] },
        Rows: [row(['page_view'])],
      },
    });
    expect((await engine.results(ID, { maxRows: 10 })).rows).toEqual([['page_view']]);
  });

  it("reads a SHOW's or DESCRIBE's Hive string columns as the local engine answers them: varchar, DESCRIBE one", async () => {
    // Athena describes them as type string; DESCRIBE with three columns, though each row is one tab-separated value.
    athena
      .on(GetQueryExecutionCommand)
      .resolves(
        execution({ StatementType: 'UTILITY', SubstatementType: 'DESCRIBE_TABLE', Query: 'DESCRIBE orders' }),
      );
    const hive = (Name: string) => ({ Name, Type: 'string', Precision: 0, Scale: 0 });
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: [hive('col_name'), hive('data_type'), hive('comment')] },
        Rows: [row(['order_id            \tstring              \t                    '])],
      },
    });
    expect(await engine.results(ID, { maxRows: 10 })).toEqual({
      columns: [{ name: 'col_name', type: 'varchar' }],
      rows: [['order_id            \tstring              \t                    ']],
      nextToken: null,
    });
    athena
      .on(GetQueryExecutionCommand)
      .resolves(
        execution({ StatementType: 'UTILITY', SubstatementType: 'SHOW_TABLES', Query: 'SHOW TABLES' }),
      );
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: { ResultSetMetadata: { ColumnInfo: [hive('tab_name')] }, Rows: [row(['orders'])] },
    });
    expect((await engine.results(ID, { maxRows: 10 })).columns).toEqual([
      { name: 'tab_name', type: 'varchar' },
    ]);
  });

  it('asks at most 1,000 rows of Athena; a first page of 1,000 takes its last row from a second call', async () => {
    // As Athena answers: the header row counts in MaxResults (at most 1,000) on the first page of a SELECT.
    const all = Array.from({ length: 2500 }, (_, i) => row([String(i + 1)]));
    athena.on(GetQueryExecutionCommand).resolves(execution());
    athena.on(GetQueryResultsCommand).callsFake(({ MaxResults, NextToken }) => {
      if (MaxResults > 1000) throw invalid('MaxResults must be at most 1000');
      const rows = [row(['n']), ...all];
      const from = NextToken ? Number(NextToken.replace('t-', '')) : 0;
      const to = Math.min(from + MaxResults, rows.length);
      return {
        ResultSet: {
          ResultSetMetadata: { ColumnInfo: [{ Name: 'n', Type: 'bigint' }] },
          Rows: rows.slice(from, to),
        },
        ...(to < rows.length ? { NextToken: `t-${to}` } : {}),
      };
    });
    const first = await engine.results(ID, { maxRows: 1000 });
    expect(first.rows).toHaveLength(1000);
    expect(first.rows.at(-1)).toEqual([1000]);
    const maxResults = athena.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input.MaxResults);
    expect(maxResults).toEqual([1000, 1]);
    const second = await engine.results(ID, { maxRows: 1000, nextToken: first.nextToken! });
    expect([second.rows[0], second.rows.at(-1), second.rows.length]).toEqual([[1001], [2000], 1000]);
    const last = await engine.results(ID, { maxRows: 1000, nextToken: second.nextToken! });
    expect([last.rows.length, last.nextToken]).toEqual([500, null]);
    // A page of fewer rows is one call.
    athena.resetHistory();
    expect((await engine.results(ID, { maxRows: 10 })).rows).toHaveLength(10);
    expect(athena.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input.MaxResults)).toEqual([11]);
  });

  it('refuses results of queries that did not succeed, and bad tokens', async () => {
    athena.on(GetQueryExecutionCommand).resolves(execution({ state: 'RUNNING' }));
    await expect(engine.results(ID, { maxRows: 1 })).rejects.toBeInstanceOf(types.QueryNotSucceededError);
    athena.reset();
    athena.on(GetQueryExecutionCommand).resolves(execution());
    athena.on(GetQueryResultsCommand).rejects(invalid('The token is invalid'));
    await expect(engine.results(ID, { maxRows: 1, nextToken: 'forged' })).rejects.toBeInstanceOf(
      types.InvalidPageTokenError,
    );
  });

  it('parses nested structures and keeps what it cannot parse as text', () => {
    expect(parseStructure('[[1, 2], [3]]')).toEqual([['1', '2'], ['3']]);
    expect(parseStructure('{a=[1, null], b={c=d}}')).toEqual({ a: ['1', null], b: { c: 'd' } });
    expect(parseStructure('[a,b, c]')).toEqual(['a,b', 'c']);
    expect(parseStructure('[unbalanced')).toBe('[unbalanced');
    // A map key named __proto__ is a key like any other.
    const map = parseStructure('{__proto__={x=1}, b=2}') as Record<string, unknown>;
    expect([Object.keys(map), JSON.stringify(map)]).toEqual([
      ['__proto__', 'b'],
      '{"__proto__":{"x":"1"},"b":"2"}',
    ]);
    expect(athenaCell('123456789012345678.12', { Type: 'decimal', Precision: 20 })).toBe(
      '123456789012345678.12',
    );
    expect(athenaCell('Infinity', { Type: 'double' })).toBe('Infinity');
    expect(athenaCell('2024-03-01 10:00:00.000 UTC', { Type: 'timestamp with time zone' })).toBe(
      '2024-03-01 10:00:00.000 UTC',
    );
  });
});

describe('Athena engine: cancellation', () => {
  it('stops a running query and reports the state after', async () => {
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce(execution({ state: 'RUNNING' }))
      .resolves(execution({ state: 'CANCELLED' }));
    athena.on(StopQueryExecutionCommand).resolves({});
    expect((await engine.cancel(ID))?.state).toBe('CANCELLED');
    expect(athena).toHaveReceivedCommandWith(StopQueryExecutionCommand, { QueryExecutionId: ID });
  });

  it('does not stop a finished query', async () => {
    athena.on(GetQueryExecutionCommand).resolves(execution());
    expect((await engine.cancel(ID))?.state).toBe('SUCCEEDED');
    expect(athena).toHaveReceivedCommandTimes(StopQueryExecutionCommand, 0);
  });
});

describe('queries handler on the AWS runtime', () => {
  beforeAll(() => setQueryEngine(undefined)); // the handler builds its own Athena engine from the environment

  async function call(
    over: Parameters<typeof apiEvent>[0] & {
      resource: string;
      pathParameters?: Record<string, string>;
      query?: Record<string, string>;
    },
  ) {
    const event = apiEvent(over);
    event.resource = over.resource;
    event.pathParameters = over.pathParameters ?? null;
    event.queryStringParameters = over.query ?? null;
    const res = (await handler(event, lambdaContext('data-lake-test-queries'))) as APIGatewayProxyResult;
    return { status: res.statusCode, headers: res.headers ?? {}, body: JSON.parse(res.body) };
  }
  const post = (body: unknown) =>
    call({ method: 'POST', path: '/queries', resource: '/queries', body: JSON.stringify(body) });

  it('POST: 202 with the id and state', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
    const res = await post({ sql: 'SELECT count(*) FROM page_view' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: ID, state: 'QUEUED' });
    expect(res.headers.location).toBe(`queries/${ID}`);
    expect(athena).toHaveReceivedCommandWith(StartQueryExecutionCommand, {
      WorkGroup: WORKGROUP,
      QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: 'data_lake_test' },
    });
  });

  it('GET results: a page over what a Lambda response carries is asked again with fewer rows from the same token', async () => {
    athena.on(GetQueryExecutionCommand).resolves(execution());
    const wide = 'x'.repeat(20_000);
    athena.on(GetQueryResultsCommand).callsFake((input: { MaxResults: number; NextToken?: string }) => ({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: [{ Name: 'v', Type: 'varchar' }] },
        Rows: Array.from({ length: input.MaxResults }, () => ({ Data: [{ VarCharValue: wide }] })),
      },
      NextToken: `after-${input.MaxResults}`,
    }));
    const res = await call({
      method: 'GET',
      path: `/queries/${ID}/results`,
      resource: '/queries/{id}/results',
      pathParameters: { id: ID },
      query: { maxRows: '1000', nextToken: 'athena-token-7' },
    });
    expect(res.status).toBe(200);
    const asked = athena.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input);
    expect(asked[0]).toMatchObject({ MaxResults: 1000, NextToken: 'athena-token-7' });
    const last = asked.at(-1)!;
    expect(last.NextToken).toBe('athena-token-7');
    expect(last.MaxResults).toBeLessThan(1000);
    expect(res.body.rows).toHaveLength(last.MaxResults!);
    expect(res.body.nextToken).toBe(`after-${last.MaxResults}`);
    expect(Buffer.byteLength(JSON.stringify(JSON.stringify(res.body)))).toBeLessThanOrEqual(6 * 1024 * 1024);
  });

  it('POST with wait: 200 with the first page once the query succeeded', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce(execution({ state: 'RUNNING' }))
      .resolves(execution());
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: [{ Name: 'n', Type: 'bigint' }] },
        Rows: [{ Data: [{ VarCharValue: 'n' }] }, { Data: [{ VarCharValue: '5' }] }],
      },
    });
    const res = await post({ sql: 'SELECT count(*) AS n FROM page_view', wait: 5, maxRows: 10 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: ID,
      state: 'SUCCEEDED',
      dataScannedBytes: 123456,
      columns: [{ name: 'n', type: 'bigint' }],
      rows: [[5]],
      nextToken: null,
    });
  });

  it('POST with wait: 202 with the id when Athena throttles the polls after the query started (never a 500)', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
    athena.on(GetQueryExecutionCommand).rejects(throttled());
    const res = await post({ sql: 'SELECT count(*) FROM page_view', wait: 5 });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: ID, state: 'QUEUED' });
    expect(res.headers.location).toBe(`queries/${ID}`);
    expect(res.headers['retry-after']).toBe('5');
    expect(athena).toHaveReceivedCommandTimes(StartQueryExecutionCommand, 1);
  });

  it('POST with wait: 202 with the id and SUCCEEDED when the first page is throttled', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
    athena.on(GetQueryExecutionCommand).resolves(execution());
    athena.on(GetQueryResultsCommand).rejects(throttled());
    const res = await post({ sql: 'SELECT count(*) FROM page_view', wait: 5 });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: ID, state: 'SUCCEEDED' });
    expect(res.body.rows).toBeUndefined();
    expect(res.headers.location).toBe(`queries/${ID}`);
  });

  it('GET and DELETE /queries/{id}: 429 TOO_MANY_QUERIES with Retry-After when Athena throttles', async () => {
    athena.on(GetQueryExecutionCommand).rejects(throttled());
    for (const method of ['GET', 'DELETE']) {
      const res = await call({
        method,
        path: `/queries/${ID}`,
        resource: '/queries/{id}',
        pathParameters: { id: ID },
      });
      expect(res.status).toBe(429);
      expect(res.body).toMatchObject({ code: 'TOO_MANY_QUERIES' });
      expect(res.headers['retry-after']).toBe('5');
    }
    expect(athena).toHaveReceivedCommandTimes(StopQueryExecutionCommand, 0);
  });

  it('400 QUERY_NOT_ALLOWED before Athena is called', async () => {
    const res = await post({ sql: 'DROP TABLE page_view' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'QUERY_NOT_ALLOWED',
      field: 'sql',
      reason: expect.stringMatching(/DDL/),
    });
    const other = await post({ sql: 'SELECT * FROM other_db.t' });
    expect(other.body.code).toBe('QUERY_NOT_ALLOWED');
    expect(athena).toHaveReceivedCommandTimes(StartQueryExecutionCommand, 0);
  });

  it('400 INVALID_PARAMETER names the field', async () => {
    expect((await post({ sql: 'SELECT 1', wait: 60 })).body).toMatchObject({
      code: 'INVALID_PARAMETER',
      field: 'wait',
    });
    expect((await post({ sql: 'SELECT 1', maxRows: 0 })).body).toMatchObject({
      code: 'INVALID_PARAMETER',
      field: 'maxRows',
    });
    expect((await post({ sql: 'SELECT 1', database: 'x' })).body).toMatchObject({
      code: 'INVALID_PARAMETER',
      field: 'database',
    });
    expect((await post({ query: 'SELECT 1' })).body).toMatchObject({
      code: 'INVALID_PARAMETER',
      field: 'query',
    });
    expect((await post({ sql: 42 })).body).toMatchObject({ code: 'INVALID_PARAMETER', field: 'sql' });
    expect((await post([1])).body).toMatchObject({ code: 'INVALID_BODY' });
    const bad = await call({
      method: 'GET',
      path: '/queries/x',
      resource: '/queries/{id}',
      pathParameters: { id: '../x' },
    });
    expect([bad.status, bad.body.code, bad.body.field]).toEqual([400, 'INVALID_PARAMETER', 'id']);
  });

  it('429 TOO_MANY_QUERIES with Retry-After when Athena keeps throttling', async () => {
    athena.on(StartQueryExecutionCommand).rejects(throttled());
    const res = await post({ sql: 'SELECT 1' });
    expect(res.status).toBe(429);
    expect(res.body.code).toBe('TOO_MANY_QUERIES');
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
  });

  it('GET: status; 404 for an unknown id', async () => {
    athena.on(GetQueryExecutionCommand).resolves(execution({ state: 'RUNNING' }));
    const res = await call({
      method: 'GET',
      path: `/queries/${ID}`,
      resource: '/queries/{id}',
      pathParameters: { id: ID },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: ID, state: 'RUNNING' });
    athena.reset();
    athena.on(GetQueryExecutionCommand).rejects(invalid('was not found'));
    const missing = await call({
      method: 'GET',
      path: `/queries/${ID}`,
      resource: '/queries/{id}',
      pathParameters: { id: ID },
    });
    expect([missing.status, missing.body.code]).toEqual([404, 'QUERY_NOT_FOUND']);
  });

  it('GET results: 409 while running, page parameters validated', async () => {
    athena.on(GetQueryExecutionCommand).resolves(execution({ state: 'RUNNING' }));
    const base = {
      method: 'GET',
      path: `/queries/${ID}/results`,
      resource: '/queries/{id}/results',
      pathParameters: { id: ID },
    };
    const running = await call(base);
    expect([running.status, running.body.code, running.body.state]).toEqual([
      409,
      'QUERY_NOT_SUCCEEDED',
      'RUNNING',
    ]);
    expect(running.headers['retry-after']).toBe('1');
    expect((await call({ ...base, query: { maxRows: '5000' } })).body).toMatchObject({ field: 'maxRows' });
    expect((await call({ ...base, query: { maxRows: 'ten' } })).body).toMatchObject({ field: 'maxRows' });
    expect((await call({ ...base, query: { nextToken: 'has space' } })).body).toMatchObject({
      field: 'nextToken',
    });
    expect((await call({ ...base, query: { page: '2' } })).body).toMatchObject({ field: 'page' });
  });

  it('DELETE: cancels a running query; 409 for a finished one', async () => {
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce(execution({ state: 'RUNNING' }))
      .resolvesOnce(execution({ state: 'RUNNING' }))
      .resolves(execution({ state: 'CANCELLED' }));
    athena.on(StopQueryExecutionCommand).resolves({});
    const del = {
      method: 'DELETE',
      path: `/queries/${ID}`,
      resource: '/queries/{id}',
      pathParameters: { id: ID },
    };
    const res = await call(del);
    expect([res.status, res.body.state]).toEqual([200, 'CANCELLED']);
    athena.reset();
    athena.on(GetQueryExecutionCommand).resolves(execution());
    const again = await call(del);
    expect([again.status, again.body.code, again.body.state]).toEqual([
      409,
      'QUERY_ALREADY_FINISHED',
      'SUCCEEDED',
    ]);
  });
});
