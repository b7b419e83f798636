/**
 * The local API Gateway: serves the http routes serverless.yml declares by invoking the same handler modules with
 * REST-API (Lambda proxy) shaped events, with API-key checks on private routes, CORS preflight, API Gateway's
 * payload limit and the function's timeout.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { projectRoot, type Route } from './service-config';

/** API Gateway's largest request payload. */
export const API_GATEWAY_MAX_PAYLOAD = 10 * 1024 * 1024;

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
  }) => void;
  onError?: (err: Error, info: Record<string, unknown>) => void;
}

interface CompiledRoute extends Route {
  pattern: RegExp;
  paramNames: string[];
}

function compile(route: Route): CompiledRoute {
  const paramNames: string[] = [];
  const source = route.resource
    .split('/')
    .map((seg) => {
      const m = /^\{([^}+]+)(\+)?\}$/.exec(seg);
      if (!m) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      paramNames.push(m[1]!);
      return m[2] ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return { ...route, pattern: new RegExp(`^${source}/?$`), paramNames };
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

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limit) return resolve(null);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        resolve(null);
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export class LocalApi {
  readonly server: http.Server;
  private readonly routes: CompiledRoute[];

  constructor(private readonly opts: LocalApiOptions) {
    this.routes = opts.routes.map(compile);
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        opts.onError?.(err as Error, { method: req.method, url: req.url });
        if (!res.headersSent) send(res, 502, { message: 'Internal server error' });
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

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const finish = (status: number, functionName?: string) =>
      this.opts.onRequest?.({ method, path: url.pathname, status, ms: Date.now() - started, functionName });
    const requestId = randomUUID();
    // The gateway's own refusals have the shape of the handlers' errors: {code, message, requestId}.
    const refuse = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
      send(res, status, { code, message, requestId }, { 'x-amzn-requestid': requestId, ...headers });

    const matching = this.routes
      .map((r) => ({ r, m: r.pattern.exec(url.pathname) }))
      .filter((x): x is { r: CompiledRoute; m: RegExpExecArray } => x.m !== null);
    if (matching.length === 0) {
      refuse(404, 'NOT_FOUND', `no route for ${url.pathname}`);
      return finish(404);
    }
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
    if (!hit) {
      refuse(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${url.pathname}`);
      return finish(405);
    }
    const { r: route, m } = hit;

    const presented = req.headers['x-api-key'];
    const apiKey = Array.isArray(presented) ? presented[0] : presented;
    if (route.private) {
      if (!apiKey) {
        refuse(401, 'UNAUTHORIZED', 'missing API key (x-api-key header)');
        return finish(401, route.functionName);
      }
      if (!keysEqual(apiKey, this.opts.apiKey)) {
        refuse(403, 'FORBIDDEN', 'invalid API key');
        return finish(403, route.functionName);
      }
    }

    const body = await readBody(req, API_GATEWAY_MAX_PAYLOAD);
    if (body === null) {
      refuse(413, 'PAYLOAD_TOO_LARGE', `request body exceeds ${API_GATEWAY_MAX_PAYLOAD} bytes`, {
        connection: 'close',
      });
      return finish(413, route.functionName);
    }

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
      send(res, 502, { message: 'Internal server error' });
      return finish(502, route.functionName);
    } finally {
      clearTimeout(timer);
    }
    if (result === 'timeout') {
      send(res, 504, { message: 'Endpoint request timed out' });
      return finish(504, route.functionName);
    }
    if (!result || typeof result.statusCode !== 'number') {
      this.opts.onError?.(new Error('handler returned a malformed proxy response'), {
        functionName,
        requestId,
      });
      send(res, 502, { message: 'Internal server error' });
      return finish(502, route.functionName);
    }
    const outHeaders: Record<string, string | string[]> = { 'x-amzn-requestid': requestId };
    for (const [k, v] of Object.entries(result.headers ?? {})) outHeaders[k.toLowerCase()] = String(v);
    for (const [k, v] of Object.entries(result.multiValueHeaders ?? {}))
      outHeaders[k.toLowerCase()] = v.map(String);
    res.writeHead(result.statusCode, outHeaders);
    res.end(result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? ''));
    finish(result.statusCode, route.functionName);
  }
}
