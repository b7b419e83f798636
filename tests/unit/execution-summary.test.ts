/**
 * `npm run executions -- <name>` (local/cli/execution-summary.ts) on the shapes a real two-row file does not
 * produce: a busy lake (Glue concurrency retried, then WaitForLake looked at the lake three times) and a failure
 * whose cause is a Glue job run. (tests/system/readable-logs.test.ts summarises a real execution.)
 */
import { summarizeExecution } from '../../local/cli/execution-summary';
import type { ExecutionEvent, ExecutionRecord } from '../../lib/workflow/local';

const T0 = Date.parse('2026-12-03T10:00:00.000Z');
let clock = 0;
const ev = (type: string, state?: string, stateType?: string, more: Partial<ExecutionEvent> = {}) =>
  ({ type, timestamp: new Date(T0 + clock).toISOString(), state, stateType, ...more }) as ExecutionEvent;
const after = (ms: number, e: () => ExecutionEvent) => {
  clock += ms;
  return e();
};

function record(over: Partial<ExecutionRecord>, events: ExecutionEvent[]): ExecutionRecord {
  return {
    name: 'orders-b-csv-1',
    executionArn: 'arn:aws:states:us-east-1:000000000000:execution:data-lake-local-etl:orders-b-csv-1',
    stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:data-lake-local-etl',
    status: 'SUCCEEDED',
    input: { mode: 'file', table: 'orders', key: 'uploads/orders/b.csv', size: 2048 },
    startDate: new Date(T0).toISOString(),
    runStartDate: new Date(T0).toISOString(),
    stopDate: new Date(T0 + clock).toISOString(),
    requestedBy: { pid: 1 },
    events,
    ...over,
  };
}

it('counts visits, retries, errors and waits of a busy lake', () => {
  clock = 0;
  const events: ExecutionEvent[] = [ev('ExecutionStarted'), ev('StateEntered', 'RunEtlJob', 'Task')];
  const busy = { error: 'Glue.ConcurrentRunsExceededException' };
  events.push(after(5, () => ev('StateRetried', 'RunEtlJob', 'Task', { ...busy, attempt: 1 })));
  events.push(after(50, () => ev('StateFailed', 'RunEtlJob', 'Task', busy)));
  for (let i = 0; i < 3; i++) {
    events.push(
      ev('StateEntered', 'WaitForLake', 'Wait'),
      after(1000, () => ev('StateExited', 'WaitForLake', 'Wait')),
    );
    events.push(ev('StateEntered', 'RunEtlJob', 'Task'));
    events.push(
      after(20, () => ev(i < 2 ? 'StateFailed' : 'StateExited', 'RunEtlJob', 'Task', i < 2 ? busy : {})),
    );
  }
  events.push(ev('ExecutionSucceeded'));
  const text = summarizeExecution(
    record(
      { output: { rowsRead: 5, rowsWritten: 4, rowsRejected: 1, processedBy: 'orders-a-csv-1', tables: [] } },
      events,
    ),
  );
  expect(text).toMatch(/^ {2}Status {4}SUCCEEDED in 3\.1 s \(requested 2026-12-03T10:00:00\.000Z\)$/m);
  expect(text).toContain('  Input     uploads/orders/b.csv (table orders, 2.0 KiB)');
  expect(text).toMatch(
    /^ {12}RunEtlJob +Task +115 ms +4 visits; retried 1 time; Glue\.ConcurrentRunsExceededException$/m,
  );
  expect(text).toMatch(/^ {12}WaitForLake +Wait +3\.0 s +3 visits$/m);
  expect(text).toContain('  Waits     WaitForLake 3 times, 3.0 s in all');
  expect(text).toContain('  Result    5 rows read, 4 written, 1 rejected');
  expect(text).toContain('the file was taken by the run of orders-a-csv-1');
  // Written counts keys new to the table: an update file's rows are duplicate keys, said beside it.
  const update = summarizeExecution(
    record(
      { output: { rowsRead: 5, rowsWritten: 1, rowsRejected: 1, duplicatesRemoved: 3, tables: [] } },
      events,
    ),
  );
  expect(update).toContain(
    '  Result    5 rows read, 1 written, 3 duplicate key(s) (stored rows kept or replaced), 1 rejected',
  );
  // A replay's run summary: its tables' duplicates, and the files it read again or could not.
  const table = { table: 'orders', rowsRead: 100, rowsWritten: 1, rowsRejected: 2, duplicatesRemoved: 97 };
  const replay = {
    table: 'orders',
    rejectedFiles: 4,
    sources: 2,
    missing: ['uploads/orders/r1.csv'],
    missingCount: 1,
  };
  const replayed = summarizeExecution(
    record({ output: { rowsRead: 100, rowsWritten: 1, rowsRejected: 2, tables: [table], replay } }, events),
  );
  expect(replayed).toContain(
    '  Result    100 rows read, 1 written, 97 duplicate key(s) (stored rows kept or replaced), 2 rejected; orders:',
  );
  expect(replayed).toContain(
    '\n            replay of orders: 4 rejected file(s) not replayed before, 2 raw object(s) read again, 1 gone or ' +
      'replaced: uploads/orders/r1.csv',
  );
});

it('shows a failure with its error and the message of its cause', () => {
  clock = 0;
  const events = [
    ev('StateEntered', 'RunEtlJob', 'Task'),
    after(30, () => ev('StateFailed', 'RunEtlJob', 'Task')),
  ];
  const text = summarizeExecution(
    record(
      {
        status: 'FAILED',
        error: 'States.TaskFailed',
        cause: JSON.stringify({ JobRunState: 'FAILED', ErrorMessage: 'Worker lost:\n  the job run failed' }),
        input: { mode: 'events' },
      },
      events,
    ),
  );
  expect(text).toMatch(/^ {2}Status {4}FAILED in 30 ms /m);
  expect(text).toContain('  Input     the streamed events not compacted yet (compaction run)');
  expect(text).toContain('  Error     States.TaskFailed');
  expect(text).toContain('  Cause     Worker lost: the job run failed');
  expect(text).not.toContain('Result');
});

it('says a RUNNING execution waits for the next npm start when no lake is running (no time counts meanwhile)', () => {
  clock = 0;
  const waiting = record({ status: 'RUNNING', stopDate: undefined, runStartDate: undefined }, []);
  expect(summarizeExecution(waiting, Date.parse('2026-12-03T11:00:00.000Z'), false)).toMatch(
    /^ {2}Status {4}RUNNING \(no local lake is running: it runs at the next npm start\) \(requested /m,
  );
  expect(summarizeExecution(waiting, Date.parse('2026-12-03T11:00:00.000Z'), true)).toMatch(
    /^ {2}Status {4}RUNNING \(waiting for a free slot\)/m,
  );
  // Stopped with the lake while it ran: not "running for" the hours the lake was down.
  const stopped = record(
    { status: 'RUNNING', stopDate: undefined, runStartDate: '2026-12-03T10:00:00.000Z' },
    [],
  );
  const text = summarizeExecution(stopped, Date.parse('2026-12-03T15:00:00.000Z'), false);
  expect(text).toContain('RUNNING (no local lake is running: it runs at the next npm start)');
  expect(text).not.toContain('RUNNING for');
});

it('names the run a compaction left the events to (the lake was busy), and what a replay or a rebuild was for', () => {
  clock = 0;
  const events = [
    ev('StateEntered', 'RunEtlJob', 'Task'),
    after(20, () => ev('StateFailed', 'RunEtlJob', 'Task')),
  ];
  const busy = summarizeExecution(
    record(
      {
        input: { mode: 'events' },
        output: {
          mode: 'events',
          jobArguments: { '--etl_mode': 'events', '--run_id': 'compact-20261207T220929298Z' },
          busy: {
            Error: 'Glue.ConcurrentRunsExceededException',
            Cause:
              'another ETL run is in progress (run compact-20261207T220929287Z, process 41): the lake runs one at a ' +
              'time, and that run takes every pending upload and event',
          },
        },
      },
      events,
    ),
  );
  expect(busy).toContain(
    '  Result    no run of its own: the lake was busy with run compact-20261207T220929287Z, which compacts the ' +
      'events pending when it started; the next compaction (npm run compact, or the schedule) the rest',
  );
  const rebuild = summarizeExecution(
    record({ status: 'RUNNING', input: { mode: 'rebuild', table: 'orders' } }, []),
  );
  expect(rebuild).toContain('  Input     table orders (rebuild from raw)');
  const replay = summarizeExecution(
    record({ status: 'RUNNING', input: { mode: 'replay', table: 'orders' } }, []),
  );
  expect(replay).toContain('  Input     table orders (replay of its rejected rows)');
});
