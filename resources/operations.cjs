// Operations: the operations SNS topic (alarms, Glue job failures; separate from NotificationsTopic, which carries
// data notices), the CloudWatch alarms, the Glue job state rule and the pipeline's dashboard. Generated here (like
// resources/catalog.cjs) because the alarms and the dashboard repeat one shape many times:
//   resources: - ${file(resources/operations.cjs):resources}
//
// Every alarm sends ALARM and OK to OpsTopic. TreatMissingData is chosen per alarm: the error-like counters
// (Lambda Errors/Throttles, Step Functions failures, API 5xx, DLQ depth, custom failure counts) are only published
// when something happens or at a low rate, so missing data means "nothing went wrong" (notBreaching). Firehose
// freshness and success have no data while no records flow, which is normal for a quiet producer: notBreaching too.
//
// Metric contract of the functions (Powertools metrics, EMF): namespace DataLake, dimensions service (data-lake) and
// stage; ingest → EventsAccepted, EventsRejected, EventsDeliveryFailed; validateUpload → UploadsAccepted,
// UploadsQuarantined, UploadsIgnored; the Glue job (resources/glue/etl_job.py) → EtlRowsWritten, EtlRowsRejected
// with a table dimension as well.

const NAMESPACE = 'DataLake';

/** The functions of serverless.yml, by their CloudFormation logical ids. */
const FUNCTIONS = {
  ingest: 'IngestLambdaFunction',
  validateUpload: 'ValidateUploadLambdaFunction',
  queries: 'QueriesLambdaFunction',
  lake: 'LakeLambdaFunction',
};

const upperFirst = (s) => s[0].toUpperCase() + s.slice(1);

async function settings({ resolveConfigurationProperty, resolveVariable }) {
  const service = await resolveConfigurationProperty(['service']);
  const stage = await resolveVariable('sls:stage');
  // No try/catch and no fallback here: the framework resolves `param:` in a later pass and signals it by throwing
  // ("Cannot resolve variable", MISSING_VARIABLE_DEPENDENCY) until then; catching that error froze every parameter at
  // its fallback. Every stage resolves these from params.<stage> or params.default in serverless.yml, and a missing
  // one is an error of the configuration, reported by the framework.
  const param = (name) => resolveVariable(`param:${name}`);
  return {
    service: typeof service === 'object' ? service.name : service,
    stage,
    alertEmail: String((await param('alertEmail')) ?? ''),
    api5xxThreshold: Number(await param('alarmApi5xxThreshold')),
    firehoseFreshnessSeconds: Number(await param('alarmFirehoseFreshnessSeconds')),
    region: await resolveConfigurationProperty(['provider', 'region']),
  };
}

/** The compaction schedule's rule, as serverless-step-functions names it (stepFunctions.stateMachines.etl.events). */
const SCHEDULE_RULE = 'EtlStepFunctionsEventsRuleSchedule1';

function alarm(s, id, props) {
  const { description, ...rest } = props;
  return [
    id,
    {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: `${s.service}-${s.stage}-${props.name}`,
        AlarmDescription: description,
        ActionsEnabled: true,
        AlarmActions: [{ Ref: 'OpsTopic' }],
        OKActions: [{ Ref: 'OpsTopic' }],
        Namespace: rest.namespace,
        MetricName: rest.metric,
        Dimensions: Object.entries(rest.dimensions).map(([Name, Value]) => ({ Name, Value })),
        Statistic: rest.statistic ?? 'Sum',
        Period: rest.period ?? 300,
        EvaluationPeriods: rest.evaluationPeriods ?? 1,
        DatapointsToAlarm: rest.datapointsToAlarm ?? 1,
        Threshold: rest.threshold,
        ComparisonOperator: rest.comparison ?? 'GreaterThanOrEqualToThreshold',
        TreatMissingData: rest.treatMissingData,
      },
    },
  ];
}

function alarms(s) {
  const list = [];
  for (const [name, logicalId] of Object.entries(FUNCTIONS)) {
    const dims = { FunctionName: { Ref: logicalId } };
    list.push(
      alarm(s, `${upperFirst(name)}ErrorsAlarm`, {
        name: `${name}-errors`,
        description: `${name}: invocations ended in an error (AWS/Lambda Errors ≥ 1 in 5 min).`,
        namespace: 'AWS/Lambda',
        metric: 'Errors',
        dimensions: dims,
        threshold: 1,
        treatMissingData: 'notBreaching',
      }),
      alarm(s, `${upperFirst(name)}ThrottlesAlarm`, {
        name: `${name}-throttles`,
        description: `${name}: invocations throttled (concurrency limit or reserved concurrency reached).`,
        namespace: 'AWS/Lambda',
        metric: 'Throttles',
        dimensions: dims,
        threshold: 1,
        treatMissingData: 'notBreaching',
      }),
    );
  }
  const sm = { StateMachineArn: { Ref: 'EtlStateMachine' } };
  list.push(
    alarm(s, 'EtlExecutionsFailedAlarm', {
      name: 'etl-executions-failed',
      description:
        'ETL state machine: an execution failed (Glue error or rejected rows above the threshold).',
      namespace: 'AWS/States',
      metric: 'ExecutionsFailed',
      dimensions: sm,
      threshold: 1,
      treatMissingData: 'notBreaching',
    }),
    alarm(s, 'EtlExecutionsTimedOutAlarm', {
      name: 'etl-executions-timed-out',
      description: 'ETL state machine: an execution timed out.',
      namespace: 'AWS/States',
      metric: 'ExecutionsTimedOut',
      dimensions: sm,
      threshold: 1,
      treatMissingData: 'notBreaching',
    }),
  );
  const stream = { DeliveryStreamName: { Ref: 'DeliveryStream' } };
  list.push(
    alarm(s, 'DeliveryFreshnessAlarm', {
      name: 'firehose-delivery-freshness',
      description:
        'Firehose: the oldest record waits longer than the buffering interval plus retries to reach S3 ' +
        `(DeliveryToS3.DataFreshness > ${s.firehoseFreshnessSeconds} s for 15 min).`,
      namespace: 'AWS/Firehose',
      metric: 'DeliveryToS3.DataFreshness',
      dimensions: stream,
      statistic: 'Maximum',
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      threshold: s.firehoseFreshnessSeconds,
      comparison: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
    }),
    alarm(s, 'DeliverySuccessAlarm', {
      name: 'firehose-delivery-to-s3-failed',
      description:
        'Firehose: some S3 deliveries failed (DeliveryToS3.Success below 1; see the S3Delivery log stream).',
      namespace: 'AWS/Firehose',
      metric: 'DeliveryToS3.Success',
      dimensions: stream,
      statistic: 'Minimum',
      threshold: 1,
      comparison: 'LessThanThreshold',
      treatMissingData: 'notBreaching',
    }),
    // Over the stream's active-partition quota (500; one per event type and arrival hour buffered, more while S3
    // refuses deliveries) Firehose writes records to errors/: accepted, and outside the compaction until moved back
    // (README "Operating it": records in errors/).
    alarm(s, 'DeliveryPartitionsAlarm', {
      name: 'firehose-partition-limit',
      description:
        'Firehose: records went to the errors/ prefix, over the active partition quota (PartitionCountExceeded); ' +
        'they are not compacted until moved back (README: records in errors/).',
      namespace: 'AWS/Firehose',
      metric: 'PartitionCountExceeded',
      dimensions: stream,
      statistic: 'Maximum',
      threshold: 1,
      comparison: 'GreaterThanOrEqualToThreshold',
      treatMissingData: 'notBreaching',
    }),
    alarm(s, 'UploadsDeadLetterAlarm', {
      name: 'uploads-dead-letters',
      description:
        'Dead letters: upload events that validateUpload could not process, or Glue failure notices EventBridge ' +
        'could not publish, are waiting in the dead-letter queue.',
      namespace: 'AWS/SQS',
      metric: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: { 'Fn::GetAtt': ['UploadsDeadLetterQueue', 'QueueName'] } },
      statistic: 'Maximum',
      threshold: 1,
      treatMissingData: 'notBreaching',
    }),
    // The schedule that starts the compaction: an execution it could not start (its role, the state machine's key,
    // throttling past its retries) is a run that silently did not happen.
    alarm(s, 'CompactionScheduleFailedAlarm', {
      name: 'compaction-schedule-failed',
      description:
        'Compaction schedule: EventBridge could not start the ETL state machine (AWS/Events FailedInvocations).',
      namespace: 'AWS/Events',
      metric: 'FailedInvocations',
      dimensions: { RuleName: { Ref: SCHEDULE_RULE } },
      threshold: 1,
      treatMissingData: 'notBreaching',
    }),
    alarm(s, 'Api5xxAlarm', {
      name: 'api-5xx',
      description: `API: ${s.api5xxThreshold} or more 5xx responses in 5 min.`,
      namespace: 'AWS/ApiGateway',
      metric: '5XXError',
      dimensions: { ApiName: `${s.stage}-${s.service}`, Stage: s.stage },
      threshold: s.api5xxThreshold,
      treatMissingData: 'notBreaching',
    }),
    alarm(s, 'EventsDeliveryFailedAlarm', {
      name: 'events-delivery-failed',
      description:
        'Ingest: events validated but not accepted by Firehose (the producer got a 5xx and must retry).',
      namespace: NAMESPACE,
      metric: 'EventsDeliveryFailed',
      dimensions: { service: s.service, stage: s.stage },
      threshold: 1,
      treatMissingData: 'notBreaching',
    }),
  );
  return list;
}

// ---------------------------------------------------------------------------------------------------------------
// Dashboard
// ---------------------------------------------------------------------------------------------------------------

function dashboardBody(s) {
  const region = '${AWS::Region}';
  const lake = (metric) => [NAMESPACE, metric, 'service', s.service, 'stage', s.stage];
  const fn = (metric, name) => ['AWS/Lambda', metric, 'FunctionName', `\${${FUNCTIONS[name]}}`];
  const api = (metric) => ['AWS/ApiGateway', metric, 'ApiName', `${s.stage}-${s.service}`, 'Stage', s.stage];
  const stream = (metric) => ['AWS/Firehose', metric, 'DeliveryStreamName', '${DeliveryStream}'];
  const sm = (metric) => ['AWS/States', metric, 'StateMachineArn', '${EtlStateMachine}'];
  const glue = (metric) => ['Glue', metric, 'JobName', '${EtlGlueJob}', 'JobRunId', 'ALL', 'Type', 'count'];
  const athena = (metric) => ['AWS/Athena', metric, 'WorkGroup', '${QueriesWorkGroup}'];
  let y = 0;
  const row = (title, widgets) => {
    const w = 24 / widgets.length;
    const out = [
      { type: 'text', x: 0, y, width: 24, height: 1, properties: { markdown: `## ${title}` } },
      ...widgets.map((wd, i) => ({
        type: 'metric',
        x: i * w,
        y: y + 1,
        width: w,
        height: 6,
        properties: { region, view: 'timeSeries', stacked: false, period: 300, stat: 'Sum', ...wd },
      })),
    ];
    y += 7;
    return out;
  };
  const widgets = [
    ...row('Ingest (POST /events)', [
      { title: 'Requests and errors', metrics: [api('Count'), api('4XXError'), api('5XXError')] },
      {
        title: 'Events accepted / rejected / not delivered',
        metrics: [lake('EventsAccepted'), lake('EventsRejected'), lake('EventsDeliveryFailed')],
      },
      {
        title: 'API latency (p50, p99)',
        stat: 'p50',
        metrics: [api('Latency'), [...api('Latency'), { stat: 'p99' }]],
      },
      { title: 'ingest errors / throttles', metrics: [fn('Errors', 'ingest'), fn('Throttles', 'ingest')] },
    ]),
    ...row('Firehose → raw bucket', [
      { title: 'Incoming records', metrics: [stream('IncomingRecords')] },
      {
        title: 'Delivery freshness (s, max)',
        stat: 'Maximum',
        metrics: [stream('DeliveryToS3.DataFreshness')],
      },
      { title: 'Delivery success (min)', stat: 'Minimum', metrics: [stream('DeliveryToS3.Success')] },
    ]),
    ...row('Uploads (validateUpload)', [
      {
        title: 'Uploads accepted / quarantined / ignored',
        metrics: [lake('UploadsAccepted'), lake('UploadsQuarantined'), lake('UploadsIgnored')],
      },
      {
        title: 'Dead-letter queue depth',
        stat: 'Maximum',
        metrics: [
          [
            'AWS/SQS',
            'ApproximateNumberOfMessagesVisible',
            'QueueName',
            '${UploadsDeadLetterQueue.QueueName}',
          ],
        ],
      },
      {
        title: 'validateUpload errors / throttles',
        metrics: [fn('Errors', 'validateUpload'), fn('Throttles', 'validateUpload')],
      },
    ]),
    ...row('ETL (state machine, Glue)', [
      {
        title: 'Executions',
        metrics: [sm('ExecutionsSucceeded'), sm('ExecutionsFailed'), sm('ExecutionsTimedOut')],
      },
      {
        title: 'Rows written / rejected (all tables)',
        metrics: [
          [
            {
              expression: `SUM(SEARCH('{${NAMESPACE},service,stage,table} MetricName="EtlRowsWritten" stage="${s.stage}"', 'Sum', 300))`,
              label: 'EtlRowsWritten',
              id: 'w',
            },
          ],
          [
            {
              expression: `SUM(SEARCH('{${NAMESPACE},service,stage,table} MetricName="EtlRowsRejected" stage="${s.stage}"', 'Sum', 300))`,
              label: 'EtlRowsRejected',
              id: 'r',
            },
          ],
        ],
      },
      {
        title: 'Glue tasks completed / failed',
        metrics: [
          glue('glue.driver.aggregate.numCompletedTasks'),
          glue('glue.driver.aggregate.numFailedTasks'),
        ],
      },
    ]),
    ...row('Queries (Athena)', [
      { title: 'Data scanned (bytes)', metrics: [athena('ProcessedBytes')] },
      { title: 'Queries', stat: 'SampleCount', metrics: [athena('TotalExecutionTime')] },
      {
        title: 'queries duration (p50, max)',
        stat: 'p50',
        metrics: [fn('Duration', 'queries'), [...fn('Duration', 'queries'), { stat: 'Maximum' }]],
      },
    ]),
  ];
  return JSON.stringify({ widgets }, null, 1);
}

async function resources(ctx) {
  const s = await settings(ctx);
  const alarmArns = `arn:\${AWS::Partition}:cloudwatch:\${AWS::Region}:\${AWS::AccountId}:alarm:${s.service}-${s.stage}-*`;
  return {
    Conditions: {
      HasAlertEmail: { 'Fn::Not': [{ 'Fn::Equals': [s.alertEmail, ''] }] },
    },
    Resources: {
      // Alarms and Glue job failures. With encryption: kms it uses the lake key, whose policy lets CloudWatch and
      // EventBridge use it for this account (resources/kms.yml). Without: unencrypted, because CloudWatch alarms and
      // EventBridge cannot publish to a topic under the AWS managed key (its policy cannot be changed); it carries
      // alarm state changes only, no lake data.
      OpsTopic: {
        Type: 'AWS::SNS::Topic',
        Properties: {
          TopicName: `${s.service}-${s.stage}-operations`,
          DisplayName: `${s.service} ${s.stage} operations`,
          KmsMasterKeyId: {
            'Fn::If': ['UseKms', { 'Fn::GetAtt': ['LakeKey', 'Arn'] }, { Ref: 'AWS::NoValue' }],
          },
        },
      },
      OpsTopicPolicy: {
        Type: 'AWS::SNS::TopicPolicy',
        Properties: {
          Topics: [{ Ref: 'OpsTopic' }],
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'AlarmsOfThisStage',
                Effect: 'Allow',
                Principal: { Service: 'cloudwatch.amazonaws.com' },
                Action: 'sns:Publish',
                Resource: { Ref: 'OpsTopic' },
                Condition: {
                  ArnLike: { 'aws:SourceArn': { 'Fn::Sub': alarmArns } },
                  StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
                },
              },
              {
                Sid: 'GlueJobFailuresRule',
                Effect: 'Allow',
                Principal: { Service: 'events.amazonaws.com' },
                Action: 'sns:Publish',
                Resource: { Ref: 'OpsTopic' },
                Condition: {
                  ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['EtlGlueJobFailedRule', 'Arn'] } },
                },
              },
              {
                Sid: 'DenyInsecureTransport',
                Effect: 'Deny',
                Principal: '*',
                Action: 'sns:Publish',
                Resource: { Ref: 'OpsTopic' },
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              },
            ],
          },
        },
      },
      OpsTopicEmailSubscription: {
        Type: 'AWS::SNS::Subscription',
        Condition: 'HasAlertEmail',
        Properties: { TopicArn: { Ref: 'OpsTopic' }, Protocol: 'email', Endpoint: s.alertEmail },
      },
      // Glue job runs that end badly (also those the state machine did not start, e.g. from the console).
      EtlGlueJobFailedRule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          Description: 'Glue Job State Change FAILED/TIMEOUT/ERROR of the ETL job → operations topic',
          EventBusName: 'default',
          State: 'ENABLED',
          EventPattern: {
            source: ['aws.glue'],
            'detail-type': ['Glue Job State Change'],
            detail: { jobName: [{ Ref: 'EtlGlueJob' }], state: ['FAILED', 'TIMEOUT', 'ERROR'] },
          },
          // A notice EventBridge cannot deliver (the topic's key refusing it, throttling) is retried for a day, then
          // kept in the dead-letter queue, whose alarm says so: none is dropped without a trace.
          Targets: [
            {
              Id: 'ops-topic',
              Arn: { Ref: 'OpsTopic' },
              RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
              DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['UploadsDeadLetterQueue', 'Arn'] } },
            },
          ],
        },
      },
      ...Object.fromEntries(alarms(s)),
      PipelineDashboard: {
        Type: 'AWS::CloudWatch::Dashboard',
        Properties: {
          DashboardName: `${s.service}-${s.stage}-pipeline`,
          DashboardBody: { 'Fn::Sub': dashboardBody(s) },
        },
      },
    },
    Outputs: {
      OpsTopicArn: { Value: { Ref: 'OpsTopic' } },
      DashboardName: { Value: { Ref: 'PipelineDashboard' } },
    },
  };
}

module.exports = { resources, FUNCTIONS, NAMESPACE };
