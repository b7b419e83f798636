/** The ETL workflow on AWS: Step Functions StartExecution on env ETL_STATE_MACHINE_ARN. */
import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { StartResult, Workflow } from './types';

/** Step Functions execution names: 1-80 characters of letters, digits, '-' and '_'. */
export const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/** The ARN an execution of `stateMachineArn` named `name` has. */
export function executionArn(stateMachineArn: string, name: string): string {
  const m = /^(arn:[^:]+:states:[^:]*:[^:]*):stateMachine:([^:]+)$/.exec(stateMachineArn);
  if (!m) throw new Error(`'${stateMachineArn}' is not a state machine ARN`);
  return `${m[1]}:execution:${m[2]}:${name}`;
}

export class SfnWorkflow implements Workflow {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async startExecution(name: string, input: Record<string, unknown>): Promise<StartResult> {
    if (!EXECUTION_NAME.test(name)) {
      throw new Error(`execution name '${name}' must be 1-80 characters of [A-Za-z0-9-_]`);
    }
    try {
      const res = await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name,
          input: JSON.stringify(input),
        }),
      );
      // Same name and input as a running execution: Step Functions answers with that execution (idempotent).
      return {
        executionArn: res.executionArn ?? executionArn(this.stateMachineArn, name),
        alreadyStarted: false,
      };
    } catch (e) {
      if ((e as Error).name === 'ExecutionAlreadyExists') {
        return { executionArn: executionArn(this.stateMachineArn, name), alreadyStarted: true };
      }
      throw e;
    }
  }
}
