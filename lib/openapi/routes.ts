/**
 * What the OpenAPI document says of each route beyond serverless.yml (which gives paths, methods and
 * authorisation): a summary, the query parameters, the request body, the success answer and the error codes the
 * function answers (API Gateway's own are added by authorisation: ./error-codes.ts). A route of serverless.yml
 * missing here makes the generator fail, so the document cannot fall behind the API.
 */

export interface RouteDoc {
  summary: string;
  parameters?: { name: string; description: string; schema: Record<string, unknown> }[];
  /** A schema name of schemas/api/, or 'IngestBody' (built from the envelope and schemas/events). */
  requestBody?: string;
  /** status → schema name of schemas/api/. */
  responses: Record<number, string>;
  errors: string[];
}

const JSON_BODY = ['MALFORMED_JSON', 'UNSUPPORTED_MEDIA_TYPE', 'PAYLOAD_TOO_LARGE'];
const LIMIT = {
  name: 'limit',
  description: 'Items per page (default 50).',
  schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
};
const NEXT_TOKEN = {
  name: 'nextToken',
  description: "The previous page's nextToken (opaque).",
  schema: { type: 'string' },
};

export const ROUTE_DOCS: Record<string, RouteDoc> = {
  'POST /events': {
    summary: 'Ingest one event or a batch of up to 500 (each validated against schemas/events/<type>.json).',
    requestBody: 'IngestBody',
    responses: { 202: 'IngestAccepted' },
    errors: [
      ...JSON_BODY,
      'INVALID_BODY',
      'TOO_MANY_EVENTS',
      'VALIDATION_FAILED',
      'DELIVERY_FAILED',
      'STORAGE_FULL',
    ],
  },
  'POST /queries': {
    summary: 'Start a read-only SQL query; wait up to `wait` seconds for its first page.',
    requestBody: 'QueryRequest',
    responses: { 200: 'QueryStatus', 202: 'QueryStatus' },
    errors: [
      ...JSON_BODY,
      'INVALID_BODY',
      'INVALID_PARAMETER',
      'QUERY_NOT_ALLOWED',
      'QUERY_REJECTED',
      'TOO_MANY_QUERIES',
      'ROW_TOO_LARGE',
    ],
  },
  'GET /queries/{id}': {
    summary: "A query's state, times and data scanned.",
    responses: { 200: 'QueryStatus' },
    errors: ['QUERY_NOT_FOUND', 'INVALID_PARAMETER', 'TOO_MANY_QUERIES'],
  },
  'GET /queries/{id}/results': {
    summary: "A page of a finished query's rows.",
    parameters: [
      {
        name: 'maxRows',
        description: 'Rows per page.',
        schema: { type: 'integer', minimum: 1, maximum: 1000 },
      },
      NEXT_TOKEN,
    ],
    responses: { 200: 'QueryResults' },
    errors: [
      'QUERY_NOT_FOUND',
      'QUERY_NOT_SUCCEEDED',
      'ROW_TOO_LARGE',
      'INVALID_PARAMETER',
      'TOO_MANY_QUERIES',
    ],
  },
  'DELETE /queries/{id}': {
    summary: 'Cancel a query (409 if it had already finished).',
    responses: { 200: 'QueryStatus', 202: 'QueryStatus' },
    errors: ['QUERY_NOT_FOUND', 'QUERY_ALREADY_FINISHED', 'INVALID_PARAMETER', 'TOO_MANY_QUERIES'],
  },
  'GET /tables': {
    summary: 'Every table of the lake with its columns, keys and schema version.',
    responses: { 200: 'Tables' },
    errors: [
      'INVALID_PARAMETER',
      'CATALOG_NOT_CONFIGURED',
      'CATALOG_DATABASE_NOT_FOUND',
      'CATALOG_UNAVAILABLE',
      'CATALOG_ERROR',
    ],
  },
  'GET /executions': {
    summary: "The ETL state machine's executions, newest first, with their input.",
    parameters: [
      {
        name: 'status',
        description: 'Only executions of this status.',
        schema: { enum: ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] },
      },
      LIMIT,
      NEXT_TOKEN,
    ],
    responses: { 200: 'ExecutionList' },
    errors: ['INVALID_PARAMETER'],
  },
  'POST /executions': {
    summary: 'Start a replay or a rebuild of a table (as `npm run replay|rebuild`).',
    requestBody: 'StartExecutionRequest',
    responses: { 202: 'ExecutionStarted' },
    errors: [...JSON_BODY, 'INVALID_BODY', 'INVALID_PARAMETER', 'UNKNOWN_TABLE', 'SCHEMAS_REFUSED'],
  },
  'GET /executions/{name}': {
    summary:
      'One execution whole: its outcome, figures, the states it visited, its notices and the definition.',
    responses: { 200: 'Execution' },
    errors: ['EXECUTION_NOT_FOUND', 'INVALID_PARAMETER'],
  },
  'POST /executions/{name}/retry': {
    summary: 'Start a FAILED, TIMED_OUT or ABORTED execution again with the same input.',
    responses: { 202: 'ExecutionStarted' },
    errors: ['EXECUTION_NOT_FOUND', 'EXECUTION_NOT_RETRYABLE', 'INVALID_PARAMETER'],
  },
  'GET /uploads/quarantine': {
    summary: 'The quarantined uploads, newest first, each with its reason.',
    parameters: [LIMIT, NEXT_TOKEN],
    responses: { 200: 'QuarantineList' },
    errors: ['INVALID_PARAMETER'],
  },
  'GET /ingest/stats': {
    summary:
      'Events accepted and refused per type over the last hours, the latest refusals, the delivery buffer.',
    parameters: [
      {
        name: 'hours',
        description: 'Hours back from now.',
        schema: { type: 'integer', minimum: 1, maximum: 168, default: 24 },
      },
    ],
    responses: { 200: 'IngestStats' },
    errors: ['INVALID_PARAMETER'],
  },
};

/**
 * Errors every function answers (lib/http-middleware.ts). Not METHOD_NOT_ALLOWED: the functions' 405 is a guard for a
 * route they were not given; the gateway (deployed and local) routes only the declared methods and answers any other
 * itself (MISSING_AUTHENTICATION_TOKEN: 401 UNAUTHORIZED, lib/gateway-responses.json).
 */
export const FUNCTION_ERRORS = ['INTERNAL_ERROR'];
