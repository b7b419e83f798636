/**
 * Athena's own API on the local lake, driven by the real @aws-sdk/client-athena against a running lake (real HTTP,
 * SigV4 signatures, the lake's DuckDB engine and query history): the query lifecycle, Athena's ResultSet and paging,
 * one history shared with /queries, and Athena's errors.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  AthenaClient,
  BatchGetQueryExecutionCommand,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  ListQueryExecutionsCommand,
  ListWorkGroupsCommand,
  StartQueryExecutionCommand,
  type StartQueryExecutionCommandInput,
  StopQueryExecutionCommand,
  type QueryExecution,
} from '@aws-sdk/client-athena';
import { athenaClient, failure, startAthenaLake, type AthenaLake } from '../support/athena-lake';

let lake: AthenaLake;
let athena: AthenaClient;

beforeAll(async () => {
  lake = await startAthenaLake('athena-api');
  athena = athenaClient(lake);
}, 120_000);

afterAll(async () => {
  athena?.destroy();
  await lake?.stop();
});

const FIVE_ROWS =
  "SELECT event_id, duration_ms FROM page_view WHERE event_date = '2024-03-01' ORDER BY event_id LIMIT 5";

/** As an application starts a query on Athena: in the lake's database and workgroup. */
const IN_LAKE = {
  QueryExecutionContext: { Database: 'data_lake_local' },
  WorkGroup: 'data-lake-local-queries',
};

async function start(sql: string, over: Partial<StartQueryExecutionCommandInput> = {}): Promise<string> {
  return (await athena.send(new StartQueryExecutionCommand({ QueryString: sql, ...IN_LAKE, ...over })))
    .QueryExecutionId!;
}

async function until(id: string, states: string[]): Promise<QueryExecution> {
  for (let i = 0; i < 500; i++) {
    const q = (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution!;
    if (states.includes(q.Status!.State!)) return q;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`query ${id} did not reach ${states.join('/')}`);
}

const values = (rows: { Data?: { VarCharValue?: string }[] }[] = []) =>
  rows.map((r) => (r.Data ?? []).map((d) => d.VarCharValue ?? null));

describe("the local lake answers Athena's API", () => {
  it('answers a double or real -0 as -0.0, as Athena does (the results file keeps the sign)', async () => {
    const id = await start(
      'SELECT -0e0 AS nz, CAST(-0e0 AS VARCHAR) AS nzs, CAST(-0e0 AS real) AS rz, 0e0 AS z',
    );
    expect((await until(id, ['SUCCEEDED', 'FAILED'])).Status!.State).toBe('SUCCEEDED');
    const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: id }));
    expect(values(page.ResultSet!.Rows)[1]).toEqual(['-0.0', '-0.0', '-0.0', '0.0']);
  });

  it('answers -0.0 in a row that also holds a long run of digits, and inside an array', async () => {
    const id = await start(
      'SELECT round(-0.001e0, 2) AS r, avg(x) AS a, ARRAY[-0.0e0, 0.30000000000000004e0] AS arr ' +
        'FROM (VALUES (1e0), (2e0), (4e0)) AS t(x)',
    );
    expect((await until(id, ['SUCCEEDED', 'FAILED'])).Status!.State).toBe('SUCCEEDED');
    const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: id }));
    expect(values(page.ResultSet!.Rows)[1]).toEqual([
      '-0.0',
      '2.3333333333333335',
      '[-0.0, 0.30000000000000004]',
    ]);
  });

  it('heads a column written in another case as written, in the header row and ColumnInfo, as Athena does', async () => {
    const id = await start('SELECT EVENT_ID, pv.Duration_Ms FROM page_view pv ORDER BY 1 LIMIT 1');
    expect((await until(id, ['SUCCEEDED', 'FAILED'])).Status!.State).toBe('SUCCEEDED');
    const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: id }));
    expect(values(page.ResultSet!.Rows)[0]).toEqual(['EVENT_ID', 'Duration_Ms']);
    expect(page.ResultSet!.ResultSetMetadata!.ColumnInfo!.map((c) => [c.Name, c.Label])).toEqual([
      ['EVENT_ID', 'EVENT_ID'],
      ['Duration_Ms', 'Duration_Ms'],
    ]);
  });

  it('reports the QueryExecutionContext the request gave (none: {}), as Athena echoes it', async () => {
    const none = await start('SELECT 1', { QueryExecutionContext: undefined });
    const inDefault = await start('SELECT 2', { QueryExecutionContext: { Database: 'default' } });
    const both = await start('SELECT 3', {
      QueryExecutionContext: { Database: 'data_lake_local', Catalog: 'AwsDataCatalog' },
    });
    const contexts = await Promise.all(
      [none, inDefault, both].map(async (id) => (await until(id, ['SUCCEEDED'])).QueryExecutionContext),
    );
    expect(contexts).toEqual([
      {},
      { Database: 'default', Catalog: 'awsdatacatalog' },
      { Database: 'data_lake_local', Catalog: 'awsdatacatalog' },
    ]);
    const batch = await athena.send(
      new BatchGetQueryExecutionCommand({ QueryExecutionIds: [none, inDefault] }),
    );
    expect(batch.QueryExecutions!.map((q) => q.QueryExecutionContext)).toEqual([
      {},
      { Database: 'default', Catalog: 'awsdatacatalog' },
    ]);
  });

  it('reports the ResultReuseConfiguration the request gave, and that no result was reused (every query runs)', async () => {
    const asked = await start('SELECT 4', {
      ResultReuseConfiguration: { ResultReuseByAgeConfiguration: { Enabled: true, MaxAgeInMinutes: 30 } },
    });
    const off = await start('SELECT 5', {
      ResultReuseConfiguration: { ResultReuseByAgeConfiguration: { Enabled: false } },
    });
    const none = await start('SELECT 6');
    const executions = await Promise.all([asked, off, none].map((id) => until(id, ['SUCCEEDED'])));
    expect(executions.map((q) => [q.ResultReuseConfiguration, q.Statistics!.ResultReuseInformation])).toEqual(
      [
        [
          { ResultReuseByAgeConfiguration: { Enabled: true, MaxAgeInMinutes: 30 } },
          { ReusedPreviousResult: false },
        ],
        [{ ResultReuseByAgeConfiguration: { Enabled: false } }, { ReusedPreviousResult: false }],
        [{ ResultReuseByAgeConfiguration: { Enabled: false } }, { ReusedPreviousResult: false }],
      ],
    );
  });

  it('starts a query, reports it as Athena does, and pages its results with the header first', async () => {
    const id = await start(FIVE_ROWS);
    const q = await until(id, ['SUCCEEDED', 'FAILED']);
    expect(q).toMatchObject({
      QueryExecutionId: id,
      Query: FIVE_ROWS,
      StatementType: 'DML',
      SubstatementType: 'SELECT',
      WorkGroup: 'data-lake-local-queries',
      QueryExecutionContext: { Database: 'data_lake_local', Catalog: 'awsdatacatalog' },
      Status: { State: 'SUCCEEDED' },
      EngineVersion: { EffectiveEngineVersion: 'Athena engine version 3' },
    });
    expect(q.Status!.SubmissionDateTime).toBeInstanceOf(Date);
    expect(q.Status!.CompletionDateTime!.getTime()).toBeGreaterThanOrEqual(
      q.Status!.SubmissionDateTime!.getTime(),
    );
    expect(q.Statistics!.DataScannedInBytes).toBeGreaterThan(0);
    expect(q.Statistics!.TotalExecutionTimeInMillis).toBeGreaterThanOrEqual(
      q.Statistics!.EngineExecutionTimeInMillis!,
    );
    // The results file, as a file: URL.
    const output = q.ResultConfiguration!.OutputLocation!;
    expect(output).toMatch(new RegExp(`^file://.*/\\.queries/${id}/results\\.jsonl$`));
    expect(existsSync(fileURLToPath(output))).toBe(true);

    // MaxResults counts the header row; a full page carries a token, even the last one.
    const pages = [];
    let token: string | undefined;
    do {
      const page = await athena.send(
        new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 2, NextToken: token }),
      );
      pages.push(values(page.ResultSet!.Rows));
      if (pages.length === 1)
        expect(page.ResultSet!.ResultSetMetadata!.ColumnInfo).toEqual([
          expect.objectContaining({
            Name: 'event_id',
            Label: 'event_id',
            Type: 'varchar',
            Precision: 2147483647,
            Scale: 0,
            Nullable: 'UNKNOWN',
            CaseSensitive: true,
            CatalogName: 'hive',
          }),
          expect.objectContaining({
            Name: 'duration_ms',
            Type: 'bigint',
            Precision: 19,
            Scale: 0,
            CaseSensitive: false,
          }),
        ]);
      token = page.NextToken;
    } while (token && pages.length < 10);
    expect(pages).toEqual([
      [
        ['event_id', 'duration_ms'],
        ['pv-2024-03-01-000', '0'],
      ],
      [
        ['pv-2024-03-01-001', '1'],
        ['pv-2024-03-01-002', '2'],
      ],
      [
        ['pv-2024-03-01-003', '3'],
        ['pv-2024-03-01-004', '4'],
      ],
      [],
    ]);

    // A page of one row holds the header only; the data follow from the first row.
    const one = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 1 }));
    expect(values(one.ResultSet!.Rows)).toEqual([['event_id', 'duration_ms']]);
    const after = await athena.send(
      new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 1, NextToken: one.NextToken }),
    );
    expect(values(after.ResultSet!.Rows)).toEqual([['pv-2024-03-01-000', '0']]);

    // One page by default (up to 1,000 rows with the header); more than 1,000 is refused as Athena refuses it.
    const all = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: id }));
    expect(values(all.ResultSet!.Rows)).toHaveLength(6);
    expect(all.NextToken).toBeUndefined();
    expect(
      await failure(athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 1001 }))),
    ).toEqual({
      name: 'InvalidRequestException',
      status: 400,
      code: 'INVALID_INPUT',
      message: 'MaxResults is more than maximum allowed length 1000',
    });
    expect(
      await failure(
        athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, QueryResultType: 'BOGUS' as never })),
      ),
    ).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining(
        "Value at 'queryResultType' failed to satisfy constraint: Member must satisfy enum value set: " +
          '[DATA_MANIFEST, DATA_ROWS]',
      ),
    });
    expect(
      (await failure(athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: 'bm9wZQ' }))))
        .message,
    ).toBe('Malformed nextPageToken bm9wZQ');
  });

  it("renders values as Athena's text, NULL as no value", async () => {
    const id = await start(
      'SELECT count(*) AS n, avg(duration_ms) AS mean, max(occurred_at) AS last, CAST(1.5 AS DECIMAL(10,2)) AS price, ' +
        "max(user_id) AS nobody FROM page_view WHERE event_date = '2024-03-01'",
    );
    await until(id, ['SUCCEEDED']);
    const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: id }));
    expect(values(page.ResultSet!.Rows)).toEqual([
      ['n', 'mean', 'last', 'price', 'nobody'],
      ['120', '59.5', '2024-03-01 09:01:59.000', '1.50', null],
    ]);
    expect(page.ResultSet!.ResultSetMetadata!.ColumnInfo!.map((c) => [c.Type, c.Precision, c.Scale])).toEqual(
      [
        ['bigint', 19, 0],
        ['double', 17, 0],
        ['timestamp', 3, 0],
        ['decimal', 10, 2],
        ['varchar', 2147483647, 0],
      ],
    );
  });

  it('lists a map as the java.util.HashMap Trino prints it (its hash order, not the order written)', async () => {
    const id = await start(
      "SELECT map(ARRAY['b', 'a'], ARRAY[1, 2]) AS m, map(ARRAY['banana', 'apple', 'cherry', 'date'], ARRAY[1, 2, 3, 4]) AS fruit, " +
        'map(ARRAY[CAST(100 AS BIGINT), -1, 17], ARRAY[1, 2, 3]) AS longs',
    );
    await until(id, ['SUCCEEDED']);
    const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: id }));
    // As Java 17 prints new HashMap<>() filled in that order (String and Long hash codes).
    expect(values(page.ResultSet!.Rows)[1]).toEqual([
      '{a=2, b=1}',
      '{banana=1, date=4, apple=2, cherry=3}',
      '{-1=2, 17=3, 100=1}',
    ]);
  });

  it("gives a json value as its JSON text: JSON's null as 'null' (SQL NULL: no value), every digit of a number", async () => {
    const doc = `'{"a": null, "b": 12345678901234567890, "c": [1, null]}'`;
    const id = await start(
      `SELECT json_extract(${doc}, '$.a') AS a, json_extract(${doc}, '$.zz') AS zz, ` +
        `json_extract(${doc}, '$.b') AS b, json_extract(${doc}, '$.c') AS c`,
    );
    await until(id, ['SUCCEEDED']);
    const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: id }));
    expect(values(page.ResultSet!.Rows)).toEqual([
      ['a', 'zz', 'b', 'c'],
      ['null', null, '12345678901234567890', '[1,null]'],
    ]);
    // The query API's cells are the values (JSON's null is null there, on both runtimes).
    const res = await fetch(`${lake.url}/queries/${id}/results`, { headers: { 'x-api-key': lake.apiKey } });
    expect(((await res.json()) as { rows: unknown[][] }).rows).toEqual([
      [null, null, 12345678901234567000, [1, null]],
    ]);
  });

  it("describes a failed query's error as Athena does: category, type, retryable, message", async () => {
    const id = await start('SELECT 1 / 0');
    const q = await until(id, ['SUCCEEDED', 'FAILED']);
    expect(q.Status!.State).toBe('FAILED');
    // A user error (category 2), Athena's type 1000, not worth running again.
    expect(q.Status!.AthenaError).toEqual({
      ErrorCategory: 2,
      ErrorType: 1000,
      Retryable: false,
      ErrorMessage: expect.stringMatching(/Division by zero/),
    });
    // A user error whose message speaks of a timeout is no query timeout (Athena's type 206).
    const worded = await start("SELECT CAST('timed out' AS integer) AS connect_timeout");
    const failed = await until(worded, ['SUCCEEDED', 'FAILED']);
    expect(failed.Status!.AthenaError).toMatchObject({
      ErrorCategory: 2,
      ErrorType: 1000,
      ErrorMessage: expect.stringMatching(/timed out/),
    });
  });

  it('answers a metadata statement as Athena does: UTILITY, its first page without a header row', async () => {
    const id = await start('SHOW TABLES');
    const q = await until(id, ['SUCCEEDED', 'FAILED']);
    expect([q.Status!.State, q.StatementType, q.SubstatementType]).toEqual([
      'SUCCEEDED',
      'UTILITY',
      'SHOW_TABLES',
    ]);
    const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: id }));
    const [column] = page.ResultSet!.ResultSetMetadata!.ColumnInfo!;
    const rows = values(page.ResultSet!.Rows).map(([name]) => name);
    expect(rows).toEqual(expect.arrayContaining(['page_view', 'lake_rejected']));
    expect(rows).not.toContain(column!.Name);
  });

  it("describes a SHOW's or DESCRIBE's columns as Athena does: Hive strings; DESCRIBE three, each row one value", async () => {
    // Measured on Athena (engine 3): type string, precision 0, not case sensitive, whatever Trino's own columns are.
    const hive = (Name: string) =>
      expect.objectContaining({
        Name,
        Label: Name,
        Type: 'string',
        Precision: 0,
        Scale: 0,
        CaseSensitive: false,
      });
    const described: Record<string, unknown[]> = {
      'SHOW TABLES': [hive('tab_name')],
      'SHOW COLUMNS FROM page_view': [hive('field')],
      'SHOW PARTITIONS page_view': [hive('partition')],
      'SHOW CREATE TABLE page_view': [hive('createtab_stmt')],
      'DESCRIBE page_view': [hive('col_name'), hive('data_type'), hive('comment')],
    };
    for (const [sql, columns] of Object.entries(described)) {
      const id = await start(sql);
      expect((await until(id, ['SUCCEEDED', 'FAILED'])).Status!.State).toBe('SUCCEEDED');
      const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: id }));
      expect([sql, page.ResultSet!.ResultSetMetadata!.ColumnInfo]).toEqual([sql, columns]);
      expect(page.ResultSet!.Rows!.every((r) => r.Data!.length === 1)).toBe(true);
    }
  });

  it('stops a running query; stopping it again changes nothing; it has no results', async () => {
    const id = await start('SELECT count(*) FROM page_view a, page_view b, page_view c, page_view d');
    await until(id, ['RUNNING']);
    await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
    const q = await until(id, ['CANCELLED']);
    expect(q.Status).toMatchObject({ State: 'CANCELLED', StateChangeReason: 'Query cancelled by user' });
    await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
    expect((await until(id, ['CANCELLED', 'SUCCEEDED', 'FAILED'])).Status!.State).toBe('CANCELLED');
    expect(await failure(athena.send(new GetQueryResultsCommand({ QueryExecutionId: id })))).toMatchObject({
      name: 'InvalidRequestException',
      code: 'RESULT_NOT_FOUND',
    });
  });

  it('lists queries newest first, a page at a time, and gets several at once', async () => {
    const ids = [
      await start('SELECT 1 AS one'),
      await start('SELECT 2 AS two'),
      await start('SELECT 3 AS three'),
    ];
    // Newest first: by submission time, then (within a millisecond) by id.
    const started = (await athena.send(new BatchGetQueryExecutionCommand({ QueryExecutionIds: ids })))
      .QueryExecutions!;
    const newest = started
      .map((q) => [q.Status!.SubmissionDateTime!.getTime(), q.QueryExecutionId!] as const)
      .sort(([t1, a], [t2, b]) => t2 - t1 || (a < b ? 1 : -1))
      .map(([, id]) => id);
    expect(new Set(newest)).toEqual(new Set(ids));
    const first = await athena.send(new ListQueryExecutionsCommand({ MaxResults: 2 }));
    expect(first.QueryExecutionIds).toEqual(newest.slice(0, 2));
    const second = await athena.send(
      new ListQueryExecutionsCommand({ MaxResults: 2, NextToken: first.NextToken }),
    );
    expect(second.QueryExecutionIds![0]).toBe(newest[2]);

    const unknown = '00000000-0000-4000-8000-000000000000';
    const batch = await athena.send(
      new BatchGetQueryExecutionCommand({ QueryExecutionIds: [ids[0]!, unknown] }),
    );
    expect(batch.QueryExecutions!.map((q) => [q.QueryExecutionId, q.Query])).toEqual([
      [ids[0], 'SELECT 1 AS one'],
    ]);
    expect(batch.UnprocessedQueryExecutionIds).toEqual([
      {
        QueryExecutionId: unknown,
        ErrorCode: 'QUERY_EXECUTION_NOT_FOUND',
        ErrorMessage: `QueryExecution ${unknown} was not found`,
      },
    ]);
  });

  it('starts a query once per ClientRequestToken, as Athena does', async () => {
    const token = `retry-${'x'.repeat(32)}-${Date.now()}`;
    const send = (QueryString: string) =>
      athena.send(new StartQueryExecutionCommand({ QueryString, ClientRequestToken: token }));
    const first = (await send('SELECT 7 AS seven')).QueryExecutionId;
    expect((await send('SELECT 7 AS seven')).QueryExecutionId).toBe(first);
    expect(await failure(send('SELECT 8 AS eight'))).toMatchObject({
      name: 'InvalidRequestException',
      code: 'IDEMPOTENT_PARAMETER_MISMATCH',
      message: 'Idempotent parameters do not match',
    });
    // Other parameters or another workgroup with the same token: the first query's id, as measured on Athena
    // (aoyagikouhei/athena-local docs/dev/measurements/client-request-token.md); another database is another request.
    for (const other of [{ ExecutionParameters: ['1'] }, { WorkGroup: 'primary' }])
      expect(
        (
          await athena.send(
            new StartQueryExecutionCommand({
              QueryString: 'SELECT 7 AS seven',
              ClientRequestToken: token,
              ...other,
            }),
          )
        ).QueryExecutionId,
      ).toBe(first);
    expect(
      await failure(
        athena.send(
          new StartQueryExecutionCommand({
            QueryString: 'SELECT 7 AS seven',
            ClientRequestToken: token,
            QueryExecutionContext: { Database: 'default' },
          }),
        ),
      ),
    ).toMatchObject({ code: 'IDEMPOTENT_PARAMETER_MISMATCH' });
  });

  it("answers a syntax error as MALFORMED_QUERY before it compares the token, and checks the request's result configuration", async () => {
    for (const QueryString of [
      "SELECT 'abc",
      'SELECT 1 /* unterminated',
      'SELECT "a FROM page_view',
      'SELECT `event_id` FROM page_view',
      'SELECT 1 // 2',
      'SELECT 1 LIMIT 1 OFFSET 1',
      '   ',
    ])
      expect([QueryString, await failure(start(QueryString))]).toEqual([
        QueryString,
        expect.objectContaining({ name: 'InvalidRequestException', code: 'MALFORMED_QUERY' }),
      ]);
    const token = `syntax-${'y'.repeat(32)}-${Date.now()}`;
    const send = (QueryString: string, over: object = {}) =>
      athena.send(new StartQueryExecutionCommand({ QueryString, ClientRequestToken: token, ...over }));
    const first = (await send('SELECT 1', { ResultConfiguration: { OutputLocation: 's3://bucket-a/q/' } }))
      .QueryExecutionId;
    // Measured on Athena: the syntax error, not a token mismatch.
    expect(await failure(send('SELEC 1'))).toMatchObject({ code: 'MALFORMED_QUERY' });
    // Valid Athena SQL the guard's parser does not read is no syntax error: refused, naming the construct.
    expect(await failure(start("SELECT INTERVAL '1-2' YEAR TO MONTH"))).toMatchObject({
      name: 'InvalidRequestException',
      code: 'QUERY_NOT_ALLOWED',
      message: expect.stringMatching(
        /^Athena runs an interval literal with two fields .*, but the guard's parser does not read it: /,
      ),
    });
    // Another OutputLocation under the same token is another request (measured in workgroup primary).
    expect(
      await failure(send('SELECT 1', { ResultConfiguration: { OutputLocation: 's3://bucket-b/q/' } })),
    ).toMatchObject({ code: 'IDEMPOTENT_PARAMETER_MISMATCH' });
    expect(
      (await send('SELECT 1', { ResultConfiguration: { OutputLocation: 's3://bucket-a/q/' } }))
        .QueryExecutionId,
    ).toBe(first);
    const before = (await athena.send(new ListQueryExecutionsCommand({}))).QueryExecutionIds;
    expect(
      await failure(start('SELECT 1', { ResultConfiguration: { OutputLocation: 'not-a-valid-s3-path' } })),
    ).toMatchObject({ code: 'INVALID_INPUT', message: 'outputLocation is not a valid S3 path.' });
    expect(
      await failure(
        start('SELECT 1', {
          ResultConfiguration: {
            OutputLocation: 's3://bucket-a/q/',
            EncryptionConfiguration: { EncryptionOption: 'NOPE' as never },
          },
        }),
      ),
    ).toMatchObject({
      message: expect.stringContaining(
        "'resultConfiguration.encryptionConfiguration.encryptionOption' failed to satisfy constraint: Member must satisfy enum value set: [SSE_S3, SSE_KMS, CSE_KMS]",
      ),
    });
    // ResultReuseConfiguration as Athena's model checks it (Enabled required, MaxAgeInMinutes 0 to 10080).
    expect(
      await failure(
        start('SELECT 1', {
          ResultReuseConfiguration: {
            ResultReuseByAgeConfiguration: { Enabled: true, MaxAgeInMinutes: 99999999 },
          },
        }),
      ),
    ).toMatchObject({
      message: expect.stringContaining(
        "'resultReuseConfiguration.resultReuseByAgeConfiguration.maxAgeInMinutes' failed to satisfy constraint: " +
          'Member must have value less than or equal to 10080',
      ),
    });
    expect(
      await failure(
        start('SELECT 1', {
          ResultReuseConfiguration: { ResultReuseByAgeConfiguration: { MaxAgeInMinutes: 5 } as never },
        }),
      ),
    ).toMatchObject({
      message: expect.stringContaining(
        "Value null at 'resultReuseConfiguration.resultReuseByAgeConfiguration.enabled' failed to satisfy " +
          'constraint: Member must not be null',
      ),
    });
    // A token's limit is 128 bytes (measured: 50 three-byte characters are refused).
    expect(
      await failure(
        athena.send(
          new StartQueryExecutionCommand({ QueryString: 'SELECT 1', ClientRequestToken: 'あ'.repeat(50) }),
        ),
      ),
    ).toMatchObject({
      code: 'INVALID_INPUT',
      message: 'clientRequestToken exceeds maximum allowed length 128',
    });
    expect((await athena.send(new ListQueryExecutionsCommand({}))).QueryExecutionIds).toEqual(before);
    // BatchGetQueryExecution checks each id as the model does.
    expect(
      await failure(
        athena.send(new BatchGetQueryExecutionCommand({ QueryExecutionIds: ['', ' ', 'x'.repeat(129)] })),
      ),
    ).toMatchObject({
      message: expect.stringContaining(
        "Value at 'queryExecutionIds' failed to satisfy constraint: Member must satisfy constraint: [",
      ),
    });
  });

  it('shares one query history with /queries', async () => {
    const res = await fetch(`${lake.url}/queries`, {
      method: 'POST',
      headers: { 'x-api-key': lake.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ sql: 'SELECT count(DISTINCT session_id) AS sessions FROM page_view', wait: 10 }),
    });
    const viaQueries = (await res.json()) as { id: string; state: string; dataScannedBytes: number };
    expect(viaQueries.state).toBe('SUCCEEDED');
    const q = (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: viaQueries.id })))
      .QueryExecution!;
    expect(q.Statistics!.DataScannedInBytes).toBe(viaQueries.dataScannedBytes);
    const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: viaQueries.id }));
    expect(values(page.ResultSet!.Rows)).toEqual([['sessions'], ['3']]);
    expect((await athena.send(new ListQueryExecutionsCommand({ MaxResults: 1 }))).QueryExecutionIds).toEqual([
      viaQueries.id,
    ]);

    const id = await start('SELECT 42 AS answer');
    await until(id, ['SUCCEEDED']);
    const viaApi = await fetch(`${lake.url}/queries/${id}/results`, {
      headers: { 'x-api-key': lake.apiKey },
    });
    expect(await viaApi.json()).toMatchObject({ rows: [[42]] });
  });

  it("refuses what the guard refuses, in Athena's error shape, and fails a name the catalog lacks as Athena does", async () => {
    const before = (await athena.send(new ListQueryExecutionsCommand({}))).QueryExecutionIds;
    expect(await failure(start('DROP TABLE page_view'))).toMatchObject({
      name: 'InvalidRequestException',
      status: 400,
      code: 'QUERY_NOT_ALLOWED',
    });
    expect((await athena.send(new ListQueryExecutionsCommand({}))).QueryExecutionIds).toEqual(before);
    // A name the catalog lacks: Athena starts a SELECT of it and fails it (ErrorType 1301, measured on Athena by the
    // athena-local project), and refuses a DESCRIBE or SHOW COLUMNS of it at start ("Entity Not Found").
    const failedAs = async (input: StartQueryExecutionCommandInput) => {
      const id = (await athena.send(new StartQueryExecutionCommand(input))).QueryExecutionId!;
      const q = await until(id, ['FAILED']);
      expect(q.Status!.StateChangeReason).toBe(q.Status!.AthenaError!.ErrorMessage);
      return { ...q.Status!.AthenaError, id };
    };
    const notFound = (message: RegExp) => ({
      ErrorCategory: 2,
      ErrorType: 1301,
      Retryable: false,
      ErrorMessage: expect.stringMatching(message),
      id: expect.any(String),
    });
    const missing = await failedAs({ QueryString: 'SELECT * FROM nosuch', ...IN_LAKE });
    expect(missing).toEqual(
      notFound(
        /^TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog\.data_lake_local\.nosuch' does not exist \(the local lake: 'nosuch' is not a table of the lake/,
      ),
    );
    expect(await failedAs({ QueryString: 'SELECT 1 FROM other_db.page_view', ...IN_LAKE })).toEqual(
      notFound(/^SCHEMA_NOT_FOUND: line 1:15: Schema 'other_db' does not exist \(the local lake: /),
    );
    // No database named: Athena reads an unqualified name in `default`, which holds no lake table.
    expect(await failedAs({ QueryString: 'SELECT * FROM page_view' })).toEqual(
      notFound(
        /^TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog\.default\.page_view' does not exist \(the local lake: .*give Database 'data_lake_local' or write data_lake_local\.page_view\)$/,
      ),
    );
    // The same token again gives the same failed query; its results are refused as those of any failed query.
    const token = 'a'.repeat(32);
    const again = (
      await athena.send(
        new StartQueryExecutionCommand({ QueryString: 'SELECT x FROM nosuch', ClientRequestToken: token }),
      )
    ).QueryExecutionId!;
    expect(
      (
        await athena.send(
          new StartQueryExecutionCommand({ QueryString: 'SELECT x FROM nosuch', ClientRequestToken: token }),
        )
      ).QueryExecutionId,
    ).toBe(again);
    expect(await failure(athena.send(new GetQueryResultsCommand({ QueryExecutionId: again })))).toMatchObject(
      {
        name: 'InvalidRequestException',
      },
    );
    for (const QueryString of [
      'DESCRIBE nosuch',
      'SHOW COLUMNS FROM other_db.page_view',
      'DESCRIBE page_view',
    ])
      expect([
        QueryString,
        await failure(athena.send(new StartQueryExecutionCommand({ QueryString }))),
      ]).toEqual([
        QueryString,
        expect.objectContaining({
          name: 'InvalidRequestException',
          code: 'INVALID_INPUT',
          message: expect.stringMatching(
            /^Entity Not Found \(Service: AmazonDataCatalog; .*Error Code: EntityNotFoundException/,
          ),
        }),
      ]);
    const listed = (await athena.send(new ListQueryExecutionsCommand({}))).QueryExecutionIds!;
    expect(listed.slice(0, 4)).toEqual([again, expect.any(String), expect.any(String), missing.id]);
    // SHOW TABLES and SHOW CREATE TABLE with no database named are refused with the reason (not measured on Athena).
    for (const QueryString of ['SHOW TABLES', 'SHOW CREATE TABLE page_view'])
      for (const ctx of [{}, { QueryExecutionContext: { Database: 'default' } }])
        expect(
          await failure(athena.send(new StartQueryExecutionCommand({ QueryString, ...ctx }))),
        ).toMatchObject({
          code: 'QUERY_NOT_ALLOWED',
          message: expect.stringMatching(
            /(does not exist|lists the tables of 'default'): with no QueryExecutionContext Database \(or Database 'default'\)/,
          ),
        });
    // A qualified name needs no database in the context, nor with `default` named (as tools send it); a query of
    // no table none either; a syntax error is MALFORMED_QUERY, as on Athena.
    for (const context of [{}, { QueryExecutionContext: { Database: 'default' } }])
      for (const QueryString of [
        'SELECT count(*) FROM data_lake_local.page_view',
        'SELECT 1',
        'SHOW TABLES IN data_lake_local',
        'DESCRIBE data_lake_local.page_view',
        'SHOW COLUMNS FROM page_view IN data_lake_local',
        // Hive DDL quoting: backticks (measured on Athena: aoyagikouhei/athena-local statements.md).
        'DESCRIBE data_lake_local.`page_view`',
        'SHOW CREATE TABLE `data_lake_local`.`page_view`',
      ]) {
        const id = (await athena.send(new StartQueryExecutionCommand({ QueryString, ...context })))
          .QueryExecutionId!;
        expect([QueryString, (await until(id, ['SUCCEEDED', 'FAILED'])).Status!.State]).toEqual([
          QueryString,
          'SUCCEEDED',
        ]);
        // DESCRIBE and SHOW CREATE TABLE answer no UpdateCount, as measured on Athena; SELECT and SHOW
        // TABLES/COLUMNS 0.
        const results = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: id }));
        expect([QueryString, results.UpdateCount]).toEqual([
          QueryString,
          /^(DESCRIBE|SHOW CREATE)/.test(QueryString) ? undefined : 0,
        ]);
      }
    expect(await failure(start('SELEC 1'))).toMatchObject({ code: 'MALFORMED_QUERY' });
    // SELECT's double quotes in a Hive DDL name: refused at start as Athena refuses them.
    expect(await failure(start('DESCRIBE "page_view"'))).toMatchObject({
      name: 'InvalidRequestException',
      code: 'MALFORMED_QUERY',
      message: expect.stringMatching(/^line 1:10: no viable alternative at input 'DESCRIBE "page_view"'/),
    });
    expect(
      await failure(
        athena.send(
          new GetQueryExecutionCommand({ QueryExecutionId: '00000000-0000-4000-8000-000000000000' }),
        ),
      ),
    ).toEqual({
      name: 'InvalidRequestException',
      status: 400,
      code: 'QUERY_EXECUTION_NOT_FOUND',
      message: 'QueryExecution 00000000-0000-4000-8000-000000000000 was not found',
    });
    expect(await failure(athena.send(new ListWorkGroupsCommand({})))).toMatchObject({
      name: 'UnknownOperationException',
      status: 400,
      message: expect.stringMatching(
        /^the local lake does not answer ListWorkGroups; it answers StartQueryExecution, /,
      ),
    });
    expect(
      await failure(
        athena.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 1', WorkGroup: 'elsewhere' })),
      ),
    ).toMatchObject({ name: 'InvalidRequestException', message: 'WorkGroup is not found.' });
  });

  it('authenticates: a wrong access key or secret is refused as AWS refuses it, and nothing runs', async () => {
    const before = (await athena.send(new ListQueryExecutionsCommand({}))).QueryExecutionIds;
    const stranger = athenaClient(lake, { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'local' });
    expect(await failure(stranger.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 1' })))).toEqual(
      {
        name: 'UnrecognizedClientException',
        status: 400,
        code: undefined,
        message:
          "The security token included in the request is invalid. (The local lake's access key id is its API key: " +
          "LAKE_API_KEY, else the api-key file in the lake's folder, .lake/api-key by default.)",
      },
    );
    const wrongSecret = athenaClient(lake, { accessKeyId: lake.apiKey, secretAccessKey: 'not-local' });
    expect(
      await failure(wrongSecret.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 1' }))),
    ).toMatchObject({
      name: 'InvalidSignatureException',
      status: 400,
    });
    const unsigned = await fetch(lake.url, {
      method: 'POST',
      headers: {
        'x-amz-target': 'AmazonAthena.ListQueryExecutions',
        'content-type': 'application/x-amz-json-1.1',
      },
      body: '{}',
    });
    expect([unsigned.status, ((await unsigned.json()) as { __type: string }).__type]).toEqual([
      400,
      'MissingAuthenticationTokenException',
    ]);
    stranger.destroy();
    wrongSecret.destroy();
    expect((await athena.send(new ListQueryExecutionsCommand({}))).QueryExecutionIds).toEqual(before);
  });
});
