/**
 * Chooses the ETL workflow for the runtime: Step Functions on AWS; on the local lake, the local workflow
 * (lib/workflow/local-workflow.ts, openLocalWorkflow(): durable execution requests that the lake's engine runs).
 * One instance per execution environment (cold start). `workflow()` starts executions (validateUpload; the local
 * lake wraps it: local/log-scopes.ts); `executions()` also lists, describes and retries them (the lake function).
 */
import { requiredEnv, runtime } from '../config';
import { openLocalWorkflow } from './local-workflow';
import type { Executions, Workflow } from './types';

let current: Promise<Workflow> | undefined;
let browsing: Promise<Executions> | undefined;

/**
 * Step Functions' client is loaded at first use, not at module init: validateUpload starts an execution only for a
 * file it accepts, so an execution environment that only quarantines never loads it.
 */
async function openSfn(): Promise<Executions> {
  const [{ SFNClient }, { SfnWorkflow }] = await Promise.all([
    import('@aws-sdk/client-sfn'),
    import('./sfn'),
  ]);
  return new SfnWorkflow(new SFNClient({}), requiredEnv('ETL_STATE_MACHINE_ARN'));
}

function open(): Promise<Executions> {
  return runtime() === 'aws' ? openSfn() : openLocalWorkflow();
}

export function workflow(): Promise<Workflow> {
  if (!current) {
    current = open();
    current.catch(() => (current = undefined));
  }
  return current;
}

export function executions(): Promise<Executions> {
  if (!browsing) {
    browsing = open();
    browsing.catch(() => (browsing = undefined));
  }
  return browsing;
}

/** For tests: use this workflow instead of the runtime's (undefined: choose again on next use). */
export function setWorkflow(w: Workflow | undefined): void {
  current = w ? Promise.resolve(w) : undefined;
}

/** For tests: use these executions instead of the runtime's (undefined: choose again on next use). */
export function setExecutions(e: Executions | undefined): void {
  browsing = e ? Promise.resolve(e) : undefined;
}

export type {
  ExecutionDetail,
  ExecutionListItem,
  ExecutionStatus,
  Executions,
  StartResult,
  Workflow,
} from './types';
export {
  DamagedExecutionRecordError,
  EXECUTION_STATUSES,
  InvalidNextTokenError,
  NotRetryableError,
} from './types';
