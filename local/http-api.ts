/**
 * The local API Gateway: serves the http routes serverless.yml declares by invoking the same handler modules with
 * REST-API (Lambda proxy) shaped events, with API-key checks on private routes, CORS preflight, API Gateway's
 * payload limit, its request validator (the routes' `request.schemas`) and the function's timeout. What it refuses
 * itself it answers as the deployed API does: from the one table of lib/gateway-responses.json that the deployed
 * API's GatewayResponses are generated from (resources/api-gateway-responses.cjs).
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { ValidateFunction } from 'ajv';
import { AthenaApi } from './athena';
import { compressedResponse } from './response-compression';
import { ClientActivity } from './client-activity';
import { isConsolePath, serveConsole } from './console-static';
import { invokeFunction, type Invocation, type InvocationOutcome } from './function-invoker';
import {
  GATEWAY_RESPONSES,
  send,
  sendGatewayResponse,
  type GatewayResponseType,
  type RefusalOptions,
} from './gateway-responses';
import { compile, type CompiledRoute } from './http-routes';
import { isOpenApiRequest, serveOpenApi } from './openapi-route';
import { contextSpec, LAMBDA_MAX_PAYLOAD, overLambdaPayload, proxyEvent } from './proxy-event';
import { API_GATEWAY_MAX_PAYLOAD, decodedBody, readBody } from './request-body';
import { responseSummary } from './request-summary';
import type { Route } from './service-config';
import { header } from '../lib/http';

export { bodyPassesValidator, compileRequestModel } from './http-routes';
export { responseSummary } from './request-summary';
export { API_GATEWAY_MAX_PAYLOAD } from './request-body';
export { GATEWAY_RESPONSES, type GatewayResponse, type GatewayResponseType } from './gateway-responses';

/**
 * Runs some functions' invocations elsewhere (local/function-workers.ts: worker threads); a function it does not
 * take runs in the gateway's thread.
 */
export interface FunctionRunner {
  takes(functionName: string): boolean;
  invoke(functionName: string, invocation: Invocation, hints?: InvokeHints): Promise<InvocationOutcome>;
}

/** What the gateway knows of an invocation it hands to a FunctionRunner. */
export interface InvokeHints {
  /** No other client sent a request lately (local/client-activity.ts). */
  alone: boolean;
  /** The route's request validator models, to run the invocation in the gateway's thread (invokeFunction). */
  models: Map<string, ValidateFunction>;
}

export interface LocalApiOptions {
  routes: Route[];
  apiKey: string;
  stage: string;
  service: string;
  defaultTimeoutSeconds?: number;
  /** provider.apiGateway.minimumCompressionSize: responses of at least this many bytes are compressed. */
  minimumCompressionSize?: number | undefined;
  /** API Gateway's integration timeout, 29 s (tests shorten it). */
  integrationTimeoutSeconds?: number;
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
  /** A client closed its connection before its request was read whole (not an error of the lake's). */
  onClientGone?: (info: Record<string, unknown>) => void;
  /** Where some functions run instead of this thread (the lake: ingest in worker threads). */
  functions?: FunctionRunner;
}

function keysEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Requests being answered by every LocalApi of this process. */
const answering = new Set<http.ServerResponse>();

/** How many requests the local API Gateways of this process are answering (a stopping lake waits for them). */
export function requestsInFlight(): number {
  return answering.size;
}

/** The answer to a request that arrives while the API stops (on a connection opened before). */
const STOPPING_MESSAGE = 'the local lake is stopping: retry once it has restarted';

/** How long a stop waits for the requests in flight: past API Gateway's 29 s, no request could still be answered. */
const CLOSE_GRACE_MS = 30_000;

export class LocalApi {
  readonly server: http.Server;
  private readonly routes: CompiledRoute[];
  /** The gateway responses' Access-Control-Allow-Origin: the stage's corsOrigins when it is `*` or one origin. */
  private readonly gatewayCors: Record<string, string>;
  /** close() was called: new requests are refused (503), those in flight are answered, then connections close. */
  private closing = false;
  private readonly active = new Set<http.ServerResponse>();
  private readonly clients = new ClientActivity();
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
        // A client that went away before its request was read whole: nothing failed here, and no one to answer.
        if ((err as NodeJS.ErrnoException).code === 'ECONNRESET' && req.destroyed) {
          opts.onClientGone?.({ method: req.method, url: req.url });
          return;
        }
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
        // An IPv6 address in brackets (http://[::1]:3000), as a URL has it.
        resolve(`http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`);
      });
    });
  }

  /**
   * Stops accepting: the listener closes, a request that still arrives on an open connection is answered 503,
   * requests in flight are answered (with `connection: close`); resolves once every connection is closed.
   */
  /**
   * Stops taking requests and answers those in flight; a connection still open `graceMs` later (a client that never
   * finishes its body: Node stops timing requests out once the server closes) is cut, as API Gateway's 29 s
   * integration timeout would have ended any request by then.
   */
  close(graceMs = CLOSE_GRACE_MS): Promise<void> {
    this.closing = true;
    for (const res of this.active) if (!res.headersSent) res.setHeader('connection', 'close');
    return new Promise((resolve) => {
      const cut = setTimeout(() => this.server.closeAllConnections(), graceMs);
      this.server.close(() => {
        clearTimeout(cut);
        resolve();
      });
      this.server.closeIdleConnections();
    });
  }

  /** One of API Gateway's own answers (GATEWAY_RESPONSES), as the deployed API's GatewayResponse renders it. */
  private refuse(
    res: http.ServerResponse,
    requestId: string,
    type: GatewayResponseType,
    own: RefusalOptions = {},
  ): number {
    return sendGatewayResponse(res, requestId, type, this.gatewayCors, own);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = Date.now();
    const alone = this.clients.request(req.socket, started);
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
    // The console's static files (local/console-static.ts): no key; its data calls go through the routes below.
    if (isConsolePath(url.pathname)) return finish(await serveConsole(req, res, url), 'console');
    // The OpenAPI document (local/openapi-route.ts): no key, as `sls package` writes it for AWS.
    if (isOpenApiRequest(method, url.pathname))
      return finish(serveOpenApi(req, res, this.opts, this.gatewayCors), 'openapi');

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

    const sent = await readBody(req, API_GATEWAY_MAX_PAYLOAD);
    if (sent === null)
      return finish(refuse('REQUEST_TOO_LARGE', { headers: { connection: 'close' } }), route.functionName);
    // Payload compression is enabled on the API: a gzip or deflate body is decoded before anything else sees it.
    const body = decodedBody(sent, req.headers['content-encoding']);
    if (body === 'unsupported') return finish(refuse('UNSUPPORTED_MEDIA_TYPE'), route.functionName);
    if (body === 'too-large') return finish(refuse('REQUEST_TOO_LARGE'), route.functionName);

    const event = proxyEvent({
      req,
      url,
      method,
      route,
      match: m,
      body,
      stage: this.opts.stage,
      requestId,
      started,
      apiKey,
    });
    const oversized = overLambdaPayload(event);
    if (oversized !== undefined) {
      // Not an answer API Gateway has: there the invocation fails, and it answers an error of its own.
      send(
        res,
        413,
        {
          code: 'PAYLOAD_TOO_LARGE',
          message:
            `the request's Lambda event is ${oversized} bytes, over Lambda's ${LAMBDA_MAX_PAYLOAD}-byte ` +
            'invocation payload limit (the body, escaped as a JSON string, is most of it); on AWS API Gateway ' +
            'cannot invoke the function and answers an error of its own, not this one: send fewer events per request',
          limit: LAMBDA_MAX_PAYLOAD,
          size: oversized,
          requestId,
        },
        { 'x-amzn-requestid': requestId, ...this.gatewayCors },
      );
      return finish(413, route.functionName, 'PAYLOAD_TOO_LARGE');
    }
    const timeoutSeconds = route.fn.timeout ?? this.opts.defaultTimeoutSeconds ?? 6;
    const functionName = `${this.opts.service}-${this.opts.stage}-${route.functionName}`;
    // The function's time starts when it is invoked: API Gateway reads the whole body first. Counted from the
    // request's arrival, a body sent slowly left the handler no time: it stored the events and answered 500.
    const invokedAt = Date.now();
    const invocation: Invocation = {
      handler: route.fn.handler,
      event,
      context: contextSpec(functionName, route.fn.memorySize, invokedAt + timeoutSeconds * 1000),
      // The content type the handler reads (the proxy event's header): with the header sent twice, Node's first and
      // the event's last differed, and a body could skip the request validator the handler then judged as JSON.
      contentType: header(event, 'content-type'),
    };
    const runner = this.opts.functions;

    // Whichever ends first: the function's own timeout (Lambda stops it: API Gateway answers 502, as for a crash) or
    // API Gateway's integration timeout (504), which only a function allowed longer than it can reach.
    const integrationSeconds = this.opts.integrationTimeoutSeconds ?? 29;
    const functionTimesOut = timeoutSeconds < integrationSeconds;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.min(timeoutSeconds, integrationSeconds) * 1000);
    });
    let outcome: InvocationOutcome | 'timeout';
    try {
      // The request validator (request.schemas) first: the function never sees a body that is not JSON of its model.
      const running = runner?.takes(route.functionName)
        ? runner.invoke(route.functionName, invocation, { alone, models: route.models })
        : invokeFunction(invocation, route.models);
      outcome = await Promise.race([running, timeout]);
    } catch (err) {
      this.opts.onError?.(err as Error, { functionName, requestId });
      return finish(refuse('DEFAULT_5XX', { status: 502 }), route.functionName);
    } finally {
      clearTimeout(timer);
    }
    if (outcome !== 'timeout' && 'refused' in outcome)
      return finish(refuse(outcome.refused), route.functionName);
    const result = outcome === 'timeout' ? outcome : (outcome.result as APIGatewayProxyResult | undefined);
    if (result === 'timeout' && functionTimesOut) {
      this.opts.onError?.(new Error(`Task timed out after ${timeoutSeconds} seconds`), {
        functionName,
        requestId,
      });
      return finish(refuse('DEFAULT_5XX', { status: 502 }), route.functionName);
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
    const answer = compressedResponse(
      Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8'),
      req.headers['accept-encoding'],
      outHeaders,
      this.opts.minimumCompressionSize,
    );
    res.writeHead(result.statusCode, outHeaders);
    res.end(answer);
    const detail =
      this.opts.onRequest && !result.isBase64Encoded
        ? responseSummary(result.statusCode, result.body)
        : undefined;
    finish(result.statusCode, route.functionName, detail);
  }
}
