/**
 * Query parameters of the console routes: `limit` (default 50, 1-200), `nextToken` (opaque), and each route's own.
 * A parameter a route does not take, given twice, or out of range is refused: 400 INVALID_PARAMETER with `field`.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ApiError } from '../errors';
import { LakeErrorCode } from './errors';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

export const invalidParameter = (field: string, message: string) =>
  new ApiError(400, LakeErrorCode.InvalidParameter, message, { field });

/** The route's query parameters, each at most once; refuses any other. */
export function queryParams(
  event: Pick<APIGatewayProxyEvent, 'queryStringParameters' | 'multiValueQueryStringParameters'>,
  accepted: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) {
    if (!accepted.includes(k))
      throw invalidParameter(
        k,
        `unknown parameter '${k}'${accepted.length ? `; accepted: ${accepted.join(', ')}` : ': this route takes none'}`,
      );
    if ((event.multiValueQueryStringParameters?.[k]?.length ?? 1) > 1)
      throw invalidParameter(k, `'${k}' is given more than once`);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** A whole number in [min, max], or the default when absent. */
export function intParam(
  params: Record<string, string>,
  field: string,
  fallback: number,
  min: number,
  max: number,
) {
  const raw = params[field];
  if (raw === undefined) return fallback;
  const n = /^\d{1,6}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < min || n > max)
    throw invalidParameter(field, `${field} must be a whole number from ${min} to ${max}, got '${raw}'`);
  return n;
}

export const limitParam = (params: Record<string, string>) =>
  intParam(params, 'limit', DEFAULT_LIMIT, 1, MAX_LIMIT);

export function tokenParam(params: Record<string, string>): string | undefined {
  const t = params.nextToken;
  if (t === undefined) return undefined;
  if (t === '' || t.length > 4096)
    throw invalidParameter('nextToken', 'nextToken is not a token this list gave');
  return t;
}
