/** The few lines the ETL CLIs print of a run's summary (local/cli/run-figures.ts describeRun). */
import type { EtlRunSummary, EtlTableFigures } from '../../lib/etl/run';
import { describeRun } from '../../local/cli/run-figures';

const figures = (over: Partial<EtlTableFigures>): EtlTableFigures => ({
  table: 'orders',
  schemaVersion: 1,
  rowsRead: 0,
  rowsWritten: 0,
  rowsRejected: 0,
  duplicatesRemoved: 0,
  partitions: [],
  partitionCount: 0,
  maxRejectedRatio: 0.05,
  ...over,
});

const summary = (tables: EtlTableFigures[], over: Partial<EtlRunSummary> = {}): EtlRunSummary => ({
  runId: 'r',
  jobRunId: null,
  mode: 'rebuild',
  engine: 'duckdb',
  startedAt: '2026-12-05T10:00:00.000Z',
  finishedAt: '2026-12-05T10:00:01.000Z',
  inputCount: 1,
  tables,
  rowsRead: tables.reduce((n, t) => n + t.rowsRead, 0),
  rowsWritten: tables.reduce((n, t) => n + t.rowsWritten, 0),
  rowsRejected: tables.reduce((n, t) => n + t.rowsRejected, 0),
  rejectedRatio: 0,
  rejectedAboveThreshold: false,
  rejectedAbove: '',
  uploads: { taken: 0, succeeded: 0, failed: 0 },
  ...over,
});

it('says how many rows had keys already stored (a rebuild rewrites them: "0 written" is not nothing done)', () => {
  const s = summary([
    figures({ rowsRead: 6, duplicatesRemoved: 6, partitions: ['dt=2026-11-20'], partitionCount: 1 }),
  ]);
  expect(describeRun(s)).toEqual([
    '6 rows read, 0 written, 6 duplicate key(s) (stored rows kept or replaced), 0 rejected',
    '  orders: 6 read, 0 written, 6 duplicate key(s) (stored rows kept or replaced), 0 rejected (dt=2026-11-20)',
  ]);
  expect(describeRun(summary([figures({ rowsRead: 2, rowsWritten: 2 })]))[0]).toBe(
    '2 rows read, 2 written, 0 rejected',
  );
});

it('names the raw event objects left for the next run', () => {
  expect(describeRun(summary([], { eventObjectsLeft: 2 }))).toEqual([
    '0 rows read, 0 written, 0 rejected',
    '  left for the next run: 2 raw event object(s) delivered after this run read its tables (they may hold ' +
      'events of a newer schema; npm run compact, or the schedule, takes them)',
  ]);
});

it("says a replay's files it could not read again as gone or replaced (an upload replaced since is not read)", () => {
  const replayed = figures({ rowsRead: 3, rowsWritten: 1, duplicatesRemoved: 2 });
  const s = summary([replayed], {
    mode: 'replay',
    replay: {
      table: 'orders',
      rejectedFiles: 3,
      sources: 1,
      missing: ['uploads/orders/r1.csv', 'uploads/orders/r2.csv'],
      missingCount: 2,
      figures: replayed,
    },
  });
  expect(describeRun(s).at(-1)).toBe(
    '  replay of orders: 3 rejected file(s) not replayed before, 1 raw object(s) read again, 2 gone or replaced: ' +
      'uploads/orders/r1.csv, uploads/orders/r2.csv',
  );
});

it('counts the uploads a run loaded, not "succeeded" (an upload loaded with rejects above its ratio fails its execution)', () => {
  const s = summary([figures({ rowsRead: 20, rowsWritten: 17, rowsRejected: 3 })], {
    mode: 'file',
    uploads: { taken: 2, succeeded: 1, failed: 1 },
  });
  expect(describeRun(s)).toContain('  uploads taken: 2 (1 loaded, 1 failed)');
});
