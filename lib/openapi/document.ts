/**
 * The OpenAPI 3.1 document of the whole HTTP API, generated from serverless.yml's http events (paths, methods,
 * authorisation: aws_iam → SigV4, private → the API key header), schemas/ (request and response bodies: ./schemas.ts)
 * and the error codes each route answers (./routes.ts, ./error-codes.ts). Written by `sls package`
 * (resources/plugins/openapi.js → .serverless/openapi.json) and served by the local lake at GET /openapi.json
 * (local/openapi-route.ts).
 */
import { FUNCTION_ERRORS, ROUTE_DOCS } from './routes';
import { gatewayErrors, statusesOf } from './error-codes';
import { apiRoutes, type ApiRoute, type FunctionsLike } from './http-events';
import { componentSchemas } from './schemas';
import { queryLimits } from '../query/settings';

export const OPENAPI_PATH = '/openapi.json';

export interface DocumentOptions {
  functions: FunctionsLike;
  schemasDir: string;
  service: string;
  stage: string;
  version: string;
  /** The local lake's address as the client reached it (GET /openapi.json); default http://localhost:3000. */
  localUrl?: string;
}

/** POST /queries' `wait` bounded as the function bounds it (QUERY_MAX_WAIT_SECONDS, lib/query/settings.ts). */
function withQueryLimits(schemas: Record<string, unknown>): Record<string, unknown> {
  const request = schemas.QueryRequest as { properties?: { wait?: Record<string, unknown> } } | undefined;
  if (request?.properties?.wait) request.properties.wait.maximum = queryLimits().maxWaitSeconds;
  return schemas;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });

/** The statuses whose answer may say when to retry (Retry-After): a busy query or table, throttling, a 503. */
const RETRY_STATUSES = ['409', '429', '503'];

/** x-correlation-id as lib/logger.ts takes it (visible ASCII, 1-128 characters; another is replaced). */
const CORRELATION_ID = {
  description:
    "The caller's correlation id, echoed in the answer and in the lake's log lines; absent or another form: the " +
    "request's id is used.",
  schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,128}$' },
};

const SECURITY = {
  iam: [{ sigv4: [] }, { lakeApiKey: [] }],
  apiKey: [{ producerApiKey: [] }],
  none: [],
} as const;

function errorResponses(codes: string[]): Record<string, unknown> {
  const byStatus = new Map<number, Set<string>>();
  for (const code of codes)
    for (const status of statusesOf(code))
      byStatus.set(status, (byStatus.get(status) ?? new Set()).add(code));
  const out: Record<string, unknown> = {};
  for (const [status, set] of [...byStatus].sort(([a], [b]) => a - b)) {
    const list = [...set].sort();
    out[String(status)] = {
      description: list.join(', '),
      content: {
        'application/json': {
          schema: { allOf: [ref('Error'), { properties: { code: { enum: list } } }] },
        },
      },
    };
  }
  return out;
}

function operation(route: ApiRoute): Record<string, unknown> {
  const key = `${route.method} ${route.path}`;
  const doc = ROUTE_DOCS[key];
  if (!doc) throw new Error(`serverless.yml declares ${key}, which lib/openapi/routes.ts does not document`);
  const pathParams = [...route.path.matchAll(/\{(\w+)\+?\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const errors = [
    ...new Set([...doc.errors, ...FUNCTION_ERRORS, ...gatewayErrors(route.auth, route.hasBodyModel)]),
  ];
  const responses: Record<string, unknown> = errorResponses(errors);
  for (const [status, schema] of Object.entries(doc.responses))
    responses[status] = { description: schema, content: { 'application/json': { schema: ref(schema) } } };
  // The headers a client reads: its correlation id echoed (on the functions' answers), when to retry.
  for (const [status, response] of Object.entries(responses))
    (response as Record<string, unknown>).headers = {
      'x-correlation-id': headerRef('CorrelationId'),
      ...(RETRY_STATUSES.includes(status) ? { 'retry-after': headerRef('RetryAfter') } : {}),
    };
  return {
    operationId: `${route.method.toLowerCase()}${route.path.replace(/[{}]/g, '').replace(/\/(\w)/g, (_, c: string) => c.toUpperCase())}`,
    summary: doc.summary,
    'x-lake-function': route.functionName,
    security: SECURITY[route.auth],
    parameters: [
      ...pathParams,
      { $ref: '#/components/parameters/CorrelationId' },
      ...(doc.parameters ?? []).map((p) => ({ ...p, in: 'query', required: false })),
    ],
    ...(doc.requestBody
      ? { requestBody: { required: true, content: { 'application/json': { schema: ref(doc.requestBody) } } } }
      : {}),
    responses,
  };
}

export function openApiDocument(opts: DocumentOptions): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of apiRoutes(opts.functions))
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route);
  paths[OPENAPI_PATH] = {
    get: {
      operationId: 'getOpenapiJson',
      summary:
        'This document. Served by the local lake (no key); on AWS, `sls package` writes it to .serverless/openapi.json.',
      security: [],
      responses: {
        200: { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } },
      },
    },
  };
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: `${opts.service} HTTP API`,
      version: opts.version,
      description:
        `Stage ${opts.stage}. Every error is {code, message, ...details, requestId}: the codes each route answers are ` +
        "listed under its statuses. Routes authorised by IAM take SigV4-signed requests on AWS and the lake's API key " +
        '(x-api-key) on the local lake.',
    },
    servers: [
      { url: opts.localUrl ?? 'http://localhost:3000', description: 'The local lake (npm start)' },
      {
        url: 'https://{restApiId}.execute-api.{region}.amazonaws.com/{stage}',
        description: 'A deployed stage',
        variables: {
          restApiId: { default: 'api' },
          region: { default: 'us-east-1' },
          stage: { default: opts.stage },
        },
      },
    ],
    paths,
    components: {
      schemas: withQueryLimits(componentSchemas(opts.schemasDir)),
      parameters: {
        CorrelationId: { name: 'x-correlation-id', in: 'header', required: false, ...CORRELATION_ID },
      },
      headers: {
        CorrelationId: CORRELATION_ID,
        RetryAfter: {
          description: 'Seconds to wait before asking again (a 429, a 503, a query still running).',
          schema: { type: 'integer', minimum: 0 },
        },
      },
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description:
            'AWS Signature Version 4 (execute-api:Invoke; QueryApiCallerPolicy, ConsoleApiCallerPolicy).',
          'x-amazon-apigateway-authtype': 'awsSigv4',
        },
        lakeApiKey: {
          type: 'apiKey',
          in: 'header',
          name: 'x-api-key',
          description: "The local lake's key (printed by npm start, in .lake/api-key), in place of SigV4.",
        },
        producerApiKey: {
          type: 'apiKey',
          in: 'header',
          name: 'x-api-key',
          description: 'A producer API key of the stage.',
        },
      },
    },
  };
}
