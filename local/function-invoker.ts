/**
 * Invoking a function as the local API Gateway's integration does: API Gateway's request validator on the body
 * (the route's `request.schemas`), then the function's handler module with the proxy event and a Lambda context.
 * The same code runs in the gateway's thread and in a function worker (local/function-workers.ts).
 */
import path from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { ValidateFunction } from 'ajv';
import { recordParsedBody } from '../lib/validated-body';
import { checkRequestBody } from './http-routes';
import { lambdaContext, type ContextSpec } from './proxy-event';
import { projectRoot } from './service-config';

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

const handlers = new Map<string, Handler>();

/** The handler `spec` (`functions/ingest.handler`) names, loaded once per thread. */
export function loadHandler(spec: string): Handler {
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

/** What an invocation came to: the validator refused the body, or the handler answered (anything: checked later). */
export type InvocationOutcome = { refused: 'BAD_REQUEST_BODY' } | { result: unknown };

export interface Invocation {
  /** The handler, as serverless.yml names it. */
  handler: string;
  event: APIGatewayProxyEvent;
  context: ContextSpec;
  /** The request's Content-Type (for the request validator, which reads the body from the event). */
  contentType: string | undefined;
}

/**
 * The request validator, then the handler. A body the validator parsed is recorded for the handler
 * (lib/validated-body.ts), which then does not parse it again. A handler that throws rejects.
 */
export async function invokeFunction(
  inv: Invocation,
  models: Map<string, ValidateFunction>,
): Promise<InvocationOutcome> {
  const verdict = checkRequestBody(models, inv.contentType, inv.event);
  if (!verdict.passes) return { refused: 'BAD_REQUEST_BODY' };
  if (verdict.parsed) recordParsedBody(inv.event, verdict.parsed.text, verdict.parsed.value);
  return { result: await loadHandler(inv.handler)(inv.event, lambdaContext(inv.context)) };
}
