/**
 * The CloudFormation specification checker (tests/support/cfn-spec.ts): it fails on broken templates with the
 * specific error, resolves conditions as a stack would, and finds nothing wrong in the packaged prod and dev
 * templates.
 */
import {
  evaluateConditions,
  resolveConditions,
  specDatabase,
  validateTemplate,
  type CfnTemplate,
  type SpecError,
} from '../support/cfn-spec';
import { packageService } from '../support/template';

/* eslint-disable @typescript-eslint/no-explicit-any */
const db = specDatabase();

const bucket = (Properties: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  Resources: { B: { Type: 'AWS::S3::Bucket', Properties, ...extra } },
});
const check = (t: CfnTemplate) => validateTemplate(t, db);
const codes = (errors: SpecError[]) => errors.map((e) => `${e.code} ${e.path}`);

describe('cfn-spec: the checker fails on what CloudFormation would reject', () => {
  it('accepts a valid template, with intrinsics, numbers as strings and references to resources and pseudo parameters', () => {
    const t: CfnTemplate = {
      Conditions: { Yes: { 'Fn::Equals': ['a', 'a'] } },
      Resources: {
        B: {
          Type: 'AWS::S3::Bucket',
          DeletionPolicy: 'Retain',
          Properties: {
            BucketName: { 'Fn::Sub': '${AWS::StackName}-raw-${AWS::AccountId}' },
            VersioningConfiguration: { Status: 'Enabled' },
            LifecycleConfiguration: {
              Rules: [{ Id: 'x', Status: 'Enabled', ExpirationInDays: '30', Prefix: 'quarantine/' }],
            },
            BucketEncryption: {
              ServerSideEncryptionConfiguration: [
                {
                  ServerSideEncryptionByDefault: {
                    'Fn::If': ['Yes', { SSEAlgorithm: 'aws:kms' }, { SSEAlgorithm: 'AES256' }],
                  },
                  BucketKeyEnabled: 'true',
                },
              ],
            },
            Tags: [{ Key: 'k', Value: 'v' }],
          },
        },
        Q: {
          Type: 'AWS::SQS::Queue',
          Properties: { MessageRetentionPeriod: 1209600, RedrivePolicy: { anything: 'json' } },
        },
        P: {
          Type: 'AWS::SQS::QueuePolicy',
          DependsOn: 'B',
          Properties: {
            Queues: [{ Ref: 'Q' }],
            PolicyDocument: { Statement: [{ Resource: { 'Fn::GetAtt': ['Q', 'Arn'] } }] },
          },
        },
      },
      Outputs: { Arn: { Value: { 'Fn::GetAtt': 'B.Arn' } } },
    };
    expect(check(t)).toEqual([]);
  });

  it('rejects an unknown resource type', () => {
    const errors = check({ Resources: { X: { Type: 'AWS::S3::Buckett', Properties: {} } } });
    expect(errors).toEqual([expect.objectContaining({ code: 'UNKNOWN_TYPE', path: 'Resources.X.Type' })]);
    expect(errors[0]!.message).toContain('AWS::S3::Buckett');
  });

  it('rejects an unknown property, at the top and in nested property types, lists and maps', () => {
    expect(codes(check(bucket({ BucketNme: 'x' })))).toEqual([
      'UNKNOWN_PROPERTY Resources.B.Properties.BucketNme',
    ]);
    expect(
      codes(
        check(
          bucket({
            BucketEncryption: {
              ServerSideEncryptionConfiguration: [
                { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256', KeyId: 'k' } },
              ],
            },
          }),
        ),
      ),
    ).toEqual([
      'UNKNOWN_PROPERTY Resources.B.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.KeyId',
    ]);
    const fn = {
      Resources: {
        F: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Role: 'arn:aws:iam::1:role/r',
            Code: { ZipFile: 'x' },
            Environment: { Variables: { A: 'b' }, Varaibles: {} },
          },
        },
      },
    };
    expect(codes(check(fn))).toEqual(['UNKNOWN_PROPERTY Resources.F.Properties.Environment.Varaibles']);
  });

  it('rejects a missing required property, also in a nested type', () => {
    const errors = check({
      Resources: { T: { Type: 'AWS::SNS::Subscription', Properties: { TopicArn: 'arn:aws:sns:x' } } },
    });
    expect(codes(errors)).toEqual(['MISSING_REQUIRED Resources.T.Properties.Protocol']);
    expect(
      codes(check(bucket({ LifecycleConfiguration: { Rules: [{ Id: 'x', ExpirationInDays: 1 }] } }))),
    ).toEqual(['MISSING_REQUIRED Resources.B.Properties.LifecycleConfiguration.Rules[0].Status']);
  });

  it('rejects a wrong primitive type (boolean, integer, string, list, object)', () => {
    expect(codes(check(bucket({ BucketName: true })))).toEqual([
      'WRONG_TYPE Resources.B.Properties.BucketName',
    ]);
    expect(
      codes(
        check(
          bucket({
            PublicAccessBlockConfiguration: { BlockPublicAcls: 'yes' },
            LifecycleConfiguration: { Rules: [{ Status: 'Enabled', ExpirationInDays: 'thirty' }] },
          }),
        ),
      ),
    ).toEqual([
      'WRONG_TYPE Resources.B.Properties.PublicAccessBlockConfiguration.BlockPublicAcls',
      'WRONG_TYPE Resources.B.Properties.LifecycleConfiguration.Rules[0].ExpirationInDays',
    ]);
    expect(
      codes(
        check(bucket({ LifecycleConfiguration: { Rules: [{ Status: 'Enabled', ExpirationInDays: 1.5 }] } })),
      ),
    ).toEqual(['WRONG_TYPE Resources.B.Properties.LifecycleConfiguration.Rules[0].ExpirationInDays']);
    expect(codes(check(bucket({ Tags: { Key: 'k', Value: 'v' } })))).toEqual([
      'WRONG_TYPE Resources.B.Properties.Tags',
    ]);
    expect(codes(check(bucket({ VersioningConfiguration: 'Enabled' })))).toEqual([
      'WRONG_TYPE Resources.B.Properties.VersioningConfiguration',
    ]);
  });

  it('rejects a Fn::GetAtt attribute the target type does not have, and references to nothing', () => {
    const t: CfnTemplate = {
      Resources: {
        B: { Type: 'AWS::S3::Bucket', Properties: {} },
        P: {
          Type: 'AWS::S3::BucketPolicy',
          DependsOn: ['Nope'],
          Properties: {
            Bucket: { Ref: 'Missing' },
            PolicyDocument: {
              Statement: [
                { Resource: { 'Fn::GetAtt': ['B', 'QueueUrl'] } },
                { Resource: { 'Fn::Sub': '${B.Arnn}/*' } },
                { Resource: { 'Fn::Sub': '${Ghost}/*' } },
                { Resource: { 'Fn::GetAtt': ['Ghost', 'Arn'] } },
              ],
            },
          },
        },
      },
    };
    expect(codes(check(t))).toEqual([
      'UNKNOWN_REFERENCE Resources.P.DependsOn',
      'UNKNOWN_REFERENCE Resources.P.Properties.Bucket',
      'UNKNOWN_ATTRIBUTE Resources.P.Properties.PolicyDocument.Statement[0].Resource',
      'UNKNOWN_ATTRIBUTE Resources.P.Properties.PolicyDocument.Statement[1].Resource',
      'UNKNOWN_REFERENCE Resources.P.Properties.PolicyDocument.Statement[2].Resource',
      'UNKNOWN_REFERENCE Resources.P.Properties.PolicyDocument.Statement[3].Resource',
    ]);
    expect(check(t).find((e) => e.code === 'UNKNOWN_ATTRIBUTE')!.message).toContain(
      'AWS::S3::Bucket has no attribute QueueUrl',
    );
  });

  it('rejects unknown conditions and resource attributes', () => {
    expect(codes(check(bucket({}, { Condition: 'Nope', DeletionPolicy: 'Keep', Propertiez: {} })))).toEqual(
      expect.arrayContaining([
        'UNKNOWN_CONDITION Resources.B.Condition',
        'BAD_RESOURCE_ATTRIBUTE Resources.B.DeletionPolicy',
        'BAD_RESOURCE_ATTRIBUTE Resources.B.Propertiez',
      ]),
    );
    expect(codes(check(bucket({ BucketName: { 'Fn::If': ['Nope', 'a', 'b'] } })))).toEqual([
      'UNKNOWN_CONDITION Resources.B.Properties.BucketName',
    ]);
  });

  it('resolves conditions as a stack would: Fn::If branches, AWS::NoValue, conditional resources and outputs', () => {
    const t: CfnTemplate = {
      Conditions: {
        UseKms: { 'Fn::Equals': ['kms', 'kms'] },
        HasEmail: { 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] },
        Both: { 'Fn::And': [{ Condition: 'UseKms' }, { Condition: 'HasEmail' }] },
      },
      Resources: {
        K: { Type: 'AWS::KMS::Key', Condition: 'UseKms', Properties: {} },
        S: { Type: 'AWS::SNS::Subscription', Condition: 'HasEmail', Properties: {} },
        T: {
          Type: 'AWS::SNS::Topic',
          Properties: {
            KmsMasterKeyId: { 'Fn::If': ['HasEmail', 'x', { Ref: 'AWS::NoValue' }] },
            TopicName: { 'Fn::If': ['UseKms', 'encrypted', 'plain'] },
            List: ['a', { 'Fn::If': ['Both', 'b', { Ref: 'AWS::NoValue' }] }],
          },
        },
      },
      Outputs: {
        Key: { Condition: 'UseKms', Value: { Ref: 'K' } },
        Sub: { Condition: 'HasEmail', Value: 'x' },
      },
    };
    expect(evaluateConditions(t)).toEqual({ UseKms: true, HasEmail: false, Both: false });
    const r = resolveConditions(t);
    expect(Object.keys(r.Resources)).toEqual(['K', 'T']);
    expect(r.Resources.T!.Properties).toEqual({ TopicName: 'encrypted', List: ['a'] });
    expect(Object.keys(r.Outputs!)).toEqual(['Key']);
    expect(() =>
      resolveConditions({ Conditions: { P: { 'Fn::Equals': [{ Ref: 'Param' }, 'x'] } }, Resources: {} }),
    ).toThrow(/not known offline/);
  });
});

describe.each(['prod', 'dev'])('cfn-spec: the packaged %s template', (stage) => {
  let template: CfnTemplate;
  beforeAll(async () => {
    template = (await packageService(stage)).template as unknown as CfnTemplate;
  }, 180_000);

  it('has only resource types, properties, attributes and references of the CloudFormation specification', () => {
    expect(validateTemplate(template, db)).toEqual([]);
  });

  it('is as valid once its conditions are resolved (what the stack contains)', () => {
    const resolved = resolveConditions(template);
    expect(validateTemplate(resolved, db)).toEqual([]);
    expect(Object.keys(resolved.Resources).length).toBeGreaterThan(60);
  });
});
