/**
 * What a POST /events came to, counted where operators and GET /ingest/stats read it: the request's metrics
 * (lib/metrics.ts: EventsAccepted, EventsRejected, EventsDeliveryFailed, RequestsRejected) and the ingest statistics
 * by event type (lib/ingest-stats/tally.ts), for an accepted request, a refused one and one the stream took in part.
 */
import { runtime } from './config';
import type { EventRecord } from './envelope';
import { ApiError, ErrorCode } from './errors';
import { DISK_FULL, MAYBE_STORED, type FailedRecord } from './firehose/types';
import { acceptedOutcome, refusedOutcome } from './ingest-stats/outcome';
import { ingestTally } from './ingest-stats/tally';
import { logger } from './logger';
import { count, MetricName, metrics } from './metrics';

/** Seconds a client should wait before retrying records the stream did not accept. */
const RETRY_AFTER_SECONDS = 2;

/** At most this many ids in a log line (a batch holds at most 500). */
export const MAX_LOGGED_IDS = 500;

/** Counts a request refused before anything was written (a 4xx ApiError; anything else is not a refusal). */
export function countRefusedRequest(err: unknown, body: unknown): void {
  const refused = refusedOutcome(err, body);
  if (!refused) return;
  // A refusal outcome is only made of an ApiError.
  const { code } = err as ApiError;
  // VALIDATION_FAILED refuses every event of the batch (the outcome counts each by its type); any other refusal is
  // counted by request.
  if (code === ErrorCode.ValidationFailed)
    count(
      MetricName.EventsRejected,
      [...refused.refused.values()].reduce((a, b) => a + b, 0),
    );
  else count(MetricName.RequestsRejected);
  metrics.addMetadata('error_code', code);
  ingestTally().record(refused);
}

/** Counts a request whose every record the stream took. */
export function countAcceptedRequest(records: EventRecord[]): void {
  count(MetricName.EventsAccepted, records.length);
  ingestTally().record(acceptedOutcome(records), { onlyAcceptedCount: true });
}

/**
 * Counts and logs a request the stream took only in part, and returns its 503: every event's id in request order,
 * which were accepted and which failed, and why (Firehose's per-record codes; DiskFull on the local lake, answered
 * as STORAGE_FULL since retrying needs free space).
 */
export function partialDeliveryError(
  records: EventRecord[],
  failed: FailedRecord[],
  correlationId: string | undefined,
): ApiError {
  // By place, not id: an id may name events of two types in one request, one of them accepted.
  const failedAt = new Set(failed.map((f) => f.index));
  const accepted = records.filter((_, i) => !failedAt.has(i));
  const acceptedIds = accepted.map((r) => r.id);
  const failedIndexes = [...failedAt].sort((a, b) => a - b);
  count(MetricName.EventsAccepted, acceptedIds.length);
  count(MetricName.EventsDeliveryFailed, failed.length);
  ingestTally().record(acceptedOutcome(accepted));
  const errorCodes = [...new Set(failed.map((f) => f.errorCode))];
  const diskFull = errorCodes.includes(DISK_FULL);
  const maybeStored = failed.filter((f) => f.errorCode === MAYBE_STORED).length;
  logger.warn('records not accepted by the delivery stream', {
    correlation_id: correlationId,
    accepted: acceptedIds.length,
    failed: failed.length,
    errorCodes,
    acceptedIds: acceptedIds.slice(0, MAX_LOGGED_IDS),
  });
  return new ApiError(
    503,
    diskFull ? ErrorCode.StorageFull : ErrorCode.DeliveryFailed,
    `${failed.length} of ${records.length} event(s) were not accepted${
      diskFull ? ': the lake has no space left on its disk' : ''
    }${
      maybeStored
        ? ` (${maybeStored} of them may be stored all the same: ${
            runtime() === 'aws'
              ? 'an attempt got no answer from Firehose in time, and Firehose may have taken them)'
              : 'written before the lake found its write-ahead segment taken by another lake, or its folder moved)'
          }`
        : ''
    }; retry them with their ids (ids are deduplicated downstream)`,
    // `ids`: every event's id in request order, so that a producer that let the server make ids can send the
    // failed events again under the ids they were given (exactly once in curated, as with its own ids).
    {
      accepted: acceptedIds.length,
      acceptedIds,
      failedIds: failedIndexes.map((i) => records[i]!.id),
      failedIndexes,
      ids: records.map((r) => r.id),
      errorCodes,
    },
    { 'retry-after': String(RETRY_AFTER_SECONDS) },
  );
}
