/**
 * The local S3 stand-in (aws-sdk:s3:getObject) answers as S3 answers the state machine's role: 403 AccessDenied
 * without s3:GetObject, 403 instead of 404 for a missing key without s3:ListBucket (S3.S3Exception vs
 * S3.NoSuchKeyException in the execution). The role comes from the template (state-machine-role.ts) and is
 * evaluated by role-policy.ts; one suite reads the project's real EtlStateMachineRole.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { loadServiceConfig } from '../../local/service-config';
import {
  RESOURCE,
  defaultTaskHandlers,
  isAllowed,
  roleS3Access,
  s3GetObjectHandler,
  stateMachineRoleStatements,
  wildcardMatch,
  type PolicyStatement,
  type ServiceConfigWithStateMachines,
} from '../../local/step-functions';
import { tempLake } from '../support/raw-zone';
import { closeEngines, engine, run } from '../support/local-sfn-harness';

afterEach(closeEngines);

describe('IAM statements (role-policy.ts)', () => {
  const allow = (Action: string | string[], Resource: string | string[], extra = {}): PolicyStatement => ({
    Effect: 'Allow',
    Action,
    Resource,
    ...extra,
  });
  const may = (statements: PolicyStatement[], action: string, resource: string) =>
    isAllowed(statements, action, resource, { principal: 'R', conditionalAllow: 'no' });

  it('matches * and ? wildcards; actions ignore case, resources do not', () => {
    expect(
      wildcardMatch('arn:aws:s3:::curated/_state/runs/*.json', 'arn:aws:s3:::curated/_state/runs/a/b.json'),
    ).toBe(true);
    expect(
      wildcardMatch('arn:aws:s3:::curated/_state/runs/*.json', 'arn:aws:s3:::curated/_state/x.json'),
    ).toBe(false);
    expect(wildcardMatch('arn:aws:s3:::cur?ted', 'arn:aws:s3:::curated')).toBe(true);
    expect(wildcardMatch('arn:aws:s3:::cur?ted', 'arn:aws:s3:::curaated')).toBe(false);
    expect(wildcardMatch('arn:aws:s3:::a.b', 'arn:aws:s3:::aXb')).toBe(false);
    expect(may([allow('S3:get*', '*')], 's3:GetObject', 'arn:aws:s3:::b/k')).toBe(true);
    expect(may([allow('s3:GetObject', 'arn:aws:s3:::B/*')], 's3:GetObject', 'arn:aws:s3:::b/k')).toBe(false);
  });

  it('an explicit Deny wins; NotAction and NotResource match everything but what they list', () => {
    const any = allow('s3:*', '*');
    expect(may([any], 's3:ListBucket', 'arn:aws:s3:::b')).toBe(true);
    expect(
      may(
        [any, { Effect: 'Deny', Action: 's3:ListBucket', Resource: '*' }],
        's3:ListBucket',
        'arn:aws:s3:::b',
      ),
    ).toBe(false);
    expect(
      may(
        [{ Effect: 'Allow', NotAction: 's3:ListBucket', Resource: '*' }],
        's3:ListBucket',
        'arn:aws:s3:::b',
      ),
    ).toBe(false);
    expect(
      may([{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }], 's3:ListBucket', 'arn:aws:s3:::b'),
    ).toBe(true);
    expect(
      may(
        [{ Effect: 'Allow', Action: 's3:*', NotResource: 'arn:aws:s3:::secret*' }],
        's3:GetObject',
        'arn:aws:s3:::secret/k',
      ),
    ).toBe(false);
    expect(may([], 's3:GetObject', 'arn:aws:s3:::b/k')).toBe(false);
  });

  it('conditions: an Allow counts as not matching where told so, otherwise the evaluator refuses', () => {
    const conditional = allow('s3:ListBucket', 'arn:aws:s3:::b', {
      Sid: 'ListState',
      Condition: { StringLike: { 's3:prefix': ['_state/*'] } },
    });
    expect(may([conditional], 's3:ListBucket', 'arn:aws:s3:::b')).toBe(false);
    expect(() =>
      isAllowed([conditional], 's3:ListBucket', 'arn:aws:s3:::b', {
        principal: 'R',
        conditionalAllow: 'refuse',
      }),
    ).toThrow(
      expect.objectContaining({
        name: 'Local.PolicyNotEvaluated',
        message: expect.stringContaining('ListState'),
      }),
    );
    const conditionalDeny: PolicyStatement = {
      Effect: 'Deny',
      Action: 's3:*',
      Resource: '*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    };
    expect(() =>
      may([allow('s3:GetObject', '*'), conditionalDeny], 's3:GetObject', 'arn:aws:s3:::b/k'),
    ).toThrow(/cannot tell/);
  });
});

describe('S3 answers as the role lets it (aws-sdk:s3:getObject)', () => {
  const accessOf = (statements: PolicyStatement[]) => roleS3Access('TestRole', () => statements);
  const readState = allow('s3:GetObject', 'arn:aws:s3:::curated/_state/runs/*.json');
  const listCurated = allow('s3:ListBucket', 'arn:aws:s3:::curated');
  function allow(Action: string, Resource: string): PolicyStatement {
    return { Effect: 'Allow', Action, Resource };
  }
  const reader = {
    StartAt: 'Read',
    States: {
      Read: {
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:s3:getObject',
        Parameters: { Bucket: 'curated', 'Key.$': '$.key' },
        ResultSelector: { 'body.$': '$.Body' },
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Caught' }],
        End: true,
      },
      Caught: { Type: 'Pass', End: true },
    },
  };
  async function read(statements: PolicyStatement[], key: string, files: Record<string, string> = {}) {
    const lakeDir = await tempLake('sfn-s3');
    for (const [k, body] of Object.entries(files)) {
      await fs.mkdir(path.dirname(path.join(lakeDir, 'curated', k)), { recursive: true });
      await fs.writeFile(path.join(lakeDir, 'curated', k), body);
    }
    const e = await engine(
      reader,
      { [RESOURCE.s3GetObject]: s3GetObjectHandler(lakeDir, accessOf(statements)) },
      { lakeDir },
    );
    const rec = await run(e, { key });
    expect(rec.status).toBe('SUCCEEDED');
    return rec.output as { body?: string; error?: { Error: string; Cause: string } };
  }

  it('a missing key without s3:ListBucket: 403, S3.S3Exception, and the Catch sees that name', async () => {
    const out = await read([readState], '_state/runs/none.json');
    expect(out.error).toEqual({
      Error: 'S3.S3Exception',
      Cause: expect.stringMatching(
        /^Access Denied \(Service: S3, Status Code: 403, Request ID: \w+, Extended/,
      ),
    });
    expect(out.error!.Cause).toContain('TestRole may not s3:ListBucket on arn:aws:s3:::curated');
  });

  it('a missing key with s3:ListBucket: 404, S3.NoSuchKeyException', async () => {
    const out = await read([readState, listCurated], '_state/runs/none.json');
    expect(out.error).toEqual({
      Error: 'S3.NoSuchKeyException',
      Cause: expect.stringMatching(/^The specified key does not exist\. \(Service: S3, Status Code: 404/),
    });
  });

  it('s3:ListBucket under a Condition does not count (its condition keys are absent from a GetObject)', async () => {
    const conditional: PolicyStatement = {
      ...listCurated,
      Condition: { StringLike: { 's3:prefix': ['_state/*'] } },
    };
    const out = await read([readState, conditional], '_state/runs/none.json');
    expect(out.error?.Error).toBe('S3.S3Exception');
  });

  it('an object outside the allowed resources: 403 even though it exists; inside: its body', async () => {
    const files = { 'tables/t/part-0.json': '{"secret":1}', '_state/runs/r1.json': '{"ok":true}' };
    const denied = await read([readState, listCurated], 'tables/t/part-0.json', files);
    expect(denied.error).toMatchObject({ Error: 'S3.S3Exception' });
    expect(denied.error!.Cause).toContain(
      'may not s3:GetObject on arn:aws:s3:::curated/tables/t/part-0.json',
    );
    expect(await read([readState], '_state/runs/r1.json', files)).toEqual({ body: '{"ok":true}' });
  });
});

describe('a state machine role read from the template (state-machine-role.ts)', () => {
  /** A configuration with role R, whose statements depend on the UseKms and Extra conditions. */
  function template(encryption: 'kms' | 's3', more: Record<string, unknown> = {}, roleProps = {}) {
    return {
      service: 'svc',
      provider: { stage: 'local' },
      functions: {},
      stepFunctions: {
        stateMachines: {
          m: { definition: { StartAt: 'P', States: {} }, role: { 'Fn::GetAtt': ['R', 'Arn'] } },
        },
      },
      resources: {
        Conditions: {
          UseKms: { 'Fn::Equals': [encryption, 'kms'] },
          NotKms: { 'Fn::Not': [{ Condition: 'UseKms' }] },
        },
        Resources: {
          CuratedBucket: { Type: 'AWS::S3::Bucket' },
          LakeKey: { Type: 'AWS::KMS::Key' },
          R: {
            Type: 'AWS::IAM::Role',
            Properties: {
              Policies: [
                {
                  PolicyDocument: {
                    Statement: [
                      {
                        Effect: 'Allow',
                        Action: 's3:GetObject',
                        Resource: { 'Fn::Sub': '${CuratedBucket.Arn}/_state/*' },
                      },
                      {
                        'Fn::If': [
                          'UseKms',
                          {
                            Effect: 'Allow',
                            Action: 'kms:Decrypt',
                            Resource: { 'Fn::GetAtt': ['LakeKey', 'Arn'] },
                          },
                          { Ref: 'AWS::NoValue' },
                        ],
                      },
                    ],
                  },
                },
              ],
              ...roleProps,
            },
          },
          ListWithoutKms: {
            Type: 'AWS::IAM::Policy',
            Condition: 'NotKms',
            Properties: {
              Roles: [{ Ref: 'R' }],
              PolicyDocument: {
                Statement: {
                  Effect: 'Allow',
                  Action: 's3:ListBucket',
                  Resource: { 'Fn::GetAtt': ['CuratedBucket', 'Arn'] },
                },
              },
            },
          },
          ...more,
        },
      },
    } as unknown as ServiceConfigWithStateMachines;
  }
  const actions = (c: ServiceConfigWithStateMachines) =>
    stateMachineRoleStatements(c, 'm').statements.flatMap((st) => [st.Action ?? []].flat());

  it('chooses Fn::If by the Conditions, drops AWS::NoValue, adds policies that name the role when they exist', () => {
    const plain = stateMachineRoleStatements(template('s3'), 'm').statements;
    expect(plain).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::curated/_state/*' },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::curated' },
    ]);
    // With kms: the LakeKey statement is chosen, but the key has no local stand-in and it is not about S3 reads.
    expect(actions(template('kms'))).toEqual(['s3:GetObject']);
  });

  it('refuses what it cannot reproduce: statements about S3 it cannot resolve, managed policies, boundaries', () => {
    const unresolvable = template('s3', {
      Odd: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          Roles: [{ Ref: 'R' }],
          PolicyDocument: {
            Statement: [{ Effect: 'Allow', Action: 's3:Get*', Resource: { 'Fn::ImportValue': 'bucket' } }],
          },
        },
      },
    });
    expect(() => stateMachineRoleStatements(unresolvable, 'm')).toThrow(
      expect.objectContaining({
        name: 'Local.PolicyNotEvaluated',
        message: expect.stringContaining('S3 reads'),
      }),
    );
    const managed = template(
      's3',
      {},
      { ManagedPolicyArns: ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess'] },
    );
    expect(() => stateMachineRoleStatements(managed, 'm')).toThrow(/managed policy/);
    const bounded = template('s3', {}, { PermissionsBoundary: 'arn:aws:iam::aws:policy/PowerUserAccess' });
    expect(() => stateMachineRoleStatements(bounded, 'm')).toThrow(/PermissionsBoundary/);
  });
});

describe("the project's ETL state machine role (serverless.yml, resources/etl-state-machine.yml)", () => {
  let config: ServiceConfigWithStateMachines;
  beforeAll(async () => {
    config = (await loadServiceConfig('local')) as ServiceConfigWithStateMachines;
  }, 120_000);

  it('resolves EtlStateMachineRole: Fn::Sub to local bucket ARNs, Fn::If by the UseKms condition', () => {
    const { roleId, statements } = stateMachineRoleStatements(config, 'etl');
    expect(roleId).toBe('EtlStateMachineRole');
    const s3 = statements.filter((s) => [s.Action ?? []].flat().some((a) => a.startsWith('s3:')));
    expect(s3.flatMap((s) => [s.Resource ?? []].flat())).toContain('arn:aws:s3:::curated/_state/runs/*.json');
    // The local stage runs with encryption: s3, so the LakeKey statement is AWS::NoValue.
    expect(statements.some((s) => [s.Action ?? []].flat().includes('kms:Decrypt'))).toBe(false);
    expect(JSON.stringify(statements)).not.toMatch(/"Fn::|"Ref"/);
  });

  it('reading a missing run summary with the real role is a 403 (S3.S3Exception): the role has no s3:ListBucket', async () => {
    const lakeDir = await tempLake('sfn-role');
    const getObject = defaultTaskHandlers(config, lakeDir)[RESOURCE.s3GetObject]!;
    const ctx = { executionName: 'x', stateName: 'ReadRunSummary', resource: RESOURCE.s3GetObject };
    await expect(getObject({ Bucket: 'curated', Key: '_state/runs/x.json' }, ctx)).rejects.toMatchObject({
      name: 'S3.S3Exception',
      message: expect.stringContaining('Status Code: 403'),
    });
    await fs.mkdir(path.join(lakeDir, 'curated', '_state', 'runs'), { recursive: true });
    await fs.writeFile(path.join(lakeDir, 'curated', '_state', 'runs', 'x.json'), '{"runId":"x"}');
    await expect(getObject({ Bucket: 'curated', Key: '_state/runs/x.json' }, ctx)).resolves.toMatchObject({
      Body: '{"runId":"x"}',
    });
    // Objects the role may not read are refused even when they exist.
    await fs.mkdir(path.join(lakeDir, 'curated', 'tables'), { recursive: true });
    await fs.writeFile(path.join(lakeDir, 'curated', 'tables', 'x.json'), '{}');
    await expect(getObject({ Bucket: 'curated', Key: 'tables/x.json' }, ctx)).rejects.toMatchObject({
      name: 'S3.S3Exception',
    });
  });
});
