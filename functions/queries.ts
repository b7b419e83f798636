/**
 * The query API (lib/query/api.ts): POST /queries, GET /queries/{id}, GET /queries/{id}/results,
 * DELETE /queries/{id}. Athena on AWS, DuckDB over the local lake; every statement passes the read-only guard first.
 * GET /tables lists the lake's tables (the Glue Data Catalog on AWS; lib/query/tables.ts) without opening an engine.
 *
 * Observability: correlation id (lib/logger.ts httpCorrelation: x-correlation-id or API Gateway's request id) on
 * every log line — the 'query started' line has the query id — and in the x-correlation-id response header.
 * Metrics (lib/metrics.ts): QueriesStarted, QueriesRejected (POST /queries only), ColdStart.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { ApiError, ErrorCode } from '../lib/errors';
import { httpHandler } from '../lib/http-handler';
import { apiCorrelationId, logger } from '../lib/logger';
import { count, MetricName, metrics } from '../lib/metrics';
import { queryEngine } from '../lib/query';
import { cancelQuery, getQuery, getResults, listTables, startQuery } from '../lib/query/api';
import { tableCatalog } from '../lib/query/tables';

/** POST /queries, counted: started, or refused as a bad request (not a throttle, 429, nor a failure, 5xx). */
async function countedStart(
  engine: Parameters<typeof startQuery>[0],
  event: APIGatewayProxyEvent,
  context: Context | undefined,
): Promise<APIGatewayProxyResult> {
  const correlationId = apiCorrelationId(event, context);
  const remainingMs = () => context?.getRemainingTimeInMillis() ?? 29_000;
  if (correlationId) metrics.addMetadata('correlation_id', correlationId);
  try {
    const res = await startQuery(engine, event, remainingMs);
    count(MetricName.QueriesStarted);
    return res;
  } catch (e) {
    if (e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 429) {
      count(MetricName.QueriesRejected);
      metrics.addMetadata('error_code', e.code);
    }
    throw e;
  }
}

export async function queries(
  event: APIGatewayProxyEvent,
  context?: Context,
): Promise<APIGatewayProxyResult> {
  const route = `${event.httpMethod.toUpperCase()} ${event.resource}`;
  if (route === 'GET /tables') return listTables(tableCatalog(), event);
  const engine = await queryEngine();
  switch (route) {
    case 'POST /queries':
      return countedStart(engine, event, context);
    case 'GET /queries/{id}':
      return getQuery(engine, event);
    case 'GET /queries/{id}/results':
      return getResults(engine, event);
    case 'DELETE /queries/{id}':
      return cancelQuery(engine, event);
    default:
      throw new ApiError(
        405,
        ErrorCode.MethodNotAllowed,
        `${event.httpMethod} is not allowed on ${event.path}`,
      );
  }
}

export const handler = httpHandler(queries, { metrics });
