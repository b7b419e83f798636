/** The CloudFormation that `sls package --stage prod` writes, offline: ingestion resources. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { DEFAULT_RETRY } from '../../lib/firehose/aws';
import layout from '../../lib/lake-layout.json';
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

describe('packaged template: ingestion', () => {
  it('has the delivery stream with dynamic partitioning on the event type and arrival time, from lake-layout.json', () => {
    const stream = t.Resources.DeliveryStream!;
    expect(stream.Type).toBe('AWS::KinesisFirehose::DeliveryStream');
    expect(stream.Properties.DeliveryStreamType).toBe('DirectPut');
    expect(stream.Properties.DeliveryStreamName).toBe('data-lake-prod-events');
    // prod: the lake key (dev: AWS_OWNED_CMK, tests/template/policy.test.ts).
    expect(stream.Properties.DeliveryStreamEncryptionConfigurationInput).toEqual({
      KeyType: 'CUSTOMER_MANAGED_CMK',
      KeyARN: { 'Fn::GetAtt': ['LakeKey', 'Arn'] },
    });
    const s3 = stream.Properties.ExtendedS3DestinationConfiguration;
    expect(s3.BucketARN).toEqual({ 'Fn::GetAtt': ['RawBucket', 'Arn'] });
    expect(s3.Prefix).toBe(layout.rawEvents.prefix);
    expect(s3.Prefix).toContain('!{partitionKeyFromQuery:type}');
    expect(s3.Prefix).toContain('!{timestamp:');
    expect(s3.ErrorOutputPrefix).toBe(layout.rawEvents.errorPrefix);
    expect(s3.ErrorOutputPrefix).toContain('!{firehose:error-output-type}');
    // The stream's compression and naming are what lib/lake-layout.json declares to both ETL engines: the records
    // are JSON lines (the ingest function ends each with a newline), gzip, named <...>-<uuid>.gz (no FileExtension).
    expect(s3.CompressionFormat).toBe(layout.rawEvents.compression);
    expect(s3.FileExtension).toBeUndefined();
    expect(layout.rawEvents.fileExtension).toBe('.gz');
    expect(s3.DynamicPartitioningConfiguration.Enabled).toBe(true);
    // Dynamic partitioning: at least 64 MiB buffers, 60-900 s.
    expect(s3.BufferingHints.SizeInMBs).toBeGreaterThanOrEqual(64);
    expect(s3.BufferingHints.IntervalInSeconds).toBeGreaterThanOrEqual(60);
    expect(s3.BufferingHints.IntervalInSeconds).toBeLessThanOrEqual(900);
    const extraction = s3.ProcessingConfiguration.Processors.find(
      (p: { Type: string }) => p.Type === 'MetadataExtraction',
    );
    const params = Object.fromEntries(
      extraction.Parameters.map((p: { ParameterName: string; ParameterValue: string }) => [
        p.ParameterName,
        p.ParameterValue,
      ]),
    );
    expect(params).toEqual({
      MetadataExtractionQuery: layout.rawEvents.partitionKeyQuery,
      JsonParsingEngine: 'JQ-1.6',
    });
    expect(s3.CloudWatchLoggingOptions.Enabled).toBe(true);
  });

  it('limits the Firehose role to the raw bucket prefixes it writes and its log stream', () => {
    const statements = roleStatements(t.Resources.DeliveryStreamRole!);
    const actions = statements.flatMap((s) => asArray(s.Action));
    expect(actions.every((a) => !a.includes('*'))).toBe(true);
    const objectStatement = statements.find((s) => asArray(s.Action).includes('s3:PutObject'))!;
    expect(JSON.stringify(objectStatement.Resource)).toContain('/events/*');
    expect(JSON.stringify(objectStatement.Resource)).toContain('/errors/*');
  });

  it('encrypts the raw bucket, blocks public access, enforces ownership and denies non-TLS requests', () => {
    const bucket = t.Resources.RawBucket!;
    expect(
      bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault
        .SSEAlgorithm,
    ).toMatch(/AES256|aws:kms/);
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.OwnershipControls.Rules[0].ObjectOwnership).toBe('BucketOwnerEnforced');
    const policy = t.Resources.RawBucketPolicy!.Properties.PolicyDocument.Statement;
    expect(policy).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('gives the ingest function its own role: firehose:PutRecordBatch on its stream and its own logs, nothing else', () => {
    const fn = t.Resources.IngestLambdaFunction!;
    expect(fn.Properties.Runtime).toBe('nodejs24.x');
    expect(fn.Properties.Role).toEqual({ 'Fn::GetAtt': ['IngestRole', 'Arn'] });
    expect(fn.Properties.Environment.Variables).toMatchObject({
      LAKE_RUNTIME: 'aws',
      DELIVERY_STREAM_NAME: 'data-lake-prod-events',
    });
    const statements = roleStatements(t.Resources.IngestRole!);
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    const firehose = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('firehose:')));
    expect(firehose).toEqual([
      {
        Effect: 'Allow',
        Action: 'firehose:PutRecordBatch',
        Resource: { 'Fn::GetAtt': ['DeliveryStream', 'Arn'] },
      },
    ]);
    const others = statements.filter((s) => !firehose.includes(s)).flatMap((s) => asArray(s.Action));
    expect(others.sort()).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    // Resource "*" only for the X-Ray trace writes (no resource-level permissions); no KMS (Firehose's grant).
    for (const s of statements.filter((x) => x.Resource === '*'))
      expect(asArray(s.Action).every((a) => a.startsWith('xray:'))).toBe(true);
    const logs = statements.find((s) => asArray(s.Action).includes('logs:PutLogEvents'))!;
    expect(JSON.stringify(logs.Resource)).toContain('/aws/lambda/data-lake-prod-ingest:*');
    // No managed policies that would widen it.
    expect(t.Resources.IngestRole!.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it("answers within its timeout when Firehose stalls: the adapter's time budget ends a second before it", () => {
    // lib/firehose/aws.ts gives up a chunk's attempts by budgetMs; past the function's timeout API Gateway would
    // answer a bare 502 without the event ids (and under 29 s, its own integration limit).
    const timeout = Number(t.Resources.IngestLambdaFunction!.Properties.Timeout);
    expect(DEFAULT_RETRY.budgetMs + 1000).toBeLessThanOrEqual(timeout * 1000);
    expect(DEFAULT_RETRY.attemptTimeoutMs).toBeLessThan(DEFAULT_RETRY.budgetMs);
    expect(timeout).toBeLessThan(29);
  });

  it('protects POST /events with an API key and a usage plan with throttling and a quota', () => {
    const methods = resourcesOfType(t, 'AWS::ApiGateway::Method').map(([, r]) => r.Properties);
    const post = methods.find((m) => m.HttpMethod === 'POST')!;
    expect(post.ApiKeyRequired).toBe(true);
    // Every other route is authenticated too: API keys for producers, IAM for the query routes.
    const nonOptions = methods.filter((m) => m.HttpMethod !== 'OPTIONS');
    expect(nonOptions.every((m) => m.ApiKeyRequired === true || m.AuthorizationType === 'AWS_IAM')).toBe(
      true,
    );
    const [, plan] = resourcesOfType(t, 'AWS::ApiGateway::UsagePlan')[0]!;
    expect(plan.Properties.Throttle).toEqual({
      RateLimit: expect.any(Number),
      BurstLimit: expect.any(Number),
    });
    expect(plan.Properties.Quota).toEqual({ Limit: expect.any(Number), Period: 'DAY' });
    expect(resourcesOfType(t, 'AWS::ApiGateway::UsagePlanKey')).toHaveLength(1);
    expect(methods.some((m) => m.HttpMethod === 'OPTIONS')).toBe(true); // CORS preflight
  });

  it("lets browser producers send their correlation id and a compressed body (POST /events's CORS preflight)", () => {
    const options = resourcesOfType(t, 'AWS::ApiGateway::Method').find(
      ([, m]) =>
        m.Properties.HttpMethod === 'OPTIONS' &&
        JSON.stringify(m.Properties.ResourceId).includes('ApiGatewayResourceEvents'),
    );
    expect(options).toBeDefined();
    const headers = options![1].Properties.Integration.IntegrationResponses[0].ResponseParameters[
      'method.response.header.Access-Control-Allow-Headers'
    ] as string;
    expect(headers.replace(/'/g, '').split(',')).toEqual(
      expect.arrayContaining(['Content-Type', 'X-Api-Key', 'X-Correlation-Id', 'Content-Encoding']),
    );
  });

  it('bundles the handler (with the schemas) minified into a small zip with no node_modules', () => {
    const zip = path.join(packaged.dir, 'ingest.zip');
    const listing = execFileSync('unzip', ['-Z1', zip]).toString().trim().split('\n');
    expect(listing).toEqual(['functions/ingest.js']);
    const code = execFileSync('unzip', ['-p', zip, 'functions/ingest.js']).toString();
    for (const type of ['page_view', 'order_placed', 'signup'])
      expect(code).toContain(`schemas/events/${type}.json`);
    expect(code.length / code.split('\n').length).toBeGreaterThan(2000); // minified: long lines
  });
});
