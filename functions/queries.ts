/**
 * The query API (lib/query/api.ts): POST /queries, GET /queries/{id}, GET /queries/{id}/results,
 * DELETE /queries/{id}. Athena on AWS, DuckDB over the local lake; every statement passes the read-only guard first.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { ApiError, ErrorCode } from '../lib/errors';
import { httpErrors } from '../lib/http-middleware';
import { logger } from '../lib/logger';
import { queryEngine } from '../lib/query';
import { cancelQuery, getQuery, getResults, startQuery } from '../lib/query/api';

export async function queries(
  event: APIGatewayProxyEvent,
  context?: Context,
): Promise<APIGatewayProxyResult> {
  const route = `${event.httpMethod.toUpperCase()} ${event.resource}`;
  const engine = await queryEngine();
  switch (route) {
    case 'POST /queries':
      return startQuery(engine, event, () => context?.getRemainingTimeInMillis() ?? 29_000);
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

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpErrors())
  .handler(queries);
