/**
 * The local state machine when an execution's final record cannot be written (a full disk): it is tried again until
 * it can be, so that the execution ends once space is freed — waiters (npm run rebuild, POST /executions) read the
 * record and would otherwise wait on a RUNNING one for ever.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import type * as Local from '../../lib/workflow/local';
import { tempLake } from '../support/raw-zone';

// The records' module with its writer wrapped: the first writes of a final record fail as a full disk fails them.
const refusals = { left: 0, made: 0 };
jest.mock('../../lib/workflow/local', () => {
  const actual = jest.requireActual<typeof Local>('../../lib/workflow/local');
  return {
    ...actual,
    writeRecord: async (...args: Parameters<typeof actual.writeRecord>) => {
      if (args[2].status !== 'RUNNING' && refusals.left > 0) {
        refusals.left--;
        refusals.made++;
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      }
      return actual.writeRecord(...args);
    },
  };
});

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { LocalStateMachine } =
  require('../../local/step-functions') as typeof import('../../local/step-functions');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { executionsDir } = require('../../lib/workflow/local') as typeof Local;

it('tries a final record it cannot write again until it can, so that the execution ends (a full disk)', async () => {
  const lakeDir = await tempLake('sfn-record-retry');
  const logged: string[] = [];
  const e = await LocalStateMachine.open({
    lakeDir,
    stateMachineName: 'retry',
    definition: { StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } } as StateMachineDefinition,
    handlers: {},
    pollIntervalMs: 0,
    stopGraceMs: 2000,
    recordRetryMs: 20,
    logger: { info: () => undefined, warn: () => undefined, error: (m: string) => void logged.push(m) },
  });
  try {
    refusals.left = 2;
    await e.startExecution('full-1', {});
    expect(await e.waitForExecution('full-1', 30_000)).toMatchObject({ status: 'SUCCEEDED' });
    expect(refusals.made).toBe(2);
    expect(
      logged.filter((m) => m.startsWith('the execution ended, but its record cannot be written')),
    ).toHaveLength(1);
    expect(await fs.readdir(path.join(executionsDir(lakeDir), '.claims'))).toEqual([]);
  } finally {
    await e.close();
  }
});
