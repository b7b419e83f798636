/**
 * Chooses the ETL workflow for the runtime: Step Functions on AWS; on the local lake, the local workflow
 * (lib/workflow/local.ts, openLocalWorkflow(): durable execution requests that the lake's engine runs).
 * One instance per execution environment (cold start).
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import { requiredEnv, runtime } from '../config';
import { openLocalWorkflow } from './local';
import { SfnWorkflow } from './sfn';
import type { Workflow } from './types';

let current: Promise<Workflow> | undefined;

export function workflow(): Promise<Workflow> {
  if (!current) {
    current =
      runtime() === 'aws'
        ? Promise.resolve(new SfnWorkflow(new SFNClient({}), requiredEnv('ETL_STATE_MACHINE_ARN')))
        : openLocalWorkflow();
    current.catch(() => (current = undefined));
  }
  return current;
}

/** For tests: use this workflow instead of the runtime's (undefined: choose again on next use). */
export function setWorkflow(w: Workflow | undefined): void {
  current = w ? Promise.resolve(w) : undefined;
}

export type { StartResult, Workflow } from './types';
