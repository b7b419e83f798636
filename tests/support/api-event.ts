/** Builds API Gateway (REST, Lambda proxy) events and Lambda contexts for handler tests. */
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

export function apiEvent(over: {
  method?: string;
  path?: string;
  body?: string | null;
  headers?: Record<string, string>;
  isBase64Encoded?: boolean;
}): APIGatewayProxyEvent {
  return {
    resource: over.path ?? '/events',
    path: over.path ?? '/events',
    httpMethod: over.method ?? 'POST',
    headers: over.headers ?? { 'Content-Type': 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      requestId: 'req-1',
      identity: { sourceIp: '127.0.0.1' },
    } as APIGatewayProxyEvent['requestContext'],
    body: over.body === undefined ? null : over.body,
    isBase64Encoded: over.isBase64Encoded ?? false,
  };
}

export const lambdaContext = (name = 'data-lake-test-ingest'): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: name,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
  memoryLimitInMB: '512',
  awsRequestId: 'aws-req-1',
  logGroupName: `/aws/lambda/${name}`,
  logStreamName: 'test',
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

export const pageView = (over: Record<string, unknown> = {}) => ({
  type: 'page_view',
  data: { session_id: 'sess-0001', url: 'https://shop.example/p/1' },
  ...over,
});
