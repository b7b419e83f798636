/**
 * The production policy suite, over the templates `sls package` writes for prod (encryption: kms) and dev
 * (encryption: s3), offline, with their conditions resolved as the stack would (tests/support/cfn-spec.ts):
 * storage, least privilege, API authorisation, observability, encryption choice and data retention.
 */
import { resolveConditions, type CfnTemplate } from '../support/cfn-spec';
import { asArray, packageService } from '../support/template';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Resources = CfnTemplate['Resources'];

const STAGES = ['prod', 'dev'] as const;
const templates: Record<string, { raw: CfnTemplate; t: CfnTemplate }> = {};

beforeAll(async () => {
  for (const stage of STAGES) {
    const raw = (await packageService(stage)).template as unknown as CfnTemplate;
    templates[stage] = { raw, t: resolveConditions(raw) };
  }
}, 300_000);

const ofType = (r: Resources, type: string) => Object.entries(r).filter(([, x]) => x.Type === type);
const ref = (id: string) => ({ Ref: id });
const getAtt = (id: string, attr = 'Arn') => ({ 'Fn::GetAtt': [id, attr] });
const LAKE_KEY = getAtt('LakeKey');
const OPS_TOPIC = ref('OpsTopic');

interface Statement {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: unknown;
  Condition?: Record<string, any>;
}

/** Every policy statement of the template, with the resource that holds it. */
function statements(r: Resources): { owner: string; kind: string; s: Statement }[] {
  const out: { owner: string; kind: string; s: Statement }[] = [];
  const add = (owner: string, kind: string, doc: any) => {
    for (const s of asArray(doc?.Statement ?? [])) out.push({ owner, kind, s: s as Statement });
  };
  for (const [id, x] of Object.entries(r)) {
    const p = x.Properties ?? {};
    switch (x.Type) {
      case 'AWS::IAM::Role':
        add(id, 'trust', p.AssumeRolePolicyDocument);
        for (const policy of p.Policies ?? []) add(id, 'identity', policy.PolicyDocument);
        break;
      case 'AWS::IAM::ManagedPolicy':
      case 'AWS::IAM::Policy':
        add(id, 'identity', p.PolicyDocument);
        break;
      case 'AWS::S3::BucketPolicy':
      case 'AWS::SNS::TopicPolicy':
      case 'AWS::SQS::QueuePolicy':
        add(id, 'resource', p.PolicyDocument);
        break;
      case 'AWS::KMS::Key':
        add(id, 'key', p.KeyPolicy);
        break;
    }
  }
  return out;
}

/**
 * The only Allow statements with Resource "*", each with why nothing narrower exists. The key is
 * "<resource logical id> <actions, sorted>".
 */
const XRAY_LAMBDA = 'xray:PutTelemetryRecords,xray:PutTraceSegments';
const WILDCARD_RESOURCE_ALLOWED: Record<string, string> = {
  [`IngestRole ${XRAY_LAMBDA}`]:
    'Lambda active tracing: X-Ray PutTraceSegments/PutTelemetryRecords have no resource-level permissions.',
  [`ValidateUploadRole ${XRAY_LAMBDA}`]:
    'Lambda active tracing: X-Ray PutTraceSegments/PutTelemetryRecords have no resource-level permissions.',
  [`QueriesRole ${XRAY_LAMBDA}`]:
    'Lambda active tracing: X-Ray PutTraceSegments/PutTelemetryRecords have no resource-level permissions.',
  [`LakeRole ${XRAY_LAMBDA}`]:
    'Lambda active tracing: X-Ray PutTraceSegments/PutTelemetryRecords have no resource-level permissions.',
  'LakeRole cloudwatch:GetMetricData':
    'GET /ingest/stats reads the ingest metrics; GetMetricData has no resource-level permissions (it only reads).',
  'EtlStateMachineRole xray:GetSamplingRules,xray:GetSamplingTargets,xray:PutTelemetryRecords,xray:PutTraceSegments':
    'Step Functions tracing: the X-Ray actions it needs have no resource-level permissions.',
  'EtlGlueRole cloudwatch:PutMetricData':
    'PutMetricData has no resource-level permissions; a cloudwatch:namespace condition limits it to Glue and DataLake.',
  'LakeKey/AccountAdministersAndDelegatesToIam kms:CancelKeyDeletion,kms:CreateAlias,kms:CreateGrant,kms:Decrypt,kms:DeleteAlias,kms:DescribeKey,kms:DisableKey,kms:DisableKeyRotation,kms:EnableKey,kms:EnableKeyRotation,kms:Encrypt,kms:GenerateDataKey,kms:GenerateDataKeyWithoutPlaintext,kms:GetKeyPolicy,kms:GetKeyRotationStatus,kms:ListGrants,kms:ListKeyPolicies,kms:ListKeyRotations,kms:ListResourceTags,kms:PutKeyPolicy,kms:ReEncryptFrom,kms:ReEncryptTo,kms:RetireGrant,kms:RevokeGrant,kms:RotateKeyOnDemand,kms:ScheduleKeyDeletion,kms:TagResource,kms:UntagResource,kms:UpdateAlias,kms:UpdateKeyDescription':
    'Key policy: Resource "*" is the key itself; the account administers it and delegates its use to IAM policies.',
  'LakeKey/CloudWatchLogsOfThisStage kms:Decrypt,kms:DescribeKey,kms:Encrypt,kms:GenerateDataKey,kms:GenerateDataKeyWithoutPlaintext,kms:ReEncryptFrom,kms:ReEncryptTo':
    'Key policy (the key itself) for CloudWatch Logs, limited by kms:EncryptionContext to the log groups of this stage.',
  'LakeKey/CloudWatchAlarmsPublishEncrypted kms:Decrypt,kms:GenerateDataKey':
    'Key policy (the key itself) for CloudWatch alarms of this account publishing to the encrypted topic.',
  'LakeKey/EventBridgePublishEncrypted kms:Decrypt,kms:GenerateDataKey':
    'Key policy (the key itself) for EventBridge publishing to the encrypted topic/queue; no source conditions ' +
    '(unsupported for EventBridge to encrypted topics); the topic and queue policies name the rules.',
};

// Key-policy statements are told apart by their Sid (two may allow the same actions to different services).
const wildcardKey = (owner: string, s: Statement, kind: string) =>
  `${owner}${kind === 'key' && s.Sid ? `/${s.Sid}` : ''} ${asArray(s.Action ?? [])
    .slice()
    .sort()
    .join(',')}`;
const isWildcardResource = (s: Statement) => asArray(s.Resource as unknown).some((x) => x === '*');
/**
 * Lambda memory per function, sized from `npm run bench` (section memory: peak resident memory for the largest
 * normal input, Node and tsx's loader included) with at most 60 % of it used, and from CPU where latency matters
 * (Lambda gives memory/1769 MB of a vCPU). README "What it costs" has the cost of each.
 */
const LAMBDA_MEMORY_MB: Record<string, number> = {
  // A 500-event batch peaks at ~150 MB: the memory buys CPU for the producers' latency (handler and cold start).
  IngestLambdaFunction: 1024,
  // The largest checks (a full 1 MiB sample; a 700-row-group Parquet footer) peak at 230-410 MB.
  ValidateUploadLambdaFunction: 768,
  // A 1,000-row page peaks at ~142 MB; it mostly waits on Athena, billed per GB-second of the wait.
  QueriesLambdaFunction: 256,
  // An execution page of a full history page (1,000 events, ~8 KB of state each) peaks at 190-310 MB.
  LakeLambdaFunction: 768,
};
const DATA_BUCKETS = ['RawBucket', 'CuratedBucket', 'QueryResultsBucket'];
const FUNCTIONS = [
  'IngestLambdaFunction',
  'ValidateUploadLambdaFunction',
  'QueriesLambdaFunction',
  'LakeLambdaFunction',
];

describe.each(STAGES)('policy suite: the packaged %s template', (stage) => {
  const t = () => templates[stage]!.t;
  const R = () => t().Resources;

  describe('storage', () => {
    it('has the data buckets and the deployment bucket, each encrypted, blocked, owner-enforced', () => {
      const buckets = ofType(R(), 'AWS::S3::Bucket').map(([id]) => id);
      expect(buckets.sort()).toEqual([...DATA_BUCKETS, 'ServerlessDeploymentBucket'].sort());
      for (const [id, b] of ofType(R(), 'AWS::S3::Bucket')) {
        const rules = b.Properties!.BucketEncryption?.ServerSideEncryptionConfiguration;
        expect({ id, rules: rules?.length }).toEqual({ id, rules: 1 });
        expect(['AES256', 'aws:kms']).toContain(rules[0].ServerSideEncryptionByDefault.SSEAlgorithm);
        expect({ id, block: b.Properties!.PublicAccessBlockConfiguration }).toEqual({
          id,
          block: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
        });
        expect({ id, ownership: b.Properties!.OwnershipControls }).toEqual({
          id,
          ownership: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        });
      }
    });

    it('gives every topic and queue a policy denying requests not made over TLS', () => {
      const denies = (type: string, key: string) =>
        ofType(R(), type).flatMap(([, p]) =>
          asArray(p.Properties!.PolicyDocument.Statement as Statement[])
            .filter(
              (s) => s.Effect === 'Deny' && String(s.Condition?.Bool?.['aws:SecureTransport']) === 'false',
            )
            .flatMap((s) =>
              asArray(p.Properties![key] as unknown[]).map((x) => ({ of: JSON.stringify(x), s })),
            ),
        );
      const topics = denies('AWS::SNS::TopicPolicy', 'Topics');
      for (const [id] of ofType(R(), 'AWS::SNS::Topic'))
        expect({ id, denied: topics.some((d) => d.of === JSON.stringify(ref(id))) }).toEqual({
          id,
          denied: true,
        });
      const queues = denies('AWS::SQS::QueuePolicy', 'Queues');
      for (const [id] of ofType(R(), 'AWS::SQS::Queue')) {
        const deny = queues.find((d) => d.of === JSON.stringify(ref(id)));
        expect({ id, denied: Boolean(deny) }).toEqual({ id, denied: true });
        expect(asArray(deny!.s.Action!)).toEqual(['sqs:*']);
      }
    });

    it('gives every bucket a policy denying non-TLS requests on the bucket and its objects', () => {
      const policies = ofType(R(), 'AWS::S3::BucketPolicy');
      for (const [id] of ofType(R(), 'AWS::S3::Bucket')) {
        const policy = policies.find(
          ([, p]) => JSON.stringify(p.Properties!.Bucket) === JSON.stringify(ref(id)),
        );
        expect({ id, hasPolicy: Boolean(policy) }).toEqual({ id, hasPolicy: true });
        const deny = asArray(policy![1].Properties!.PolicyDocument.Statement as Statement[]).find(
          (s) => s.Effect === 'Deny' && String(s.Condition?.Bool?.['aws:SecureTransport']) === 'false',
        )!;
        expect(deny).toBeDefined();
        expect(asArray(deny.Action!)).toContain('s3:*');
        expect((deny as any).Principal).toBe('*');
        const resources = asArray(deny.Resource as unknown[]).map((x) => JSON.stringify(x));
        expect(resources.some((x) => x.includes('/*'))).toBe(true); // objects
        expect(resources.some((x) => !x.includes('/*'))).toBe(true); // the bucket
      }
    });

    it('names buckets per stack (stage), account and region', () => {
      for (const id of DATA_BUCKETS)
        expect(R()[id]!.Properties!.BucketName['Fn::Sub']).toMatch(
          /^\$\{AWS::StackName\}-[a-z-]+-\$\{AWS::AccountId\}-\$\{AWS::Region\}$/,
        );
    });

    it('versions raw and curated; tiers streamed events; expires quarantine, delivery errors and query results', () => {
      for (const id of ['RawBucket', 'CuratedBucket'])
        expect(R()[id]!.Properties!.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      const raw = R().RawBucket!.Properties!.LifecycleConfiguration.Rules as any[];
      const byId = Object.fromEntries(raw.map((r) => [r.Id, r]));
      expect(byId['events-to-infrequent-access-then-glacier-ir']).toEqual({
        Id: 'events-to-infrequent-access-then-glacier-ir',
        Status: 'Enabled',
        Prefix: 'events/',
        ObjectSizeGreaterThan: 131072,
        Transitions: [
          { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
          { StorageClass: 'GLACIER_IR', TransitionInDays: 90 },
        ],
      });
      expect(byId['expire-quarantine']).toMatchObject({
        Prefix: 'quarantine/',
        ExpirationInDays: stage === 'prod' ? 90 : 30,
      });
      expect(byId['expire-delivery-errors']).toMatchObject({
        Prefix: 'errors/',
        ExpirationInDays: expect.any(Number),
      });
      expect(
        byId['abort-incomplete-multipart-uploads'].AbortIncompleteMultipartUpload.DaysAfterInitiation,
      ).toBeGreaterThan(0);
      // A quarantined (moved) upload's delete marker goes once its old version has expired.
      expect(byId['expire-noncurrent-versions']).toMatchObject({
        NoncurrentVersionExpiration: { NoncurrentDays: 30 },
        ExpiredObjectDeleteMarker: true,
      });
      // Uploads and tables are never expired nor moved out of Standard.
      expect(
        raw
          .filter((r) => r.Prefix === 'uploads/' || r.Prefix === undefined)
          .every((r) => !r.ExpirationInDays && !r.Transitions),
      ).toBe(true);
      const results = R().QueryResultsBucket!.Properties!.LifecycleConfiguration.Rules as any[];
      expect(results.find((r) => r.Id === 'expire-query-results').ExpirationInDays).toBeGreaterThan(0);
      for (const id of DATA_BUCKETS) {
        const rules = R()[id]!.Properties!.LifecycleConfiguration.Rules as any[];
        expect(rules.some((r) => r.AbortIncompleteMultipartUpload?.DaysAfterInitiation > 0)).toBe(true);
      }
    });

    it('sends raw bucket events to EventBridge', () => {
      expect(R().RawBucket!.Properties!.NotificationConfiguration).toEqual({
        EventBridgeConfiguration: { EventBridgeEnabled: true },
      });
    });

    it(`${stage === 'prod' ? 'retains' : 'deletes'} the raw and curated buckets and their policies on stack deletion; query results are deletable`, () => {
      const policy = stage === 'prod' ? 'Retain' : 'Delete';
      // Their TLS-only policies with them: a retained bucket without its policy took plain HTTP.
      for (const id of ['RawBucket', 'CuratedBucket', 'RawBucketPolicy', 'CuratedBucketPolicy']) {
        expect(R()[id]!.DeletionPolicy).toBe(policy);
        expect(R()[id]!.UpdateReplacePolicy).toBe(policy);
      }
      expect(R().QueryResultsBucket!.DeletionPolicy).toBeUndefined();
    });
  });

  describe('encryption', () => {
    if (stage === 'prod') {
      it('uses the customer-managed lake key (rotation on, an alias) for every store of lake data', () => {
        const key = R().LakeKey!;
        expect(key.Type).toBe('AWS::KMS::Key');
        expect(key.Properties!.EnableKeyRotation).toBe(true);
        expect(key.DeletionPolicy).toBe('Retain');
        expect(ofType(R(), 'AWS::KMS::Alias')[0]![1].Properties).toEqual({
          AliasName: 'alias/data-lake-prod-lake',
          TargetKeyId: ref('LakeKey'),
        });
        for (const id of DATA_BUCKETS) {
          const [rule] = R()[id]!.Properties!.BucketEncryption.ServerSideEncryptionConfiguration;
          expect(rule).toEqual({
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: LAKE_KEY },
            BucketKeyEnabled: true,
          });
        }
        const stream = R().DeliveryStream!.Properties!;
        expect(stream.DeliveryStreamEncryptionConfigurationInput).toEqual({
          KeyType: 'CUSTOMER_MANAGED_CMK',
          KeyARN: LAKE_KEY,
        });
        expect(stream.ExtendedS3DestinationConfiguration.EncryptionConfiguration).toEqual({
          KMSEncryptionConfig: { AWSKMSKeyARN: LAKE_KEY },
        });
        for (const id of ['NotificationsTopic', 'OpsTopic'])
          expect(R()[id]!.Properties!.KmsMasterKeyId).toEqual(LAKE_KEY);
        expect(R().UploadsDeadLetterQueue!.Properties!.KmsMasterKeyId).toEqual(LAKE_KEY);
        expect(R().UploadsDeadLetterQueue!.Properties!.SqsManagedSseEnabled).toBeUndefined();
        expect(
          R().QueriesWorkGroup!.Properties!.WorkGroupConfiguration.ResultConfiguration
            .EncryptionConfiguration,
        ).toEqual({
          EncryptionOption: 'SSE_KMS',
          KmsKey: LAKE_KEY,
        });
        expect(R().EtlGlueJob!.Properties!.SecurityConfiguration).toEqual(ref('EtlSecurityConfiguration'));
        const glueEncryption = R().EtlSecurityConfiguration!.Properties!.EncryptionConfiguration;
        expect(glueEncryption.S3Encryptions).toEqual([{ S3EncryptionMode: 'SSE-KMS', KmsKeyArn: LAKE_KEY }]);
        // Bookmarks are disabled: nothing is encrypted client-side, so the role needs no direct KMS use.
        expect(glueEncryption.JobBookmarksEncryption).toBeUndefined();
        for (const [id, g] of ofType(R(), 'AWS::Logs::LogGroup'))
          expect({ id, key: g.Properties!.KmsKeyId }).toEqual({ id, key: LAKE_KEY });
      });

      it('lets the key be used by the services that need it, with conditions', () => {
        const policy = R().LakeKey!.Properties!.KeyPolicy.Statement as any[];
        const logs = policy.find((s) => s.Sid === 'CloudWatchLogsOfThisStage');
        expect(logs.Principal).toEqual({ Service: { 'Fn::Sub': 'logs.${AWS::Region}.amazonaws.com' } });
        expect(logs.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn']).toHaveLength(4);
        const alarms = policy.find((s) => s.Sid === 'CloudWatchAlarmsPublishEncrypted');
        expect(alarms.Principal).toEqual({ Service: 'cloudwatch.amazonaws.com' });
        expect(alarms.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
        expect(alarms.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') } });
        // EventBridge publishing to an encrypted topic (and to the dead-letter queue) fails when the key policy
        // conditions its use on aws:SourceAccount/aws:SourceArn (SNS developer guide): its statement has none,
        // and EventBridge is named in no other key statement.
        const events = policy.filter((s) => JSON.stringify(s.Principal).includes('events.amazonaws.com'));
        expect(events).toEqual([
          {
            Sid: 'EventBridgePublishEncrypted',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Resource: '*',
          },
        ]);
        // What EventBridge may publish is limited by the topic's and the queue's policies, to this stack's rules.
        const topicPolicy = ofType(R(), 'AWS::SNS::TopicPolicy').find(
          ([, p]) => JSON.stringify(p.Properties!.Topics) === JSON.stringify([OPS_TOPIC]),
        )![1].Properties!.PolicyDocument.Statement as any[];
        expect(
          topicPolicy.find((s) => s.Principal?.Service === 'events.amazonaws.com' && s.Effect === 'Allow')
            .Condition,
        ).toEqual({ ArnEquals: { 'aws:SourceArn': getAtt('EtlGlueJobFailedRule') } });
        const queuePolicy = R().UploadsDeadLetterQueuePolicy!.Properties!.PolicyDocument.Statement as any[];
        expect(
          queuePolicy.find((s) => s.Principal?.Service === 'events.amazonaws.com' && s.Effect === 'Allow')
            .Condition,
        ).toEqual({
          ArnEquals: { 'aws:SourceArn': [getAtt('UploadsRule'), getAtt('EtlGlueJobFailedRule')] },
        });
      });
    } else {
      it('uses SSE-S3 and AWS managed encryption, and has no KMS key', () => {
        expect(ofType(R(), 'AWS::KMS::Key')).toEqual([]);
        expect(JSON.stringify(R())).not.toContain('LakeKey');
        for (const id of DATA_BUCKETS)
          expect(
            R()[id]!.Properties!.BucketEncryption.ServerSideEncryptionConfiguration[0]
              .ServerSideEncryptionByDefault,
          ).toEqual({
            SSEAlgorithm: 'AES256',
          });
        expect(R().DeliveryStream!.Properties!.DeliveryStreamEncryptionConfigurationInput).toEqual({
          KeyType: 'AWS_OWNED_CMK',
        });
        expect(R().UploadsDeadLetterQueue!.Properties!.SqsManagedSseEnabled).toBe(true);
        expect(R().NotificationsTopic!.Properties!.KmsMasterKeyId).toBe('alias/aws/sns');
        expect(
          R().QueriesWorkGroup!.Properties!.WorkGroupConfiguration.ResultConfiguration
            .EncryptionConfiguration,
        ).toEqual({
          EncryptionOption: 'SSE_S3',
        });
        expect(R().EtlGlueJob!.Properties!.SecurityConfiguration).toBeUndefined();
      });
    }

    it('keeps the deployment-artifact bucket on SSE-S3 (it exists before the stack key)', () => {
      expect(
        R().ServerlessDeploymentBucket!.Properties!.BucketEncryption.ServerSideEncryptionConfiguration[0]
          .ServerSideEncryptionByDefault,
      ).toEqual({ SSEAlgorithm: 'AES256' });
    });
  });

  describe('identity and access', () => {
    it('has no Allow statement with a wildcard action (nor NotAction)', () => {
      const offending = statements(R())
        .filter(({ s }) => s.Effect === 'Allow')
        .filter(({ s }) => s.NotAction !== undefined || asArray(s.Action ?? []).some((a) => a.includes('*')))
        .map(({ owner, s }) => `${owner}: ${JSON.stringify(s.Action ?? s.NotAction)}`);
      expect(offending).toEqual([]);
    });

    it('uses Resource "*" only in the listed, justified cases', () => {
      const found = statements(R())
        .filter(({ s }) => s.Effect === 'Allow' && isWildcardResource(s))
        .map(({ owner, kind, s }) => wildcardKey(owner, s, kind));
      for (const key of found)
        expect({ key, justified: key in WILDCARD_RESOURCE_ALLOWED }).toEqual({ key, justified: true });
      const expected = Object.keys(WILDCARD_RESOURCE_ALLOWED).filter(
        (k) => stage === 'prod' || !k.startsWith('LakeKey'),
      );
      expect(found.sort()).toEqual(expected.sort()); // the list is not stale either
      for (const why of Object.values(WILDCARD_RESOURCE_ALLOWED)) expect(why.length).toBeGreaterThan(30);
      // PutMetricData is namespace-bound.
      const metrics = statements(R()).find(({ s }) =>
        asArray(s.Action ?? []).includes('cloudwatch:PutMetricData'),
      )!;
      expect(metrics.s.Condition).toEqual({ StringEquals: { 'cloudwatch:namespace': ['Glue', 'DataLake'] } });
    });

    it('scopes every KMS permission of a role to the lake key, through the service that uses it', () => {
      const kms = statements(R()).filter(
        ({ kind, s }) => kind === 'identity' && asArray(s.Action ?? []).some((a) => a.startsWith('kms:')),
      );
      expect(kms.map(({ owner }) => owner).sort()).toEqual(
        stage === 'prod'
          ? [
              'DeliveryStreamRole',
              'EtlGlueRole',
              'EtlStateMachineRole',
              'LakeRole',
              'QueriesRole',
              'ValidateUploadRole',
            ]
          : [],
      );
      for (const { owner, s } of kms) {
        expect(s.Resource).toEqual(LAKE_KEY);
        expect({ owner, via: s.Condition?.StringEquals?.['kms:ViaService'] }).toEqual({
          owner,
          via: expect.anything(),
        });
      }
    });

    it('gives every function its own role, used by no other function, without managed policies', () => {
      const fns = ofType(R(), 'AWS::Lambda::Function');
      expect(fns.map(([id]) => id).sort()).toEqual([...FUNCTIONS].sort());
      const roles = fns.map(([, f]) => f.Properties!.Role['Fn::GetAtt'][0] as string);
      expect(new Set(roles).size).toBe(roles.length);
      for (const role of roles) {
        const r = R()[role]!;
        expect(r.Type).toBe('AWS::IAM::Role');
        expect(r.Properties!.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({
          Service: 'lambda.amazonaws.com',
        });
        expect(r.Properties!.ManagedPolicyArns).toBeUndefined();
        // No other resource uses a function's role.
        const users = Object.entries(R()).filter(([, x]) =>
          JSON.stringify(x.Properties ?? {}).includes(`"${role}"`),
        );
        expect(users.map(([id]) => id)).toHaveLength(1);
      }
    });
  });

  describe('API', () => {
    const OPTIONS_ROUTES = [
      'ApiGatewayMethodEventsOptions',
      'ApiGatewayMethodQueriesOptions',
      'ApiGatewayMethodQueriesIdVarOptions',
      'ApiGatewayMethodQueriesIdVarResultsOptions',
      'ApiGatewayMethodTablesOptions',
      'ApiGatewayMethodExecutionsOptions',
      'ApiGatewayMethodExecutionsNameVarOptions',
      'ApiGatewayMethodExecutionsNameVarRetryOptions',
      'ApiGatewayMethodUploadsQuarantineOptions',
      'ApiGatewayMethodIngestStatsOptions',
    ];

    it('authenticates every method: API keys for POST /events, IAM for /queries and /tables; CORS preflights are the only open ones', () => {
      const methods = ofType(R(), 'AWS::ApiGateway::Method');
      const open = methods.filter(
        ([, m]) => m.Properties!.ApiKeyRequired !== true && m.Properties!.AuthorizationType !== 'AWS_IAM',
      );
      expect(open.map(([id]) => id).sort()).toEqual([...OPTIONS_ROUTES].sort());
      for (const [, m] of open) {
        expect(m.Properties!.HttpMethod).toBe('OPTIONS');
        expect(m.Properties!.Integration.Type).toBe('MOCK'); // answers CORS only, never reaches a function
      }
      const byRoute = Object.fromEntries(methods.map(([id, m]) => [id, m.Properties!]));
      expect(byRoute.ApiGatewayMethodEventsPost).toMatchObject({ ApiKeyRequired: true });
      for (const id of [
        'ApiGatewayMethodQueriesPost',
        'ApiGatewayMethodQueriesIdVarGet',
        'ApiGatewayMethodQueriesIdVarResultsGet',
        'ApiGatewayMethodQueriesIdVarDelete',
        'ApiGatewayMethodTablesGet',
        'ApiGatewayMethodExecutionsGet',
        'ApiGatewayMethodExecutionsPost',
        'ApiGatewayMethodExecutionsNameVarGet',
        'ApiGatewayMethodExecutionsNameVarRetryPost',
        'ApiGatewayMethodUploadsQuarantineGet',
        'ApiGatewayMethodIngestStatsGet',
      ])
        expect(byRoute[id]).toMatchObject({ AuthorizationType: 'AWS_IAM' });
    });

    it('validates the request body of POST /events and POST /queries at the edge', () => {
      for (const id of ['ApiGatewayMethodEventsPost', 'ApiGatewayMethodQueriesPost']) {
        const m = R()[id]!.Properties!;
        const validator = R()[m.RequestValidatorId.Ref]!;
        expect(validator.Properties!.ValidateRequestBody).toBe(true);
        const model = R()[m.RequestModels['application/json'].Ref]!;
        expect(model.Type).toBe('AWS::ApiGateway::Model');
        expect(model.Properties!.ContentType).toBe('application/json');
      }
      const events = R()[R().ApiGatewayMethodEventsPost!.Properties!.RequestModels['application/json'].Ref]!;
      expect(events.Properties!.Schema.type).toEqual(['object', 'array']);
    });

    it('logs access (with request id, caller, API key, status, latency), traces and throttles the stage', () => {
      const [[deploymentId, deployment]] = ofType(R(), 'AWS::ApiGateway::Deployment') as [[string, any]];
      const [[stageId, stageResource]] = ofType(R(), 'AWS::ApiGateway::Stage') as [[string, any]];
      // The stage is a resource of its own, pointed at the deployment of the day: a deployment that names an existing
      // stage cannot carry its settings (StageDescription), which CloudFormation refuses on every deploy but the first.
      expect(deployment.Properties.StageName).toBeUndefined();
      expect(deployment.Properties.StageDescription).toBeUndefined();
      const stageSettings = stageResource.Properties;
      expect(stageSettings.DeploymentId).toEqual({ Ref: deploymentId });
      expect(stageSettings.StageName).toBe(stage);
      expect(stageSettings.AccessLogSetting.DestinationArn).toEqual(getAtt('ApiAccessLogGroup'));
      const format = JSON.parse(stageSettings.AccessLogSetting.Format);
      for (const v of [
        '$context.requestId',
        '$context.identity.sourceIp',
        '$context.identity.caller',
        '$context.status',
        '$context.responseLatency',
        '$context.identity.apiKeyId',
      ])
        expect(Object.values(format)).toContain(v);
      expect(stageSettings.TracingEnabled).toBe(true);
      expect(stageSettings.MethodSettings).toEqual([
        expect.objectContaining({
          ResourcePath: '/*',
          HttpMethod: '*',
          MetricsEnabled: true,
          ThrottlingRateLimit: stage === 'prod' ? 1000 : 100,
          ThrottlingBurstLimit: stage === 'prod' ? 2000 : 200,
        }),
      ]);
      // What names the stage waits for it: the producer key and the usage plan.
      for (const [, r] of [
        ...ofType(R(), 'AWS::ApiGateway::ApiKey'),
        ...ofType(R(), 'AWS::ApiGateway::UsagePlan'),
      ] as [string, any][]) {
        expect([].concat(r.DependsOn)).toContain(stageId);
        expect([].concat(r.DependsOn)).not.toContain(deploymentId);
      }
      // No custom resource setting the account's API Gateway role with broad permissions.
      expect(Object.values(R()).filter((x) => x.Type.startsWith('Custom::'))).toEqual([]);
    });
  });

  describe('observability', () => {
    it('sets a retention on every log group, including one per function', () => {
      const groups = ofType(R(), 'AWS::Logs::LogGroup');
      for (const [id, g] of groups)
        expect({ id, days: g.Properties!.RetentionInDays }).toEqual({ id, days: stage === 'prod' ? 90 : 14 });
      for (const fn of FUNCTIONS) {
        const name = R()[fn]!.Properties!.FunctionName;
        expect(groups.some(([, g]) => g.Properties!.LogGroupName === `/aws/lambda/${name}`)).toBe(true);
      }
      expect(groups.map(([, g]) => g.Properties!.LogGroupName)).toEqual(
        expect.arrayContaining([
          `/aws/api-gateway/data-lake-${stage}-access`,
          `/aws-glue/jobs/data-lake-${stage}-etl/output`,
        ]),
      );
    });

    it('traces the functions, the API stage and the state machine; metrics go to the DataLake namespace', () => {
      for (const fn of FUNCTIONS) {
        const p = R()[fn]!.Properties!;
        expect(p.TracingConfig).toEqual({ Mode: 'Active' });
        expect(p.Environment.Variables).toMatchObject({
          POWERTOOLS_SERVICE_NAME: 'data-lake',
          POWERTOOLS_METRICS_NAMESPACE: 'DataLake',
          POWERTOOLS_METRICS_DISABLED: 'false',
          LAKE_STAGE: stage,
        });
      }
      expect(R().EtlStateMachine!.Properties!.TracingConfiguration).toEqual({ Enabled: true });
      expect(R().EtlGlueJob!.Properties!.DefaultArguments).toMatchObject({
        '--service': 'data-lake',
        '--stage': stage,
      });
    });

    it('gives every function Errors and Throttles alarms to the operations topic', () => {
      const alarms = ofType(R(), 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties!);
      for (const fn of FUNCTIONS)
        for (const metric of ['Errors', 'Throttles']) {
          const a = alarms.find(
            (x) =>
              x.Namespace === 'AWS/Lambda' &&
              x.MetricName === metric &&
              JSON.stringify(x.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: ref(fn) }]),
          );
          expect({ fn, metric, actions: a?.AlarmActions }).toEqual({ fn, metric, actions: [OPS_TOPIC] });
        }
    });

    it('leaves no EventBridge delivery to fail without a trace: retries, a dead-letter queue or an alarm for each rule', () => {
      const rules = ofType(R(), 'AWS::Events::Rule');
      const schedule = rules.find(([, r]) => r.Properties!.ScheduleExpression)!;
      expect(schedule[1].Properties!.Targets[0].RetryPolicy).toEqual({
        MaximumRetryAttempts: 5,
        MaximumEventAgeInSeconds: 900,
      });
      const alarmed = ofType(R(), 'AWS::CloudWatch::Alarm')
        .map(([, a]) => a.Properties!)
        .find((a) => a.Namespace === 'AWS/Events' && a.MetricName === 'FailedInvocations')!;
      expect(alarmed.Dimensions).toEqual([{ Name: 'RuleName', Value: ref(schedule[0]) }]);
      const dlq = { 'Fn::GetAtt': ['UploadsDeadLetterQueue', 'Arn'] };
      for (const id of ['UploadsRule', 'EtlGlueJobFailedRule']) {
        const [target] = R()[id]!.Properties!.Targets;
        expect({
          id,
          dlq: target.DeadLetterConfig,
          retries: target.RetryPolicy?.MaximumRetryAttempts > 0,
        }).toEqual({
          id,
          dlq: { Arn: dlq },
          retries: true,
        });
      }
      const sendStatement = R().UploadsDeadLetterQueuePolicy!.Properties!.PolicyDocument.Statement.find(
        (st: { Effect: string; Principal?: { Service?: string } }) =>
          st.Effect === 'Allow' && st.Principal?.Service === 'events.amazonaws.com',
      );
      expect(sendStatement.Condition.ArnEquals['aws:SourceArn']).toEqual([
        { 'Fn::GetAtt': ['UploadsRule', 'Arn'] },
        { 'Fn::GetAtt': ['EtlGlueJobFailedRule', 'Arn'] },
      ]);
    });

    it('has the pipeline alarms, each to the operations topic with a deliberate TreatMissingData', () => {
      const alarms = ofType(R(), 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties!);
      const metrics = alarms.map((a) => `${a.Namespace} ${a.MetricName}`);
      expect(metrics).toEqual(
        expect.arrayContaining([
          'AWS/States ExecutionsFailed',
          'AWS/States ExecutionsTimedOut',
          'AWS/Firehose DeliveryToS3.DataFreshness',
          'AWS/Firehose DeliveryToS3.Success',
          'AWS/Firehose PartitionCountExceeded',
          'AWS/SQS ApproximateNumberOfMessagesVisible',
          'AWS/ApiGateway 5XXError',
          'DataLake EventsDeliveryFailed',
          'AWS/Events FailedInvocations',
        ]),
      );
      for (const a of alarms) {
        expect({ alarm: a.AlarmName, actions: a.AlarmActions, ok: a.OKActions }).toEqual({
          alarm: a.AlarmName,
          actions: [OPS_TOPIC],
          ok: [OPS_TOPIC],
        });
        expect(['notBreaching', 'breaching', 'ignore', 'missing']).toContain(a.TreatMissingData);
        expect(a.AlarmName).toMatch(new RegExp(`^data-lake-${stage}-`));
      }
      const freshness = alarms.find((a) => a.MetricName === 'DeliveryToS3.DataFreshness')!;
      const buffer =
        R().DeliveryStream!.Properties!.ExtendedS3DestinationConfiguration.BufferingHints.IntervalInSeconds;
      expect(freshness.Threshold).toBeGreaterThan(buffer);
      const api = alarms.find((a) => a.MetricName === '5XXError')!;
      expect(api.Dimensions).toEqual([
        { Name: 'ApiName', Value: R().ApiGatewayRestApi!.Properties!.Name },
        { Name: 'Stage', Value: stage },
      ]);
      const custom = alarms.find((a) => a.Namespace === 'DataLake')!;
      expect(custom.Dimensions).toEqual([
        { Name: 'service', Value: 'data-lake' },
        { Name: 'stage', Value: stage },
      ]);
    });

    it('sends Glue job failures (EventBridge) to the operations topic, which allows only its alarms and that rule', () => {
      const rule = R().EtlGlueJobFailedRule!.Properties!;
      expect(rule.EventPattern).toEqual({
        source: ['aws.glue'],
        'detail-type': ['Glue Job State Change'],
        detail: { jobName: [ref('EtlGlueJob')], state: ['FAILED', 'TIMEOUT', 'ERROR'] },
      });
      expect(rule.Targets).toEqual([
        {
          Id: 'ops-topic',
          Arn: OPS_TOPIC,
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
          DeadLetterConfig: { Arn: getAtt('UploadsDeadLetterQueue') },
        },
      ]);
      const policy = ofType(R(), 'AWS::SNS::TopicPolicy').find(
        ([, p]) => JSON.stringify(p.Properties!.Topics) === JSON.stringify([OPS_TOPIC]),
      )!;
      const allows = (policy[1].Properties!.PolicyDocument.Statement as any[]).filter(
        (s) => s.Effect === 'Allow',
      );
      expect(allows.map((s) => s.Principal.Service).sort()).toEqual([
        'cloudwatch.amazonaws.com',
        'events.amazonaws.com',
      ]);
      expect(allows.find((s) => s.Principal.Service === 'events.amazonaws.com').Condition).toEqual({
        ArnEquals: { 'aws:SourceArn': getAtt('EtlGlueJobFailedRule') },
      });
      // The e-mail subscription exists only when alertEmail is set (empty in this stage's params).
      expect(templates[stage]!.raw.Resources.OpsTopicEmailSubscription!.Condition).toBe('HasAlertEmail');
      expect(R().OpsTopicEmailSubscription).toBeUndefined();
    });

    it('has a dashboard of the pipeline: ingest, Firehose, uploads, ETL and queries', () => {
      const body = R().PipelineDashboard!.Properties!.DashboardBody['Fn::Sub'] as string;
      const widgets = JSON.parse(body).widgets as any[];
      const text = JSON.stringify(widgets);
      for (const m of [
        'EventsAccepted',
        'EventsRejected',
        '5XXError',
        'Latency',
        'IncomingRecords',
        'DeliveryToS3.DataFreshness',
        'UploadsAccepted',
        'UploadsQuarantined',
        'ApproximateNumberOfMessagesVisible',
        'ExecutionsSucceeded',
        'ExecutionsFailed',
        'EtlRowsWritten',
        'EtlRowsRejected',
        'ProcessedBytes',
        'Duration',
      ])
        expect(text).toContain(m);
      expect(widgets.filter((w) => w.type === 'metric').length).toBeGreaterThanOrEqual(12);
    });
  });

  describe('cost guardrails', () => {
    it('caps Athena scans, sizes Glue, buffers Firehose and reserves concurrency where a flood could hurt', () => {
      const wg = R().QueriesWorkGroup!.Properties!.WorkGroupConfiguration;
      expect(wg.EnforceWorkGroupConfiguration).toBe(true);
      expect(wg.BytesScannedCutoffPerQuery).toBeGreaterThan(0);
      const job = R().EtlGlueJob!.Properties!;
      expect(job.WorkerType).toBe('G.1X');
      expect(job.NumberOfWorkers).toBeGreaterThan(0);
      expect(job.Timeout).toBeGreaterThan(0);
      expect(job.ExecutionProperty.MaxConcurrentRuns).toBe(1);
      expect(
        R().DeliveryStream!.Properties!.ExtendedS3DestinationConfiguration.BufferingHints.SizeInMBs,
      ).toBe(64);
      expect(R().ValidateUploadLambdaFunction!.Properties!.ReservedConcurrentExecutions).toBe(
        stage === 'prod' ? 10 : 5,
      );
      expect(R().QueriesLambdaFunction!.Properties!.ReservedConcurrentExecutions).toBe(
        stage === 'prod' ? 20 : 5,
      );
      for (const fn of FUNCTIONS) {
        expect([fn, R()[fn]!.Properties!.MemorySize]).toEqual([fn, LAMBDA_MEMORY_MB[fn]]);
        expect(R()[fn]!.Properties!.Architectures).toEqual(['arm64']);
      }
      expect(Object.keys(LAMBDA_MEMORY_MB).sort()).toEqual([...FUNCTIONS].sort());
    });
  });
});
