/** The CloudFormation that `sls package --stage prod` writes, offline: GET /tables (route, role, catalog). */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { glueTableLogicalId } from '../../lib/catalog/glue';
import { lakeTables } from '../../lib/catalog/tables';
import { resolveConditions } from '../support/cfn-spec';
import {
  asArray,
  packageService,
  resourcesOfType,
  roleStatements,
  type Packaged,
  type Template,
} from '../support/template';

let packaged: Packaged;
let t: Template;

beforeAll(async () => {
  packaged = await packageService('prod');
  t = resolveConditions(packaged.template);
}, 180_000);

const json = (v: unknown) => JSON.stringify(v);

describe('packaged template: GET /tables', () => {
  it('routes GET /tables to the queries function with IAM authorisation and a CORS preflight', () => {
    const [[resourceId]] = resourcesOfType(t, 'AWS::ApiGateway::Resource').filter(
      ([, r]) => r.Properties.PathPart === 'tables',
    ) as [[string, unknown]];
    const methods = resourcesOfType(t, 'AWS::ApiGateway::Method')
      .map(([, m]) => m.Properties)
      .filter((p) => json(p.ResourceId) === json({ Ref: resourceId }));
    expect(methods.map((m) => m.HttpMethod).sort()).toEqual(['GET', 'OPTIONS']);
    const get = methods.find((m) => m.HttpMethod === 'GET')!;
    expect(get.AuthorizationType).toBe('AWS_IAM');
    expect(get.ApiKeyRequired).not.toBe(true);
    expect(json(get.Integration)).toContain('QueriesLambdaFunction');
    expect(get.Integration.Type).toBe('AWS_PROXY');
  });

  it('lets the queries role call glue:GetTables on the catalog, the database, each lake table and lake_rejected only', () => {
    const statements = roleStatements(t.Resources.QueriesRole!).filter((s) =>
      asArray(s.Action).includes('glue:GetTables'),
    );
    const resources = statements.flatMap((s) =>
      asArray(s.Resource).map((r) => (r as { 'Fn::Sub': string })['Fn::Sub']),
    );
    const base = 'arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}';
    expect(resources.sort()).toEqual(
      [
        `${base}:catalog`,
        `${base}:database/data_lake_prod`,
        ...lakeTables().map((x) => `${base}:table/data_lake_prod/${x.name}`),
        `${base}:table/data_lake_prod/lake_rejected`,
      ].sort(),
    );
  });

  it('gives every Glue table the lake parameters GET /tables reads', () => {
    for (const table of lakeTables()) {
      const input = t.Resources[glueTableLogicalId(table.name)]!.Properties.TableInput;
      expect(input.Parameters).toMatchObject({
        'lake.kind': table.kind,
        'lake.version': String(table.version),
        'lake.primaryKey': table.primaryKey.join(','),
      });
      for (const c of input.StorageDescriptor.Columns) expect(c.Parameters).toBeUndefined();
    }
  });

  it('keeps the Glue client in the queries bundle to GetTables alone', () => {
    const code = execFileSync(
      'unzip',
      ['-p', path.join(packaged.dir, 'queries.zip'), 'functions/queries.js'],
      {
        maxBuffer: 64 * 1024 * 1024,
      },
    )
      .toString()
      .replace(/\s+/g, ' ');
    expect(code).toContain('GetTables');
    expect(code).not.toMatch(/"(CreateTable|DeleteTable|GetPartitions|StartJobRun)"/);
  });
});
