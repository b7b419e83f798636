/**
 * Per-type ingest counts on AWS (lib/ingest-stats/emf.ts): one EMF line per type and request, with the `type`
 * dimension beside service and stage, from one reused single-metric instance (a dimension never carries over to
 * the next line or request). Metrics on, as in Lambda; stdout captured.
 */
process.env.POWERTOOLS_METRICS_DISABLED = 'false';
process.env.POWERTOOLS_METRICS_NAMESPACE = 'DataLake';
process.env.POWERTOOLS_SERVICE_NAME = 'data-lake';
process.env.LAKE_STAGE = 'test';
delete process.env.POWERTOOLS_DEV;

import { stdoutLines } from '../support/stdout-lines';

// Loaded after the environment is set, as Lambda loads the handler (an import would be hoisted above it).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { EmfIngestTally, NO_TYPE } =
  require('../../lib/ingest-stats/emf') as typeof import('../../lib/ingest-stats/emf');

interface Emf {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  [k: string]: unknown;
}

const captured = (fn: () => void): Emf[] =>
  stdoutLines(fn)
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Emf);

const outcome = (accepted: [string, number][], refused: [string, number][] = []) => ({
  at: new Date(),
  accepted: new Map(accepted),
  refused: new Map(refused),
  refusals: [],
});

it('writes one line per type and metric, each with its own type, nothing carried over', () => {
  const tally = new EmfIngestTally();
  const first = captured(() =>
    tally.record(
      outcome(
        [
          ['page_view', 3],
          ['signup', 1],
        ],
        [['', 2]],
      ),
    ),
  );
  const second = captured(() => tally.record(outcome([['signup', 5]])));
  const view = (d: Emf) => ({
    dims: d._aws.CloudWatchMetrics[0]!.Dimensions,
    names: d._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name),
    type: d.type,
    stage: d.stage,
    service: d.service,
    accepted: d.EventsAccepted,
    rejected: d.EventsRejected,
  });
  expect(first.map(view)).toEqual([
    expect.objectContaining({ names: ['EventsAccepted'], type: 'page_view', accepted: 3, stage: 'test' }),
    expect.objectContaining({ names: ['EventsAccepted'], type: 'signup', accepted: 1 }),
    expect.objectContaining({ names: ['EventsRejected'], type: NO_TYPE, rejected: 2 }),
  ]);
  expect(second.map(view)).toEqual([
    expect.objectContaining({ names: ['EventsAccepted'], type: 'signup', accepted: 5, service: 'data-lake' }),
  ]);
  for (const d of [...first, ...second])
    expect(d._aws.CloudWatchMetrics[0]!.Dimensions[0]!.slice().sort()).toEqual(['service', 'stage', 'type']);
});

it("gives a one-type 202's own EventsAccepted the type as a second dimension set instead of a line of its own", () => {
  const { metrics } = require('../../lib/metrics') as typeof import('../../lib/metrics');
  const tally = new EmfIngestTally();
  const lines = captured(() => {
    metrics.addMetric('EventsAccepted', 'Count', 4);
    tally.record(outcome([['page_view', 4]]), { onlyAcceptedCount: true });
    metrics.publishStoredMetrics();
    // The next invocation's line has neither the type nor its dimension set.
    metrics.addMetric('EventsAccepted', 'Count', 2);
    metrics.publishStoredMetrics();
  });
  expect(lines).toHaveLength(2);
  expect(lines[0]!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([
    ['service', 'stage'],
    ['service', 'stage', 'type'],
  ]);
  expect(lines[0]).toMatchObject({ type: 'page_view', EventsAccepted: 4, stage: 'test' });
  expect(lines[1]!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service', 'stage']]);
  expect(lines[1]!.type).toBeUndefined();
  // Two types, or refusals: a line per type, as without the option.
  const mixed = captured(() =>
    tally.record(
      outcome([
        ['page_view', 1],
        ['signup', 1],
      ]),
      { onlyAcceptedCount: true },
    ),
  );
  expect(mixed.map((d) => d.type)).toEqual(['page_view', 'signup']);
});
