/** A POST /events request as API Gateway hands it to the ingest function (REST, Lambda proxy). */
import type { APIGatewayProxyEvent } from 'aws-lambda';

export function apiGatewayEvent(body: string): APIGatewayProxyEvent {
  return {
    httpMethod: 'POST',
    path: '/events',
    resource: '/events',
    headers: { 'content-type': 'application/json', 'x-api-key': 'bench' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    isBase64Encoded: false,
    body,
    requestContext: { requestId: 'bench-request', identity: { sourceIp: '127.0.0.1' } },
  } as unknown as APIGatewayProxyEvent;
}
