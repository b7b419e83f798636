/** The Step Functions workflow adapter, with SFN mocked. */
import {
  DescribeExecutionCommand,
  DescribeStateMachineForExecutionCommand,
  ExecutionAlreadyExists,
  GetExecutionHistoryCommand,
  InvalidToken,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { encodePageToken } from '../../lib/workflow/page-token';
import { InvalidNextTokenError } from '../../lib/workflow/types';
import { mockClient } from 'aws-sdk-client-mock';
import { executionArn, SfnWorkflow } from '../../lib/workflow/sfn';

const sfn = mockClient(SFNClient);
const ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:data-lake-test-etl';
const wf = () => new SfnWorkflow(new SFNClient({ region: 'us-east-1' }), ARN);

beforeEach(() => sfn.reset());

describe('Step Functions workflow', () => {
  it('starts an execution with the name and the input as JSON', async () => {
    sfn
      .on(StartExecutionCommand)
      .resolves({ executionArn: `${ARN.replace('stateMachine', 'execution')}:run-1` });
    const res = await wf().startExecution('run-1', {
      mode: 'file',
      table: 'orders',
      inputs: ['uploads/orders/a.csv'],
    });
    expect(res).toEqual({
      executionArn: expect.stringContaining(':execution:data-lake-test-etl:run-1'),
      alreadyStarted: false,
    });
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: ARN,
      name: 'run-1',
      input: JSON.stringify({ mode: 'file', table: 'orders', inputs: ['uploads/orders/a.csv'] }),
    });
  });

  it('answers alreadyStarted for the running execution Step Functions returns for the same name and input', async () => {
    // AWS: "If the execution is open and the input is identical, the call succeeds and returns the same response as
    // the original request" — the original start date.
    const original = new Date(Date.now() - 60_000);
    sfn
      .on(StartExecutionCommand)
      .resolves({ executionArn: `${ARN.replace('stateMachine', 'execution')}:run-1`, startDate: original });
    expect(await wf().startExecution('run-1', {})).toMatchObject({
      alreadyStarted: true,
      startDate: original.toISOString(),
    });
    const fresh = new Date();
    sfn
      .on(StartExecutionCommand)
      .resolves({ executionArn: `${ARN.replace('stateMachine', 'execution')}:run-2`, startDate: fresh });
    expect(await wf().startExecution('run-2', {})).toMatchObject({
      alreadyStarted: false,
      startDate: fresh.toISOString(),
    });
  });

  it('answers alreadyStarted for a name that exists (ExecutionAlreadyExists)', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    expect(await wf().startExecution('run-1', {})).toEqual({
      executionArn: 'arn:aws:states:us-east-1:123456789012:execution:data-lake-test-etl:run-1',
      alreadyStarted: true,
    });
  });

  it('passes other errors on, and refuses names Step Functions would refuse', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error('nope'), { name: 'StateMachineDoesNotExist' }));
    await expect(wf().startExecution('run-1', {})).rejects.toThrow('nope');
    await expect(wf().startExecution('x'.repeat(81), {})).rejects.toThrow(/1-80 characters/);
    await expect(wf().startExecution('has space', {})).rejects.toThrow(/1-80 characters/);
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
  });

  it('reads a page token Step Functions refuses (expired after 24 hours: 400 InvalidToken) as an invalid nextToken', async () => {
    sfn
      .on(ListExecutionsCommand)
      .rejects(new InvalidToken({ message: 'Invalid Token: expired', $metadata: {} }));
    const nextToken = encodePageToken('sfn-token-from-yesterday', undefined);
    const listed = wf().listExecutions({ limit: 10, nextToken });
    await expect(listed).rejects.toThrow(InvalidNextTokenError);
    await expect(listed).rejects.toThrow(/expired .*list again from the first page/);
    expect(sfn).toHaveReceivedCommandWith(ListExecutionsCommand, { nextToken: 'sfn-token-from-yesterday' });
    // Anything else Step Functions answers is passed on.
    sfn
      .on(ListExecutionsCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    await expect(wf().listExecutions({ limit: 10 })).rejects.toThrow('slow down');
  });

  it('opens and retries an execution by any name Step Functions takes (one started by hand: run.1, été-1)', async () => {
    for (const name of ['run.1', 'été-1']) {
      sfn.reset();
      sfn.on(DescribeExecutionCommand).resolves({
        executionArn: executionArn(ARN, name),
        stateMachineArn: ARN,
        name,
        status: 'FAILED',
        startDate: new Date('2026-12-06T05:00:00Z'),
        stopDate: new Date('2026-12-06T05:01:00Z'),
        input: '{}',
      });
      sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
      sfn.on(DescribeStateMachineForExecutionCommand).resolves({ definition: '{"States": {}}' });
      expect(await wf().describeExecution(name)).toMatchObject({ name, status: 'FAILED' });
      expect(sfn).toHaveReceivedCommandWith(DescribeExecutionCommand, {
        executionArn: executionArn(ARN, name),
      });
      sfn
        .on(DescribeExecutionCommand, { executionArn: executionArn(ARN, `${name}-retry-1`) })
        .rejects(Object.assign(new Error('none'), { name: 'ExecutionDoesNotExist' }));
      sfn.on(StartExecutionCommand).resolves({ executionArn: executionArn(ARN, `${name}-retry-1`) });
      expect(await wf().retryExecution(name)).toMatchObject({ name: `${name}-retry-1` });
    }
    // A name Step Functions refuses is none: nothing is asked.
    sfn.reset();
    expect(await wf().describeExecution('a/b')).toBeUndefined();
    expect(sfn).toHaveReceivedCommandTimes(DescribeExecutionCommand, 0);
  });

  it('answers a retry asked for at the same moment as another with that retry, once it has ended (ExecutionAlreadyExists), as the local workflow does', async () => {
    const name = 'replay-orders-x';
    const base = { stateMachineArn: ARN, input: '{"mode":"replay","table":"orders"}' };
    sfn.on(DescribeExecutionCommand, { executionArn: executionArn(ARN, name) }).resolves({
      ...base,
      executionArn: executionArn(ARN, name),
      name,
      status: 'FAILED',
      startDate: new Date('2026-12-06T05:00:00Z'),
    });
    // Free when looked for; then the other caller's retry took the name and has ended.
    sfn
      .on(DescribeExecutionCommand, { executionArn: executionArn(ARN, `${name}-retry-1`) })
      .rejectsOnce(Object.assign(new Error('none'), { name: 'ExecutionDoesNotExist' }))
      .resolves({
        ...base,
        executionArn: executionArn(ARN, `${name}-retry-1`),
        name: `${name}-retry-1`,
        status: 'FAILED',
        startDate: new Date('2026-12-06T06:00:00Z'),
      });
    sfn
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    await expect(wf().retryExecution(name)).resolves.toEqual({
      name: `${name}-retry-1`,
      startDate: '2026-12-06T06:00:00.000Z',
    });
    // One start asked: not a second run under the next name.
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
  });

  it('derives execution ARNs from the state machine ARN', () => {
    expect(executionArn('arn:aws-cn:states:cn-north-1:1:stateMachine:m', 'n')).toBe(
      'arn:aws-cn:states:cn-north-1:1:execution:m:n',
    );
    expect(() => executionArn('arn:aws:sns:us-east-1:1:topic', 'n')).toThrow(/not a state machine ARN/);
  });
});
