/** The workflow port: Step Functions on AWS, aws-local-stepfunctions on the local lake. */
export interface StartResult {
  executionArn: string;
  /** An execution with this name already existed (a duplicate trigger): nothing new was started. */
  alreadyStarted: boolean;
}

export interface Workflow {
  /** Starts the ETL state machine with a deterministic execution name (at most 80 characters). */
  startExecution(name: string, input: Record<string, unknown>): Promise<StartResult>;
}
