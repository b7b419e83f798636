/**
 * The structured logger every function and the local runtime share (AWS Lambda Powertools), and the correlation
 * ids that let one follow an event through the logs:
 *   ingest          correlation_id = the client's x-correlation-id (when valid) or API Gateway's request id; the
 *                   'events accepted' line lists the event ids, which are the Firehose records' and the curated
 *                   rows' ids; every response carries it back in x-correlation-id.
 *   validateUpload  correlation_id = the EventBridge event id; it is also the ETL execution's input.correlationId.
 *   queries         as ingest; the 'query started' line has the query id.
 * Each invocation's context (function name, request id, correlation id, appended keys) is its own, also where many
 * run at once in one process (the local lake: handlers are wrapped with lib/invocation-scope.ts `isolated`).
 */
import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { LakeLogger } from './lake-logger';

export const logger = new LakeLogger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'data-lake' });

/** The request and response header that carries the correlation id. */
export const CORRELATION_HEADER = 'x-correlation-id';

/** A correlation id a client may choose: 1-128 visible ASCII characters (no spaces or control characters). */
const CLIENT_CORRELATION_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * The correlation id of an API Gateway (REST, proxy) request: the client's `x-correlation-id` header when it is
 * valid, else API Gateway's request id (`requestContext.requestId`, Powertools' correlationPaths.API_GATEWAY_REST),
 * else the Lambda request id. A pure function of the request, so every caller gets the same id.
 */
export function apiCorrelationId(
  event: Pick<APIGatewayProxyEvent, 'headers' | 'requestContext'>,
  context?: Pick<Context, 'awsRequestId'>,
): string | undefined {
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (name.toLowerCase() === CORRELATION_HEADER && value != null) {
      const v = value.trim();
      if (CLIENT_CORRELATION_ID.test(v)) return v;
    }
  }
  return event.requestContext?.requestId || context?.awsRequestId || undefined;
}

/**
 * Middy middleware for HTTP handlers: puts the request's correlation id on every log line of the invocation and in
 * the `x-correlation-id` header of every response, errors included. Use it after injectLambdaContext (whose
 * resetKeys clears it) and before the error middleware (httpErrors), so that it sees the error response too.
 */
export function httpCorrelation(): middy.MiddlewareObj<
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  Error,
  Context
> {
  const addHeader = (request: middy.Request<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>) => {
    const id = apiCorrelationId(request.event, request.context);
    if (id && request.response) {
      request.response.headers = { ...request.response.headers, [CORRELATION_HEADER]: id };
    }
  };
  return {
    before: (request) => {
      const id = apiCorrelationId(request.event, request.context);
      if (id) logger.setCorrelationId(id);
    },
    after: addHeader,
    onError: addHeader,
  };
}
