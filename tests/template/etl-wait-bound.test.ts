/**
 * The arithmetic behind "a valid file never fails because the lake was busy" (README, "The lake is busy"), checked
 * against what each stage deploys: the Glue job's timeout T (from the packaged template) and the state machine's
 * timeouts and wait (state-machines/etl.asl.json).
 *
 * A file is queued before its execution starts, and every run takes every queued file (lib/etl/upload-queue.ts).
 * The lake runs one run at a time, so the file is taken by the run that starts after it was queued: its execution
 * waits for at most the run in progress (≤ T), one wait (W) until a waiting execution starts the next run, that
 * run (≤ T), and one more wait until it sees its result: 2T + 2W. That must fit in the execution's timeout, and its
 * history (Step Functions fails an execution at 25,000 events) must stay well below the quota.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageService } from '../support/template';

type State = {
  Type: string;
  Next?: string;
  Seconds?: number;
  TimeoutSeconds?: number;
  Default?: string;
  Catch?: { Next: string }[];
  Choices?: { Next: string }[];
};
const asl = JSON.parse(
  readFileSync(path.resolve(__dirname, '../../state-machines/etl.asl.json'), 'utf8'),
) as { TimeoutSeconds: number; States: Record<string, State> };

/** History events Step Functions writes for one pass through a state: a Task's entered, scheduled, started, failed, exited. */
const historyEvents = (s: State) => (s.Type === 'Task' ? 5 : 2);

/** The states of the busy loop: RunEtlJob's busy catcher, to WaitForLake and back. */
function busyLoop(): string[] {
  const loop = ['RunEtlJob', 'LakeBusy', 'CheckUploadDone', 'NotYet', 'WaitForLake'];
  // Each state of the loop leads to the next (a catcher, a choice, its default or Next), the last back to the first:
  // a state added to the loop, or one left out here, fails this.
  loop.forEach((name, i) => {
    const s = asl.States[name]!;
    const next = loop[(i + 1) % loop.length];
    const targets = [s.Next, s.Default, ...(s.Catch ?? []), ...(s.Choices ?? [])].map((t) =>
      typeof t === 'string' ? t : t?.Next,
    );
    expect([name, targets]).toEqual([name, expect.arrayContaining([next])]);
  });
  return loop;
}

describe.each(['prod', 'dev'])(
  'the %s stage: a file waits for the lake within the state machine limits',
  (stage) => {
    let T: number;
    beforeAll(async () => {
      const t = (await packageService(stage)).template;
      T = Number(t.Resources.EtlGlueJob!.Properties.Timeout) * 60;
    }, 300_000);

    it('gives the Glue task at least the job timeout, and the execution room for the longest wait', () => {
      const W = asl.States.WaitForLake!.Seconds!;
      expect(W).toBeGreaterThan(0);
      expect(asl.States.RunEtlJob!.TimeoutSeconds).toBeGreaterThanOrEqual(T);
      // Runs that succeed: the run in progress, a wait, the file's run, a wait.
      expect(2 * T + 2 * W + 10 * 60).toBeLessThanOrEqual(asl.TimeoutSeconds);
      // Runs that fail as a whole: the execution tries three times (RunsFailed), waiting for the lake before each.
      const failures = 3;
      expect(failures * (T + W) + failures * T + 10 * 60).toBeLessThanOrEqual(asl.TimeoutSeconds);
    });

    it('keeps the history of a day of Glue throttling below the quota: a longer wait after each pass of retries', () => {
      // GlueRefusedStart: StartJobRun throttled past RunEtlJob's retries is waited for as a busy lake, after
      // WaitWhileThrottled. One pass: the Task with its retries (scheduled, started, failed per attempt), the choice,
      // the longer wait, then the busy loop's looks; at most one pass per WaitWhileThrottled + WaitForLake.
      const retries = (asl.States.RunEtlJob as unknown as { Retry: { MaxAttempts: number }[] }).Retry.reduce(
        (n, r) => Math.max(n, r.MaxAttempts),
        0,
      );
      const task = 2 + 3 * (retries + 1);
      const choices = ['GlueRefusedStart', 'LakeBusy', 'NotYet'].length * 2;
      const waits = ['WaitWhileThrottled', 'WaitForLake'].length * 2;
      const perPass = task + choices + waits + historyEvents(asl.States.CheckUploadDone!);
      const seconds = asl.States.WaitWhileThrottled!.Seconds! + asl.States.WaitForLake!.Seconds!;
      expect(asl.States.GlueRefusedStart!.Type).toBe('Choice');
      expect(asl.States.WaitWhileThrottled).toMatchObject({ Type: 'Wait', Next: 'LakeBusy' });
      expect(Math.ceil(asl.TimeoutSeconds / seconds) * perPass).toBeLessThan(25_000 / 2);
    });

    it('keeps the history of the longest wait far below the 25,000-event quota', () => {
      const W = asl.States.WaitForLake!.Seconds!;
      const perLoop = busyLoop().reduce((n, name) => n + historyEvents(asl.States[name]!), 0);
      // Busy waiting before each of at most three runs of its own.
      const loops = Math.ceil((3 * (T + W)) / W) + 3;
      // One pass through every other state (input check, result, notices) per run, on top.
      const rest = 3 * Object.values(asl.States).reduce((n, s) => n + historyEvents(s), 0);
      expect(loops * perLoop + rest).toBeLessThan(25_000 / 2);
    });
  },
);
