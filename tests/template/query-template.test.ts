/** The CloudFormation that `sls package --stage prod` writes, offline: the query API (Athena, role, routes). */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import {
  asArray,
  packageService,
  resourcesOfType,
  roleStatements,
  type Packaged,
  type Template,
} from '../support/template';
import { resolveConditions } from '../support/cfn-spec';

let packaged: Packaged;
let t: Template;

beforeAll(async () => {
  packaged = await packageService('prod');
  // What the prod stack contains: conditions (encryption: kms) resolved.
  t = resolveConditions(packaged.template);
}, 180_000);

const json = (v: unknown) => JSON.stringify(v);

describe('packaged template: query API', () => {
  it('has an enforced Athena engine 3 workgroup with encrypted results in the results bucket and a scan cutoff', () => {
    const wg = t.Resources.QueriesWorkGroup!;
    expect(wg.Type).toBe('AWS::Athena::WorkGroup');
    expect(wg.Properties.Name).toBe('data-lake-prod-queries');
    const c = wg.Properties.WorkGroupConfiguration;
    expect(c.EnforceWorkGroupConfiguration).toBe(true);
    expect(c.EngineVersion).toEqual({ SelectedEngineVersion: 'Athena engine version 3' });
    expect(c.BytesScannedCutoffPerQuery).toBe(107374182400);
    expect(c.PublishCloudWatchMetricsEnabled).toBe(true);
    expect(json(c.ResultConfiguration.OutputLocation)).toContain('QueryResultsBucket');
    // prod: encryption kms (tests/template/policy.test.ts checks dev's SSE_S3).
    expect(c.ResultConfiguration.EncryptionConfiguration).toEqual({
      EncryptionOption: 'SSE_KMS',
      KmsKey: { 'Fn::GetAtt': ['LakeKey', 'Arn'] },
    });
  });

  it('keeps query results in an encrypted, private, TLS-only bucket that expires them after days', () => {
    const b = t.Resources.QueryResultsBucket!;
    expect(b.Type).toBe('AWS::S3::Bucket');
    expect(
      b.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault
        .SSEAlgorithm,
    ).toMatch(/AES256|aws:kms/);
    expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const expiry = b.Properties.LifecycleConfiguration.Rules.find(
      (r: { ExpirationInDays?: number }) => r.ExpirationInDays !== undefined,
    );
    expect(expiry.Status).toBe('Enabled');
    expect(expiry.ExpirationInDays).toBeGreaterThanOrEqual(1);
    expect(expiry.ExpirationInDays).toBeLessThanOrEqual(7);
    const policy = t.Resources.QueryResultsBucketPolicy!.Properties.PolicyDocument.Statement[0];
    expect(policy).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
  });

  it('serves the five routes (four of /queries, GET /tables) with IAM authorisation, on the queries function', () => {
    const methods = resourcesOfType(t, 'AWS::ApiGateway::Method')
      .map(([, m]) => m.Properties)
      .filter((p) => p.HttpMethod !== 'OPTIONS' && json(p.Integration).includes('QueriesLambdaFunction'));
    expect(methods.map((p) => p.HttpMethod).sort()).toEqual(['DELETE', 'GET', 'GET', 'GET', 'POST']);
    for (const m of methods) {
      expect(m.AuthorizationType).toBe('AWS_IAM');
      expect(m.ApiKeyRequired).not.toBe(true);
    }
    const paths = resourcesOfType(t, 'AWS::ApiGateway::Resource').map(([, r]) => r.Properties.PathPart);
    expect(paths).toEqual(expect.arrayContaining(['queries', '{id}', 'results']));
  });

  it('configures the queries function: its own role, a timeout under API Gateway’s, the workgroup and database', () => {
    const fn = t.Resources.QueriesLambdaFunction!;
    expect(fn.Properties.Role).toEqual({ 'Fn::GetAtt': ['QueriesRole', 'Arn'] });
    expect(fn.Properties.Timeout).toBeLessThan(29);
    expect(fn.Properties.Timeout).toBeGreaterThan(20);
    const env = fn.Properties.Environment.Variables;
    expect(env.ATHENA_WORKGROUP).toBe('data-lake-prod-queries');
    expect(env.GLUE_DATABASE).toBe('data_lake_prod');
    expect(env.LAKE_TABLES.split(',')).toEqual(expect.arrayContaining(['page_view', 'orders']));
    expect(env.LAKE_RUNTIME).toBe('aws');
  });

  it('limits the queries role to its workgroup, the lake catalog, the curated tables and the results bucket', () => {
    const statements = roleStatements(t.Resources.QueriesRole!);
    const actions = statements.flatMap((s) => asArray(s.Action));
    expect(actions.every((a) => !a.includes('*'))).toBe(true);
    // Resource "*" only for the X-Ray trace writes (no resource-level permissions).
    for (const s of statements.filter((x) => json(x.Resource).match(/"\*"/)))
      expect(asArray(s.Action).sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    // The lake key only, through S3 and Athena.
    const kms = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('kms:')));
    expect(kms).toEqual([
      expect.objectContaining({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: { 'Fn::GetAtt': ['LakeKey', 'Arn'] },
        Condition: {
          StringEquals: {
            'kms:ViaService': [
              { 'Fn::Sub': 's3.${AWS::Region}.amazonaws.com' },
              { 'Fn::Sub': 'athena.${AWS::Region}.amazonaws.com' },
            ],
          },
        },
      }),
    ]);
    const byAction = (a: string) => statements.filter((s) => asArray(s.Action).includes(a));

    const athena = byAction('athena:StartQueryExecution');
    expect(athena).toHaveLength(1);
    expect(asArray(athena[0]!.Action).sort()).toEqual([
      'athena:GetQueryExecution',
      'athena:GetQueryResults',
      'athena:StartQueryExecution',
      'athena:StopQueryExecution',
    ]);
    expect(json(athena[0]!.Resource)).toContain(':workgroup/data-lake-prod-queries');

    const glue = byAction('glue:GetTable')[0]!;
    expect(asArray(glue.Action).sort()).toEqual([
      'glue:GetDatabase',
      'glue:GetPartitions',
      'glue:GetTable',
      'glue:GetTables',
    ]);
    const glueResources = json(glue.Resource);
    expect(glueResources).toContain(':database/data_lake_prod');
    expect(glueResources).toContain(':table/data_lake_prod/page_view');
    expect(glueResources).not.toContain('table/data_lake_prod/*');
    // Athena's mandatory access to the catalog and the default database of the Region (Athena User Guide, "Configure
    // AWS Glue access to your catalog and database per AWS Region"): GetDatabase and CreateDatabase there, no more.
    const defaults = statements.filter((s) => json(s.Resource).includes(':database/default'));
    expect(defaults).toHaveLength(1);
    expect(asArray(defaults[0]!.Action).sort()).toEqual(['glue:CreateDatabase', 'glue:GetDatabase']);
    expect(asArray(defaults[0]!.Resource).map((r) => json(r))).toEqual([
      expect.stringMatching(/:catalog"/),
      expect.stringMatching(/:database\/default"/),
    ]);
    expect(byAction('glue:CreateDatabase')).toEqual(defaults);

    const read = byAction('s3:GetObject');
    expect(read.map((s) => json(s.Resource)).join()).toMatch(/-curated-.*\/tables\/\*/);
    expect(read.map((s) => json(s.Resource)).join()).toContain('QueryResultsBucket');
    const write = byAction('s3:PutObject');
    expect(write).toHaveLength(1);
    expect(json(write[0]!.Resource)).toContain('QueryResultsBucket');
    expect(json(write[0]!.Resource)).not.toContain('curated');
    expect(actions.some((a) => /^s3:(Delete|PutBucket)/.test(a))).toBe(false);

    const logs = byAction('logs:PutLogEvents')[0]!;
    expect(json(logs.Resource)).toContain('/aws/lambda/data-lake-prod-queries');
  });

  it('offers a managed policy for callers: execute-api:Invoke on the query routes only', () => {
    const p = t.Resources.QueryApiCallerPolicy!;
    expect(p.Type).toBe('AWS::IAM::ManagedPolicy');
    const [statement] = p.Properties.PolicyDocument.Statement;
    expect(statement.Action).toBe('execute-api:Invoke');
    const resources = json(statement.Resource);
    expect(resources).toContain('/POST/queries');
    expect(resources).toContain('/GET/queries/*');
    expect(resources).toContain('/DELETE/queries/*');
    expect(resources).toContain('/GET/tables');
    expect(resources).not.toContain('events');
  });

  it('keeps DuckDB out of the queries function bundle', () => {
    const zip = path.join(packaged.dir, 'queries.zip');
    const listing = execFileSync('unzip', ['-l', zip]).toString();
    expect(listing).toContain('functions/queries.js');
    expect(listing).not.toMatch(/duckdb|node_modules/i);
    const code = execFileSync('unzip', ['-p', zip, 'functions/queries.js'], {
      maxBuffer: 64 * 1024 * 1024,
    }).toString();
    expect(code).toContain('StartQueryExecution');
    expect(code).not.toMatch(/duckdb\.node|node-bindings-linux/);
  });
});
