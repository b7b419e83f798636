/**
 * GET /tables on the AWS runtime (functions/queries.ts → lib/query/tables.ts), with Glue mocked: GetTables returns,
 * over two pages, the tables the stack deployed from lib/catalog/glue.ts, and the answer is the local lake's.
 */
import {
  AccessDeniedException,
  EntityNotFoundException,
  GetTablesCommand,
  GlueClient,
  ThrottlingException,
  type Table,
} from '@aws-sdk/client-glue';
import { AthenaClient } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { localTableListing } from '../../lib/catalog/describe';
import { lakeTables } from '../../lib/catalog/tables';
import { apiEvent, lambdaContext } from '../support/api-event';
import { deployedGlueTable, deployedRejectedTable, evolvedTable } from '../support/glue-tables';

const DATABASE = 'data_lake_test';
const BUCKET = 'data-lake-test-curated-123456789012-us-east-1';

process.env.LAKE_RUNTIME = 'aws';
process.env.GLUE_DATABASE = DATABASE;
process.env.AWS_REGION = 'us-east-1';

/* eslint-disable @typescript-eslint/no-require-imports */
const { handler } = require('../../functions/queries') as typeof import('../../functions/queries');
const { LocalTableCatalog, setTableCatalog } =
  require('../../lib/query/tables') as typeof import('../../lib/query/tables');
/* eslint-enable @typescript-eslint/no-require-imports */

const glue = mockClient(GlueClient);
const athena = mockClient(AthenaClient);

const tablesEvent = (over: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent => ({
  ...apiEvent({ method: 'GET', path: '/tables', headers: {} }),
  ...over,
});

async function getTables(over: Partial<APIGatewayProxyEvent> = {}) {
  const res = (await handler(
    tablesEvent(over),
    lambdaContext('data-lake-test-queries'),
  )) as APIGatewayProxyResult;
  return { status: res.statusCode, headers: res.headers ?? {}, text: res.body, body: JSON.parse(res.body) };
}

/** GetTables over two pages (the second after NextToken), as Glue pages them. */
function serve(tables: Table[]) {
  const half = Math.ceil(tables.length / 2);
  glue
    .on(GetTablesCommand, { DatabaseName: DATABASE, NextToken: undefined })
    .resolves({ TableList: tables.slice(0, half), NextToken: 'page-2' })
    .on(GetTablesCommand, { DatabaseName: DATABASE, NextToken: 'page-2' })
    .resolves({ TableList: tables.slice(half) });
}

const deployed = (tables = lakeTables()) => [
  ...tables.map((t) => deployedGlueTable(t, DATABASE, BUCKET)),
  deployedRejectedTable(tables, DATABASE, BUCKET),
];

beforeEach(() => {
  glue.reset();
  athena.reset();
  setTableCatalog(undefined);
});

describe('GET /tables on AWS', () => {
  it('reads every page of GetTables and answers exactly what the local lake answers', async () => {
    // Glue returns them in its own order, not by name.
    serve(deployed().reverse());
    const res = await getTables();
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);

    const calls = glue.commandCalls(GetTablesCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([{ DatabaseName: DATABASE }, { DatabaseName: DATABASE, NextToken: 'page-2' }]);
    expect(athena.calls()).toHaveLength(0);

    // The local lake's answer, with its curated folder where AWS has the curated bucket: nothing else differs.
    const curatedDir = '/tmp/lake/curated';
    const local = await new LocalTableCatalog(DATABASE, curatedDir).list();
    const relocated = JSON.parse(
      JSON.stringify(local).split(`file://${curatedDir}/`).join(`s3://${BUCKET}/`),
    );
    expect(res.body).toEqual(relocated);
    expect(res.text).toBe(JSON.stringify(relocated));
    expect(res.body.tables.map((t: { name: string }) => t.name)).toEqual(
      [...lakeTables().map((t) => t.name), 'lake_rejected'].sort(),
    );
    expect(res.body.tables.find((t: { name: string }) => t.name === 'lake_rejected')).toMatchObject({
      kind: 'rejected',
      location: `s3://${BUCKET}/rejected/`,
      partitionKeys: [
        { name: 'table_name', type: 'string' },
        { name: 'run_date', type: 'string', from: 'rejected_at' },
      ],
      primaryKey: [],
    });
    expect(res.body.tables.find((t: { name: string }) => t.name === 'page_view').location).toBe(
      `s3://${BUCKET}/tables/events/type=page_view/`,
    );
  });

  it('carries deprecated, renamed, retired and generated columns and supersedes through Glue unchanged', async () => {
    const tables = [...lakeTables(), evolvedTable()];
    serve(deployed(tables));
    const res = await getTables();
    expect(res.body).toEqual(localTableListing(DATABASE, tables, `s3://${BUCKET}/`));
    const v2 = res.body.tables.find((t: { name: string }) => t.name === 'shipments_v2');
    expect(v2).toMatchObject({ supersedes: 'shipments', version: 4 });
    expect(
      v2.columns.filter((c: { retired?: boolean }) => c.retired).map((c: { name: string }) => c.name),
    ).toEqual(['carrier', 'legacy_code']);
  });

  it('leaves out a table of the database the lake did not generate', async () => {
    serve([
      ...deployed(),
      { Name: 'scratch', DatabaseName: DATABASE, Parameters: {}, StorageDescriptor: { Location: 's3://x/' } },
    ]);
    const res = await getTables();
    expect(res.status).toBe(200);
    expect(res.body.tables.map((t: { name: string }) => t.name)).not.toContain('scratch');
    expect(res.body.tables).toHaveLength(lakeTables().length + 1); // and lake_rejected
  });

  it('answers 500 CATALOG_DATABASE_NOT_FOUND when the database does not exist', async () => {
    glue
      .on(GetTablesCommand)
      .rejects(new EntityNotFoundException({ message: 'Database data_lake_test not found.', $metadata: {} }));
    const res = await getTables();
    expect([res.status, res.body.code, res.body.database]).toEqual([
      500,
      'CATALOG_DATABASE_NOT_FOUND',
      DATABASE,
    ]);
    expect(res.body.requestId).toBe('aws-req-1');
  });

  it('answers 503 CATALOG_UNAVAILABLE with Retry-After when Glue throttles, even on a later page', async () => {
    glue
      .on(GetTablesCommand, { NextToken: undefined })
      .resolves({ TableList: deployed().slice(0, 1), NextToken: 'page-2' })
      .on(GetTablesCommand, { NextToken: 'page-2' })
      .rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }));
    const res = await getTables();
    expect([res.status, res.body.code]).toEqual([503, 'CATALOG_UNAVAILABLE']);
    expect(res.headers['retry-after']).toBe('2');
  });

  it('answers 502 CATALOG_ERROR when Glue refuses the call, without Glue’s message', async () => {
    glue.on(GetTablesCommand).rejects(
      new AccessDeniedException({
        message: 'User: arn:aws:sts::123456789012:assumed-role/x is not authorized',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const res = await getTables();
    expect([res.status, res.body.code]).toEqual([502, 'CATALOG_ERROR']);
    expect(res.text).not.toContain('arn:aws:sts');
  });

  it('answers 500 CATALOG_NOT_CONFIGURED when the function has no Glue database', async () => {
    delete process.env.GLUE_DATABASE;
    try {
      const res = await getTables();
      expect([res.status, res.body.code]).toEqual([500, 'CATALOG_NOT_CONFIGURED']);
      expect(res.body.message).toMatch(/GLUE_DATABASE/);
      expect(glue.calls()).toHaveLength(0);
    } finally {
      process.env.GLUE_DATABASE = DATABASE;
    }
  });

  it('refuses query parameters with 400 INVALID_PARAMETER naming the field', async () => {
    const res = await getTables({ queryStringParameters: { kind: 'events' } });
    expect([res.status, res.body.code, res.body.field]).toEqual([400, 'INVALID_PARAMETER', 'kind']);
    expect(glue.calls()).toHaveLength(0);
  });
});
