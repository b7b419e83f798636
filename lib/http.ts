/** API Gateway (REST, Lambda proxy) request/response helpers shared by every HTTP handler. */
import { isUtf8 } from 'node:buffer';
import { MIMEType } from 'node:util';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { corsOrigins } from './config';
import { ApiError, ErrorCode } from './errors';
import { recordedParse } from './validated-body';

export function header(event: Pick<APIGatewayProxyEvent, 'headers'>, name: string): string | undefined {
  const headers = event.headers ?? {};
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === wanted && v != null) return v;
  return undefined;
}

/** Response headers a browser's script may read: the correlation id, and when to retry after a 429 or 503. */
const EXPOSED = { 'access-control-expose-headers': 'x-correlation-id, retry-after' };

function corsHeaders(event: Pick<APIGatewayProxyEvent, 'headers'>): Record<string, string> {
  const allowed = corsOrigins();
  if (allowed.length === 0) return {};
  if (allowed.includes('*')) return { 'access-control-allow-origin': '*', ...EXPOSED };
  const origin = header(event, 'origin');
  if (origin && allowed.includes(origin))
    return { 'access-control-allow-origin': origin, vary: 'Origin', ...EXPOSED };
  return { vary: 'Origin' };
}

/**
 * A path parameter as the request wrote it: API Gateway's REST API hands it percent-encoded (`nightly%401`), and it
 * is decoded once here (a malformed escape is kept as written, for the handler to refuse or not find).
 */
export function pathParameter(event: Pick<APIGatewayProxyEvent, 'pathParameters'>, name: string): string {
  const raw = event.pathParameters?.[name] ?? '';
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export function json(
  event: Pick<APIGatewayProxyEvent, 'headers'>,
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...corsHeaders(event), ...headers },
    body: JSON.stringify(body),
  };
}

export function errorResponse(
  event: Pick<APIGatewayProxyEvent, 'headers'>,
  err: ApiError,
  requestId?: string,
): APIGatewayProxyResult {
  return json(
    event,
    err.status,
    { code: err.code, message: err.message, ...err.details, ...(requestId ? { requestId } : {}) },
    err.headers,
  );
}

/** The raw request body as bytes, honouring API Gateway's base64 flag. */
export function bodyBytes(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): Buffer {
  if (event.body == null) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

const tooLarge = (limit: number, size: number) =>
  new ApiError(413, ErrorCode.PayloadTooLarge, `request body exceeds ${limit} bytes`, { limit, size });

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$/i;

/**
 * The `charset` parameter of a JSON content type, lower-cased (WHATWG's MIME type parsing: a quoted value, the first
 * of two); undefined without one. Not the word anywhere in the header: `x-charset=latin1` or a profile URL that
 * contains `charset=` is no charset.
 */
function charsetOf(contentType: string): string | undefined {
  try {
    return new MIMEType(contentType).params.get('charset')?.toLowerCase();
  } catch {
    return undefined; // the media type was checked; a parameter MIMEType cannot read is none (as WHATWG skips it)
  }
}

/**
 * Parses a JSON request body, enforcing content type and size. `parse`: JSON.parse, or, where numbers must keep the
 * digits they were sent with (an event's data: an integer beyond 2^53), parseJsonExact (lib/exact-json.ts), which
 * only the ingest function then bundles.
 */
export function parseJsonBody(
  event: Pick<APIGatewayProxyEvent, 'headers' | 'body' | 'isBase64Encoded'>,
  maxBytes: number,
  parse: (text: string) => unknown = JSON.parse,
): unknown {
  const contentType = header(event, 'content-type');
  const mediaType = contentType?.split(';')[0]?.trim() ?? '';
  if (!JSON_MEDIA_TYPE.test(mediaType)) {
    throw new ApiError(415, ErrorCode.UnsupportedMediaType, 'content-type must be application/json', {
      contentType: contentType ?? null,
    });
  }
  const charset = charsetOf(contentType!);
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    throw new ApiError(415, ErrorCode.UnsupportedMediaType, 'only utf-8 bodies are accepted', { charset });
  }
  let text: string;
  if (event.isBase64Encoded) {
    const bytes = bodyBytes(event);
    if (bytes.length > maxBytes) throw tooLarge(maxBytes, bytes.length);
    if (!isUtf8(bytes)) throw new ApiError(400, ErrorCode.MalformedJson, 'request body is not valid UTF-8');
    text = bytes.toString('utf8');
  } else {
    text = event.body ?? '';
    const size = Buffer.byteLength(text, 'utf8');
    if (size > maxBytes) throw tooLarge(maxBytes, size);
  }
  // JSON's whitespace (RFC 8259: space, tab, LF, CR), not \s: a no-break space or a BOM is a body that is not JSON.
  if (/^[ \t\n\r]*$/.test(text)) throw new ApiError(400, ErrorCode.MalformedJson, 'request body is empty');
  // Parsed already by the local API Gateway's request validator (lib/validated-body.ts): the same value.
  const known = recordedParse(event, text);
  if (known) return known.value;
  try {
    return parse(text);
  } catch (e) {
    throw new ApiError(
      400,
      ErrorCode.MalformedJson,
      `request body is not valid JSON: ${(e as Error).message}`,
    );
  }
}
