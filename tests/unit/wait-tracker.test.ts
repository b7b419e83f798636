/**
 * The local engine's waits (local/step-functions/wait-tracker.ts): which states form the ETL's wait loop, how the
 * waits of a streak are paced (a short first look, doubling up to the local wait), and what is reported when an
 * execution starts waiting and when it resumes. (tests/system/busy-lake.test.ts lives it with two real uploads.)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ExecutionEvent } from '../../lib/workflow/local';
import {
  FIRST_LOOK_MS,
  WaitTracker,
  waitLoops,
  type WaitEnded,
  type WaitStarted,
} from '../../local/step-functions/wait-tracker';

const definition = JSON.parse(
  readFileSync(path.resolve(__dirname, '../../state-machines/etl.asl.json'), 'utf8'),
) as { States: Record<string, unknown> };

let clock = Date.parse('2026-12-03T10:00:00Z');
const ev = (type: string, state: string, more: Partial<ExecutionEvent> = {}): ExecutionEvent => ({
  type,
  state,
  timestamp: new Date((clock += 10)).toISOString(),
  ...more,
});
const busy = {
  error: 'Glue.ConcurrentRunsExceededException',
  cause: 'another ETL run is in progress (run orders-a-csv-1, process 42): the lake runs one at a time',
};

/** One look at the busy lake and the wait after it, as the ETL definition runs them. */
function look(t: WaitTracker): number {
  for (const e of [
    ev('StateEntered', 'RunEtlJob'),
    ev('StateFailed', 'RunEtlJob', busy),
    ev('StateEntered', 'LakeBusy'),
    ev('StateEntered', 'CheckUploadDone'),
    ev('StateCaught', 'CheckUploadDone', { error: 'S3.S3Exception', cause: 'Access Denied' }),
    ev('StateEntered', 'NotYet'),
    ev('StateEntered', 'WaitForLake'),
  ])
    t.observe(e);
  return t.waitTimeOverrides!.WaitForLake!; // read by the library as it runs the Wait
}

it("finds the ETL's wait loop: every state between two looks at the lake, and no other", () => {
  expect([...waitLoops(definition).get('WaitForLake')!].sort()).toEqual(
    [
      'CheckUploadDone',
      'CountRunFailure',
      // Glue throttling StartJobRun is waited for as a busy lake (state-machines/etl.asl.json).
      'GlueRefusedStart',
      'LakeBusy',
      'NotYet',
      'RunEtlJob',
      'RunFailed',
      'WaitForLake',
      'WaitWhileThrottled',
    ].sort(),
  );
  // Glue throttling waits longer before the same looks (state-machines/etl.asl.json WaitWhileThrottled).
  expect([...waitLoops(definition).keys()].sort()).toEqual(['WaitForLake', 'WaitWhileThrottled']);
  expect([...waitLoops(definition).get('WaitWhileThrottled')!].sort()).toEqual(
    [...waitLoops(definition).get('WaitForLake')!].sort(),
  );
});

it('paces a streak of waits: a short first look, then twice as long each time up to the local wait', () => {
  const waiting: WaitStarted[] = [];
  const resumed: WaitEnded[] = [];
  const t = new WaitTracker(
    definition,
    waitLoops(definition),
    { WaitForLake: 1000 },
    {
      waiting: (w) => void waiting.push(w),
      resumed: (w) => void resumed.push(w),
    },
  );
  t.observe(ev('StateEntered', 'CheckInput'));
  expect(t.waiting).toBe(false);
  const waits = Array.from({ length: 6 }, () => look(t));
  expect(waits).toEqual([FIRST_LOOK_MS, 200, 400, 800, 1000, 1000]);
  expect(t.waiting).toBe(true);
  // Once, when it started, with the run that holds the lake (RunEtlJob's error: the state the Wait leads back to).
  expect(waiting).toEqual([{ state: 'WaitForLake', ...busy, heldBy: 'orders-a-csv-1', maxWaitMs: 1000 }]);
  t.observe(ev('StateEntered', 'RunEtlJob'));
  t.observe(ev('StateExited', 'RunEtlJob'));
  expect(resumed).toEqual([]);
  t.observe(ev('StateEntered', 'ReadResult'));
  expect(resumed).toEqual([
    { state: 'WaitForLake', waits: 6, waitedMs: expect.any(Number), next: 'ReadResult' },
  ]);
  expect(t.waiting).toBe(false);
  // A later streak starts short again.
  expect(look(t)).toBe(FIRST_LOOK_MS);
  expect(waiting).toHaveLength(2);
});

it('never waits longer than the local wait, and leaves the ASL its own times when there is none', () => {
  const short = new WaitTracker(definition, waitLoops(definition), { WaitForLake: 50 }, {});
  expect([look(short), look(short)]).toEqual([50, 50]);
  expect(new WaitTracker(definition, waitLoops(definition), undefined, {}).waitTimeOverrides).toBeUndefined();
});
