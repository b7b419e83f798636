/**
 * Every stage parameter reaches the packaged template. For each stage of serverless.yml's `params:` (merged over
 * `default:`, as the framework resolves them), each parameter's value is read back from where the template uses it;
 * then one more package of dev with every parameter overridden on the command line (`--param`) proves that no
 * parameter is frozen at a default (resources/operations.cjs once swallowed the framework's "resolve later" error and
 * gave prod dev's alarm thresholds and an alarm e-mail subscription without an address).
 *
 * A parameter added to serverless.yml without an entry in WHERE fails the first test: wire it and say where it lands.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { resolveConditions, type CfnTemplate } from '../support/cfn-spec';
import { packageService } from '../support/template';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Params = Record<string, string | number | boolean>;

const root = path.resolve(__dirname, '../..');
let declared: Record<string, Params>;

beforeAll(async () => {
  const doc = YAML.parseDocument(await fs.readFile(path.join(root, 'serverless.yml'), 'utf8'));
  declared = (doc.toJS() as { params: Record<string, Params> }).params;
});

/** The stage's parameters as the framework resolves them: params.<stage> over params.default. */
const stageParams = (stage: string): Params => ({ ...declared.default, ...declared[stage] });

const env = (t: CfnTemplate, fn = 'IngestLambdaFunction') =>
  (t.Resources[fn]!.Properties as any).Environment.Variables as Record<string, string>;
const lifecycleRule = (t: CfnTemplate, bucket: string, id: string) =>
  (t.Resources[bucket]!.Properties as any).LifecycleConfiguration.Rules.find((r: any) => r.Id === id);
const stageSettings = (t: CfnTemplate) =>
  (Object.values(t.Resources).find((r) => r.Type === 'AWS::ApiGateway::Stage')!.Properties as any)
    .MethodSettings[0];

/**
 * Where each parameter lands, read from the raw template (`raw`, conditions unresolved) or the template with its
 * conditions resolved as the stack would (`t`). Returns what must equal the parameter's value.
 */
const WHERE: Record<string, (raw: CfnTemplate, t: CfnTemplate) => unknown> = {
  runtime: (_, t) => env(t).LAKE_RUNTIME,
  lakeDir: (_, t) => env(t).LAKE_DIR,
  logLevel: (_, t) => env(t).POWERTOOLS_LOG_LEVEL,
  corsOrigins: (_, t) => [
    env(t).CORS_ALLOWED_ORIGINS,
    (t.Resources.GatewayResponseDefault4xx!.Properties as any).ResponseParameters[
      'gatewayresponse.header.Access-Control-Allow-Origin'
    ],
  ],
  metricsDisabled: (_, t) => env(t).POWERTOOLS_METRICS_DISABLED,
  compactionSchedule: (_, t) =>
    Object.values(t.Resources).find(
      (r) => r.Type === 'AWS::Events::Rule' && (r.Properties as any).ScheduleExpression,
    )?.Properties?.ScheduleExpression,
  glueWorkers: (_, t) => (t.Resources.EtlGlueJob!.Properties as any).NumberOfWorkers,
  glueTimeoutMinutes: (_, t) => (t.Resources.EtlGlueJob!.Properties as any).Timeout,
  apiRateLimit: (_, t) => (t.Resources.ApiGatewayUsagePlan!.Properties as any).Throttle.RateLimit,
  apiBurstLimit: (_, t) => (t.Resources.ApiGatewayUsagePlan!.Properties as any).Throttle.BurstLimit,
  apiQuotaPerDay: (_, t) => (t.Resources.ApiGatewayUsagePlan!.Properties as any).Quota.Limit,
  apiStageRateLimit: (_, t) => stageSettings(t).ThrottlingRateLimit,
  apiStageBurstLimit: (_, t) => stageSettings(t).ThrottlingBurstLimit,
  firehoseBufferSeconds: (_, t) =>
    (t.Resources.DeliveryStream!.Properties as any).ExtendedS3DestinationConfiguration.BufferingHints
      .IntervalInSeconds,
  logRetentionDays: (_, t) => {
    const days = Object.values(t.Resources)
      .filter((r) => r.Type === 'AWS::Logs::LogGroup')
      .map((r) => Number((r.Properties as any).RetentionInDays));
    return [...new Set(days)];
  },
  queryBytesScannedCutoff: (_, t) =>
    (t.Resources.QueriesWorkGroup!.Properties as any).WorkGroupConfiguration.BytesScannedCutoffPerQuery,
  queryResultsExpirationDays: (_, t) =>
    lifecycleRule(t, 'QueryResultsBucket', 'expire-query-results').ExpirationInDays,
  encryption: (raw) => (raw as any).Conditions.UseKms['Fn::Equals'][0],
  dataDeletionPolicy: (_, t) =>
    ['RawBucket', 'CuratedBucket', 'RawBucketPolicy', 'CuratedBucketPolicy'].map((id) => [
      (t.Resources[id] as any).DeletionPolicy,
      (t.Resources[id] as any).UpdateReplacePolicy,
    ]),
  alertEmail: (raw, t) => [
    (raw as any).Conditions.HasAlertEmail['Fn::Not'][0]['Fn::Equals'][0],
    (t.Resources.OpsTopicEmailSubscription?.Properties as any)?.Endpoint ?? '',
  ],
  rawInfrequentAccessDays: (_, t) =>
    lifecycleRule(t, 'RawBucket', 'events-to-infrequent-access-then-glacier-ir').Transitions[0]
      .TransitionInDays,
  rawGlacierInstantRetrievalDays: (_, t) =>
    lifecycleRule(t, 'RawBucket', 'events-to-infrequent-access-then-glacier-ir').Transitions[1]
      .TransitionInDays,
  quarantineExpirationDays: (_, t) => lifecycleRule(t, 'RawBucket', 'expire-quarantine').ExpirationInDays,
  deliveryErrorsExpirationDays: (_, t) =>
    lifecycleRule(t, 'RawBucket', 'expire-delivery-errors').ExpirationInDays,
  validateUploadConcurrency: (_, t) =>
    (t.Resources.ValidateUploadLambdaFunction!.Properties as any).ReservedConcurrentExecutions,
  queriesConcurrency: (_, t) =>
    (t.Resources.QueriesLambdaFunction!.Properties as any).ReservedConcurrentExecutions,
  alarmApi5xxThreshold: (_, t) => (t.Resources.Api5xxAlarm!.Properties as any).Threshold,
  alarmFirehoseFreshnessSeconds: (_, t) => (t.Resources.DeliveryFreshnessAlarm!.Properties as any).Threshold,
};

/** What WHERE reads for a parameter whose value is `v`. */
function expected(name: string, v: string | number | boolean): unknown {
  switch (name) {
    case 'corsOrigins':
      return [v, `'${v}'`];
    case 'metricsDisabled':
      return String(v);
    case 'logRetentionDays':
      return [Number(v)];
    case 'dataDeletionPolicy':
      return [
        [v, v],
        [v, v],
        [v, v],
        [v, v],
      ];
    case 'alertEmail':
      return [v, v];
    default:
      return typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  }
}

/**
 * Numbers as CloudFormation reads them: a parameter given on the command line is a string ("30"), which CloudFormation
 * takes for a number property as it takes 30.
 */
const numeric = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(numeric) : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;

function check(stage: string, params: Params, raw: CfnTemplate): void {
  const t = resolveConditions(raw);
  const seen: Record<string, unknown> = {};
  const want: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params)) {
    if (stage !== 'local' && name in WHERE) {
      seen[name] = name === 'metricsDisabled' ? WHERE[name]!(raw, t) : numeric(WHERE[name]!(raw, t));
      want[name] = name === 'metricsDisabled' ? expected(name, value) : numeric(expected(name, value));
    }
  }
  expect(seen).toEqual(want);
}

describe('stage parameters reach the packaged template', () => {
  it('every declared parameter has a known place in the template', () => {
    const names = new Set(Object.values(declared).flatMap((p) => Object.keys(p)));
    expect([...names].filter((n) => !(n in WHERE)).sort()).toEqual([]);
  });

  it.each(['prod', 'dev'])('%s: each parameter of the stage is the value in its template', async (stage) => {
    const raw = (await packageService(stage)).template as unknown as CfnTemplate;
    check(stage, stageParams(stage), raw);
  });

  it('prod differs from dev where its params say so (thresholds, retention, encryption)', async () => {
    const prod = resolveConditions((await packageService('prod')).template as unknown as CfnTemplate);
    expect((prod.Resources.Api5xxAlarm!.Properties as any).Threshold).toBe(10);
    expect((prod.Resources.DeliveryFreshnessAlarm!.Properties as any).Threshold).toBe(900);
  });

  // Every parameter set on the command line, to values no stage declares: none may stay at a default.
  const overrides: Record<string, string> = {
    logLevel: 'WARN',
    corsOrigins: 'https://console.example.com',
    compactionSchedule: 'rate(7 hours)',
    glueWorkers: '7',
    glueTimeoutMinutes: '77',
    apiRateLimit: '71',
    apiBurstLimit: '142',
    apiQuotaPerDay: '7000007',
    apiStageRateLimit: '73',
    apiStageBurstLimit: '146',
    firehoseBufferSeconds: '97',
    logRetentionDays: '30',
    queryBytesScannedCutoff: '77777777777',
    queryResultsExpirationDays: '5',
    encryption: 'kms',
    dataDeletionPolicy: 'Retain',
    alertEmail: 'ops@example.com',
    rawInfrequentAccessDays: '37',
    rawGlacierInstantRetrievalDays: '97',
    quarantineExpirationDays: '17',
    deliveryErrorsExpirationDays: '19',
    validateUploadConcurrency: '7',
    queriesConcurrency: '9',
    alarmApi5xxThreshold: '17',
    alarmFirehoseFreshnessSeconds: '1234',
    metricsDisabled: 'true',
  };

  it('dev with every parameter overridden by --param: each override is in the template', async () => {
    const raw = (await packageService('dev', overrides)).template as unknown as CfnTemplate;
    check('dev', { ...stageParams('dev'), ...overrides }, raw);
    // With alertEmail set, the e-mail subscription exists and carries the address.
    const t = resolveConditions(raw);
    expect(t.Resources.OpsTopicEmailSubscription?.Properties).toEqual({
      TopicArn: { Ref: 'OpsTopic' },
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  }, 300_000);
});
