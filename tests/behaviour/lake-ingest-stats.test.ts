/**
 * GET /ingest/stats: on the local lake, counted where the events pass (the ingest function records into
 * lib/ingest-stats/local-store.ts; the delivery buffer is read from the local Firehose's segments); on AWS, read
 * from the per-type CloudWatch metrics (GetMetricData mocked), with what AWS cannot tell said in `notes`.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { ingest } from '../../functions/ingest';
import { setEventStream } from '../../lib/firehose';
import { LocalFirehose } from '../../lib/firehose/local';
import { AWS_NOTES, CloudWatchIngestStats } from '../../lib/ingest-stats/cloudwatch';
import { LocalIngestStats } from '../../lib/ingest-stats/local-store';
import { localStatsSource, setIngestStatsSource } from '../../lib/ingest-stats/source';
import { setIngestTally } from '../../lib/ingest-stats/tally';
import { apiEvent, pageView } from '../support/api-event';
import { lakeGet } from '../support/lake-route';
import { tempLake } from '../support/raw-zone';

const stats = (query: Record<string, string> | null = { hours: '1' }) => lakeGet('/ingest/stats', query);

const post = (body: unknown) => ingest(apiEvent({ body: JSON.stringify(body) })).catch((e: unknown) => e);

afterEach(() => {
  setIngestStatsSource(undefined);
  setIngestTally(undefined);
  setEventStream(undefined);
});

describe('GET /ingest/stats on the local lake', () => {
  it('counts accepted and refused events per type, lists the refusals, and shows the delivery buffer', async () => {
    const dir = await tempLake('ingest-stats');
    const stream = await LocalFirehose.open({
      lakeDir: dir,
      streamName: 's',
      bufferBytes: 1 << 20,
      bufferIntervalMs: 600_000,
    });
    const store = new LocalIngestStats(dir);
    setEventStream(stream);
    setIngestTally(store);
    setIngestStatsSource(localStatsSource(store, dir, 's'));
    try {
      await post({
        events: [
          pageView(),
          pageView(),
          { type: 'signup', data: { user_id: 'u-1', email: 'a@b.example', plan: 'pro' } },
        ],
      });
      const refused = await post({
        events: [pageView(), pageView({ data: { session_id: 'short', url: 'https://x.example/' } })],
      });
      expect(refused).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
      await post({ type: 'no_such_type', data: {} });

      const { status, body } = await stats();
      expect(status).toBe(200);
      expect(body.bucketMinutes).toBe(1);
      const totals = new Map<string | null, [number, number]>();
      for (const p of body.series as { type: string | null; accepted: number; refused: number }[]) {
        const t = totals.get(p.type) ?? [0, 0];
        totals.set(p.type, [t[0] + p.accepted, t[1] + p.refused]);
      }
      expect(Object.fromEntries(totals)).toEqual({ page_view: [2, 2], signup: [1, 0], null: [0, 1] });
      expect(body.refusals).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ type: 'page_view', code: 'SCHEMA_VIOLATION', field: '/data/session_id' }),
          expect.objectContaining({ type: null, code: 'UNKNOWN_TYPE' }),
        ]),
      );
      expect(body.delivery).toMatchObject({ bufferedRecords: 3, oldestBufferedAt: expect.any(String) });
      expect(body.delivery.bufferedBytes).toBeGreaterThan(100);
      expect(body.notes).toEqual([]);

      // Appended for other processes: a second store (another process) reads the same counts once they are.
      store.flush();
      const other = await new LocalIngestStats(dir).read({
        from: new Date(Date.now() - 3_600_000),
        to: new Date(),
        bucketMinutes: 60,
      });
      expect(other.series.reduce((n, p) => n + p.accepted, 0)).toBe(3);
      expect(other.refusals.length).toBe(body.refusals.length);

      await stream.flush();
      expect((await stats()).body.delivery).toEqual({
        bufferedRecords: 0,
        bufferedBytes: 0,
        oldestBufferedAt: null,
      });
    } finally {
      await stream.close();
    }
  });

  it('keeps what a refusal quotes small: a property name of 3.6 MB is cut in the answer and in the statistics', async () => {
    const dir = await tempLake('ingest-stats');
    const store = new LocalIngestStats(dir);
    setIngestTally(store);
    setIngestStatsSource(localStatsSource(store, dir, 's'));
    const data: Record<string, unknown> = { session_id: 'sess-0001', url: 'https://a.example/' };
    data['\u0001'.repeat(600_000)] = 1; // 3.6 MB escaped, within the 4 MiB body; answered back whole before
    const refused = (await post({ type: 'page_view', data })) as {
      status: number;
      details: { errors: { pointer: string; message: string }[] };
    };
    expect(refused).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    const [problem] = refused.details.errors;
    expect(problem!.pointer).toHaveLength(1024 + 1);
    expect(problem!.pointer.startsWith('/data/\u0001')).toBe(true);
    expect(problem!.message).toMatch(/the pointer is 600006 characters: cut at 1024/);
    expect(JSON.stringify(refused.details).length).toBeLessThan(20_000);
    store.flush();
    const { body } = await stats();
    expect(body.refusals).toHaveLength(1);
    expect(body.refusals[0].field).toHaveLength(256 + 1);
    expect(body.refusals[0].message.length).toBeLessThanOrEqual(256 + 1);
    const { size } = await fs.stat(
      path.join(dir, '.ingest-stats', `${new Date().toISOString().slice(0, 10)}.jsonl`),
    );
    expect(size).toBeLessThan(10_000);
  });

  it.each([[{ hours: '0' }], [{ hours: '169' }], [{ hours: 'a day' }], [{ from: 'x' }]])(
    'refuses %j',
    async (query) => {
      const dir = await tempLake('ingest-stats');
      setIngestStatsSource(localStatsSource(new LocalIngestStats(dir), dir, 's'));
      expect(await stats(query)).toMatchObject({ status: 400, body: { code: 'INVALID_PARAMETER' } });
    },
  );
});

/** The AWS statistics source over a (mocked) CloudWatch client, for these event types. */
function useCloudWatch(types: string[]): void {
  setIngestStatsSource(
    new CloudWatchIngestStats(
      new CloudWatchClient({ region: 'us-east-1' }),
      { namespace: 'DataLake', service: 'data-lake', stage: 'prod' },
      () => types,
    ),
  );
}

describe('GET /ingest/stats on AWS (CloudWatch mocked)', () => {
  it('reads the per-type metrics in buckets, and says what AWS cannot tell instead of inventing it', async () => {
    const cw = mockClient(CloudWatchClient);
    const t0 = new Date('2026-11-24T09:00:00Z');
    const t1 = new Date('2026-11-24T09:15:00Z');
    cw.on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [
          { Id: 'a0', Timestamps: [t0, t1], Values: [5, 7] },
          { Id: 'r0', Timestamps: [t1], Values: [2] },
        ],
        NextToken: 'more',
      })
      .resolvesOnce({
        MetricDataResults: [
          { Id: 'r2', Timestamps: [t0], Values: [4] },
          { Id: 'a1', Timestamps: [], Values: [] },
        ],
      });
    useCloudWatch(['page_view', 'signup']);
    try {
      const { status, body } = await stats({ hours: '24' });
      expect(status).toBe(200);
      expect(body).toMatchObject({ bucketMinutes: 15, refusals: [], delivery: null, notes: AWS_NOTES });
      expect(body.series).toEqual([
        { start: t0.toISOString(), type: null, accepted: 0, refused: 4 },
        { start: t0.toISOString(), type: 'page_view', accepted: 5, refused: 0 },
        { start: t1.toISOString(), type: 'page_view', accepted: 7, refused: 2 },
      ]);
      const calls = cw.commandCalls(GetMetricDataCommand);
      expect(calls).toHaveLength(2);
      const q = calls[0]!.args[0].input;
      expect(q.MetricDataQueries).toHaveLength(6);
      expect(q.MetricDataQueries![0]).toMatchObject({
        Id: 'a0',
        MetricStat: {
          Metric: {
            Namespace: 'DataLake',
            MetricName: 'EventsAccepted',
            Dimensions: [
              { Name: 'service', Value: 'data-lake' },
              { Name: 'stage', Value: 'prod' },
              { Name: 'type', Value: 'page_view' },
            ],
          },
          Period: 900,
          Stat: 'Sum',
        },
      });
      expect(q.MetricDataQueries![5]!.MetricStat!.Metric!.Dimensions![2]).toEqual({
        Name: 'type',
        Value: '(none)',
      });
      expect(calls[1]!.args[0].input.NextToken).toBe('more');
      expect(Date.parse(q.EndTime!.toString()) - Date.parse(q.StartTime!.toString())).toBeGreaterThanOrEqual(
        24 * 3_600_000,
      );
    } finally {
      cw.restore();
    }
  });

  it('says which series CloudWatch did not give whole (InternalError, Forbidden) instead of showing them as zero', async () => {
    const cw = mockClient(CloudWatchClient);
    const t0 = new Date('2026-11-24T09:00:00Z');
    cw.on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [
          { Id: 'a0', StatusCode: 'Complete', Timestamps: [t0], Values: [7] },
          { Id: 'a1', StatusCode: 'InternalError', Timestamps: [], Values: [] },
          { Id: 'r0', StatusCode: 'PartialData', Timestamps: [t0], Values: [1] },
          {
            Id: 'r1',
            StatusCode: 'Forbidden',
            Timestamps: [],
            Values: [],
            Messages: [{ Code: 'Forbidden', Value: 'not authorized to read the metric' }],
          },
        ],
        NextToken: 'more',
      })
      // The rest of r0 on the next page: complete now.
      .resolvesOnce({
        MetricDataResults: [{ Id: 'r0', StatusCode: 'Complete', Timestamps: [], Values: [] }],
      });
    useCloudWatch(['page_view', 'signup']);
    try {
      const { status, body } = await stats({ hours: '24' });
      expect(status).toBe(200);
      expect(body.series).toEqual([{ start: t0.toISOString(), type: 'page_view', accepted: 7, refused: 1 }]);
      expect(body.notes.slice(0, AWS_NOTES.length)).toEqual(AWS_NOTES);
      expect(body.notes.slice(AWS_NOTES.length)).toEqual([
        expect.stringMatching(
          /^CloudWatch did not give all of EventsAccepted of signup \(InternalError\): .*incomplete, not zero/,
        ),
        expect.stringMatching(
          /^CloudWatch did not give all of EventsRejected of signup \(Forbidden: not authorized to read the metric\)/,
        ),
      ]);
    } finally {
      cw.restore();
    }
  });

  it('reads many event types in calls of at most 500 queries (GetMetricData refuses more), each to its last page', async () => {
    const cw = mockClient(CloudWatchClient);
    const t0 = new Date('2026-11-24T09:00:00Z');
    const types = Array.from({ length: 300 }, (_, i) => `type_${i}`);
    cw.on(GetMetricDataCommand).callsFake(
      (input: { MetricDataQueries: { Id: string }[]; NextToken?: string }) => {
        if (input.MetricDataQueries.length > 500)
          throw Object.assign(
            new Error('The collection MetricDataQueries must not have a size greater than 500.'),
            {
              name: 'ValidationError',
            },
          );
        const ids = input.MetricDataQueries.map((q) => q.Id);
        // The last type's accepted count, on the second page of the call that holds it.
        if (ids.includes('a299') && !input.NextToken) return { MetricDataResults: [], NextToken: 'more' };
        return {
          MetricDataResults: ids.includes('a299') ? [{ Id: 'a299', Timestamps: [t0], Values: [3] }] : [],
        };
      },
    );
    useCloudWatch(types);
    try {
      const { status, body } = await stats({ hours: '24' });
      expect(status).toBe(200);
      expect(body.series).toEqual([{ start: t0.toISOString(), type: 'type_299', accepted: 3, refused: 0 }]);
      const sizes = cw
        .commandCalls(GetMetricDataCommand)
        .map((c) => c.args[0].input.MetricDataQueries!.length);
      expect(sizes).toEqual([500, 102, 102]);
    } finally {
      cw.restore();
    }
  });
});
