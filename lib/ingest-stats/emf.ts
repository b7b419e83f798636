/**
 * Ingest statistics on AWS, recorded as CloudWatch metrics (Powertools EMF, lib/metrics.ts): EventsAccepted and
 * EventsRejected once more per event type, with a `type` dimension beside `service` and `stage` (NO_TYPE for events
 * without a registered type: producers cannot make new metrics). Read back by ./cloudwatch.ts.
 */
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { MetricName, metrics } from '../metrics';
import type { IngestOutcome, IngestTally } from './types';

export const TYPE_DIMENSION = 'type';
export const NO_TYPE = '(none)';

/**
 * One single-metric instance, reused: each addMetric publishes its line at once and clears the dimension (Lambda
 * runs one invocation at a time per process). A new one per call cost more CPU than the rest of a one-event request.
 */
let perType: Metrics | undefined;

function emit(name: string, type: string, n: number): void {
  if (n <= 0) return;
  perType ??= metrics.singleMetric();
  perType.addDimension(TYPE_DIMENSION, type || NO_TYPE);
  perType.addMetric(name, MetricUnit.Count, n);
}

export class EmfIngestTally implements IngestTally {
  record(o: IngestOutcome): void {
    for (const [type, n] of o.accepted) emit(MetricName.EventsAccepted, type, n);
    for (const [type, n] of o.refused) emit(MetricName.EventsRejected, type, n);
  }
}
