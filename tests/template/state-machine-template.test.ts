/** The CloudFormation that `sls package --stage prod` writes, offline: the ETL state machine, its role and schedule. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runSummaryKey } from '../../lib/etl/run';
import { pendingUploadKey, uploadResultKey } from '../../lib/etl/upload-queue';
import {
  asArray,
  packageService,
  resourcesOfType,
  roleStatements,
  type CfnResource,
  type Template,
} from '../support/template';
import { resolveConditions } from '../support/cfn-spec';

let t: Template;

beforeAll(async () => {
  t = resolveConditions((await packageService('prod')).template);
}, 180_000);

const source = JSON.parse(readFileSync(path.resolve(__dirname, '../../state-machines/etl.asl.json'), 'utf8'));

/** The definition CloudFormation will see, with serverless-step-functions' Fn::Sub placeholders put back as intrinsics. */
function deployedDefinition(sm: CfnResource): { definition: unknown; params: Record<string, unknown> } {
  const sub = sm.Properties.DefinitionString['Fn::Sub'];
  const [text, params] = Array.isArray(sub) ? sub : [sub, {}];
  const restore = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const m = /^\$\{([^}]+)\}$/.exec(v);
      return m && m[1]! in params ? params[m[1]!] : v;
    }
    if (Array.isArray(v)) return v.map(restore);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v)
          // asl-validator (stepFunctions.validate) writes the default query language into every state.
          .filter(([k, x]) => !(k === 'QueryLanguage' && x === 'JSONPath'))
          .map(([k, x]) => [k, restore(x)]),
      );
    }
    return v;
  };
  return { definition: restore(JSON.parse(text)), params };
}

describe('packaged template: ETL state machine', () => {
  it('deploys state-machines/etl.asl.json as a Standard state machine with its own role', () => {
    const sm = t.Resources.EtlStateMachine!;
    expect(sm.Type).toBe('AWS::StepFunctions::StateMachine');
    expect(sm.Properties).toMatchObject({
      StateMachineName: 'data-lake-prod-etl',
      StateMachineType: 'STANDARD',
      RoleArn: { 'Fn::GetAtt': ['EtlStateMachineRole', 'Arn'] },
    });
    expect(JSON.stringify(sm.Properties.DefinitionString)).not.toContain('JSONata');
    const { definition, params } = deployedDefinition(sm);
    // The very file the local lake runs, the references left to CloudFormation.
    expect(definition).toEqual(source);
    expect(Object.values(params)).toEqual(
      expect.arrayContaining([
        { Ref: 'EtlGlueJob' },
        { Ref: 'CuratedBucket' },
        { Ref: 'NotificationsTopic' },
      ]),
    );
    expect(Object.keys(params)).toHaveLength(3);
    expect(resourcesOfType(t, 'AWS::StepFunctions::StateMachine')).toHaveLength(1);
    expect(t.Outputs?.EtlStateMachineArn).toMatchObject({ Value: { Ref: 'EtlStateMachine' } });
  });

  it('outlasts the Glue job: the task timeout is longer than the job timeout, the execution timeout longer still', () => {
    const job = t.Resources.EtlGlueJob!;
    expect(job.Type).toBe('AWS::Glue::Job');
    const jobTimeoutSeconds = Number(job.Properties.Timeout) * 60;
    expect(source.States.RunEtlJob.TimeoutSeconds).toBeGreaterThan(jobTimeoutSeconds);
    expect(source.TimeoutSeconds).toBeGreaterThan(source.States.RunEtlJob.TimeoutSeconds);
  });

  it('gives its role only the job, the run summaries, the upload results and queue records and the topic it uses', () => {
    const role = t.Resources.EtlStateMachineRole!;
    expect(role.Type).toBe('AWS::IAM::Role');
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'states.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const statements = roleStatements(role);
    const byAction = (prefix: string) =>
      statements.filter((s) => asArray(s.Action).some((a) => a.startsWith(prefix)));

    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    expect(statements.flatMap((s) => asArray(s.Action)).every((a) => !a.includes('*'))).toBe(true);
    // Resource "*" only for X-Ray tracing (no resource-level permissions).
    expect(
      statements
        .filter((s) => JSON.stringify(s.Resource) === '"*"')
        .flatMap((s) => asArray(s.Action))
        .sort(),
    ).toEqual([
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);

    const glue = byAction('glue:');
    expect(glue).toHaveLength(1);
    expect(asArray(glue[0]!.Action).sort()).toEqual([
      'glue:BatchStopJobRun',
      'glue:GetJobRun',
      'glue:GetJobRuns',
      'glue:StartJobRun',
    ]);
    expect(glue[0]!.Resource).toEqual({
      'Fn::Sub': 'arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:job/${EtlGlueJob}',
    });

    const s3 = byAction('s3:');
    expect(s3).toHaveLength(1);
    expect(s3[0]!.Action).toBe('s3:GetObject');
    // Run summaries, upload results and the queue's records only; no s3:ListBucket (a missing one is a 403, which
    // the ASL names).
    expect(s3[0]!.Resource).toEqual([
      { 'Fn::Sub': `\${CuratedBucket.Arn}/${runSummaryKey('*')}` },
      { 'Fn::Sub': `\${CuratedBucket.Arn}/${uploadResultKey('*')}` },
      { 'Fn::Sub': `\${CuratedBucket.Arn}/${pendingUploadKey('*')}` },
    ]);

    const sns = byAction('sns:');
    expect(sns).toEqual([
      expect.objectContaining({ Action: 'sns:Publish', Resource: { Ref: 'NotificationsTopic' } }),
    ]);

    // prod: the lake key, through S3 (run summaries) and SNS (the encrypted topic) only.
    const kms = byAction('kms:');
    expect(kms).toEqual([
      expect.objectContaining({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: { 'Fn::GetAtt': ['LakeKey', 'Arn'] },
        Condition: {
          StringEquals: {
            'kms:ViaService': [
              { 'Fn::Sub': 's3.${AWS::Region}.amazonaws.com' },
              { 'Fn::Sub': 'sns.${AWS::Region}.amazonaws.com' },
            ],
          },
        },
      }),
    ]);

    expect(statements).toHaveLength(5);
  });

  it('compacts the events on a schedule: an EventBridge rule that starts {"mode":"events"} with a role of its own', () => {
    const rules = resourcesOfType(t, 'AWS::Events::Rule').filter(([, r]) =>
      (r.Properties.Targets ?? []).some(
        (x: { Arn: unknown }) => JSON.stringify(x.Arn) === '{"Ref":"EtlStateMachine"}',
      ),
    );
    expect(rules).toHaveLength(1);
    const [, rule] = rules[0]!;
    expect(rule.Properties.ScheduleExpression).toBe('rate(1 hour)');
    expect(rule.Properties.State).toBe('ENABLED');
    const [target] = rule.Properties.Targets;
    expect(JSON.parse(target.Input)).toEqual({ mode: 'events' });
    const roleId = target.RoleArn['Fn::GetAtt'][0] as string;
    const role = t.Resources[roleId]!;
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({
      Service: 'events.amazonaws.com',
    });
    expect(roleStatements(role)).toEqual([
      { Effect: 'Allow', Action: ['states:StartExecution'], Resource: { Ref: 'EtlStateMachine' } },
    ]);
  });
});
