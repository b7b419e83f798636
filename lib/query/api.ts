/**
 * The query API over any engine (functions/queries.ts routes to these):
 *   POST   /queries                  {"sql", "wait"?, "maxRows"?} → 202 {id, state, ...}; 200 with the first page
 *                                    if the query finished within `wait` seconds
 *   GET    /queries/{id}             → 200 status (state, times, dataScannedBytes, engineTimeMs, reason)
 *   GET    /queries/{id}/results     ?maxRows=&nextToken= → 200 {columns, rows, nextToken}
 *   DELETE /queries/{id}             → 200 (cancelled) or 202 (stopping); 409 if it had already finished
 *   GET    /tables                   → 200 {database, tables: [...]} (lib/catalog/describe.ts; errors: ./tables.ts)
 * Errors: 400 QUERY_NOT_ALLOWED (the guard's reason) / INVALID_PARAMETER (with `field`) / INVALID_BODY,
 * 404 QUERY_NOT_FOUND, 409 QUERY_NOT_SUCCEEDED / QUERY_ALREADY_FINISHED, 429 TOO_MANY_QUERIES (Retry-After).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ApiError, ErrorCode } from '../errors';
import { json, parseJsonBody, pathParameter } from '../http';
import { logger } from '../logger';
import { lakeDatabase, lakeTableNames, queryLimits } from './settings';
import type { TableCatalog } from './tables';
import { checkQuery, QueryNotAllowedError } from './sql-guard';
import {
  EngineBusyError,
  InvalidPageTokenError,
  isFinished,
  QUERY_ID,
  QueryErrorCode,
  QueryNotFoundError,
  QueryNotSucceededError,
  QueryRejectedError,
  RowTooLargeError,
  type PageRequest,
  type QueryEngine,
  type QueryStatus,
  type ResultPage,
} from './types';

/** Time kept back from the Lambda deadline for fetching the first page and answering. */
const RESPONSE_MARGIN_MS = 3000;

/** A Lambda response's payload, at most (6 MB), less room for the proxy response around the body. */
const MAX_RESPONSE_BYTES = 6 * 1024 * 1024 - 16 * 1024;
/**
 * A row stored longer than this is not read (the local engine): no response could carry it. A json cell's text may
 * hold blanks its value drops: a row up to this is read and measured as the response gives it.
 */
const MAX_STORED_ROW_BYTES = 4 * MAX_RESPONSE_BYTES;

/**
 * A page of results that a response can carry, on both runtimes: its rows as asked, or fewer when their JSON, as the
 * proxy response holds it (escaped again), is over Lambda's 6 MB (API Gateway would answer 502); its nextToken
 * goes on from the last row given. A single row over it cannot be given at all: 409 ROW_TOO_LARGE.
 */
async function fittingPage(
  engine: QueryEngine,
  id: string,
  req: PageRequest,
  around: Record<string, unknown>,
): Promise<ResultPage> {
  const rowTooLarge = (size: string, bytes: number) =>
    new ApiError(
      409,
      QueryErrorCode.RowTooLarge,
      `a row of query ${id} is ${size} bytes as JSON: a response carries at most ${MAX_RESPONSE_BYTES} ` +
        '(Lambda); select fewer or shorter columns (substr, or parts of a long value)',
      { id, bytes, limit: MAX_RESPONSE_BYTES },
    );
  for (let maxRows = req.maxRows; ;) {
    let page: ResultPage;
    try {
      page = await engine.results(id, { ...req, maxRows, maxRowBytes: MAX_STORED_ROW_BYTES });
    } catch (e) {
      if (e instanceof RowTooLargeError) throw rowTooLarge(`more than ${e.bytes}`, e.bytes);
      throw e;
    }
    const bytes = Buffer.byteLength(JSON.stringify(JSON.stringify({ ...around, ...page })), 'utf8');
    if (bytes <= MAX_RESPONSE_BYTES) return page;
    if (page.rows.length <= 1) throw rowTooLarge(String(bytes), bytes);
    // As many rows as fit at the rows' mean size, and fewer each round.
    maxRows = Math.max(
      1,
      Math.min(page.rows.length - 1, Math.floor((page.rows.length * MAX_RESPONSE_BYTES) / bytes)),
    );
  }
}

const invalid = (field: string, message: string, extra: Record<string, unknown> = {}) =>
  new ApiError(400, QueryErrorCode.InvalidParameter, message, { field, ...extra });

export interface StartRequest {
  sql: string;
  waitSeconds: number;
  maxRows: number;
}

export function parseStartRequest(event: APIGatewayProxyEvent): StartRequest {
  const limits = queryLimits();
  // Room for the SQL escaped as JSON plus the other fields; a body beyond it is too large for any SQL the API takes.
  let body: unknown;
  try {
    body = parseJsonBody(event, limits.maxSqlBytes * 2 + 1024);
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 413) throw e;
    throw new ApiError(
      413,
      ErrorCode.PayloadTooLarge,
      `${e.message}: a query's SQL may be at most ${limits.maxSqlBytes} bytes (QUERY_MAX_SQL_BYTES)`,
      { ...e.details, field: 'sql', maxSqlBytes: limits.maxSqlBytes },
    );
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(
      400,
      ErrorCode.InvalidBody,
      'the body must be a JSON object: {"sql": "...", "wait": 10}',
    );
  }
  const fields = body as Record<string, unknown>;
  for (const k of Object.keys(fields)) {
    if (!['sql', 'wait', 'maxRows'].includes(k)) {
      throw invalid(k, `unknown field '${k}'; accepted: sql, wait, maxRows`);
    }
  }
  const { sql, wait = 0, maxRows = limits.defaultPageRows } = fields;
  if (typeof sql !== 'string' || sql.trim() === '')
    throw invalid('sql', 'sql is required: a non-empty string');
  const size = Buffer.byteLength(sql, 'utf8');
  if (size > limits.maxSqlBytes) {
    throw invalid('sql', `sql is ${size} bytes; at most ${limits.maxSqlBytes} are accepted`, {
      limit: limits.maxSqlBytes,
      size,
    });
  }
  if (typeof wait !== 'number' || !Number.isFinite(wait) || wait < 0 || wait > limits.maxWaitSeconds) {
    throw invalid('wait', `wait must be a number of seconds from 0 to ${limits.maxWaitSeconds}`, {
      max: limits.maxWaitSeconds,
    });
  }
  return { sql, waitSeconds: wait, maxRows: pageSize(maxRows, 'maxRows') };
}

/** A page size: a JSON number in a body, the digits of one in a query string (`fromText`). */
function pageSize(value: unknown, field: string, fromText = false): number {
  const { maxPageRows } = queryLimits();
  const n = fromText && typeof value === 'string' && /^\d{1,7}$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > maxPageRows) {
    throw invalid(field, `${field} must be an integer from 1 to ${maxPageRows}`, { max: maxPageRows });
  }
  return n;
}

export function parseQueryId(event: Pick<APIGatewayProxyEvent, 'pathParameters'>): string {
  const id = pathParameter(event, 'id');
  const lower = id.toLowerCase();
  if (!QUERY_ID.test(lower)) throw invalid('id', 'the query id must be a UUID as returned by POST /queries');
  return lower;
}

export function parsePageRequest(
  event: Pick<APIGatewayProxyEvent, 'queryStringParameters' | 'multiValueQueryStringParameters'>,
): {
  maxRows: number;
  nextToken?: string;
} {
  const qs = event.queryStringParameters ?? {};
  for (const k of Object.keys(qs)) {
    if (k !== 'maxRows' && k !== 'nextToken') {
      throw invalid(k, `unknown parameter '${k}'; accepted: maxRows, nextToken`);
    }
    // API Gateway passes the last of repeated parameters in queryStringParameters: refused, not guessed.
    if ((event.multiValueQueryStringParameters?.[k]?.length ?? 1) > 1) {
      throw invalid(k, `'${k}' is given more than once`);
    }
  }
  const maxRows =
    qs.maxRows === undefined ? queryLimits().defaultPageRows : pageSize(qs.maxRows, 'maxRows', true);
  const nextToken = qs.nextToken;
  if (nextToken !== undefined && !/^[\x21-\x7e]{1,2048}$/.test(nextToken)) {
    throw invalid('nextToken', 'nextToken must be a token returned by a previous page');
  }
  return { maxRows, ...(nextToken !== undefined ? { nextToken } : {}) };
}

function statusBody(s: QueryStatus): Record<string, unknown> {
  return { ...s };
}

function engineError(e: unknown): never {
  if (e instanceof EngineBusyError) {
    throw new ApiError(
      429,
      QueryErrorCode.TooManyQueries,
      e.message,
      {},
      { 'retry-after': String(e.retryAfterSeconds) },
    );
  }
  if (e instanceof QueryRejectedError) {
    throw new ApiError(400, QueryErrorCode.QueryRejected, `the engine refused the query: ${e.message}`, {
      reason: e.message,
    });
  }
  throw e;
}

const notFound = (id: string) => new ApiError(404, QueryErrorCode.QueryNotFound, `no query ${id}`, { id });

/** POST /queries */
export async function startQuery(
  engine: QueryEngine,
  event: APIGatewayProxyEvent,
  remainingMs: () => number,
): Promise<APIGatewayProxyResult> {
  const req = parseStartRequest(event);
  let checked;
  try {
    checked = checkQuery(req.sql, {
      database: lakeDatabase(),
      tables: lakeTableNames(),
      maxBytes: queryLimits().maxSqlBytes,
    });
  } catch (e) {
    if (e instanceof QueryNotAllowedError) {
      logger.info('query refused', { reason: e.reason });
      throw new ApiError(400, QueryErrorCode.QueryNotAllowed, e.reason, {
        field: 'sql',
        reason: e.reason,
        ...(e.position ? { position: e.position } : {}),
      });
    }
    throw e;
  }
  let status = await engine.start(checked).catch(engineError);
  logger.info('query started', {
    id: status.id,
    engine: engine.name,
    tables: checked.tables,
    // The IAM principal that signed the request (AWS); absent locally.
    caller: event.requestContext?.identity?.userArn ?? undefined,
  });

  // Relative to the request URI (…/queries), so it holds behind any stage prefix or custom domain.
  const location = `queries/${status.id}`;
  // From here on the query runs (and, on Athena, is billed): an engine too busy to tell its state or give its first
  // page still gets the id back — 202, poll the Location — never an error that a client would answer by starting
  // the query again.
  const started = (s: QueryStatus, e: EngineBusyError) => {
    logger.warn('query started; its state or first page could not be read', { id: s.id, reason: e.message });
    return json(event, 202, statusBody(s), { location, 'retry-after': String(e.retryAfterSeconds) });
  };
  const waitMs = Math.min(req.waitSeconds * 1000, Math.max(0, remainingMs() - RESPONSE_MARGIN_MS));
  if (waitMs > 0) {
    try {
      status = (await engine.wait(status.id, waitMs)) ?? status;
    } catch (e) {
      if (e instanceof EngineBusyError) return started(status, e);
      throw e;
    }
  }

  if (!isFinished(status.state)) {
    return json(event, 202, statusBody(status), { location });
  }
  if (status.state !== 'SUCCEEDED') return json(event, 200, statusBody(status), { location });
  try {
    const page = await fittingPage(engine, status.id, { maxRows: req.maxRows }, statusBody(status));
    return json(event, 200, { ...statusBody(status), ...page }, { location });
  } catch (e) {
    if (e instanceof EngineBusyError) return started(status, e);
    throw e;
  }
}

/** GET /queries/{id} */
export async function getQuery(
  engine: QueryEngine,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> {
  const id = parseQueryId(event);
  const status = await engine.status(id).catch(engineError);
  if (!status) throw notFound(id);
  return json(event, 200, statusBody(status));
}

/** GET /queries/{id}/results */
export async function getResults(
  engine: QueryEngine,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> {
  const id = parseQueryId(event);
  const page = parsePageRequest(event);
  try {
    const result = await fittingPage(engine, id, page, { id });
    return json(event, 200, { id, ...result });
  } catch (e) {
    if (e instanceof QueryNotFoundError) throw notFound(id);
    if (e instanceof QueryNotSucceededError) {
      const s = e.status;
      const running = !isFinished(s.state);
      throw new ApiError(
        409,
        QueryErrorCode.QueryNotSucceeded,
        running ? `query ${id} is still ${s.state}; poll GET /queries/${id}` : `query ${id} ${s.state}`,
        { id, state: s.state, ...(s.reason ? { reason: s.reason } : {}) },
        running ? { 'retry-after': '1' } : {},
      );
    }
    if (e instanceof InvalidPageTokenError) throw invalid('nextToken', e.message);
    return engineError(e);
  }
}

/** DELETE /queries/{id} */
export async function cancelQuery(
  engine: QueryEngine,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> {
  const id = parseQueryId(event);
  const before = await engine.status(id).catch(engineError);
  if (!before) throw notFound(id);
  if (isFinished(before.state)) {
    throw new ApiError(409, QueryErrorCode.QueryAlreadyFinished, `query ${id} already ${before.state}`, {
      id,
      state: before.state,
    });
  }
  const after = (await engine.cancel(id).catch(engineError)) ?? before;
  logger.info('query cancelled', { id, state: after.state });
  return json(event, isFinished(after.state) ? 200 : 202, statusBody(after));
}

/** GET /tables */
export async function listTables(
  catalog: TableCatalog,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> {
  for (const k of Object.keys(event.queryStringParameters ?? {})) {
    throw invalid(k, `unknown parameter '${k}'; GET /tables takes none`);
  }
  return json(event, 200, await catalog.list());
}
