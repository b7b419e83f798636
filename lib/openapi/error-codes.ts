/**
 * Every error code the HTTP API answers, with its status: the functions' (lib/errors.ts, the query API's
 * lib/query/types.ts and lib/query/tables.ts, the console routes' lib/lake-api/errors.ts) and API Gateway's own
 * refusals (lib/gateway-responses.json, rendered by the deployed API and the local gateway alike). The OpenAPI
 * document lists, per route, the codes of ./routes.ts under these statuses.
 */
import gatewayResponses from '../gateway-responses.json';

export const ERROR_STATUS: Record<string, number[]> = {
  // lib/errors.ts
  PAYLOAD_TOO_LARGE: [413],
  UNSUPPORTED_MEDIA_TYPE: [415],
  MALFORMED_JSON: [400],
  INVALID_BODY: [400],
  TOO_MANY_EVENTS: [400],
  VALIDATION_FAILED: [400],
  DELIVERY_FAILED: [503],
  STORAGE_FULL: [503],
  METHOD_NOT_ALLOWED: [405],
  INTERNAL_ERROR: [500, 502, 503],
  // the query API
  INVALID_PARAMETER: [400],
  QUERY_NOT_ALLOWED: [400],
  QUERY_REJECTED: [400],
  QUERY_NOT_FOUND: [404],
  QUERY_NOT_SUCCEEDED: [409],
  QUERY_ALREADY_FINISHED: [409],
  ROW_TOO_LARGE: [409],
  TOO_MANY_QUERIES: [429],
  CATALOG_NOT_CONFIGURED: [500],
  CATALOG_DATABASE_NOT_FOUND: [500],
  CATALOG_UNAVAILABLE: [503],
  CATALOG_ERROR: [502],
  // the console routes
  EXECUTION_NOT_FOUND: [404],
  EXECUTION_NOT_RETRYABLE: [409],
  UNKNOWN_TABLE: [400],
  SCHEMAS_REFUSED: [409],
};

/** API Gateway's refusals: code → statuses (DEFAULT_4XX's code is the response type: not listed). */
export function gatewayErrorStatus(): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const r of Object.values(gatewayResponses.responses)) {
    if (r.status === null || r.code.startsWith('$')) continue;
    out[r.code] = [...new Set([...(out[r.code] ?? []), r.status])];
  }
  return out;
}

/** The gateway refusals a route can get: by its authorisation, and whether it has a request body model. */
export function gatewayErrors(auth: 'iam' | 'apiKey' | 'none', hasBodyModel: boolean): string[] {
  // UNSUPPORTED_MEDIA_TYPE: a body in a Content-Encoding the API's payload compression does not decode, on any route.
  const codes = ['THROTTLED', 'TIMEOUT', 'INTERNAL_ERROR', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'];
  if (auth === 'iam') codes.push('UNAUTHORIZED', 'FORBIDDEN');
  if (auth === 'apiKey') codes.push('FORBIDDEN', 'QUOTA_EXCEEDED');
  if (hasBodyModel) codes.push('INVALID_BODY');
  return codes;
}

/** The statuses a code is answered with on a route (the functions' and the gateway's). */
export function statusesOf(code: string): number[] {
  const s = [...(ERROR_STATUS[code] ?? []), ...(gatewayErrorStatus()[code] ?? [])];
  if (!s.length) throw new Error(`error code ${code} has no status in lib/openapi/error-codes.ts`);
  return [...new Set(s)];
}
