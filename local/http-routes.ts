/**
 * The routes of the local API Gateway, compiled from serverless.yml's http events: path patterns and parameters,
 * IAM or API-key authorisation, and API Gateway's request validator (the routes' `request.schemas`).
 */
import Ajv, { type ValidateFunction } from 'ajv';
import type { HttpEvent, Route } from './service-config';
import { parseJsonExact } from '../lib/exact-json';
import { eventBody, type EventBody } from './request-body';

export interface CompiledRoute extends Route {
  pattern: RegExp;
  paramNames: string[];
  /** aws_iam on AWS (SigV4): locally the API key stands in, refused as API Gateway refuses a signature. */
  iam: boolean;
  /** The request validator: a body check per media type, from the route's `request.schemas`. */
  models: Map<string, ValidateFunction>;
}

/** The serverless.yml http event a route comes from. */
function httpEventOf(
  route: Route,
): (HttpEvent & { request?: { schemas?: Record<string, unknown> } }) | undefined {
  for (const ev of route.fn.events ?? []) {
    const h = ev.http;
    if (h && h.method.toUpperCase() === route.method && '/' + h.path.replace(/^\/+/, '') === route.resource)
      return h;
  }
  return undefined;
}

const DRAFT_04 = /^https?:\/\/json-schema\.org\/draft-04\/schema#?$/;
const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: false });

/**
 * The JSON schema of one `request.schemas` entry as `sls print` resolves it: `{name, description, schema}` or the
 * schema itself. API Gateway models are JSON Schema draft-04; they are compiled with ajv (whose default draft agrees
 * with draft-04 on what these models use, and whose strict mode refuses a keyword it would read differently).
 */
export function compileRequestModel(entry: unknown, where: string): ValidateFunction {
  if (typeof entry !== 'object' || entry === null)
    throw new Error(`${where}: a request model given by name is not supported by the local API Gateway`);
  const e = entry as Record<string, unknown>;
  const schema = (typeof e.schema === 'object' && e.schema !== null ? e.schema : e) as Record<
    string,
    unknown
  >;
  const { $schema, ...rest } = schema;
  if ($schema !== undefined && !(typeof $schema === 'string' && DRAFT_04.test($schema)))
    throw new Error(`${where}: API Gateway models are JSON Schema draft-04, not ${String($schema)}`);
  return ajv.compile(rest);
}

export function compile(route: Route): CompiledRoute {
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
  const ev = httpEventOf(route);
  const type =
    typeof ev?.authorizer === 'string' ? ev.authorizer : (ev?.authorizer?.type ?? ev?.authorizer?.name);
  const models = new Map<string, ValidateFunction>();
  for (const [mediaType, entry] of Object.entries(ev?.request?.schemas ?? {}))
    models.set(
      mediaType.toLowerCase(),
      compileRequestModel(entry, `${route.method} ${route.resource} request.schemas.${mediaType}`),
    );
  return {
    ...route,
    pattern: new RegExp(`^${source}/?$`),
    paramNames,
    iam: typeof type === 'string' && type.toLowerCase() === 'aws_iam',
    models,
  };
}

/** The request validator's verdict on a body, and the body's parse when it made one (the function reuses it). */
export interface BodyVerdict {
  passes: boolean;
  parsed?: { text: string; value: unknown };
}

/**
 * API Gateway's request validator on a body, as the proxy event carries it (./request-body.ts eventBody): the model
 * of the request's media type (no Content-Type: the application/json one), if the route has one, must accept the
 * body parsed as JSON. An empty body is validated as `{}`, as API Gateway does (and left to the function to
 * refuse); a body that is not UTF-8 JSON text (base64 in the event) fails. A media type without a model is passed
 * through to the function.
 */
export function checkRequestBody(
  models: Map<string, ValidateFunction>,
  contentType: string | undefined,
  { body, isBase64Encoded }: EventBody,
): BodyVerdict {
  const mediaType =
    contentType === undefined || contentType.trim() === ''
      ? 'application/json'
      : (contentType.split(';')[0] ?? '').trim().toLowerCase();
  const validate = models.get(mediaType);
  if (!validate) return { passes: true };
  if (body === null) return { passes: validate({}) === true };
  if (isBase64Encoded) return { passes: false };
  let value: unknown;
  try {
    // As ingest's parseJsonBody parses it (numbers as sent); for the other routes the same values as JSON.parse's.
    value = parseJsonExact(body);
  } catch {
    return { passes: false };
  }
  return validate(value) === true ? { passes: true, parsed: { text: body, value } } : { passes: false };
}

/** Whether the request validator lets a body, as received, through (checkRequestBody's verdict alone). */
export function bodyPassesValidator(
  models: Map<string, ValidateFunction>,
  contentType: string | undefined,
  body: Buffer,
): boolean {
  return checkRequestBody(models, contentType, eventBody(body)).passes;
}
