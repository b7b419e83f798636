/**
 * POST /events — validates one event or a batch against schemas/, stamps them and writes them to the
 * delivery stream. All or nothing on validation; 202 only once every record is accepted by the stream.
 *
 * Observability: correlation id (lib/logger.ts httpCorrelation) on every log line and in the x-correlation-id
 * response header; the 'events accepted' line lists the ids of the records the stream took (the id is the
 * Firehose record's and the curated row's). Metrics (lib/metrics.ts): EventsAccepted, EventsRejected,
 * EventsDeliveryFailed, RequestsRejected, ColdStart; per event type for GET /ingest/stats (lib/ingest-stats/tally.ts:
 * EventsAccepted/EventsRejected with a `type` dimension on AWS, the local lake's own counts locally).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { ingestLimits } from '../lib/config';
import { type EventRecord, prepareEvents } from '../lib/envelope';
import { ApiError, ErrorCode } from '../lib/errors';
import { httpHandler } from '../lib/http-handler';
import { eventStream } from '../lib/firehose';
import { DISK_FULL } from '../lib/firehose/types';
import { json, parseJsonBody } from '../lib/http';
import { acceptedOutcome, refusedOutcome } from '../lib/ingest-stats/outcome';
import { ingestTally } from '../lib/ingest-stats/tally';
import { apiCorrelationId, logger } from '../lib/logger';
import { count, MetricName, metrics } from '../lib/metrics';

const limits = ingestLimits();

/** Seconds a client should wait before retrying records the stream did not accept. */
const RETRY_AFTER_SECONDS = 2;

/** At most this many ids in a log line (a batch holds at most 500). */
const MAX_LOGGED_IDS = 500;

/** How many events a request carried, for EventsRejected: the batch's length, else one. */
function submittedCount(body: unknown): number {
  if (Array.isArray(body)) return body.length;
  if (typeof body === 'object' && body !== null && Array.isArray((body as { events?: unknown }).events)) {
    return (body as { events: unknown[] }).events.length;
  }
  return 1;
}

/** Counts a request refused before anything was written. */
function countRefusal(err: unknown, body: unknown): void {
  if (!(err instanceof ApiError) || err.status < 400 || err.status >= 500) return;
  if (err.code === ErrorCode.ValidationFailed) count(MetricName.EventsRejected, submittedCount(body));
  else count(MetricName.RequestsRejected);
  metrics.addMetadata('error_code', err.code);
}

/**
 * The request's events, validated and stamped; a refusal is counted before it is thrown. The parsed body lives only
 * in here: it is garbage before the handler waits on the stream (a young one, cheap to collect).
 */
function stampedRecords(event: APIGatewayProxyEvent): EventRecord[] {
  let body: unknown;
  try {
    body = parseJsonBody(event, limits.maxBodyBytes);
    return prepareEvents(body, limits);
  } catch (e) {
    countRefusal(e, body);
    const refused = refusedOutcome(e, body);
    if (refused) ingestTally().record(refused);
    throw e;
  }
}

export async function ingest(event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> {
  const correlationId = apiCorrelationId(event, context);
  if (correlationId) metrics.addMetadata('correlation_id', correlationId);
  const records = stampedRecords(event);
  const stream = await eventStream();
  const { failed } = await stream.putRecords(records);

  if (failed.length > 0) {
    const failedIds = new Set(failed.map((f) => f.id));
    const acceptedIds = records.filter((r) => !failedIds.has(r.id)).map((r) => r.id);
    count(MetricName.EventsAccepted, acceptedIds.length);
    count(MetricName.EventsDeliveryFailed, failed.length);
    ingestTally().record(acceptedOutcome(records.filter((r) => !failedIds.has(r.id))));
    const errorCodes = [...new Set(failed.map((f) => f.errorCode))];
    // The local lake's disk is full: the same answer, under a code that says so (retrying needs free space).
    const diskFull = errorCodes.includes(DISK_FULL);
    logger.warn('records not accepted by the delivery stream', {
      correlation_id: correlationId,
      accepted: acceptedIds.length,
      failed: failed.length,
      errorCodes,
      acceptedIds: acceptedIds.slice(0, MAX_LOGGED_IDS),
    });
    throw new ApiError(
      503,
      diskFull ? ErrorCode.StorageFull : ErrorCode.DeliveryFailed,
      `${failed.length} of ${records.length} event(s) were not accepted${
        diskFull ? ': the lake has no space left on its disk' : ''
      }; retry them (ids are deduplicated downstream)`,
      // `ids`: every event's id in request order, so that a producer that let the server make ids can send the
      // failed events again under the ids they were given (exactly once in curated, as with its own ids).
      // `errorCodes`: why the stream refused them (Firehose's per-record codes; DiskFull on the local lake).
      {
        accepted: acceptedIds.length,
        acceptedIds,
        failedIds: [...failedIds],
        ids: records.map((r) => r.id),
        errorCodes,
      },
      { 'retry-after': String(RETRY_AFTER_SECONDS) },
    );
  }
  count(MetricName.EventsAccepted, records.length);
  ingestTally().record(acceptedOutcome(records), { onlyAcceptedCount: true });
  const ids = records.map((r) => r.id);
  logger.info('events accepted', {
    correlation_id: correlationId,
    count: records.length,
    ids: ids.slice(0, MAX_LOGGED_IDS),
  });
  return json(event, 202, { accepted: records.length, ids });
}

export const handler = httpHandler(ingest, { metrics });
