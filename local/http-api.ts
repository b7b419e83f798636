/**
 * The local API Gateway: serves the http routes serverless.yml declares by invoking the same handler modules with
 * REST-API (Lambda proxy) shaped events, with API-key checks on private routes, CORS preflight, API Gateway's
 * payload limit, its request validator (the routes' `request.schemas`) and the function's timeout. What it refuses
 * itself it answers as the deployed API does: from the one table of lib/gateway-responses.json that the deployed
 * API's GatewayResponses are generated from (resources/api-gateway-responses.cjs).
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import gatewayResponses from '../lib/gateway-responses.json';
import { AthenaApi } from './athena';
import { bodyPassesValidator, compile, type CompiledRoute } from './http-routes';
import { responseSummary } from './request-summary';
import { projectRoot, type Route } from './service-config';

export { bodyPassesValidator, compileRequestModel } from './http-routes';
export { responseSummary } from './request-summary';

/** API Gateway's largest request payload. */
export const API_GATEWAY_MAX_PAYLOAD = 10 * 1024 * 1024;

/** One of API Gateway's own answers: status (null: the refusal's own), code, message (null: the refusal's own). */
export interface GatewayResponse {
  status: number | null;
  code: string;
  message: string | null;
  details?: Record<string, unknown>;
}

/**
 * API Gateway's own answers by response type: lib/gateway-responses.json, the table the deployed API's
 * GatewayResponses are generated from too (resources/api-gateway-responses.cjs).
 */
export const GATEWAY_RESPONSES = gatewayResponses.responses as Record<
  keyof typeof gatewayResponses.responses,
  GatewayResponse
>;

export type GatewayResponseType = keyof typeof GATEWAY_RESPONSES;

/** API Gateway's message for a function that failed or answered a malformed proxy response (DEFAULT_5XX, 502). */
const INTERNAL_SERVER_ERROR = 'Internal server error';

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface LocalApiOptions {
  routes: Route[];
  apiKey: string;
  stage: string;
  service: string;
  defaultTimeoutSeconds?: number;
  onRequest?: (info: {
    method: string;
    path: string;
    status: number;
    ms: number;
    functionName?: string;
    /** What the answer says, in a few words (`3 accepted`, `VALIDATION_FAILED`, `SUCCEEDED 2 rows`). */
    detail?: string;
  }) => void;
  onError?: (err: Error, info: Record<string, unknown>) => void;
}

const handlers = new Map<string, Handler>();

function loadHandler(spec: string): Handler {
  let h = handlers.get(spec);
  if (!h) {
    const dot = spec.lastIndexOf('.');
    const mod = require(path.join(projectRoot, spec.slice(0, dot))) as Record<string, unknown>;
    const fn = mod[spec.slice(dot + 1)];
    if (typeof fn !== 'function') throw new Error(`handler ${spec} is not a function`);
    h = fn as Handler;
    handlers.set(spec, h);
  }
  return h;
}

function decodePathParameter(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function keysEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function send(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
}

/** Bytes of an oversized body read and discarded before answering 413, so that the client sees the answer (a server
 * that closes while the client is still sending makes most clients report a connection reset instead). Beyond this
 * the connection is cut. */
const MAX_DISCARDED_BYTES = 64 * 1024 * 1024;

/** The body, or null when it is larger than `limit` (then drained, up to MAX_DISCARDED_BYTES, before resolving). */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = declared > limit;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) tooLarge = true;
      if (tooLarge) {
        chunks.length = 0;
        if (size > MAX_DISCARDED_BYTES) {
          req.removeAllListeners('data');
          req.socket.destroy();
          resolve(null);
        }
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Requests being answered by every LocalApi of this process. */
const answering = new Set<http.ServerResponse>();

/** How many requests the local API Gateways of this process are answering (a stopping lake waits for them). */
export function requestsInFlight(): number {
  return answering.size;
}

/** The answer to a request that arrives while the API stops (on a connection opened before). */
const STOPPING_MESSAGE = 'the local lake is stopping: retry once it has restarted';

export class LocalApi {
  readonly server: http.Server;
  private readonly routes: CompiledRoute[];
  /** The gateway responses' Access-Control-Allow-Origin: the stage's corsOrigins when it is `*` or one origin. */
  private readonly gatewayCors: Record<string, string>;
  /** close() was called: new requests are refused (503), those in flight are answered, then connections close. */
  private closing = false;
  private readonly active = new Set<http.ServerResponse>();
  /** Athena's own API (`POST /` with `X-Amz-Target: AmazonAthena.*`) over the lake's query engine. */
  private readonly athena: AthenaApi;

  constructor(private readonly opts: LocalApiOptions) {
    this.routes = opts.routes.map(compile);
    this.athena = new AthenaApi({ apiKey: opts.apiKey, service: opts.service, stage: opts.stage });
    const origin = this.routes.find((r) => r.cors)?.cors?.origin.trim();
    this.gatewayCors = origin && !origin.includes(',') ? { 'access-control-allow-origin': origin } : {};
    this.server = http.createServer((req, res) => {
      this.active.add(res);
      answering.add(res);
      res.once('close', () => {
        this.active.delete(res);
        answering.delete(res);
      });
      this.handle(req, res).catch((err) => {
        opts.onError?.(err as Error, { method: req.method, url: req.url });
        if (!res.headersSent) this.refuse(res, randomUUID(), 'DEFAULT_5XX', { status: 502 });
        else res.destroy();
      });
    });
    this.server.keepAliveTimeout = 65_000;
  }

  listen(port: number, host = '127.0.0.1'): Promise<string> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        const addr = this.server.address() as AddressInfo;
        resolve(`http://${host}:${addr.port}`);
      });
    });
  }

  /**
   * Stops accepting: the listener closes, a request that still arrives on an open connection is answered 503,
   * requests in flight are answered (with `connection: close`); resolves once every connection is closed.
   */
  close(): Promise<void> {
    this.closing = true;
    for (const res of this.active) if (!res.headersSent) res.setHeader('connection', 'close');
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }

  /** One of API Gateway's own answers (GATEWAY_RESPONSES), as the deployed API's GatewayResponse renders it. */
  private refuse(
    res: http.ServerResponse,
    requestId: string,
    type: GatewayResponseType,
    own: { status?: number; message?: string; headers?: Record<string, string> } = {},
  ): number {
    const r: GatewayResponse = GATEWAY_RESPONSES[type];
    const status = r.status ?? own.status ?? (type === 'DEFAULT_5XX' ? 500 : 400);
    send(
      res,
      status,
      { code: r.code, message: r.message ?? own.message ?? INTERNAL_SERVER_ERROR, ...r.details, requestId },
      { 'x-amzn-requestid': requestId, ...this.gatewayCors, ...own.headers },
    );
    return status;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    let refusedWith: string | undefined;
    const finish = (status: number, functionName?: string, detail = refusedWith) =>
      this.opts.onRequest?.({
        method,
        path: url.pathname,
        status,
        ms: Date.now() - started,
        functionName,
        ...(detail ? { detail } : {}),
      });
    const requestId = randomUUID();
    // The gateway's own refusals have the shape of the handlers' errors: {code, message, requestId}.
    const refuse = (type: GatewayResponseType, own: Parameters<LocalApi['refuse']>[3] = {}) => {
      refusedWith = GATEWAY_RESPONSES[type].code;
      return this.refuse(res, requestId, type, own);
    };
    if (this.closing) {
      req.resume();
      refuse('DEFAULT_5XX', {
        status: 503,
        message: STOPPING_MESSAGE,
        headers: { connection: 'close', 'retry-after': '1' },
      });
      return finish(503, undefined, 'STOPPING');
    }
    if (this.athena.accepts(req, url)) {
      const answer = await this.athena.serve(req, res, url);
      return finish(answer.status, 'athena', answer.detail);
    }

    const matching = this.routes
      .map((r) => ({ r, m: r.pattern.exec(url.pathname) }))
      .filter((x): x is { r: CompiledRoute; m: RegExpExecArray } => x.m !== null);
    // A REST API answers an unknown path, or a method the path does not have, as an unsigned request.
    if (matching.length === 0) return finish(refuse('MISSING_AUTHENTICATION_TOKEN'));
    const corsRoute = matching.find((x) => x.r.cors)?.r;
    if (method === 'OPTIONS' && corsRoute?.cors) {
      const cors = corsRoute.cors;
      const allowed = cors.origin.split(',').map((s) => s.trim());
      const origin = req.headers.origin;
      const allowOrigin = allowed.includes('*')
        ? '*'
        : origin && allowed.includes(origin)
          ? origin
          : allowed[0]!;
      res.writeHead(200, {
        'access-control-allow-origin': allowOrigin,
        'access-control-allow-headers': cors.headers.join(','),
        'access-control-allow-methods': [
          'OPTIONS',
          ...matching.filter((x) => x.r.cors).map((x) => x.r.method),
        ].join(','),
        ...(cors.allowCredentials ? { 'access-control-allow-credentials': 'true' } : {}),
      });
      res.end();
      return finish(200);
    }
    const hit = matching.find((x) => x.r.method === method || x.r.method === 'ANY');
    if (!hit) return finish(refuse('MISSING_AUTHENTICATION_TOKEN'));
    const { r: route, m } = hit;

    const presented = req.headers['x-api-key'];
    const apiKey = Array.isArray(presented) ? presented[0] : presented;
    if (route.private) {
      // aws_iam routes: no key is an unsigned request, a wrong one a signature that does not verify; API-key
      // routes: API Gateway answers a missing and a wrong key alike.
      if (!apiKey || !keysEqual(apiKey, this.opts.apiKey)) {
        const type = !route.iam
          ? 'API_KEY_INVALID'
          : apiKey
            ? 'INVALID_SIGNATURE'
            : 'MISSING_AUTHENTICATION_TOKEN';
        return finish(refuse(type), route.functionName);
      }
    }

    const body = await readBody(req, API_GATEWAY_MAX_PAYLOAD);
    if (body === null)
      return finish(refuse('REQUEST_TOO_LARGE', { headers: { connection: 'close' } }), route.functionName);

    // The request validator (request.schemas): the function never sees a body that is not JSON of its model.
    const contentType = req.headers['content-type'];
    if (!bodyPassesValidator(route.models, contentType, body))
      return finish(refuse('BAD_REQUEST_BODY'), route.functionName);

    const headers: Record<string, string> = {};
    const multiValueHeaders: Record<string, string[]> = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const k = req.rawHeaders[i]!;
      const v = req.rawHeaders[i + 1]!;
      headers[k] = v;
      (multiValueHeaders[k] ??= []).push(v);
    }
    const query: Record<string, string> = {};
    const multiQuery: Record<string, string[]> = {};
    for (const [k, v] of url.searchParams) {
      query[k] = v;
      (multiQuery[k] ??= []).push(v);
    }
    const pathParameters: Record<string, string> = {};
    // Decoded like API Gateway does; a malformed percent-escape is passed as written, for the handler to refuse.
    route.paramNames.forEach((name, i) => (pathParameters[name] = decodePathParameter(m[i + 1]!)));
    const textual = body.length === 0 || isUtf8(body);
    const event = {
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
        path: `/${this.opts.stage}${url.pathname}`,
        stage: this.opts.stage,
        requestId,
        extendedRequestId: requestId,
        requestTime: new Date(started).toUTCString(),
        requestTimeEpoch: started,
        protocol: `HTTP/${req.httpVersion}`,
        domainName: req.headers.host ?? 'localhost',
        identity: {
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
          userAgent: req.headers['user-agent'] ?? null,
          apiKey: route.private ? apiKey : null,
          apiKeyId: route.private ? 'local' : null,
        },
        authorizer: null,
      },
      body: body.length === 0 ? null : textual ? body.toString('utf8') : body.toString('base64'),
      isBase64Encoded: !textual,
    } as unknown as APIGatewayProxyEvent;

    const timeoutSeconds = route.fn.timeout ?? this.opts.defaultTimeoutSeconds ?? 6;
    const deadline = started + timeoutSeconds * 1000;
    const functionName = `${this.opts.service}-${this.opts.stage}-${route.functionName}`;
    const context: Context = {
      callbackWaitsForEmptyEventLoop: false,
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
      memoryLimitInMB: String(route.fn.memorySize ?? 1024),
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: 'local',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };

    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.min(timeoutSeconds, 29) * 1000);
    });
    let result: APIGatewayProxyResult | 'timeout';
    try {
      result = await Promise.race([loadHandler(route.fn.handler)(event, context), timeout]);
    } catch (err) {
      this.opts.onError?.(err as Error, { functionName, requestId });
      return finish(refuse('DEFAULT_5XX', { status: 502 }), route.functionName);
    } finally {
      clearTimeout(timer);
    }
    if (result === 'timeout') return finish(refuse('INTEGRATION_TIMEOUT'), route.functionName);
    if (!result || typeof result.statusCode !== 'number') {
      this.opts.onError?.(new Error('handler returned a malformed proxy response'), {
        functionName,
        requestId,
      });
      return finish(refuse('DEFAULT_5XX', { status: 502 }), route.functionName);
    }
    const outHeaders: Record<string, string | string[]> = { 'x-amzn-requestid': requestId };
    for (const [k, v] of Object.entries(result.headers ?? {})) outHeaders[k.toLowerCase()] = String(v);
    for (const [k, v] of Object.entries(result.multiValueHeaders ?? {}))
      outHeaders[k.toLowerCase()] = v.map(String);
    res.writeHead(result.statusCode, outHeaders);
    res.end(result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? ''));
    const detail =
      this.opts.onRequest && !result.isBase64Encoded
        ? responseSummary(result.statusCode, result.body)
        : undefined;
    finish(result.statusCode, route.functionName, detail);
  }
}
