/** Builds the events handlers get in tests: API Gateway (REST, Lambda proxy), S3 Object Created (EventBridge); and Lambda contexts. */
import type { S3ObjectCreatedNotificationEvent, APIGatewayProxyEvent, Context } from 'aws-lambda';

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

/** The EventBridge "Object Created" event S3 sends for `key` (the object's fields as given). */
export function s3ObjectCreated(
  key: string,
  object: { size?: number; etag?: string; versionId?: string } = {},
  id = 'e1f2',
): S3ObjectCreatedNotificationEvent {
  return {
    version: '0',
    id,
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '123456789012',
    time: '2026-11-24T10:00:00Z',
    region: 'us-east-1',
    resources: ['arn:aws:s3:::lake-raw'],
    detail: {
      version: '0',
      bucket: { name: 'lake-raw' },
      object: {
        key,
        ...(object.size !== undefined ? { size: object.size } : {}),
        ...(object.etag !== undefined ? { etag: object.etag } : {}),
        ...(object.versionId ? { 'version-id': object.versionId } : {}),
        sequencer: '00617F08299329D189',
      },
      'request-id': 'N4N7GDK58NMKJ12R',
      requester: '123456789012',
      'source-ip-address': '1.2.3.4',
      reason: 'PutObject',
    },
  } as unknown as S3ObjectCreatedNotificationEvent;
}
