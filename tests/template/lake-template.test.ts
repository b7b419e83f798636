/**
 * The CloudFormation that `sls package --stage prod` writes, offline: the lake function (the console's routes),
 * its least-privilege role, its routes (IAM-authorised, CORS like /queries), the console caller policy, and the
 * OpenAPI document the package carries (.serverless/openapi.json).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { resolveConditions } from '../support/cfn-spec';
import { asArray, packageService, roleStatements, type Packaged, type Template } from '../support/template';

let packaged: Packaged;
let t: Template;

beforeAll(async () => {
  packaged = await packageService('prod');
  t = resolveConditions(packaged.template);
}, 300_000);

const json = (v: unknown) => JSON.stringify(v);
const ROUTES = [
  ['GET', 'executions', 'ApiGatewayMethodExecutionsGet'],
  ['POST', 'executions', 'ApiGatewayMethodExecutionsPost'],
  ['GET', 'executions/{name}', 'ApiGatewayMethodExecutionsNameVarGet'],
  ['POST', 'executions/{name}/retry', 'ApiGatewayMethodExecutionsNameVarRetryPost'],
  ['GET', 'uploads/quarantine', 'ApiGatewayMethodUploadsQuarantineGet'],
  ['GET', 'ingest/stats', 'ApiGatewayMethodIngestStatsGet'],
] as const;

describe('packaged template: the lake function (console routes)', () => {
  it('runs on nodejs24.x with its own role and the environment of its ports', () => {
    const fn = t.Resources.LakeLambdaFunction!;
    expect(fn.Properties.Runtime).toBe('nodejs24.x');
    expect(fn.Properties.Role).toEqual({ 'Fn::GetAtt': ['LakeRole', 'Arn'] });
    const env = fn.Properties.Environment.Variables;
    expect(env.RAW_BUCKET).toEqual({ Ref: 'RawBucket' });
    expect(json(env.ETL_STATE_MACHINE_ARN)).toContain(':stateMachine:data-lake-prod-etl');
    expect(env.LAKE_RUNTIME).toBe('aws');
    // schemas/ is not in the bundle: the tables a replay may name, the event types of the ingest statistics.
    expect(env.LAKE_EVENT_TABLES.split(',')).toEqual(
      expect.arrayContaining(['order_placed', 'page_view', 'signup']),
    );
    expect(env.LAKE_DATASET_TABLES.split(',')).toEqual(expect.arrayContaining(['customers', 'orders']));
  });

  it('serves every console route through the lake function, IAM-authorised, with a CORS preflight', () => {
    for (const [method, , id] of ROUTES) {
      const m = t.Resources[id]!;
      expect({
        id,
        type: m.Type,
        method: m.Properties.HttpMethod,
        auth: m.Properties.AuthorizationType,
      }).toEqual({
        id,
        type: 'AWS::ApiGateway::Method',
        method,
        auth: 'AWS_IAM',
      });
      expect(json(m.Properties.Integration.Uri)).toContain('LakeLambdaFunction');
      expect(t.Resources[id.replace(/(Get|Post)$/, 'Options')]).toBeDefined();
    }
    // POST /executions checks its body is a JSON object at the edge, as POST /queries does.
    const post = t.Resources.ApiGatewayMethodExecutionsPost!.Properties;
    expect(t.Resources[post.RequestValidatorId.Ref]!.Properties.ValidateRequestBody).toBe(true);
  });

  it('gives its role only what the routes need: the ETL state machine, the quarantine, the upload queue, the metrics', () => {
    const byAction = new Map<string, unknown>();
    for (const s of roleStatements(t.Resources.LakeRole!))
      for (const a of asArray(s.Action)) byAction.set(a, s.Resource);
    expect([...byAction.keys()].sort()).toEqual(
      [
        'cloudwatch:GetMetricData',
        'kms:Decrypt',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        's3:GetObject',
        's3:ListBucket',
        'states:DescribeExecution',
        'states:DescribeStateMachineForExecution',
        'states:GetExecutionHistory',
        'states:ListExecutions',
        'states:StartExecution',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
    for (const a of ['states:ListExecutions', 'states:StartExecution'])
      expect(json(byAction.get(a))).toMatch(
        /:stateMachine:\$\{AWS::StackName\}-etl|:stateMachine:data-lake-prod-etl/,
      );
    for (const a of [
      'states:DescribeExecution',
      'states:GetExecutionHistory',
      'states:DescribeStateMachineForExecution',
    ])
      expect(json(byAction.get(a))).toContain(':execution:data-lake-prod-etl:*');
    // s3:GetObject: the quarantine's reasons, and the upload queue's records (a retry of a file execution asks
    // whether its file was loaded since, lib/etl/upload-retry.ts) — nothing else of either bucket.
    const gets = roleStatements(t.Resources.LakeRole!)
      .filter((s) => asArray(s.Action).includes('s3:GetObject'))
      .map((s) => json(s.Resource));
    expect(gets).toHaveLength(2);
    expect(gets[0]).toMatch(/RawBucket.*\/quarantine\/\*/);
    expect(gets[1]).toMatch(/CuratedBucket.*\/_state\/uploads\/\*/);
    const list = roleStatements(t.Resources.LakeRole!).find((s) =>
      asArray(s.Action).includes('s3:ListBucket'),
    ) as {
      Condition?: unknown;
    };
    expect(list.Condition).toEqual({ StringLike: { 's3:prefix': ['quarantine/*'] } });
    expect(byAction.get('cloudwatch:GetMetricData')).toBe('*');
    expect(byAction.get('kms:Decrypt')).toEqual({ 'Fn::GetAtt': ['LakeKey', 'Arn'] });
  });

  it('has a managed policy that lets callers invoke the console routes, and nothing else', () => {
    const p = t.Resources.ConsoleApiCallerPolicy!;
    expect(p.Type).toBe('AWS::IAM::ManagedPolicy');
    const [statement] = p.Properties.PolicyDocument.Statement;
    expect(statement.Action).toBe('execute-api:Invoke');
    expect(asArray(statement.Resource)).toHaveLength(ROUTES.length);
  });

  it('carries the OpenAPI 3.1 document of every route of the template', async () => {
    const doc = JSON.parse(await fs.readFile(path.join(packaged.dir, 'openapi.json'), 'utf8'));
    expect(doc.openapi).toBe('3.1.0');
    for (const [method, route] of ROUTES) {
      const op = doc.paths[`/${route}`]?.[method.toLowerCase()];
      expect({ route, security: op?.security }).toEqual({
        route,
        security: [{ sigv4: [] }, { lakeApiKey: [] }],
      });
    }
    expect(doc.paths['/events'].post.security).toEqual([{ producerApiKey: [] }]);
    const methods = Object.entries(t.Resources).filter(
      ([, r]) => r.Type === 'AWS::ApiGateway::Method' && r.Properties.HttpMethod !== 'OPTIONS',
    );
    const documented = Object.values(doc.paths).flatMap((ops) => Object.keys(ops as object));
    // Every method of the template is in the document (which also has GET /openapi.json, served locally only).
    expect(documented).toHaveLength(methods.length + 1);
  });
});
