/**
 * Ingest statistics on AWS, recorded as CloudWatch metrics (Powertools EMF, lib/metrics.ts): EventsAccepted and
 * EventsRejected once more per event type, with a `type` dimension beside `service` and `stage` (NO_TYPE for events
 * without a registered type: producers cannot make new metrics). Read back by ./cloudwatch.ts. A 202 of one type needs
 * no line of its own: its invocation's EventsAccepted gets the type as a second dimension set (RecordOptions).
 */
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { MetricName, metrics } from '../metrics';
import type { IngestOutcome, IngestTally, RecordOptions } from './types';

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
  record(o: IngestOutcome, options: RecordOptions = {}): void {
    const [only] = o.accepted.size === 1 && o.refused.size === 0 ? o.accepted : [];
    if (options.onlyAcceptedCount && only) {
      // A 202 of one type (every single-event request): the invocation's own line carries its EventsAccepted under
      // both dimension sets, [service, stage] and [service, stage, type], instead of a second line with the same count.
      metrics.addDimensions({});
      metrics.addDimensions({ [TYPE_DIMENSION]: only[0] || NO_TYPE });
      return;
    }
    for (const [type, n] of o.accepted) emit(MetricName.EventsAccepted, type, n);
    for (const [type, n] of o.refused) emit(MetricName.EventsRejected, type, n);
  }
}
