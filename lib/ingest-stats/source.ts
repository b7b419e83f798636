/**
 * Where GET /ingest/stats reads: CloudWatch metrics on AWS (./cloudwatch.ts), the local lake's store
 * (./local-store.ts) and its delivery stream's buffer (./delivery-buffer.ts). One instance per cold start.
 */
import { tableNames } from '../catalog/table-names';
import { lakeDir, localFirehoseSettings, runtime } from '../config';
import { DEFAULT_NAMESPACE, lakeStage } from '../metrics';
import { localDeliveryState } from './delivery-buffer';
import { localIngestStats, type LocalIngestStats } from './local-store';
import type { IngestStatsSource } from './types';

let current: IngestStatsSource | undefined;

/** The local lake's statistics: its own counts and refusals, and its delivery stream's buffer. */
export function localStatsSource(
  store: LocalIngestStats,
  dir: string,
  streamName: string,
): IngestStatsSource {
  return {
    read: async (w) => ({
      from: w.from.toISOString(),
      to: w.to.toISOString(),
      bucketMinutes: w.bucketMinutes,
      ...(await store.read(w)),
      delivery: await localDeliveryState(dir, streamName),
      notes: [],
    }),
  };
}

/** On AWS: the ingest function's metrics. The CloudWatch client is loaded at first use, not at the lake function's init. */
function cloudWatchSource(): IngestStatsSource {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { CloudWatchClient } =
    require('@aws-sdk/client-cloudwatch') as typeof import('@aws-sdk/client-cloudwatch');
  const { CloudWatchIngestStats } = require('./cloudwatch') as typeof import('./cloudwatch');
  /* eslint-enable @typescript-eslint/no-require-imports */
  return new CloudWatchIngestStats(
    new CloudWatchClient({}),
    {
      namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || DEFAULT_NAMESPACE,
      service: process.env.POWERTOOLS_SERVICE_NAME || 'data-lake',
      stage: lakeStage(),
    },
    () => tableNames(['events']),
  );
}

export function ingestStatsSource(): IngestStatsSource {
  current ??=
    runtime() === 'aws'
      ? cloudWatchSource()
      : localStatsSource(localIngestStats(lakeDir()), lakeDir(), localFirehoseSettings().streamName);
  return current;
}

/** For tests: read here instead (undefined: choose again on next use). */
export function setIngestStatsSource(s: IngestStatsSource | undefined): void {
  current = s;
}
