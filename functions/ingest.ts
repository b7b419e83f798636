/**
 * POST /events — validates one event or a batch against schemas/, stamps them and writes them to the
 * delivery stream. All or nothing on validation; 202 only once every record is accepted by the stream.
 *
 * Observability: correlation id (lib/logger.ts httpCorrelation) on every log line and in the x-correlation-id
 * response header; the 'events accepted' line lists the ids of the records the stream took (the id is the
 * Firehose record's and the curated row's). Metrics and ingest statistics (lib/ingest-accounting.ts):
 * EventsAccepted, EventsRejected, EventsDeliveryFailed, RequestsRejected, ColdStart; per event type for
 * GET /ingest/stats (lib/ingest-stats/tally.ts: EventsAccepted/EventsRejected with a `type` dimension on AWS, the
 * local lake's own counts locally).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { ingestLimits } from '../lib/config';
import { type EventRecord, prepareEvents } from '../lib/envelope';
import { httpHandler } from '../lib/http-handler';
import { eventStream } from '../lib/firehose';
import { parseJsonExact } from '../lib/exact-json';
import { json, parseJsonBody } from '../lib/http';
import {
  countAcceptedRequest,
  countRefusedRequest,
  MAX_LOGGED_IDS,
  partialDeliveryError,
} from '../lib/ingest-accounting';
import { apiCorrelationId, logger } from '../lib/logger';
import { metrics } from '../lib/metrics';

const limits = ingestLimits();

/**
 * The request's events, validated and stamped; a refusal is counted before it is thrown. The parsed body lives only
 * in here: it is garbage before the handler waits on the stream (a young one, cheap to collect).
 */
function stampedRecords(event: APIGatewayProxyEvent): EventRecord[] {
  let body: unknown;
  try {
    // Numbers as sent: an integer beyond 2^53 keeps its digits (lib/exact-json.ts).
    body = parseJsonBody(event, limits.maxBodyBytes, parseJsonExact);
    return prepareEvents(body, limits);
  } catch (e) {
    countRefusedRequest(e, body);
    throw e;
  }
}

export async function ingest(event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> {
  const correlationId = apiCorrelationId(event, context);
  if (correlationId) metrics.addMetadata('correlation_id', correlationId);
  const records = stampedRecords(event);
  const stream = await eventStream();
  const { failed } = await stream.putRecords(records);
  if (failed.length > 0) throw partialDeliveryError(records, failed, correlationId);

  countAcceptedRequest(records);
  const ids = records.map((r) => r.id);
  logger.info('events accepted', {
    correlation_id: correlationId,
    count: records.length,
    ids: ids.slice(0, MAX_LOGGED_IDS),
  });
  return json(event, 202, { accepted: records.length, ids });
}

export const handler = httpHandler(ingest, { metrics });
