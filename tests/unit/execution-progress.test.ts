/**
 * The record a waiting execution writes of itself (local/step-functions/execution-progress.ts): as `npm run
 * executions` reads it, a RUNNING execution whose record ends with a Wait entered is waiting now — so the record is
 * written again when the loop runs its job (the lake was free), and when it waits again.
 */
import { executionProgress } from '../../local/step-functions/execution-progress';
import { waitLoops } from '../../local/step-functions/wait-tracker';
import type { ExecutionEvent } from '../../lib/workflow/local';

const definition = {
  StartAt: 'RunEtlJob',
  States: {
    RunEtlJob: { Type: 'Task', Next: 'ReadResult', Catch: [{ ErrorEquals: ['Busy'], Next: 'WaitForLake' }] },
    WaitForLake: { Type: 'Wait', Seconds: 30, Next: 'RunEtlJob' },
    ReadResult: { Type: 'Pass', End: true },
  },
};

it('writes the record when the job runs again after a wait, and when it waits again', async () => {
  const written: (string | undefined)[] = [];
  const progress = executionProgress({
    name: 'e',
    definition,
    loops: waitLoops(definition),
    waitTimes: { WaitForLake: 10 },
    log: { info: () => undefined, warn: () => undefined },
    write: async (events) => void written.push(events.at(-1)?.state),
  });
  const events: ExecutionEvent[] = [];
  const enter = async (state: string, stateType: string) => {
    const ev = {
      type: 'StateEntered',
      state,
      stateType,
      timestamp: new Date().toISOString(),
    } as ExecutionEvent;
    events.push(ev);
    progress.onEvent(ev, events);
    await new Promise((r) => setImmediate(r)); // the write it started is done (settle() drops later ones)
  };
  await enter('RunEtlJob', 'Task'); // the first state: written (the record shows it running)
  await enter('WaitForLake', 'Wait'); // the lake is busy: waiting (written)
  await enter('RunEtlJob', 'Task'); // looks again: running the job (written: not waiting now)
  await enter('WaitForLake', 'Wait'); // still busy: waiting again (written)
  await enter('RunEtlJob', 'Task'); // free: the job runs (written)
  await enter('ReadResult', 'Pass'); // out of the loop (written: resumed)
  await progress.settle();
  expect(written).toEqual([
    'RunEtlJob',
    'WaitForLake',
    'RunEtlJob',
    'WaitForLake',
    'RunEtlJob',
    'ReadResult',
  ]);
});

it('writes the record at each state entered outside a wait loop: the states visited and the one running show', async () => {
  const straight = {
    StartAt: 'CheckInput',
    States: {
      CheckInput: { Type: 'Choice', Choices: [], Default: 'RunEtlJob' },
      RunEtlJob: { Type: 'Task', Next: 'PublishSuccess' },
      PublishSuccess: { Type: 'Task', End: true },
    },
  };
  const written: (string | undefined)[] = [];
  const progress = executionProgress({
    name: 'e',
    definition: straight,
    loops: waitLoops(straight),
    waitTimes: undefined,
    log: { info: () => undefined, warn: () => undefined },
    write: async (events) => void written.push(events.map((e) => `${e.type}:${e.state}`).join(' ')),
  });
  const events: ExecutionEvent[] = [];
  for (const [type, state] of [
    ['StateEntered', 'CheckInput'],
    ['StateExited', 'CheckInput'],
    ['StateEntered', 'RunEtlJob'],
  ]) {
    const ev = { type, state, stateType: 'Task', timestamp: new Date().toISOString() } as ExecutionEvent;
    events.push(ev);
    progress.onEvent(ev, events);
    await new Promise((r) => setImmediate(r));
  }
  await progress.settle();
  // While RunEtlJob runs, its record holds it entered, not exited: a running visit.
  expect(written).toEqual([
    'StateEntered:CheckInput',
    'StateEntered:CheckInput StateExited:CheckInput StateEntered:RunEtlJob',
  ]);
});
