/**
 * API Gateway's own answers (what the local gateway refuses itself), from the one table of
 * lib/gateway-responses.json that the deployed API's GatewayResponses are generated from
 * (resources/api-gateway-responses.cjs), rendered as the deployed API's GatewayResponse renders them.
 */
import type http from 'node:http';
import gatewayResponses from '../lib/gateway-responses.json';

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

/** What a refusal may set itself: the status and message its table entry leaves open, extra headers. */
export interface RefusalOptions {
  status?: number;
  message?: string;
  headers?: Record<string, string>;
}

/** API Gateway's message for a function that failed or answered a malformed proxy response (DEFAULT_5XX, 502). */
const INTERNAL_SERVER_ERROR = 'Internal server error';

/** Answers with a JSON body. */
export function send(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
}

/**
 * Answers one of API Gateway's own refusals, with the shape of the handlers' errors ({code, message, requestId});
 * returns the status sent.
 */
export function sendGatewayResponse(
  res: http.ServerResponse,
  requestId: string,
  type: GatewayResponseType,
  cors: Record<string, string>,
  own: RefusalOptions = {},
): number {
  const r: GatewayResponse = GATEWAY_RESPONSES[type];
  const status = r.status ?? own.status ?? (type === 'DEFAULT_5XX' ? 500 : 400);
  send(
    res,
    status,
    { code: r.code, message: r.message ?? own.message ?? INTERNAL_SERVER_ERROR, ...r.details, requestId },
    { 'x-amzn-requestid': requestId, ...cors, ...own.headers },
  );
  return status;
}
