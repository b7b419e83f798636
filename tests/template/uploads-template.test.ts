/** The CloudFormation that `sls package --stage prod` writes, offline: the file-drop path (uploads/ → validateUpload). */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { asArray, packageService, roleStatements, type Packaged, type Template } from '../support/template';
import { resolveConditions } from '../support/cfn-spec';

let packaged: Packaged;
let t: Template;

beforeAll(async () => {
  packaged = await packageService('prod');
  // What the prod stack contains: conditions (encryption: kms) resolved.
  t = resolveConditions(packaged.template);
}, 180_000);

const ruleArn = { 'Fn::GetAtt': ['UploadsRule', 'Arn'] };
const dlqArn = { 'Fn::GetAtt': ['UploadsDeadLetterQueue', 'Arn'] };

describe('packaged template: uploads', () => {
  it('sends the raw bucket’s object events to EventBridge', () => {
    expect(t.Resources.RawBucket!.Properties.NotificationConfiguration).toEqual({
      EventBridgeConfiguration: { EventBridgeEnabled: true },
    });
  });

  it('has a rule for S3 Object Created in the raw bucket under uploads/, targeting validateUpload', () => {
    const rule = t.Resources.UploadsRule!;
    expect(rule.Type).toBe('AWS::Events::Rule');
    expect(rule.Properties.State).toBe('ENABLED');
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: {
        bucket: { name: [{ Ref: 'RawBucket' }] },
        object: { key: [{ prefix: 'uploads/' }] },
      },
    });
    expect(rule.Properties.Targets).toHaveLength(1);
    expect(rule.Properties.Targets[0].Arn).toEqual({ 'Fn::GetAtt': ['ValidateUploadLambdaFunction', 'Arn'] });
  });

  it("retries deliveries and dead-letters them into an encrypted queue that only this rule (and the Glue failure notices' rule) may write to", () => {
    const target = t.Resources.UploadsRule!.Properties.Targets[0];
    expect(target.RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
    expect(target.RetryPolicy.MaximumEventAgeInSeconds).toBeGreaterThanOrEqual(60);
    expect(target.DeadLetterConfig).toEqual({ Arn: dlqArn });

    const queue = t.Resources.UploadsDeadLetterQueue!;
    expect(queue.Type).toBe('AWS::SQS::Queue');
    // prod: the lake key (dev: SQS managed SSE, tests/template/policy.test.ts).
    expect(queue.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': ['LakeKey', 'Arn'] });
    expect(queue.Properties.SqsManagedSseEnabled).toBeUndefined();
    expect(queue.Properties.MessageRetentionPeriod).toBe(1209600);

    const policy = t.Resources.UploadsDeadLetterQueuePolicy!;
    expect(policy.Properties.Queues).toEqual([{ Ref: 'UploadsDeadLetterQueue' }]);
    const allows = policy.Properties.PolicyDocument.Statement.filter(
      (s: { Effect: string }) => s.Effect === 'Allow',
    );
    expect(allows).toEqual([
      {
        Sid: 'UploadsRuleDeadLetters',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: dlqArn,
        Condition: {
          ArnEquals: { 'aws:SourceArn': [ruleArn, { 'Fn::GetAtt': ['EtlGlueJobFailedRule', 'Arn'] }] },
        },
      },
    ]);
  });

  it('lets EventBridge invoke the function from this rule only', () => {
    const perm = t.Resources.UploadsRuleInvokePermission!;
    expect(perm.Type).toBe('AWS::Lambda::Permission');
    expect(perm.Properties).toEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': ['ValidateUploadLambdaFunction', 'Arn'] },
      Principal: 'events.amazonaws.com',
      SourceArn: ruleArn,
    });
  });

  it('retries failed invocations twice, then sends them to the same dead-letter queue', () => {
    const [, config] = Object.entries(t.Resources).find(
      ([, r]) =>
        r.Type === 'AWS::Lambda::EventInvokeConfig' &&
        JSON.stringify(r.Properties.FunctionName) === JSON.stringify({ Ref: 'ValidateUploadLambdaFunction' }),
    )!;
    expect(config.Properties.MaximumRetryAttempts).toBe(2);
    expect(config.Properties.DestinationConfig).toEqual({ OnFailure: { Destination: dlqArn } });
  });

  it('configures the function: its own role, the raw bucket, topic and state machine', () => {
    const fn = t.Resources.ValidateUploadLambdaFunction!;
    expect(fn.Properties.Handler).toBe('functions/validate-upload.handler');
    expect(fn.Properties.Role).toEqual({ 'Fn::GetAtt': ['ValidateUploadRole', 'Arn'] });
    expect(fn.Properties.Environment.Variables).toMatchObject({
      LAKE_RUNTIME: 'aws',
      RAW_BUCKET: { Ref: 'RawBucket' },
      NOTIFICATIONS_TOPIC_ARN: { Ref: 'NotificationsTopic' },
      ETL_STATE_MACHINE_ARN: {
        'Fn::Sub':
          'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:data-lake-prod-etl',
      },
    });
    // The datasets an UNKNOWN_DATASET reason lists (schemas/ is not in the bundle).
    expect(fn.Properties.Environment.Variables.LAKE_DATASET_TABLES.split(',')).toEqual(
      expect.arrayContaining(['customers', 'orders']),
    );
    // The state machine the ARN names is the one this stack deploys.
    const machines = Object.values(t.Resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
    for (const m of machines.filter((r) => String(r.Properties.StateMachineName).endsWith('-etl'))) {
      expect(m.Properties.StateMachineName).toBe('data-lake-prod-etl');
    }
  });

  it('gives validateUpload a least-privilege role', () => {
    const role = t.Resources.ValidateUploadRole!;
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    const statements = roleStatements(role);
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    const actions = statements.flatMap((s) => asArray(s.Action));
    expect(actions.every((a) => !a.includes('*'))).toBe(true);
    expect([...new Set(actions)].sort()).toEqual([
      'kms:Decrypt',
      'kms:GenerateDataKey',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      's3:AbortMultipartUpload',
      's3:DeleteObjectVersion',
      's3:GetObject',
      's3:GetObjectTagging',
      's3:GetObjectVersion',
      's3:GetObjectVersionTagging',
      's3:ListBucket',
      's3:PutObject',
      's3:PutObjectTagging',
      'sns:Publish',
      'sqs:SendMessage',
      'states:StartExecution',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    const resourcesOf = (action: string) =>
      statements.filter((s) => asArray(s.Action).includes(action)).flatMap((s) => asArray(s.Resource));
    // Reads of uploads; HEAD of quarantine/ keys (a second refusal of a name never replaces the first).
    expect(resourcesOf('s3:GetObject')).toEqual([
      { 'Fn::Sub': '${RawBucket.Arn}/uploads/*' },
      { 'Fn::Sub': '${RawBucket.Arn}/quarantine/*' },
    ]);
    // The move to quarantine copies and deletes the version it checked (the raw bucket is versioned), never the key's
    // current object: a file uploaded again meanwhile stays.
    expect(resourcesOf('s3:DeleteObject')).toEqual([]);
    expect(resourcesOf('s3:DeleteObjectVersion')).toEqual([{ 'Fn::Sub': '${RawBucket.Arn}/uploads/*' }]);
    expect(resourcesOf('s3:GetObjectVersion')).toEqual([{ 'Fn::Sub': '${RawBucket.Arn}/uploads/*' }]);
    // CopyObject copies the source's tags: S3 refuses the copy of a tagged upload (AccessDenied) unless the role may
    // read them there and write them here — the refused file stayed in uploads/, its notices naming a quarantine key
    // that never came.
    expect(resourcesOf('s3:GetObjectVersionTagging')).toEqual([{ 'Fn::Sub': '${RawBucket.Arn}/uploads/*' }]);
    expect(resourcesOf('s3:GetObjectTagging')).toEqual([{ 'Fn::Sub': '${RawBucket.Arn}/uploads/*' }]);
    expect(resourcesOf('s3:PutObjectTagging')).toEqual([{ 'Fn::Sub': '${RawBucket.Arn}/quarantine/*' }]);
    // Quarantined files and their reasons; the ETL's queue of accepted uploads (lib/etl/upload-queue.ts).
    expect(resourcesOf('s3:PutObject')).toEqual([
      { 'Fn::Sub': '${RawBucket.Arn}/quarantine/*' },
      { 'Fn::Sub': '${CuratedBucket.Arn}/_state/uploads/pending/*' },
    ]);
    expect(resourcesOf('s3:AbortMultipartUpload')).toEqual([{ 'Fn::Sub': '${RawBucket.Arn}/quarantine/*' }]);
    expect(resourcesOf('s3:ListBucket')).toEqual([{ 'Fn::GetAtt': ['RawBucket', 'Arn'] }]);
    expect(resourcesOf('sns:Publish')).toEqual([{ Ref: 'NotificationsTopic' }]);
    expect(resourcesOf('sqs:SendMessage')).toEqual([dlqArn]);
    expect(resourcesOf('states:StartExecution')).toEqual([
      {
        'Fn::Sub':
          'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:data-lake-prod-etl',
      },
    ]);
    expect(JSON.stringify(resourcesOf('logs:PutLogEvents'))).toContain(
      '/aws/lambda/data-lake-prod-validateUpload:*',
    );
    expect(resourcesOf('kms:Decrypt')).toEqual([{ 'Fn::GetAtt': ['LakeKey', 'Arn'] }]);
    const kms = statements.find((s) => asArray(s.Action).includes('kms:Decrypt')) as any;
    expect(kms.Condition.StringEquals['kms:ViaService']).toEqual(
      ['s3', 'sns', 'sqs'].map((s) => ({ 'Fn::Sub': `${s}.\${AWS::Region}.amazonaws.com` })),
    );
    expect(resourcesOf('xray:PutTraceSegments')).toEqual(['*']); // no resource-level permissions
  });

  it('bundles the handler with the dataset schemas and without the local engines', () => {
    const zip = path.join(packaged.dir, 'validateUpload.zip');
    const listing = execFileSync('unzip', ['-Z1', zip]).toString().trim().split('\n');
    expect(listing).toEqual(['functions/validate-upload.js']);
    const code = execFileSync('unzip', ['-p', zip, 'functions/validate-upload.js'], {
      maxBuffer: 64 * 1024 * 1024,
    }).toString();
    for (const dataset of ['orders', 'customers']) expect(code).toContain(`schemas/datasets/${dataset}.json`);
    expect(code).not.toContain('@duckdb');
    expect(code).not.toContain('aws-local-stepfunctions');
  });
});
