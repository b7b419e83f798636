/**
 * The stop sequence of local/shutdown.ts with a fake lake, clock and exit: what each signal does, a stop that
 * comes while the lake starts, one signal delivered twice (a terminal's Ctrl-C relayed by npm), and the last line's
 * exit code. (tests/system/shutdown.test.ts stops real lakes launched every way.)
 */
import { COALESCE_MS, Shutdown, type StopReport } from '../../local/shutdown';

function harness(report: StopReport | undefined = { recordsDelivered: 3, objectsDelivered: 1, left: [] }) {
  const lines: { level: string; message: string; extra: Record<string, unknown> }[] = [];
  const exits: number[] = [];
  const raised: string[] = [];
  let now = 1_000;
  let finishStop!: () => void;
  const stops: number[] = [];
  const lake = {
    stop: () => {
      stops.push(now);
      return new Promise<StopReport | undefined>((resolve) => (finishStop = () => resolve(report)));
    },
  };
  const log = (level: string) => (message: string, extra: Record<string, unknown>) =>
    lines.push({ level, message, extra });
  const shutdown = new Shutdown({
    log: () => ({ info: log('info'), warn: log('warn'), error: log('error') }),
    pending: () => ({ requestsInFlight: 2 }),
    exit: (code) => exits.push(code),
    raise: (signal) => raised.push(signal),
    now: () => now,
  });
  return {
    shutdown,
    lake,
    lines,
    exits,
    raised,
    stops,
    finish: async () => {
      finishStop();
      await shutdown.done;
    },
    tick: (ms: number) => (now += ms),
  };
}

it('stops on the first signal and exits 0 with a last line saying what it delivered', async () => {
  const h = harness();
  h.shutdown.started(h.lake);
  h.shutdown.onSignal('SIGTERM');
  expect(h.stops).toHaveLength(1);
  expect(h.exits).toEqual([]); // not before the lake has stopped
  await h.finish();
  expect(h.exits).toEqual([0]);
  expect(h.lines.map((l) => l.message)).toEqual([
    'shutting down',
    'stopped: every accepted event is delivered',
  ]);
  expect(h.lines[1]!.extra).toEqual({ recordsDelivered: 3, objectsDelivered: 1 });
});

it('carries out a stop that came while the lake started, once it has started', async () => {
  const h = harness();
  h.shutdown.onSignal('SIGINT');
  expect(h.lines[0]!.message).toMatch(/stop requested while starting/);
  expect(h.stops).toHaveLength(0);
  h.shutdown.started(h.lake);
  expect(h.stops).toHaveLength(1);
  await h.finish();
  expect(h.exits).toEqual([0]);
});

it('counts one signal delivered twice at once as one; says it is still stopping, then stops at once', async () => {
  const h = harness();
  h.shutdown.started(h.lake);
  h.shutdown.onSignal('SIGINT');
  h.tick(COALESCE_MS - 1);
  h.shutdown.onSignal('SIGINT'); // the same Ctrl-C, relayed by npm
  expect(h.lines.map((l) => l.message)).toEqual(['shutting down']);
  h.tick(COALESCE_MS);
  h.shutdown.onSignal('SIGINT');
  expect(h.lines[1]).toMatchObject({ level: 'warn', extra: { signal: 'SIGINT', requestsInFlight: 2 } });
  expect(h.lines[1]!.message).toMatch(/^still stopping/);
  expect(h.exits).toEqual([]);
  h.tick(COALESCE_MS);
  h.shutdown.onSignal('SIGTERM');
  // By the signal's default action (exit status 143), not process.exit: that waits for DuckDB's destructors, i.e.
  // for a local query still running (minutes for some), where "at once" is meant.
  expect(h.exits).toEqual([]);
  expect(h.raised).toEqual(['SIGTERM']);
  expect(h.stops).toHaveLength(1);
});

it('exits 1 when the stop left events undelivered, and says which', async () => {
  const left = [{ file: '/lake/.firehose/s/1~a.wal', reason: 'delivery failed: ENOSPC' }];
  const h = harness({ recordsDelivered: 0, objectsDelivered: 0, left });
  h.shutdown.started(h.lake);
  h.shutdown.onSignal('SIGTERM');
  await h.finish();
  expect(h.exits).toEqual([1]);
  // A full disk: no start delivers them until there is space.
  expect(h.lines.at(-1)).toMatchObject({
    level: 'warn',
    message:
      'stopped, leaving events not delivered: the disk under LAKE_DIR is full; free space, and the next start delivers them',
    extra: { left },
  });
  const other = harness({
    recordsDelivered: 0,
    objectsDelivered: 0,
    left: [{ file: '/lake/.firehose/s/1~a.wal', reason: 'delivery failed: EIO' }],
  });
  other.shutdown.started(other.lake);
  other.shutdown.onSignal('SIGTERM');
  await other.finish();
  expect(other.lines.at(-1)!.message).toBe(
    'stopped, leaving events not delivered: the next start delivers them',
  );
});

it('exits 0 when only another lake running on the folder holds segments (theirs to deliver), and names it', async () => {
  const heldByOthers = [{ file: '/lake/.firehose/s/42.9.b.1~a.wal', pid: 42 }];
  const h = harness({ recordsDelivered: 2, objectsDelivered: 1, left: [], heldByOthers });
  h.shutdown.started(h.lake);
  h.shutdown.onSignal('SIGTERM');
  await h.finish();
  expect(h.exits).toEqual([0]);
  expect(h.lines.at(-1)).toEqual({
    level: 'info',
    message: 'stopped: every accepted event is delivered',
    extra: { recordsDelivered: 2, objectsDelivered: 1, segmentsOfOtherRunningLakes: 1, pids: [42] },
  });
});

it('ends by the signal it was sent when DuckDB has not ended a query, after its last line', async () => {
  const h = harness({ recordsDelivered: 2, objectsDelivered: 1, left: [], queriesNotEnded: 1 });
  h.shutdown.started(h.lake);
  h.shutdown.onSignal('SIGTERM');
  await h.finish();
  // process.exit would wait for DuckDB's destructors, i.e. for the query: the signal's default action does not.
  expect(h.exits).toEqual([]);
  expect(h.raised).toEqual(['SIGTERM']);
  expect(h.lines.map((l) => l.message)).toEqual([
    'shutting down',
    'stopped: every accepted event is delivered',
    'ending by SIGTERM: DuckDB has not ended a query it was asked to stop',
  ]);
  expect(h.lines[2]!.extra).toEqual({ queriesNotEnded: 1, exitStatus: 143 });
});

it('says which signal asked for a stop while the lake started (a start it cut short ends as that stop)', () => {
  const h = harness();
  expect(h.shutdown.requestedWhileStarting).toBeUndefined();
  h.shutdown.onSignal('SIGINT');
  expect(h.shutdown.requestedWhileStarting).toBe('SIGINT');
  // Once started, the stop is the lake's to carry out: no longer one "while starting".
  h.shutdown.started(h.lake);
  expect(h.shutdown.requestedWhileStarting).toBeUndefined();
});
