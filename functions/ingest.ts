/**
 * POST /events — validates one event or a batch against schemas/, stamps them and writes them to the
 * delivery stream. All or nothing on validation; 202 only once every record is accepted by the stream.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { ingestLimits } from '../lib/config';
import { prepareEvents } from '../lib/envelope';
import { ApiError, ErrorCode } from '../lib/errors';
import { eventStream } from '../lib/firehose';
import { json, parseJsonBody } from '../lib/http';
import { httpErrors } from '../lib/http-middleware';
import { logger } from '../lib/logger';

const limits = ingestLimits();

/** Seconds a client should wait before retrying records the stream did not accept. */
const RETRY_AFTER_SECONDS = 2;

export async function ingest(
  event: APIGatewayProxyEvent,
  _context?: Context,
): Promise<APIGatewayProxyResult> {
  const body = parseJsonBody(event, limits.maxBodyBytes);
  const records = prepareEvents(body, limits);
  const stream = await eventStream();
  const { failed } = await stream.putRecords(records);

  if (failed.length > 0) {
    const failedIds = new Set(failed.map((f) => f.id));
    const acceptedIds = records.filter((r) => !failedIds.has(r.id)).map((r) => r.id);
    logger.warn('records not accepted by the delivery stream', {
      accepted: acceptedIds.length,
      failed: failed.length,
      errorCodes: [...new Set(failed.map((f) => f.errorCode))],
    });
    throw new ApiError(
      503,
      ErrorCode.DeliveryFailed,
      `${failed.length} of ${records.length} event(s) were not accepted; retry them (ids are deduplicated downstream)`,
      { accepted: acceptedIds.length, acceptedIds, failedIds: [...failedIds] },
      { 'retry-after': String(RETRY_AFTER_SECONDS) },
    );
  }
  logger.info('events accepted', { count: records.length });
  return json(event, 202, { accepted: records.length, ids: records.map((r) => r.id) });
}

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpErrors())
  .handler(ingest);
