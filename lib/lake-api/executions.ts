/**
 * The ETL's executions, for the console (functions/lake.ts), on either runtime's workflow port (lib/workflow):
 *   GET  /executions?status&limit&nextToken   newest first, with their input
 *   GET  /executions/{name}                   whole: output or error, figures, state visits, notices, definition
 *   POST /executions {"mode","table"}         a replay or a rebuild, started as `npm run replay|rebuild` start it
 *   POST /executions/{name}/retry             a FAILED, TIMED_OUT or ABORTED execution again, with its input
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { tableNames } from '../catalog/table-names';
import { executionRetryCheck } from '../etl/upload-retry';
import { ApiError, ErrorCode } from '../errors';
import { json, parseJsonBody, pathParameter } from '../http';
import type { ObjectStore } from '../objects/types';
import {
  DamagedExecutionRecordError,
  EXECUTION_STATUSES,
  InvalidNextTokenError,
  NotRetryableError,
  type ExecutionListItem,
  type ExecutionStatus,
  type Executions,
} from '../workflow';
import { executionName } from '../workflow/names';
import { publishedNotices, runFigures, stateVisits } from '../workflow/state-path';
import { LakeErrorCode } from './errors';
import { invalidParameter, limitParam, queryParams, tokenParam } from './params';

const START_MODES = ['replay', 'rebuild'] as const;
const MAX_START_BODY_BYTES = 4096;

const durationMs = (x: Pick<ExecutionListItem, 'startDate' | 'stopDate'>) =>
  x.stopDate ? Math.max(0, Date.parse(x.stopDate) - Date.parse(x.startDate)) : null;

const listed = (x: ExecutionListItem) => ({
  name: x.name,
  status: x.status,
  startDate: x.startDate,
  stopDate: x.stopDate,
  durationMs: durationMs(x),
  input: x.input ?? null,
});

const notFound = (name: string) =>
  new ApiError(404, LakeErrorCode.ExecutionNotFound, `no execution named '${name}'`, { name });

const nameOf = (event: APIGatewayProxyEvent) => pathParameter(event, 'name');

export async function listExecutions(
  wf: Executions,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> {
  const params = queryParams(event, ['status', 'limit', 'nextToken']);
  const status = params.status;
  if (status !== undefined && !(EXECUTION_STATUSES as readonly string[]).includes(status))
    throw invalidParameter(
      'status',
      `status must be one of ${EXECUTION_STATUSES.join(', ')}, got '${status}'`,
    );
  try {
    const page = await wf.listExecutions({
      status: status as ExecutionStatus | undefined,
      limit: limitParam(params),
      nextToken: tokenParam(params),
    });
    return json(event, 200, { executions: page.items.map(listed), nextToken: page.nextToken ?? null });
  } catch (e) {
    if (e instanceof InvalidNextTokenError) throw invalidParameter('nextToken', e.message);
    throw e;
  }
}

export async function getExecution(
  wf: Executions,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> {
  queryParams(event, []);
  const name = nameOf(event);
  const d = await wf.describeExecution(name).catch(damagedRecord);
  if (!d) throw notFound(name);
  return json(event, 200, {
    ...listed(d),
    output: d.output ?? null,
    error: d.error,
    cause: d.cause,
    figures: runFigures(d.output, d.events),
    states: stateVisits(d.events, d.status),
    notices: publishedNotices(d.events, d.status, d.definition),
    definition: d.definition ?? null,
  });
}

/** {"mode": "replay" | "rebuild", "table": "<one of the lake's tables>"}, or 400 naming the field. */
function parseStartBody(event: APIGatewayProxyEvent): { mode: string; table: string } {
  const body = parseJsonBody(event, MAX_START_BODY_BYTES);
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ApiError(
      400,
      ErrorCode.InvalidBody,
      'the body must be a JSON object: {"mode": "replay", "table": "orders"}',
      {
        field: '',
      },
    );
  const fields = body as Record<string, unknown>;
  for (const k of Object.keys(fields))
    if (k !== 'mode' && k !== 'table')
      throw invalidParameter(k, `unknown field '${k}'; accepted: mode, table`);
  const { mode, table } = fields;
  if (typeof mode !== 'string' || !(START_MODES as readonly string[]).includes(mode))
    throw invalidParameter('mode', `mode must be one of ${START_MODES.join(', ')}`);
  const tables = tableNames();
  if (typeof table !== 'string' || !tables.includes(table))
    throw new ApiError(
      400,
      LakeErrorCode.UnknownTable,
      `${typeof table === 'string' ? `no table '${table}'` : 'table is required'}; tables: ${tables.join(', ')}`,
      { field: 'table' },
    );
  return { mode, table };
}

export async function startExecution(
  wf: Executions,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> {
  queryParams(event, []);
  const { mode, table } = parseStartBody(event);
  const refused = await wf.startRefusal?.();
  if (refused) throw new ApiError(409, LakeErrorCode.SchemasRefused, refused);
  const at = new Date();
  const name = executionName(`${mode}-${table}`, at);
  const res = await wf.startExecution(name, { mode, table });
  return json(event, 202, { name, startDate: res.startDate ?? at.toISOString() });
}

export async function retryExecution(
  wf: Executions,
  objects: ObjectStore,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> {
  queryParams(event, []);
  const name = nameOf(event);
  try {
    const started = await wf.retryExecution(
      name,
      executionRetryCheck(objects, () => wf.startRefusal?.()),
    );
    if (!started) throw notFound(name);
    return json(event, 202, started);
  } catch (e) {
    if (e instanceof NotRetryableError)
      throw new ApiError(409, LakeErrorCode.ExecutionNotRetryable, e.message, { name, status: e.status });
    return damagedRecord(e);
  }
}

/**
 * A local execution record that does not read (it, or one of its retries'): the lake's fault, not the request's,
 * answered as such with the record named and README's section, not a bare "internal error".
 */
function damagedRecord(e: unknown): never {
  if (e instanceof DamagedExecutionRecordError) throw new ApiError(500, ErrorCode.Internal, e.message);
  throw e;
}
