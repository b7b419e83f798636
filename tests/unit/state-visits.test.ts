/**
 * The visits GET /executions/{name} shows (lib/workflow/state-path.ts), for an execution the local lake ran again
 * from its start after it stopped or crashed in a state: the visit cut short says so.
 */
import type { ExecutionEvent } from '../../lib/workflow/local';
import { stateVisits } from '../../lib/workflow/state-path';

const at = (s: number) => new Date(Date.UTC(2026, 11, 7, 10, 0, s)).toISOString();
const entered = (state: string, s: number): ExecutionEvent => ({
  type: 'StateEntered',
  state,
  stateType: 'Task',
  timestamp: at(s),
});
const restarted: ExecutionEvent = {
  type: 'ExecutionRestarted',
  timestamp: at(5),
  cause: 'the local lake stopped',
};

it('a visit the lake stopped in (ExecutionAborted, then ExecutionRestarted) says it ran again from its start', () => {
  const visits = stateVisits(
    [
      entered('RunEtlJob', 1),
      { type: 'ExecutionAborted', timestamp: at(4) },
      restarted,
      entered('RunEtlJob', 6),
      { type: 'StateExited', state: 'RunEtlJob', timestamp: at(9) },
    ],
    'SUCCEEDED',
  );
  expect(visits.map((v) => [v.name, v.status, v.cause])).toEqual([
    ['RunEtlJob', 'failed', 'the local lake stopped: the execution ran again from its start'],
    ['RunEtlJob', 'succeeded', undefined],
  ]);
});

it('a visit a crash cut short (no event after it but the restart) ends at the restart, saying so', () => {
  const visits = stateVisits([entered('RunEtlJob', 1), restarted, entered('RunEtlJob', 6)], 'RUNNING');
  expect(visits.map((v) => [v.status, v.exitedAt, v.cause])).toEqual([
    ['failed', at(5), 'the local lake stopped: the execution ran again from its start'],
    ['running', null, undefined],
  ]);
});
