/**
 * What the local API Gateway hands a function: the REST API (Lambda proxy) event of a request, and the Lambda
 * context of the invocation. The context is described by plain data (ContextSpec) so that it can be rebuilt in
 * another thread (local/function-workers.ts).
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { CompiledRoute } from './http-routes';
import { eventBody } from './request-body';

export interface ProxyEventInput {
  req: http.IncomingMessage;
  url: URL;
  method: string;
  route: CompiledRoute;
  /** The route pattern's match on the path (its groups are the path parameters). */
  match: RegExpExecArray;
  body: Buffer;
  stage: string;
  requestId: string;
  /** When the request arrived (ms since the epoch). */
  started: number;
  /** The API key presented (private routes). */
  apiKey: string | undefined;
}

/**
 * An own property whatever the name, as in the event JSON.parse gives a function on Lambda: a header or parameter
 * named __proto__, constructor or toString is an ordinary key there (assigned into {}, __proto__ would set the
 * prototype and constructor would read Object's). Others are assigned (the fast path of every request).
 */
function own<T>(o: Record<string, T>, k: string, v: T): void {
  if (k in Object.prototype)
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/** The Lambda proxy event API Gateway builds for a request. */
export function proxyEvent(i: ProxyEventInput): APIGatewayProxyEvent {
  const { req, url, method, route, body, requestId, started } = i;
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let n = 0; n < req.rawHeaders.length; n += 2) {
    const k = req.rawHeaders[n]!;
    const v = req.rawHeaders[n + 1]!;
    own(headers, k, v);
    if (Object.hasOwn(multiValueHeaders, k)) multiValueHeaders[k]!.push(v);
    else own(multiValueHeaders, k, [v]);
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) {
    own(query, k, v);
    if (Object.hasOwn(multiQuery, k)) multiQuery[k]!.push(v);
    else own(multiQuery, k, [v]);
  }
  const pathParameters: Record<string, string> = {};
  // As API Gateway's REST API hands them: percent-encoded, as the request wrote them (lib/http.ts pathParameter).
  route.paramNames.forEach((name, n) => (pathParameters[name] = i.match[n + 1]!));
  return {
    resource: route.resource,
    path: url.pathname,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: url.searchParams.size ? query : null,
    multiValueQueryStringParameters: url.searchParams.size ? multiQuery : null,
    pathParameters: route.paramNames.length ? pathParameters : null,
    stageVariables: null,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      resourceId: 'local',
      resourcePath: route.resource,
      httpMethod: method,
      path: `/${i.stage}${url.pathname}`,
      stage: i.stage,
      requestId,
      extendedRequestId: requestId,
      requestTime: new Date(started).toUTCString(),
      requestTimeEpoch: started,
      protocol: `HTTP/${req.httpVersion}`,
      domainName: req.headers.host ?? 'localhost',
      identity: {
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: req.headers['user-agent'] ?? null,
        apiKey: route.private ? i.apiKey : null,
        apiKeyId: route.private ? 'local' : null,
      },
      authorizer: null,
    },
    ...eventBody(body),
  } as unknown as APIGatewayProxyEvent;
}

/** The invocation's Lambda context as plain data. */
export interface ContextSpec {
  functionName: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  /** When the function's time runs out (ms since the epoch). */
  deadline: number;
}

export function contextSpec(
  functionName: string,
  memorySize: number | undefined,
  deadline: number,
): ContextSpec {
  return {
    functionName,
    memoryLimitInMB: String(memorySize ?? 1024),
    awsRequestId: randomUUID(),
    deadline,
  };
}

/** The Lambda context a function is invoked with. */
export function lambdaContext(spec: ContextSpec): Context {
  const { functionName, deadline } = spec;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: spec.memoryLimitInMB,
    awsRequestId: spec.awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Lambda's largest synchronous invocation payload (6 MB): the proxy event as API Gateway serialises it, in bytes. */
export const LAMBDA_MAX_PAYLOAD = 6 * 1024 * 1024;

/**
 * The serialised size of a proxy event over Lambda's payload limit, or undefined when it fits. The body is a JSON
 * string in the event, so its escaping adds to it (a tab-indented JSON body grows by half): a body under the
 * ingest's 4 MiB may not fit. Serialised only when the body alone could make it exceed the limit.
 */
export function overLambdaPayload(event: APIGatewayProxyEvent): number | undefined {
  const body = event.body ?? '';
  // At most 6 bytes per UTF-16 unit escaped (\u001f), and the rest of the event well under 1 MiB.
  if (body.length * 6 + 1024 * 1024 <= LAMBDA_MAX_PAYLOAD) return undefined;
  const size = Buffer.byteLength(JSON.stringify(event), 'utf8');
  return size > LAMBDA_MAX_PAYLOAD ? size : undefined;
}
