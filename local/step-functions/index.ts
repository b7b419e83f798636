/**
 * Step Functions on the local lake: the state machines that serverless.yml deploys, run by aws-local-stepfunctions.
 *
 *  - The definition is the one the deployment uses: stepFunctions.stateMachines.<key>.definition from the resolved
 *    service configuration (`sls print`, local/service-config.ts). The CloudFormation intrinsics that
 *    serverless-step-functions turns into Fn::Sub on AWS (Ref, Fn::GetAtt, Fn::Sub, Fn::Join, #{AWS::Region}) are
 *    resolved here to local stand-in names and ARNs (resolveIntrinsics, localResourceRefs).
 *  - Task states run local stand-ins chosen by their Resource (TaskHandlers): Glue startJobRun.sync → the local Glue
 *    runner (lib/etl/duckdb-runner), sns:publish → the notifier (lib/notify), aws-sdk:s3:getObject → the lake's
 *    folders (<LAKE_DIR>/<bucket>/<key>), Lambda → the service's own handlers. Retry, Catch, timeouts and intrinsic
 *    functions are the library's, as on AWS.
 *  - Executions are durable records (lib/workflow/local.ts): written before a run starts and when it ends, with the
 *    state transitions, and while it waits in a Wait loop (execution-progress.ts: when the wait begins, every 10 s,
 *    when it resumes — each logged, with the run that holds the lake). A streak of waits is paced: a 100 ms first
 *    look, doubling up to the state's local wait (wait-tracker.ts). At most `maxConcurrency` run at once; the others
 *    wait their turn in start order.
 *  - At start, an engine runs what was requested but never started, and runs again from the start what a process
 *    that is gone left running (on AWS an execution outlives any worker; its tasks are idempotent: the Glue job by
 *    its run id, notices at least once). An execution interrupted more than MAX_RESTARTS times is marked FAILED
 *    (error Local.Interrupted): a run that brings the process down would do so at every start.
 *  - On AWS a Task timeout or an abort makes Step Functions stop the Glue job run (BatchStopJobRun). Locally an
 *    abort (stopExecution, the lake stopping after its grace) interrupts the job run too (TaskContext signal): its
 *    uncommitted batch is discarded and the execution ends once it has let go of the lake (execution-run.ts, within
 *    TASK_STOP_WAIT_MS). A Task's TimeoutSeconds interrupts it the same way (the execution goes on with States.Timeout,
 *    as Step Functions' does after stopping the job run).
 *  - Step Functions' quotas hold locally: 256 KiB payloads (payload-quota.ts: StartExecution's ValidationException,
 *    States.DataLimitExceeded in executions) and 25,000 history events (history-quota.ts, on an estimate of AWS's
 *    history); the S3 stand-in answers as the state machine's role lets S3 answer (state-machine-role.ts,
 *    role-policy.ts: 403 without s3:GetObject, 403 instead of 404 without s3:ListBucket).
 */
export {
  declaredResources,
  type CfnResource,
  type Json,
  type ServiceConfigWithStateMachines,
  type StateMachineConfig,
} from './config';
export {
  functionLogicalId,
  localBucketName,
  localResourceRefs,
  resolveIntrinsics,
  type LocalAws,
  type ResourceRefs,
} from './intrinsics';
export {
  RESOURCE,
  defaultTaskHandlers,
  glueJobHandler,
  glueJobTimeouts,
  lambdaHandlers,
  namedError,
  s3GetObjectHandler,
  snsPublishHandler,
  type EtlRunner,
  type TaskContext,
  type TaskHandler,
  type TaskHandlers,
} from './task-handlers';
export { taskStates } from './task-states';
export {
  DATA_LIMIT_EXCEEDED,
  DataLimitExceededError,
  PAYLOAD_QUOTA_BYTES,
  checkExecutionInput,
  payloadBytes,
} from './payload-quota';
export { HISTORY_QUOTA_EVENTS, HistoryEstimate } from './history-quota';
export {
  PolicyNotEvaluated,
  evaluate as evaluatePolicy,
  isAllowed,
  wildcardMatch,
  type PolicyStatement,
} from './role-policy';
export {
  roleS3Access,
  stateMachineRoleStatements,
  stateMachineS3Access,
  type S3ReadAccess,
} from './state-machine-role';
export { MAX_RESTARTS } from './execution-recovery';
export { LocalStateMachine, type LocalStateMachineOptions } from './state-machine';
export { localSchedules, rateSeconds, scheduledExecutionName, type LocalSchedule } from './schedules';
export {
  localDefinition,
  retryIntervalsFromEnv,
  waitTimesFromEnv,
  startLocalEtl,
  type LocalEtl,
  type LocalEtlOptions,
} from './etl';
