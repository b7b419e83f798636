/**
 * The middleware chain of every HTTP function (ingest, queries, lake), in one place. Order: the logger's context
 * first (its resetKeys runs last); metrics flushed after the response is known (functions that count); the
 * correlation header added after httpErrors has turned an error into a response. Wrapped so that each invocation
 * logs in its own context where invocations share a process (the local lake; lib/invocation-scope.ts).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { httpErrors } from './http-middleware';
import { isolated } from './invocation-scope';
import { httpCorrelation, logger } from './logger';

export type HttpFunction = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** `fn` as a Lambda handler behind API Gateway; `metrics`: the instance its counts go to (flushed per invocation). */
export function httpHandler(fn: HttpFunction, opts: { metrics?: Metrics } = {}): HttpFunction {
  const chain = middy<APIGatewayProxyEvent, APIGatewayProxyResult>().use(
    injectLambdaContext(logger, { resetKeys: true }),
  );
  if (opts.metrics) chain.use(logMetrics(opts.metrics, { captureColdStartMetric: true }));
  return isolated(chain.use(httpCorrelation()).use(httpErrors()).handler(fn));
}
