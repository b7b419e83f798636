/**
 * Ingest statistics on AWS: the per-type EventsAccepted / EventsRejected metrics the ingest function emits
 * (./emf.ts), read with CloudWatch GetMetricData (Sum per bucket, every page). What AWS does not give is said in
 * `notes`, not made up: refusals are not listed (their codes are in the ingest function's log lines, not in
 * metrics) and Firehose exposes no buffer state (delivery: null).
 */
import {
  GetMetricDataCommand,
  type CloudWatchClient,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { DEFAULT_NAMESPACE, MetricName } from '../metrics';
import { NO_TYPE, TYPE_DIMENSION } from './emf';
import type { IngestStats, IngestStatsSource, SeriesPoint, StatsWindow } from './types';

export interface MetricIdentity {
  namespace: string;
  service: string;
  stage: string;
}

export const AWS_NOTES = [
  'Counts are CloudWatch metrics of the ingest function (EventsAccepted, EventsRejected by type): they arrive a minute or two after the requests.',
  "Refusals are not listed on AWS: each is a 'request refused' line, with its code, in the ingest function's log group.",
  'Firehose exposes no buffer state: delivery is null.',
];

/** GetMetricData's limit of queries per call. */
const MAX_QUERIES_PER_CALL = 500;

export class CloudWatchIngestStats implements IngestStatsSource {
  constructor(
    private readonly cloudwatch: CloudWatchClient,
    private readonly metric: MetricIdentity,
    /** The registered event types (schemas/events). */
    private readonly eventTypes: () => string[],
  ) {}

  async read(w: StatsWindow): Promise<IngestStats> {
    const types = [...this.eventTypes(), NO_TYPE];
    const queries: MetricDataQuery[] = [];
    const meaning = new Map<string, { type: string | null; accepted: boolean }>();
    types.forEach((type, i) => {
      for (const [prefix, name] of [
        ['a', MetricName.EventsAccepted],
        ['r', MetricName.EventsRejected],
      ] as const) {
        const id = `${prefix}${i}`;
        meaning.set(id, { type: type === NO_TYPE ? null : type, accepted: prefix === 'a' });
        queries.push({
          Id: id,
          ReturnData: true,
          MetricStat: {
            Metric: {
              Namespace: this.metric.namespace || DEFAULT_NAMESPACE,
              MetricName: name,
              Dimensions: [
                { Name: 'service', Value: this.metric.service },
                { Name: 'stage', Value: this.metric.stage },
                { Name: TYPE_DIMENSION, Value: type },
              ],
            },
            Period: w.bucketMinutes * 60,
            Stat: 'Sum',
          },
        });
      }
    });
    const points = new Map<string, SeriesPoint>();
    const unanswered = new Map<string, string>();
    // GetMetricData takes at most 500 queries a call: two per event type, in calls of 500, each read to its last page.
    for (let first = 0; first < queries.length; first += MAX_QUERIES_PER_CALL)
      await this.readPages(
        queries.slice(first, first + MAX_QUERIES_PER_CALL),
        w,
        meaning,
        points,
        unanswered,
      );
    const series = [...points.values()]
      .filter((p) => p.accepted > 0 || p.refused > 0)
      .sort((a, b) => a.start.localeCompare(b.start) || (a.type ?? '').localeCompare(b.type ?? ''));
    return {
      from: w.from.toISOString(),
      to: w.to.toISOString(),
      bucketMinutes: w.bucketMinutes,
      series,
      refusals: [],
      delivery: null,
      notes: [...AWS_NOTES, ...unansweredNotes(unanswered, meaning)],
    };
  }

  private async readPages(
    queries: MetricDataQuery[],
    w: StatsWindow,
    meaning: Map<string, { type: string | null; accepted: boolean }>,
    points: Map<string, SeriesPoint>,
    unanswered: Map<string, string>,
  ): Promise<void> {
    let nextToken: string | undefined;
    do {
      const res = await this.cloudwatch.send(
        new GetMetricDataCommand({
          MetricDataQueries: queries,
          StartTime: w.from,
          EndTime: w.to,
          ScanBy: 'TimestampAscending',
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      );
      for (const r of res.MetricDataResults ?? []) {
        const m = meaning.get(r.Id ?? '');
        if (!m) continue;
        // Complete, or PartialData (the rest on the next page); InternalError and Forbidden leave the series
        // incomplete — said in the notes, never shown as zero. A later page's answer for the query stands.
        if (r.StatusCode === 'InternalError' || r.StatusCode === 'Forbidden')
          unanswered.set(
            r.Id!,
            `${r.StatusCode}${r.Messages?.length ? `: ${r.Messages.map((x) => x.Value).join('; ')}` : ''}`,
          );
        else unanswered.delete(r.Id!);
        (r.Timestamps ?? []).forEach((t, i) => {
          const start = t.toISOString();
          const k = `${start}\0${m.type ?? ''}`;
          const p = points.get(k) ?? { start, type: m.type, accepted: 0, refused: 0 };
          if (m.accepted) p.accepted += r.Values?.[i] ?? 0;
          else p.refused += r.Values?.[i] ?? 0;
          points.set(k, p);
        });
      }
      nextToken = res.NextToken;
    } while (nextToken);
  }
}

/** A note per series CloudWatch did not give whole (its StatusCode and messages): its counts are missing, not zero. */
function unansweredNotes(
  unanswered: Map<string, string>,
  meaning: Map<string, { type: string | null; accepted: boolean }>,
): string[] {
  return [...unanswered].map(([id, why]) => {
    const m = meaning.get(id)!;
    const what = `${m.accepted ? 'EventsAccepted' : 'EventsRejected'} of ${m.type ?? 'requests without a type'}`;
    return `CloudWatch did not give all of ${what} (${why}): its counts in this window are incomplete, not zero; ask again.`;
  });
}
