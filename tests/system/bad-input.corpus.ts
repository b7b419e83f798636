/**
 * The bad-input corpus (issue 7): requests, uploads, upload keys and SQL that the lake must refuse clearly — an HTTP
 * status, a machine-readable code and, where there is one, the offending field — without writing anything.
 *
 * Every expectation comes from the specification (README.md: "Responses and error codes", "Dropping files",
 * "Querying"; lib/errors.ts, lib/uploads/types.ts, lib/query/types.ts; API Gateway's own answers:
 * resources/api-gateway-responses.cjs, from lib/gateway-responses.json), not from what the code happens to answer. API expectations hold for both
 * runtimes: what the local lake answers is what the deployed API answers.
 *
 * Markers: every API and upload case carries a unique marker (`bimk<n>x`) in its payload where the payload can hold
 * one; the test checks that no marker reaches the delivery stream (WAL segments), the raw zone or the curated
 * tables. CONTROL_MARKER marks the good control request, which must be written (so the check can fail).
 */
import { brotliCompressSync, gzipSync } from 'node:zlib';

export type Category =
  | 'malformed-json'
  | 'content-type'
  | 'body-size'
  | 'batch-size'
  | 'deep-nesting'
  | 'huge-strings'
  | 'invalid-utf8'
  | 'prototype-keys'
  | 'numbers-out-of-range'
  | 'dates-out-of-range'
  | 'unknown-types'
  | 'missing-or-extra-fields'
  | 'api-keys'
  | 'routes-and-parameters'
  | 'dataset-names-and-keys'
  | 'uploads'
  | 'csv'
  | 'sql';

export interface ApiExpect {
  status: number;
  /** body.code */
  code: string;
  /** Pointers that must be among body.errors[].pointer (VALIDATION_FAILED) or equal body.pointer (INVALID_BODY). */
  pointers?: string[];
  /** Per-event codes that must be among body.errors[].code. */
  eventCodes?: string[];
  /** Indexes that must be among body.errors[].index, and no other. */
  indexes?: number[];
  /** body.field (query API parameters). */
  field?: string;
  /** How many problems body.errors lists (VALIDATION_FAILED lists at most 100). */
  errorsLength?: number;
  /** Other top-level body properties to match exactly. */
  details?: Record<string, unknown>;
}

export interface ApiCase {
  name: string;
  category: Category;
  method: string;
  /** Sent as is (no normalisation by a URL parser). */
  path: string;
  /** 'valid' sends the lake's key; null sends none; a string sends that value. */
  apiKey: 'valid' | null | string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** The marker in the body (absent when the body cannot carry one). */
  marker?: string;
  expect: ApiExpect;
}

export type UploadExpect = { quarantined: string; field?: string; line?: number } | 'ignored';

export interface UploadCase {
  name: string;
  category: Category;
  /** Path under raw/uploads/ (dataset folder and file name). */
  relative: string;
  bytes: Buffer;
  marker?: string;
  expect: UploadExpect;
}

export type KeyExpect =
  | { kind: 'ignored' }
  /** An upload whose key is broken (BAD_KEY) or names no dataset (UNKNOWN_DATASET) or format (FORMAT_NOT_ALLOWED). */
  | { kind: 'quarantined'; code: 'BAD_KEY' | 'UNKNOWN_DATASET' | 'FORMAT_NOT_ALLOWED' };

export interface KeyCase {
  name: string;
  category: 'dataset-names-and-keys';
  /** The S3 object key (decoded). */
  key: string;
  expect: KeyExpect;
}

export interface SqlCase {
  name: string;
  category: 'sql';
  sql: string;
  expect:
    { status: 400; code: 'QUERY_NOT_ALLOWED'; field: 'sql' } | { status: 400; code: string; field: string };
}

export const CONTROL_MARKER = 'bimk999999x';
/** Every marker the corpus uses matches this (the control's too). */
export const MARKER_RE = /bimk\d+x/g;

let counter = 0;
const nextMarker = () => `bimk${String(++counter).padStart(4, '0')}x`;

const JSON_CT = { 'content-type': 'application/json' };

/** A valid page_view event, marked. */
export const pageView = (
  m: string,
  data: Record<string, unknown> = {},
  env: Record<string, unknown> = {},
) => ({
  type: 'page_view',
  id: `pv-${m}`,
  data: { session_id: `sess-${m}`, url: `https://shop.example/${m}`, ...data },
  ...env,
});
export const signup = (m: string, data: Record<string, unknown> = {}) => ({
  type: 'signup',
  id: `su-${m}`,
  data: { user_id: `u-${m}`, email: `${m}@example.com`, plan: 'pro', ...data },
});
export const orderPlaced = (m: string, data: Record<string, unknown> = {}) => ({
  type: 'order_placed',
  id: `op-${m}`,
  data: {
    order_id: `o-${m}`,
    customer_id: `c-${m}`,
    currency: 'EUR',
    total: 25,
    items: [{ sku: `sku-${m}`, quantity: 2, unit_price: 12.5 }],
    ...data,
  },
});

// ---------------------------------------------------------------------------------------------------------------
// API cases

export const apiCases: ApiCase[] = [];

function api(
  name: string,
  category: Category,
  expect: ApiExpect,
  build: (m: string) => {
    body?: string | Buffer | object;
    headers?: Record<string, string>;
    apiKey?: 'valid' | null | string;
    method?: string;
    path?: string;
    marked?: boolean;
  },
): void {
  const m = nextMarker();
  const b = build(m);
  const body =
    b.body === undefined || typeof b.body === 'string' || Buffer.isBuffer(b.body)
      ? (b.body as string | Buffer | undefined)
      : JSON.stringify(b.body);
  const carries =
    body !== undefined && (typeof body === 'string' ? body.includes(m) : body.includes(Buffer.from(m)));
  apiCases.push({
    name,
    category,
    method: b.method ?? 'POST',
    path: b.path ?? '/events',
    apiKey: b.apiKey === undefined ? 'valid' : b.apiKey,
    headers: b.headers ?? JSON_CT,
    ...(body !== undefined ? { body } : {}),
    ...(carries ? { marker: m } : {}),
    expect,
  });
}

const VF = 'VALIDATION_FAILED';
const invalid = (pointer: string, eventCode: string, indexes = [0]): ApiExpect => ({
  status: 400,
  code: VF,
  pointers: [pointer],
  eventCodes: [eventCode],
  indexes,
});
const schema = (pointer: string, indexes = [0]) => invalid(pointer, 'SCHEMA_VIOLATION', indexes);
const envelope = (pointer: string, indexes = [0]) => invalid(pointer, 'INVALID_ENVELOPE', indexes);
/** The function's answer to an empty body (API Gateway's validator checks an empty body as `{}` and lets it by). */
const malformed: ApiExpect = { status: 400, code: 'MALFORMED_JSON' };
const invalidBody = (pointer: string): ApiExpect => ({
  status: 400,
  code: 'INVALID_BODY',
  pointers: [pointer],
});
/**
 * The request validator (serverless.yml request.schemas; API Gateway's BAD_REQUEST_BODY, emulated by the local API
 * Gateway): a body that is not UTF-8 JSON text of the route's model type never reaches the function.
 */
const notJson: ApiExpect = {
  ...invalidBody(''),
  details: { message: 'request body is not valid JSON of the type this route accepts' },
};
const unsupported: ApiExpect = { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' };
const tooLarge: ApiExpect = { status: 413, code: 'PAYLOAD_TOO_LARGE' };

// --- malformed and truncated JSON
{
  const whole = (m: string) => JSON.stringify(pageView(m));
  api('truncated in the middle of a string', 'malformed-json', notJson, (m) => ({
    body: whole(m).slice(0, whole(m).indexOf(m) + m.length + 3),
  }));
  api('truncated before the last brace', 'malformed-json', notJson, (m) => ({
    body: whole(m).slice(0, -1),
  }));
  api('truncated after a key', 'malformed-json', notJson, (m) => ({ body: `{"id":"${m}","type":` }));
  api('trailing garbage', 'malformed-json', notJson, (m) => ({ body: whole(m) + 'x' }));
  api('two objects (JSON lines)', 'malformed-json', notJson, (m) => ({ body: whole(m) + '\n' + whole(m) }));
  api('single quotes', 'malformed-json', notJson, (m) => ({ body: whole(m).replace(/"/g, "'") }));
  api('trailing comma', 'malformed-json', notJson, (m) => ({ body: whole(m).slice(0, -1) + ',}' }));
  api('NaN literal', 'malformed-json', notJson, (m) => ({
    body: JSON.stringify(pageView(m, { duration_ms: 1 })).replace(':1}', ':NaN}'),
  }));
  api('a comment', 'malformed-json', notJson, (m) => ({ body: `/* ${m} */` + whole(m) }));
  api('unquoted keys', 'malformed-json', notJson, (m) => ({
    body: `{type:"page_view",id:"${m}",data:{}}`,
  }));
  api('an empty body', 'malformed-json', malformed, () => ({}));
  api('whitespace only', 'malformed-json', notJson, () => ({ body: ' \n\t ' }));
  api('a byte-order mark before the JSON', 'malformed-json', notJson, (m) => ({
    body: '\ufeff' + whole(m),
  }));
  api('an unterminated escape', 'malformed-json', notJson, (m) => ({ body: `{"id":"${m}\\` }));
  api('null is not an event', 'malformed-json', notJson, () => ({ body: 'null' }));
  api('an array is not a body', 'malformed-json', invalidBody(''), (m) => ({ body: [pageView(m)] }));
  api('a string is not a body', 'malformed-json', notJson, (m) => ({ body: JSON.stringify(m) }));
  api('a number is not a body', 'malformed-json', notJson, () => ({ body: '42' }));
  api('"events" is not an array', 'malformed-json', invalidBody('/events'), (m) => ({
    body: { events: pageView(m) },
  }));
  api('"events" is empty', 'malformed-json', invalidBody('/events'), () => ({ body: { events: [] } }));
  api('a batch with another property', 'malformed-json', invalidBody('/meta'), (m) => ({
    body: { events: [pageView(m)], meta: m },
  }));
}

// --- content types
{
  const body = (m: string) => JSON.stringify(pageView(m));
  const ct = (name: string, contentType: string | null) =>
    api(`content type ${name}`, 'content-type', unsupported, (m) => ({
      body: body(m),
      headers: contentType === null ? ({} as Record<string, string>) : { 'content-type': contentType },
    }));
  ct('missing', null);
  ct('text/plain', 'text/plain');
  ct('text/plain; charset=utf-8', 'text/plain; charset=utf-8');
  ct('form-urlencoded', 'application/x-www-form-urlencoded');
  ct('multipart', 'multipart/form-data; boundary=x');
  ct('text/json', 'text/json');
  ct('application/jsonx', 'application/jsonx');
  ct('application/xml', 'application/xml');
  ct('empty', '');
  ct('charset latin1', 'application/json; charset=iso-8859-1');
  ct('charset utf-16', 'application/json; charset=utf-16');
  ct('a list of types', 'application/json, text/plain');
  api('415 on the query API too', 'content-type', unsupported, (m) => ({
    path: '/queries',
    body: JSON.stringify({ sql: `SELECT '${m}'` }),
    headers: { 'content-type': 'text/plain' },
  }));
}

// --- body size
{
  api('a body over INGEST_MAX_BODY_BYTES (4 MiB)', 'body-size', tooLarge, (m) => ({
    body: JSON.stringify(pageView(m, { title: 'x'.repeat(4 * 1024 * 1024 + 10) })),
  }));
  api("a body over API Gateway's 10 MB", 'body-size', tooLarge, (m) => ({
    body: JSON.stringify(pageView(m, { title: 'x'.repeat(10 * 1024 * 1024 + 10) })),
  }));
  api('a batch of 500 events over 4 MiB', 'body-size', tooLarge, (m) => ({
    body: { events: Array.from({ length: 500 }, () => pageView(m, { title: 'y'.repeat(9000) })) },
  }));
}

// --- batch size
{
  const many = (m: string, n: number) => ({
    events: Array.from({ length: n }, (_, i) => pageView(`${m}-${i}`)),
  });
  api(
    '501 valid events',
    'batch-size',
    { status: 400, code: 'TOO_MANY_EVENTS', details: { limit: 500, count: 501 } },
    (m) => ({
      body: many(m, 501),
    }),
  );
  api(
    '5,000 events',
    'batch-size',
    { status: 400, code: 'TOO_MANY_EVENTS', details: { limit: 500, count: 5000 } },
    (m) => ({
      body: many(m, 5000),
    }),
  );
  api(
    '501 empty objects',
    'batch-size',
    { status: 400, code: 'TOO_MANY_EVENTS', details: { limit: 500, count: 501 } },
    (m) => ({
      body: `{"events":[${Array(501).fill('{}').join(',')}]}`,
    }),
  );
}

{
  api(
    '500 invalid events: 100 problems listed, all counted',
    'batch-size',
    { status: 400, code: VF, errorsLength: 100, details: { invalidEvents: 500, totalProblems: 500 } },
    (m) => ({
      body: { events: Array.from({ length: 500 }, (_, i) => pageView(`${m}-${i}`, { url: 'nope' })) },
    }),
  );
  // Payload compression is enabled on the API (minimumCompressionSize): API Gateway decodes gzip and deflate bodies
  // and refuses other codings, or a body its coding does not decode, with 415 (README, "Responses and error codes").
  api('a gzip bomb as the body (content-encoding: gzip), over 10 MB decoded', 'body-size', tooLarge, () => ({
    body: gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20), { level: 9 }),
    headers: { ...JSON_CT, 'content-encoding': 'gzip' },
  }));
  api('a body in a coding API Gateway does not decode (br)', 'content-type', unsupported, (m) => ({
    body: brotliCompressSync(JSON.stringify(pageView(m))),
    headers: { ...JSON_CT, 'content-encoding': 'br' },
  }));
  api('content-encoding: gzip on a body that is not gzip', 'content-type', unsupported, (m) => ({
    body: JSON.stringify(pageView(m)),
    headers: { ...JSON_CT, 'content-encoding': 'gzip' },
  }));
}

// --- deep nesting
{
  const deepArray = (n: number) => '['.repeat(n) + ']'.repeat(n);
  const deepObject = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
  api('a body nested 100,000 arrays deep', 'deep-nesting', invalidBody(''), () => ({
    body: deepArray(100_000),
  }));
  api('an event nested 100,000 objects deep in data', 'deep-nesting', schema('/data/a'), (m) => ({
    body: `{"type":"page_view","id":"${m}","data":{"session_id":"sess-${m}","url":"https://x.example/","a":${deepObject(100_000)}}}`,
  }));
  api('a string field holding 50,000 nested arrays', 'deep-nesting', schema('/data/title'), (m) => ({
    body: `{"type":"page_view","id":"${m}","data":{"session_id":"sess-${m}","url":"https://x.example/","title":${deepArray(50_000)}}}`,
  }));
  api('viewport nested deeper than its schema', 'deep-nesting', schema('/data/viewport/width'), (m) => ({
    body: pageView(m, { viewport: { width: { width: { width: 1 } }, height: 1 } }),
  }));
  api('an event that is a deep array', 'deep-nesting', invalid('', 'NOT_AN_OBJECT'), (m) => ({
    body: `{"events":[${deepArray(20_000)}]}`,
  }));
  api('an unknown envelope property nested deep', 'deep-nesting', envelope('/extra'), (m) => ({
    body: `{"type":"page_view","id":"${m}","data":{"session_id":"sess-${m}","url":"https://x.example/"},"extra":${deepObject(50_000)}}`,
  }));
}

// --- huge strings
{
  api('title over maxLength', 'huge-strings', schema('/data/title'), (m) => ({
    body: pageView(m, { title: m + 't'.repeat(600) }),
  }));
  api('a 3 MB url', 'huge-strings', schema('/data/url'), (m) => ({
    body: pageView(m, { url: `https://x.example/${m}/` + 'u'.repeat(3_000_000) }),
  }));
  api('a 3 MB session_id', 'huge-strings', schema('/data/session_id'), (m) => ({
    body: pageView(m, { session_id: m + 's'.repeat(3_000_000) }),
  }));
  api('a client id of 129 characters', 'huge-strings', envelope('/id'), (m) => ({
    body: pageView(m, {}, { id: m + 'i'.repeat(129 - m.length) }),
  }));
  api(
    'a 1 MB property name',
    'huge-strings',
    { status: 400, code: VF, eventCodes: ['SCHEMA_VIOLATION'], indexes: [0] },
    (m) => ({
      body: pageView(m, { ['k'.repeat(1_000_000)]: 1 }),
    }),
  );
  api('a 2 MB type', 'huge-strings', envelope('/type'), (m) => ({
    body: pageView(m, {}, { type: 'a' + 'b'.repeat(2_000_000) }),
  }));
  api('a 1 MB email', 'huge-strings', schema('/data/email'), (m) => ({
    body: signup(m, { email: 'e'.repeat(1_000_000) + '@example.com' }),
  }));
}

// --- invalid UTF-8 (and Unicode the lake cannot store)
{
  const bytes = (m: string, inner: number[]) =>
    Buffer.concat([
      Buffer.from(
        `{"type":"page_view","id":"${m}","data":{"session_id":"sess-${m}","url":"https://x.example/","title":"`,
      ),
      Buffer.from(inner),
      Buffer.from('"}}'),
    ]);
  api('a 0xFF byte in a string', 'invalid-utf8', notJson, (m) => ({ body: bytes(m, [0xff]) }));
  api('a lone continuation byte', 'invalid-utf8', notJson, (m) => ({ body: bytes(m, [0x80]) }));
  api('an overlong encoding of "/"', 'invalid-utf8', notJson, (m) => ({ body: bytes(m, [0xc0, 0xaf]) }));
  api('a truncated 3-byte sequence', 'invalid-utf8', notJson, (m) => ({ body: bytes(m, [0xe2, 0x82]) }));
  api('an encoded surrogate (CESU-8)', 'invalid-utf8', notJson, (m) => ({
    body: bytes(m, [0xed, 0xa0, 0x80]),
  }));
  api('a code point above U+10FFFF', 'invalid-utf8', notJson, (m) => ({
    body: bytes(m, [0xf4, 0x90, 0x80, 0x80]),
  }));
  api('Latin-1 text', 'invalid-utf8', notJson, (m) => ({ body: bytes(m, [0x63, 0x61, 0x66, 0xe9]) }));
  api('UTF-16LE with a utf-8 content type', 'invalid-utf8', notJson, (m) => ({
    body: Buffer.from(JSON.stringify(pageView(m)), 'utf16le'),
  }));
  api('a lone surrogate escape (\\ud800) in a data string', 'invalid-utf8', schema('/data/title'), (m) => ({
    body: JSON.stringify(pageView(m)).replace('"data":{', '"data":{"title":"x\\ud800y",'),
  }));
  api('a reversed surrogate pair (\\udc00\\ud800)', 'invalid-utf8', schema('/data/user_agent'), (m) => ({
    body: JSON.stringify(pageView(m)).replace('"data":{', '"data":{"user_agent":"\\udc00\\ud800",'),
  }));
  api('a lone low surrogate in an order item sku', 'invalid-utf8', schema('/data/items/0/sku'), (m) => ({
    body: JSON.stringify(orderPlaced(m)).replace(`"sku":"sku-${m}"`, `"sku":"sku-${m}\\udfff"`),
  }));
}

// --- __proto__ / constructor keys
{
  const withKey = (m: string, where: 'env' | 'data' | 'item' | 'viewport' | 'body', key: string) => {
    const base = JSON.stringify(
      where === 'item'
        ? orderPlaced(m)
        : pageView(m, where === 'viewport' ? { viewport: { width: 1, height: 1 } } : {}),
    );
    const inject = `"${key}":{"polluted":"${m}"},`;
    switch (where) {
      case 'env':
        return '{' + inject + base.slice(1);
      case 'data':
        return base.replace('"data":{', '"data":{' + inject);
      case 'item':
        return base.replace('"items":[{', '"items":[{' + inject);
      case 'viewport':
        return base.replace('"viewport":{', '"viewport":{' + inject);
      case 'body':
        return `{"events":[${base}],${inject.slice(0, -1)}}`;
    }
  };
  api('__proto__ in the envelope', 'prototype-keys', envelope('/__proto__'), (m) => ({
    body: withKey(m, 'env', '__proto__'),
  }));
  api('constructor in the envelope', 'prototype-keys', envelope('/constructor'), (m) => ({
    body: withKey(m, 'env', 'constructor'),
  }));
  api('__proto__ in data', 'prototype-keys', schema('/data/__proto__'), (m) => ({
    body: withKey(m, 'data', '__proto__'),
  }));
  api('constructor in data', 'prototype-keys', schema('/data/constructor'), (m) => ({
    body: withKey(m, 'data', 'constructor'),
  }));
  api('prototype in data', 'prototype-keys', schema('/data/prototype'), (m) => ({
    body: withKey(m, 'data', 'prototype'),
  }));
  api('__proto__ in an order item', 'prototype-keys', schema('/data/items/0/__proto__'), (m) => ({
    body: withKey(m, 'item', '__proto__'),
  }));
  api('__proto__ in viewport', 'prototype-keys', schema('/data/viewport/__proto__'), (m) => ({
    body: withKey(m, 'viewport', '__proto__'),
  }));
  api('__proto__ beside "events"', 'prototype-keys', invalidBody('/__proto__'), (m) => ({
    body: withKey(m, 'body', '__proto__'),
  }));
  api('constructor beside "events"', 'prototype-keys', invalidBody('/constructor'), (m) => ({
    body: withKey(m, 'body', 'constructor'),
  }));
  api(
    '"events" hidden in __proto__',
    'prototype-keys',
    { status: 400, code: VF, pointers: ['/__proto__', '/type', '/data'], indexes: [0] },
    (m) => ({
      body: `{"__proto__":{"events":[${JSON.stringify(pageView(m))}]}}`,
    }),
  );
  api('type "constructor"', 'prototype-keys', invalid('/type', 'UNKNOWN_TYPE'), (m) => ({
    body: pageView(m, {}, { type: 'constructor' }),
  }));
  api('type "__proto__"', 'prototype-keys', envelope('/type'), (m) => ({
    body: pageView(m, {}, { type: '__proto__' }),
  }));
  api('type "hasOwnProperty"', 'prototype-keys', envelope('/type'), (m) => ({
    body: pageView(m, {}, { type: 'hasOwnProperty' }),
  }));
  api('type "tostring"', 'prototype-keys', invalid('/type', 'UNKNOWN_TYPE'), (m) => ({
    body: pageView(m, {}, { type: 'tostring' }),
  }));
}

// --- numbers out of range
{
  const num = (name: string, pointer: string, build: (m: string) => string) =>
    api(name, 'numbers-out-of-range', schema(pointer), (m) => ({ body: build(m) }));
  const pvWith = (m: string, field: string, raw: string) =>
    JSON.stringify(pageView(m)).replace('"data":{', `"data":{"${field}":${raw},`);
  const opWith = (m: string, from: string, to: string) => JSON.stringify(orderPlaced(m)).replace(from, to);
  num('duration_ms 1e400 (Infinity)', '/data/duration_ms', (m) => pvWith(m, 'duration_ms', '1e400'));
  num('duration_ms -1e400', '/data/duration_ms', (m) => pvWith(m, 'duration_ms', '-1e400'));
  num('duration_ms 2^64', '/data/duration_ms', (m) => pvWith(m, 'duration_ms', '18446744073709551616'));
  num('duration_ms -1', '/data/duration_ms', (m) => pvWith(m, 'duration_ms', '-1'));
  num('duration_ms 1.5 (not an integer)', '/data/duration_ms', (m) => pvWith(m, 'duration_ms', '1.5'));
  num('duration_ms as a string', '/data/duration_ms', (m) => pvWith(m, 'duration_ms', '"100"'));
  num('viewport width 1e-400 (0)', '/data/viewport/width', (m) =>
    pvWith(m, 'viewport', '{"width":1e-400,"height":1}'),
  );
  num('total 1e-400 (would be stored as 0)', '/data/total', (m) => opWith(m, '"total":25', '"total":1e-400'));
  num('unit_price -1e-400 (would pass minimum 0 as -0)', '/data/items/0/unit_price', (m) =>
    opWith(m, '"unit_price":12.5', '"unit_price":-1e-400'),
  );
  num('total over 10,000,000', '/data/total', (m) => opWith(m, '"total":25', '"total":10000000.01'));
  num('total -0.01', '/data/total', (m) => opWith(m, '"total":25', '"total":-0.01'));
  num('quantity 0', '/data/items/0/quantity', (m) => opWith(m, '"quantity":2', '"quantity":0'));
  num('quantity 1e308', '/data/items/0/quantity', (m) => opWith(m, '"quantity":2', '"quantity":1e308'));
  num('unit_price as a string', '/data/items/0/unit_price', (m) =>
    opWith(m, '"unit_price":12.5', '"unit_price":"12.5"'),
  );
  num('boolean as a number', '/data/marketing_opt_in', (m) =>
    JSON.stringify(signup(m, { marketing_opt_in: 1 })),
  );
}

// --- dates out of range
{
  const at = (name: string, occurredAt: unknown, eventCode = 'INVALID_ENVELOPE') =>
    api(`occurred_at ${name}`, 'dates-out-of-range', invalid('/occurred_at', eventCode), (m) => ({
      body: pageView(m, {}, { occurred_at: occurredAt }),
    }));
  at('month 13', '2026-13-01T00:00:00Z');
  at('February 30', '2026-02-30T00:00:00Z');
  at('February 29 of a common year', '2025-02-29T00:00:00Z');
  at('hour 24', '2026-01-01T24:00:00Z');
  at('minute 60', '2026-01-01T10:60:00Z');
  at('a leap second', '2016-12-31T23:59:60Z');
  at('without a time zone', '2026-01-01T10:00:00');
  at('a date only', '2026-01-01');
  at('offset +99:00', '2026-01-01T10:00:00+99:00');
  at('an extended year (+275760)', '+275760-09-13T00:00:00Z');
  at('year 0000', '0000-01-01T00:00:00Z');
  at('year 0999', '0999-12-31T23:59:59Z');
  at('a number (epoch ms)', 1_700_000_000_000);
  at('an empty string', '');
  at('two days in the future', new Date(Date.now() + 2 * 86_400_000).toISOString(), 'OCCURRED_AT_IN_FUTURE');
  at('9999-12-31T23:59:59Z', '9999-12-31T23:59:59Z', 'OCCURRED_AT_IN_FUTURE');
}

// --- unknown types
{
  const t = (name: string, type: unknown, eventCode = 'INVALID_ENVELOPE') =>
    api(`type ${name}`, 'unknown-types', invalid('/type', eventCode), (m) => ({
      body: pageView(m, {}, { type }),
    }));
  t('not registered', 'no_such_type', 'UNKNOWN_TYPE');
  t('"envelope" (a schema, not an event type)', 'envelope', 'UNKNOWN_TYPE');
  t('upper case', 'Page_View');
  t('with a trailing space', 'page_view ');
  t('with a path', '../events/page_view');
  t('with a slash', 'events/page_view');
  t('fullwidth letters', 'ｐａｇｅ_view');
  t('a dotless i lookalike (sıgnup)', 'sıgnup');
  t('null', null);
  t('a number', 7);
  t('an array', ['page_view']);
  t('missing', undefined);
}

// --- missing or extra fields
{
  const pv = (m: string) => pageView(m);
  api('data missing', 'missing-or-extra-fields', envelope('/data'), (m) => {
    const e: Record<string, unknown> = pv(m);
    delete e.data;
    return { body: e };
  });
  api('data is an array', 'missing-or-extra-fields', envelope('/data'), (m) => ({
    body: { ...pv(m), data: [m] },
  }));
  api('data is null', 'missing-or-extra-fields', envelope('/data'), (m) => ({
    body: { ...pv(m), data: null },
  }));
  api('page_view without url', 'missing-or-extra-fields', schema('/data/url'), (m) => ({
    body: { type: 'page_view', id: m, data: { session_id: `sess-${m}` } },
  }));
  api('signup without plan', 'missing-or-extra-fields', schema('/data/plan'), (m) => {
    const e = signup(m);
    delete (e.data as Record<string, unknown>).plan;
    return { body: e };
  });
  api('order_placed with no items', 'missing-or-extra-fields', schema('/data/items'), (m) => ({
    body: orderPlaced(m, { items: [] }),
  }));
  api('an order item without sku', 'missing-or-extra-fields', schema('/data/items/1/sku'), (m) => ({
    body: orderPlaced(m, {
      items: [
        { sku: 'a', quantity: 1, unit_price: 1 },
        { quantity: 1, unit_price: 1 },
      ],
    }),
  }));
  api('received_at set by the client', 'missing-or-extra-fields', envelope('/received_at'), (m) => ({
    body: pageView(m, {}, { received_at: '2026-01-01T00:00:00Z' }),
  }));
  api('an unknown envelope field', 'missing-or-extra-fields', envelope('/source'), (m) => ({
    body: pageView(m, {}, { source: m }),
  }));
  api('an unknown data field', 'missing-or-extra-fields', schema('/data/color'), (m) => ({
    body: pageView(m, { color: m }),
  }));
  api('an unknown viewport field', 'missing-or-extra-fields', schema('/data/viewport/depth'), (m) => ({
    body: pageView(m, { viewport: { width: 1, height: 1, depth: 1 } }),
  }));
  api('plan not in the enum', 'missing-or-extra-fields', schema('/data/plan'), (m) => ({
    body: signup(m, { plan: 'gold' }),
  }));
  api('an email that is not one', 'missing-or-extra-fields', schema('/data/email'), (m) => ({
    body: signup(m, { email: `${m}@` }),
  }));
  api('a url that is not one', 'missing-or-extra-fields', schema('/data/url'), (m) => ({
    body: pageView(m, { url: `not a url ${m}` }),
  }));
  api('a session_id too short', 'missing-or-extra-fields', schema('/data/session_id'), (m) => ({
    body: pageView(m, { session_id: 'short' }),
  }));
  api('an id with a slash', 'missing-or-extra-fields', envelope('/id'), (m) => ({
    body: pageView(m, {}, { id: `../${m}` }),
  }));
  api('an empty id', 'missing-or-extra-fields', envelope('/id'), (m) => ({
    body: pageView(m, {}, { id: '' }),
  }));
  api(
    'a data property named with / and ~ (escaped in the pointer)',
    'missing-or-extra-fields',
    schema('/data/a~1b~0c'),
    (m) => ({ body: pageView(m, { 'a/b~c': m }) }),
  );
  api('an empty data property name', 'missing-or-extra-fields', schema('/data/'), (m) => ({
    body: pageView(m, { '': m }),
  }));
  api(
    'one bad event among valid ones: all refused',
    'missing-or-extra-fields',
    schema('/data/url', [2]),
    (m) => ({
      body: {
        events: [
          pageView(`${m}a`),
          signup(`${m}b`),
          pageView(`${m}c`, { url: 'nope' }),
          orderPlaced(`${m}d`),
        ],
      },
    }),
  );
  api(
    'two different events under one client id',
    'missing-or-extra-fields',
    invalid('/id', 'DUPLICATE_ID', [2]),
    (m) => ({
      body: {
        events: [pageView(m), signup(m), pageView(m, { title: m }), pageView(m)],
      },
    }),
  );
  api('a number among valid events', 'missing-or-extra-fields', invalid('', 'NOT_AN_OBJECT', [1]), (m) => ({
    body: { events: [pageView(m), 42] },
  }));
  api(
    'several bad events: each listed',
    'missing-or-extra-fields',
    { status: 400, code: VF, indexes: [0, 2], pointers: ['/data/plan', '/type'] },
    (m) => ({
      body: {
        events: [signup(`${m}a`, { plan: 'x' }), pageView(`${m}b`), pageView(`${m}c`, {}, { type: 'nope' })],
      },
    }),
  );
}

// --- API keys
{
  const body = (m: string) => JSON.stringify(pageView(m));
  // API Gateway answers a missing and a wrong API key alike (API_KEY_INVALID).
  api('no x-api-key', 'api-keys', { status: 403, code: 'FORBIDDEN' }, (m) => ({
    body: body(m),
    apiKey: null,
  }));
  api('an empty x-api-key', 'api-keys', { status: 403, code: 'FORBIDDEN' }, (m) => ({
    body: body(m),
    apiKey: '',
  }));
  api('a wrong key', 'api-keys', { status: 403, code: 'FORBIDDEN' }, (m) => ({
    body: body(m),
    apiKey: 'not-the-key',
  }));
  api('the key in upper case', 'api-keys', { status: 403, code: 'FORBIDDEN' }, (m) => ({
    body: body(m),
    apiKey: 'UPPER',
  }));
  api('the key twice, comma-separated', 'api-keys', { status: 403, code: 'FORBIDDEN' }, (m) => ({
    body: body(m),
    apiKey: 'TWICE',
  }));
  api('a prefix of the key', 'api-keys', { status: 403, code: 'FORBIDDEN' }, (m) => ({
    body: body(m),
    apiKey: 'PREFIX',
  }));
  api('the key with a suffix', 'api-keys', { status: 403, code: 'FORBIDDEN' }, (m) => ({
    body: body(m),
    apiKey: 'SUFFIX',
  }));
  api('the key as a Bearer token instead', 'api-keys', { status: 403, code: 'FORBIDDEN' }, (m) => ({
    body: body(m),
    apiKey: null,
    headers: { ...JSON_CT, authorization: 'Bearer KEY' },
  }));
  // IAM routes: an unsigned request (locally: no key) is MISSING_AUTHENTICATION_TOKEN, 401.
  api('no key on POST /queries', 'api-keys', { status: 401, code: 'UNAUTHORIZED' }, (m) => ({
    path: '/queries',
    body: JSON.stringify({ sql: `SELECT '${m}'` }),
    apiKey: null,
  }));
  api('a wrong key on GET /queries/{id}', 'api-keys', { status: 403, code: 'FORBIDDEN' }, () => ({
    method: 'GET',
    path: '/queries/00000000-0000-4000-8000-000000000000',
    apiKey: 'nope',
  }));
}

// --- routes and parameters (query API and routing)
{
  const q = (
    name: string,
    expect: ApiExpect,
    build: (m: string) => { body?: string | object; method?: string; path?: string },
  ) => api(name, 'routes-and-parameters', expect, (m) => ({ path: '/queries', ...build(m) }));
  const param = (field: string): ApiExpect => ({ status: 400, code: 'INVALID_PARAMETER', field });
  q('sql is a number', param('sql'), () => ({ body: { sql: 1 } }));
  q('sql is empty', param('sql'), () => ({ body: { sql: '   ' } }));
  q('an unknown field', param('database'), (m) => ({ body: { sql: `SELECT '${m}'`, database: 'other' } }));
  q('wait is negative', param('wait'), (m) => ({ body: { sql: `SELECT '${m}'`, wait: -1 } }));
  q('wait is a string', param('wait'), (m) => ({ body: { sql: `SELECT '${m}'`, wait: '5' } }));
  q('wait is 1e400', param('wait'), (m) => ({ body: `{"sql":"SELECT '${m}'","wait":1e400}` }));
  q('DELETE a query id that is not a UUID', param('id'), () => ({
    method: 'DELETE',
    path: '/queries/x%2F..',
  }));
  q('maxRows is 0', param('maxRows'), (m) => ({ body: { sql: `SELECT '${m}'`, maxRows: 0 } }));
  q('maxRows is 1e400', param('maxRows'), (m) => ({ body: `{"sql":"SELECT '${m}'","maxRows":1e400}` }));
  // QueryRequest.json: maxRows is an integer; digits as text are a query string's form, not a JSON body's.
  q('maxRows is a string', param('maxRows'), (m) => ({ body: { sql: `SELECT '${m}'`, maxRows: '5' } }));
  q('__proto__ in the query body', param('__proto__'), (m) => ({
    body: `{"sql":"SELECT '${m}'","__proto__":{"x":1}}`,
  }));
  q('an array body', notJson, (m) => ({ body: [m] }));
  q('a truncated body', notJson, (m) => ({ body: `{"sql":"SELECT '${m}'` }));
  q('sql over 64 KiB', param('sql'), (m) => ({ body: { sql: `SELECT '${m}${'x'.repeat(70_000)}'` } }));
  q('a query id that is not a UUID', param('id'), () => ({ method: 'GET', path: '/queries/not-a-uuid' }));
  q('a query id with an encoded path', param('id'), () => ({
    method: 'GET',
    path: '/queries/..%2F..%2Fetc%2Fpasswd',
  }));
  q('a query id with a NUL', param('id'), () => ({ method: 'GET', path: '/queries/%00' }));
  q('a query id with a broken percent-encoding', param('id'), () => ({
    method: 'GET',
    path: '/queries/%E0%A4%A',
  }));
  q('a query id with a lone % ', param('id'), () => ({ method: 'GET', path: '/queries/abc%' }));
  q('results with maxRows abc', param('maxRows'), () => ({
    method: 'GET',
    path: '/queries/00000000-0000-4000-8000-000000000000/results?maxRows=abc',
  }));
  // API Gateway passes the last of a repeated parameter in queryStringParameters; either could be meant.
  q('results with maxRows given twice', param('maxRows'), () => ({
    method: 'GET',
    path: '/queries/00000000-0000-4000-8000-000000000000/results?maxRows=5&maxRows=6',
  }));
  q('results with an unknown parameter', param('offset'), () => ({
    method: 'GET',
    path: '/queries/00000000-0000-4000-8000-000000000000/results?offset=1',
  }));
  q('results with a nextToken holding a NUL', param('nextToken'), () => ({
    method: 'GET',
    path: '/queries/00000000-0000-4000-8000-000000000000/results?nextToken=%00',
  }));
  q('a query that does not exist', { status: 404, code: 'QUERY_NOT_FOUND' }, () => ({
    method: 'GET',
    path: '/queries/00000000-0000-4000-8000-000000000000',
  }));
  // A REST API answers a method the path does not have, or an unknown path, as an unsigned request
  // (MISSING_AUTHENTICATION_TOKEN, 401 UNAUTHORIZED).
  api('GET /events', 'routes-and-parameters', { status: 401, code: 'UNAUTHORIZED' }, () => ({
    method: 'GET',
  }));
  api('PUT /events', 'routes-and-parameters', { status: 401, code: 'UNAUTHORIZED' }, (m) => ({
    method: 'PUT',
    body: JSON.stringify(pageView(m)),
  }));
  api('an unknown route', 'routes-and-parameters', { status: 401, code: 'UNAUTHORIZED' }, (m) => ({
    path: '/events-v2',
    body: JSON.stringify(pageView(m)),
  }));
  api(
    'an encoded slash after a dot-dot segment',
    'routes-and-parameters',
    { status: 401, code: 'UNAUTHORIZED' },
    (m) => ({
      path: '/events/..%2Fqueries',
      body: JSON.stringify(pageView(m)),
    }),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Uploads (dropped under raw/uploads/)

export const ORDERS_HEADER =
  'order_id,customer_id,order_date,status,amount,currency,item_count,coupon,updated_at';
export const orderRow = (id: string, over: Partial<Record<string, string>> = {}) => {
  const v: Record<string, string> = {
    order_id: id,
    customer_id: 'c-1',
    order_date: '2026-11-20',
    status: 'paid',
    amount: '10.50',
    currency: 'EUR',
    item_count: '1',
    coupon: '',
    updated_at: '2026-11-20T10:00:00Z',
    ...over,
  } as Record<string, string>;
  return ORDERS_HEADER.split(',')
    .map((k) => v[k])
    .join(',');
};
const customer = (id: string, over: Record<string, unknown> = {}) =>
  JSON.stringify({
    customer_id: id,
    email: `${id}@example.com`,
    created_at: '2026-11-20T10:00:00Z',
    ...over,
  });

export const uploadCases: UploadCase[] = [];

function upload(
  name: string,
  category: Category,
  expect: UploadExpect,
  build: (m: string) => { relative: string; bytes: Buffer | string },
): void {
  const m = nextMarker();
  const b = build(m);
  const bytes = typeof b.bytes === 'string' ? Buffer.from(b.bytes) : b.bytes;
  uploadCases.push({
    name,
    category,
    relative: b.relative,
    bytes,
    ...(bytes.includes(Buffer.from(m)) ? { marker: m } : {}),
    expect,
  });
}

const q = (code: string, field?: string, line?: number): UploadExpect => ({
  quarantined: code,
  ...(field ? { field } : {}),
  ...(line ? { line } : {}),
});
const rows = (m: string, n: number, over: Partial<Record<string, string>> = {}) =>
  Array.from({ length: n }, (_, i) => orderRow(`${m}-${i}`, over)).join('\n');

// --- CSV: wrong headers, ragged rows, bad values
upload('a header with an unknown column', 'csv', q('HEADER_MISMATCH', 'nonsense', 1), (m) => ({
  relative: 'orders/unknown-column.csv',
  bytes: `order_id,nonsense\n${m},y\n`,
}));
upload('a header missing a required column', 'csv', q('HEADER_MISMATCH', 'currency', 1), (m) => ({
  relative: 'orders/missing-column.csv',
  bytes: `order_id,customer_id,order_date,status,amount\n${m},c,2026-11-20,paid,1\n`,
}));
upload('a column twice', 'csv', q('HEADER_MISMATCH', 'amount', 1), (m) => ({
  relative: 'orders/duplicate-column.csv',
  bytes: `${ORDERS_HEADER},amount\n${orderRow(m)},1\n`,
}));
upload('a header in the wrong case', 'csv', q('HEADER_MISMATCH', 'Order_ID', 1), (m) => ({
  relative: 'orders/header-case.csv',
  bytes: `${ORDERS_HEADER.replace('order_id', 'Order_ID')}\n${orderRow(m)}\n`,
}));
upload('a header with a nameless column', 'csv', q('HEADER_MISMATCH', undefined, 1), (m) => ({
  relative: 'orders/nameless-column.csv',
  bytes: `${ORDERS_HEADER},\n${orderRow(m)},\n`,
}));
upload('a header of a __proto__ column', 'csv', q('HEADER_MISMATCH', '__proto__', 1), (m) => ({
  relative: 'orders/proto-column.csv',
  bytes: `${ORDERS_HEADER},__proto__\n${orderRow(m)},x\n`,
}));
// A row with another number of fields than the header is a bad row of the sample (both engines reject it): here
// one of two or three, above orders' maxRejectedRatio.
upload('a row with too few fields', 'csv', q('ROW_INVALID', undefined, 3), (m) => ({
  relative: 'orders/ragged-short.csv',
  bytes: `${ORDERS_HEADER}\n${orderRow(`${m}-1`)}\n${m},c-1,2026-11-20\n${orderRow(`${m}-2`)}\n`,
}));
upload('a row with too many fields', 'csv', q('ROW_INVALID', undefined, 2), (m) => ({
  relative: 'orders/ragged-long.csv',
  bytes: `${ORDERS_HEADER}\n${orderRow(m)},extra\n`,
}));
upload('an unclosed quote (truncated file)', 'csv', q('MALFORMED_FILE'), (m) => ({
  relative: 'orders/unclosed-quote.csv',
  bytes: `${ORDERS_HEADER}\n${orderRow(`${m}-1`)}\n"${m},c-1,2026-11-20,paid,1,EUR,1,,2026-11-20T10:00:00Z\n`,
}));
upload('every amount is not a number', 'csv', q('ROW_INVALID', 'amount', 2), (m) => ({
  relative: 'orders/bad-amounts.csv',
  bytes: `${ORDERS_HEADER}\n${rows(m, 5, { amount: 'ten' })}\n`,
}));
upload('amounts of 1e400 (out of range)', 'csv', q('ROW_INVALID', 'amount', 2), (m) => ({
  relative: 'orders/huge-amounts.csv',
  bytes: `${ORDERS_HEADER}\n${rows(m, 5, { amount: '1e400' })}\n`,
}));
upload('item counts beyond bigint', 'csv', q('ROW_INVALID', 'item_count', 2), (m) => ({
  relative: 'orders/huge-counts.csv',
  bytes: `${ORDERS_HEADER}\n${rows(m, 5, { item_count: '99999999999999999999' })}\n`,
}));
upload('order dates of February 30', 'csv', q('ROW_INVALID', 'order_date', 2), (m) => ({
  relative: 'orders/feb-30.csv',
  bytes: `${ORDERS_HEADER}\n${rows(m, 5, { order_date: '2026-02-30' })}\n`,
}));
upload('order dates in year 0999', 'csv', q('ROW_INVALID', 'order_date', 2), (m) => ({
  relative: 'orders/year-999.csv',
  bytes: `${ORDERS_HEADER}\n${rows(m, 5, { order_date: '0999-11-20' })}\n`,
}));
upload('order dates in year 0000', 'csv', q('ROW_INVALID', 'order_date', 2), (m) => ({
  relative: 'orders/year-0.csv',
  bytes: `${ORDERS_HEADER}\n${rows(m, 5, { order_date: '0000-01-01' })}\n`,
}));
upload('timestamps with a +02:00 offset', 'csv', q('ROW_INVALID', 'updated_at', 2), (m) => ({
  relative: 'orders/offset-timestamps.csv',
  bytes: `${ORDERS_HEADER}\n${rows(m, 5, { updated_at: '2026-11-20T10:00:00+02:00' })}\n`,
}));
upload('timestamps at hour 24', 'csv', q('ROW_INVALID', 'updated_at', 2), (m) => ({
  relative: 'orders/hour-24.csv',
  bytes: `${ORDERS_HEADER}\n${rows(m, 5, { updated_at: '2026-11-20T24:00:00Z' })}\n`,
}));
upload('a status outside the enum', 'csv', q('ROW_INVALID', 'status', 2), (m) => ({
  relative: 'orders/bad-status.csv',
  bytes: `${ORDERS_HEADER}\n${rows(m, 5, { status: 'lost' })}\n`,
}));
upload('required values left empty', 'csv', q('ROW_INVALID', 'currency', 2), (m) => ({
  relative: 'orders/empty-required.csv',
  bytes: `${ORDERS_HEADER}\n${rows(m, 5, { currency: '' })}\n`,
}));
upload('a header with a trailing space in a name', 'csv', q('HEADER_MISMATCH', 'order_id ', 1), (m) => ({
  relative: 'orders/header-space.csv',
  bytes: `${ORDERS_HEADER.replace('order_id', 'order_id ')}\n${orderRow(m)}\n`,
}));
upload('semicolon-delimited', 'csv', q('HEADER_MISMATCH', ORDERS_HEADER.replace(/,/g, ';'), 1), (m) => ({
  relative: 'orders/semicolons.csv',
  bytes: `${ORDERS_HEADER.replace(/,/g, ';')}\n${orderRow(m).replace(/,/g, ';')}\n`,
}));
// Read past the 1 MiB sample to its end (up to 16 MiB): judged as a row, on the field that is too long.
upload('a first row longer than the sample (2 MiB)', 'csv', q('ROW_INVALID', 'customer_id', 2), (m) => ({
  relative: 'orders/long-row.csv',
  bytes: `${ORDERS_HEADER}\n${m},${'c'.repeat(2 * 1024 * 1024)},2026-11-20,paid,1,EUR,1,,2026-11-20T10:00:00Z\n`,
}));
upload('a header only', 'csv', q('EMPTY_FILE'), () => ({
  relative: 'orders/header-only.csv',
  bytes: `${ORDERS_HEADER}\n`,
}));

// --- other uploads: empty, truncated, binary, gzip bombs, JSON, Parquet
upload('an empty file', 'uploads', q('EMPTY_FILE'), () => ({ relative: 'orders/empty.csv', bytes: '' }));
upload('an empty gzip file', 'uploads', q('EMPTY_FILE'), () => ({
  relative: 'orders/empty.csv.gz',
  bytes: gzipSync(''),
}));
upload('random binary named .csv', 'uploads', q('MALFORMED_FILE'), (m) => {
  const b = Buffer.alloc(4096);
  for (let i = 0; i < b.length; i++) b[i] = (i * 7919 + 13) % 256;
  return { relative: 'orders/binary.csv', bytes: Buffer.concat([Buffer.from(m), b]) };
});
upload('Latin-1 text named .csv', 'uploads', q('MALFORMED_FILE'), (m) => ({
  relative: 'orders/latin1.csv',
  bytes: Buffer.from(`${ORDERS_HEADER}\n${orderRow(m, { coupon: 'CAFÉ' })}\n`, 'latin1'),
}));
upload('a Parquet file named .csv', 'uploads', q('MALFORMED_FILE'), (m) => ({
  relative: 'orders/parquet-inside.csv',
  bytes: Buffer.concat([Buffer.from('PAR1'), Buffer.from(m), Buffer.alloc(64), Buffer.from('PAR1')]),
}));
upload('a truncated gzip file', 'uploads', q('MALFORMED_FILE'), (m) => {
  const gz = gzipSync(`${ORDERS_HEADER}\n${rows(m, 200)}\n`);
  return { relative: 'orders/truncated.csv.gz', bytes: gz.subarray(0, Math.floor(gz.length / 2)) };
});
upload('plain text named .csv.gz', 'uploads', q('MALFORMED_FILE'), (m) => ({
  relative: 'orders/not-gzip.csv.gz',
  bytes: `${ORDERS_HEADER}\n${orderRow(m)}\n`,
}));
upload('a gzip bomb of zeros (100 MiB)', 'uploads', q('MALFORMED_FILE'), () => ({
  relative: 'orders/bomb.csv.gz',
  bytes: gzipSync(Buffer.alloc(100 * 1024 * 1024), { level: 9 }),
}));
upload(
  'a gzip bomb after a good header (100 MiB of zeros in one row)',
  'uploads',
  q('MALFORMED_FILE'),
  (m) => ({
    relative: 'orders/bomb-after-header.csv.gz',
    bytes: gzipSync(
      Buffer.concat([Buffer.from(`${ORDERS_HEADER}\n${m},`), Buffer.alloc(100 * 1024 * 1024, 0x61)]),
      {
        level: 9,
      },
    ),
  }),
);
upload('a gzip bomb of newlines (100 MiB, no rows)', 'uploads', q('MALFORMED_FILE'), () => ({
  relative: 'orders/bomb-newlines.csv.gz',
  bytes: gzipSync(Buffer.alloc(100 * 1024 * 1024, 0x0a), { level: 9 }),
}));
upload('JSON for a CSV-only dataset', 'uploads', q('FORMAT_NOT_ALLOWED'), (m) => ({
  relative: 'orders/orders.json',
  bytes: JSON.stringify([{ order_id: m }]),
}));
upload('Parquet for a CSV-only dataset', 'uploads', q('FORMAT_NOT_ALLOWED'), () => ({
  relative: 'orders/orders.parquet',
  bytes: 'PAR1PAR1',
}));
upload('an unknown extension', 'uploads', q('FORMAT_NOT_ALLOWED'), (m) => ({
  relative: 'orders/orders.txt',
  bytes: m,
}));
upload('a .exe', 'uploads', q('FORMAT_NOT_ALLOWED'), (m) => ({
  relative: 'orders/setup.csv.exe',
  bytes: `MZ${m}`,
}));
upload('no extension', 'uploads', q('BAD_KEY'), (m) => ({ relative: 'orders/orders', bytes: m }));
upload('CSV for a JSON dataset', 'uploads', q('FORMAT_NOT_ALLOWED'), (m) => ({
  relative: 'customers/customers.csv',
  bytes: `customer_id,email,created_at\n${m},a@b.example,2026-11-20T10:00:00Z\n`,
}));
upload('gzip of Parquet', 'uploads', q('FORMAT_NOT_ALLOWED'), () => ({
  relative: 'customers/customers.parquet.gz',
  bytes: gzipSync('PAR1PAR1'),
}));
upload('a truncated JSON line', 'uploads', q('MALFORMED_FILE', undefined, 2), (m) => ({
  relative: 'customers/truncated.jsonl',
  bytes: `${customer(`${m}-1`)}\n${customer(`${m}-2`).slice(0, -5)}`,
}));
upload('a JSON document cut short', 'uploads', q('MALFORMED_FILE'), (m) => ({
  relative: 'customers/truncated.json',
  bytes: `[${customer(`${m}-1`)},${customer(`${m}-2`).slice(0, 20)}`,
}));
upload('a JSON line that is an array', 'uploads', q('MALFORMED_FILE', undefined, 1), (m) => ({
  relative: 'customers/array-row.jsonl',
  bytes: `[${customer(m)}]\n`,
}));
upload('a JSON document wrapping the rows in an object', 'uploads', q('HEADER_MISMATCH', 'rows', 1), (m) => ({
  relative: 'customers/wrapped.json',
  bytes: `{"rows":[${customer(m)}]}`,
}));
upload('a null JSON line', 'uploads', q('MALFORMED_FILE', undefined, 2), (m) => ({
  relative: 'customers/null-line.jsonl',
  bytes: `${customer(m)}\nnull\n`,
}));
upload('a __proto__ key in a JSON row', 'uploads', q('HEADER_MISMATCH', '__proto__', 1), (m) => ({
  relative: 'customers/proto.jsonl',
  bytes: customer(m).replace('{', '{"__proto__":{"x":1},') + '\n',
}));
upload('a constructor key in a JSON row', 'uploads', q('HEADER_MISMATCH', 'constructor', 1), (m) => ({
  relative: 'customers/constructor.jsonl',
  bytes: customer(m).replace('{', '{"constructor":1,') + '\n',
}));
upload('a value nested 100,000 arrays deep', 'uploads', q('ROW_INVALID', 'name', 1), (m) => ({
  relative: 'customers/deep.jsonl',
  bytes: customer(m).replace('{', `{"name":${'['.repeat(100_000)}${']'.repeat(100_000)},`) + '\n',
}));
upload(
  'every email null (a required column never present)',
  'uploads',
  q('HEADER_MISMATCH', 'email'),
  (m) => ({
    relative: 'customers/null-email.jsonl',
    bytes: [1, 2, 3].map((i) => customer(`${m}-${i}`, { email: null })).join('\n') + '\n',
  }),
);
upload('created_at out of range in every row', 'uploads', q('ROW_INVALID', 'created_at', 1), (m) => ({
  relative: 'customers/created-year-0.jsonl',
  bytes:
    [1, 2, 3].map((i) => customer(`${m}-${i}`, { created_at: '0000-01-01T00:00:00Z' })).join('\n') + '\n',
}));
upload('lifetime_value as a string in every row', 'uploads', q('ROW_INVALID', 'lifetime_value', 1), (m) => ({
  relative: 'customers/ltv-string.jsonl',
  bytes: [1, 2, 3].map((i) => customer(`${m}-${i}`, { lifetime_value: '12' })).join('\n') + '\n',
}));
upload('lone surrogates in every row', 'uploads', q('MALFORMED_FILE', undefined, 1), (m) => ({
  relative: 'customers/lone-surrogate.jsonl',
  bytes:
    [1, 2, 3].map((i) => customer(`${m}-${i}`).replace(`"email"`, `"name":"x\\ud800y","email"`)).join('\n') +
    '\n',
}));
upload('invalid UTF-8 in a JSON line', 'uploads', q('MALFORMED_FILE'), (m) => ({
  relative: 'customers/bad-utf8.jsonl',
  bytes: Buffer.concat([
    Buffer.from(customer(m).slice(0, -1) + ',"name":"'),
    Buffer.from([0xc3, 0x28]),
    Buffer.from('"}\n'),
  ]),
}));
upload('a fake Parquet file', 'uploads', q('MALFORMED_FILE'), (m) => ({
  relative: 'customers/fake.parquet',
  bytes: Buffer.concat([
    Buffer.from('PAR1'),
    Buffer.from(m.repeat(10)),
    Buffer.from([0xff, 0xff, 0xff, 0x7f]),
    Buffer.from('PAR1'),
  ]),
}));
upload('a Parquet file cut short', 'uploads', q('MALFORMED_FILE'), (m) => ({
  relative: 'customers/truncated.parquet',
  bytes: Buffer.concat([Buffer.from('PAR1'), Buffer.from(m.repeat(50))]),
}));

// --- dataset names (folders) — keys the uploads watcher sees on disk
upload('an unknown dataset', 'dataset-names-and-keys', q('UNKNOWN_DATASET'), (m) => ({
  relative: 'nosuch/a.csv',
  bytes: `${ORDERS_HEADER}\n${orderRow(m)}\n`,
}));
upload('a dataset in upper case', 'dataset-names-and-keys', q('UNKNOWN_DATASET'), (m) => ({
  relative: 'ORDERS/a.csv',
  bytes: `${ORDERS_HEADER}\n${orderRow(m)}\n`,
}));
upload('a fullwidth dataset name', 'dataset-names-and-keys', q('UNKNOWN_DATASET'), (m) => ({
  relative: 'ｏｒｄｅｒｓ/a.csv',
  bytes: `${ORDERS_HEADER}\n${orderRow(m)}\n`,
}));
upload('a Cyrillic о in the dataset name', 'dataset-names-and-keys', q('UNKNOWN_DATASET'), (m) => ({
  relative: 'оrders/a.csv',
  bytes: `${ORDERS_HEADER}\n${orderRow(m)}\n`,
}));
upload('a dataset named constructor', 'dataset-names-and-keys', q('UNKNOWN_DATASET'), (m) => ({
  relative: 'constructor/a.csv',
  bytes: `${ORDERS_HEADER}\n${orderRow(m)}\n`,
}));
upload('a dataset name with a trailing space', 'dataset-names-and-keys', q('UNKNOWN_DATASET'), (m) => ({
  relative: 'orders /a.csv',
  bytes: `${ORDERS_HEADER}\n${orderRow(m)}\n`,
}));
upload('a file right under uploads/', 'dataset-names-and-keys', q('BAD_KEY'), (m) => ({
  relative: 'orders.csv',
  bytes: `${ORDERS_HEADER}\n${orderRow(m)}\n`,
}));
upload('a nested folder', 'dataset-names-and-keys', q('BAD_KEY'), (m) => ({
  relative: 'orders/2026/a.csv',
  bytes: `${ORDERS_HEADER}\n${orderRow(m)}\n`,
}));
upload('a percent-encoded traversal in the file name', 'dataset-names-and-keys', 'ignored', (m) => ({
  relative: 'orders/..%2F..%2Fetc.csv',
  bytes: `${ORDERS_HEADER}\n${orderRow(m)}\n`,
}));
upload('a hidden file', 'dataset-names-and-keys', 'ignored', (m) => ({
  relative: 'orders/.hidden.csv',
  bytes: `${ORDERS_HEADER}\n${orderRow(m)}\n`,
}));
upload('_SUCCESS', 'dataset-names-and-keys', 'ignored', () => ({ relative: 'orders/_SUCCESS', bytes: '' }));
upload('a .part file', 'dataset-names-and-keys', 'ignored', (m) => ({
  relative: 'orders/a.csv.part',
  bytes: `${ORDERS_HEADER}\n${orderRow(m)}\n`,
}));
upload('a .tmp file', 'dataset-names-and-keys', 'ignored', (m) => ({
  relative: 'orders/a.csv.tmp',
  bytes: `${ORDERS_HEADER}\n${orderRow(m)}\n`,
}));
upload('an editor backup (~)', 'dataset-names-and-keys', 'ignored', (m) => ({
  relative: 'orders/a.csv~',
  bytes: `${ORDERS_HEADER}\n${orderRow(m)}\n`,
}));
upload('a hidden dataset folder', 'dataset-names-and-keys', 'ignored', (m) => ({
  relative: '.orders/a.csv',
  bytes: `${ORDERS_HEADER}\n${orderRow(m)}\n`,
}));

upload('a newline in the file name', 'dataset-names-and-keys', q('BAD_KEY'), (m) => ({
  relative: 'orders/a\nb.csv',
  bytes: `${ORDERS_HEADER}\n${orderRow(m)}\n`,
}));
upload(
  'a backslash in the file name (a path separator on some systems)',
  'dataset-names-and-keys',
  q('BAD_KEY'),
  (m) => ({
    relative: 'orders/x\\..\\y.csv',
    bytes: `${ORDERS_HEADER}\n${orderRow(m)}\n`,
  }),
);

/** The good control upload: must reach the curated orders table. */
export const CONTROL_UPLOAD = {
  relative: 'orders/control.csv',
  ids: ['ctl-1', 'ctl-2'],
  bytes: Buffer.from(`${ORDERS_HEADER}\n${orderRow('ctl-1')}\n${orderRow('ctl-2', { amount: '3' })}\n`),
};

// ---------------------------------------------------------------------------------------------------------------
// Upload keys (S3 keys, decoded), checked through the key parser and the validateUpload handler

export const keyCases: KeyCase[] = [];
const key = (name: string, k: string, expect: KeyExpect) =>
  keyCases.push({ name, category: 'dataset-names-and-keys', key: k, expect });
const ignored: KeyExpect = { kind: 'ignored' };
const quarantined = (code: 'BAD_KEY' | 'UNKNOWN_DATASET' | 'FORMAT_NOT_ALLOWED'): KeyExpect => ({
  kind: 'quarantined',
  code,
});

key('uploads/../x.csv', 'uploads/../x.csv', ignored);
key('uploads/orders/../../x.csv', 'uploads/orders/../../x.csv', ignored);
key('uploads/orders/..%2F..%2Fetc.csv (literal %2F)', 'uploads/orders/..%2F..%2Fetc.csv', ignored);
key('uploads/orders/a.csv/..', 'uploads/orders/a.csv/..', ignored);
key('uploads/orders/./a.csv', 'uploads/orders/./a.csv', ignored);
key('uploads/./orders/a.csv', 'uploads/./orders/a.csv', ignored);
key('outside uploads/', 'quarantine/2026-11-24/orders/a.csv', ignored);
key('uploads prefix without slash', 'uploadsorders/a.csv', ignored);
key('events/ (the delivery stream’s folder)', 'events/type=page_view/x.gz', ignored);
key('a folder marker', 'uploads/orders/', ignored);
key('uploads/ itself', 'uploads/', ignored);
key('uploads/ORDERS/a.csv', 'uploads/ORDERS/a.csv', quarantined('UNKNOWN_DATASET'));
key('fullwidth dataset', 'uploads/ｏｒｄｅｒｓ/a.csv', quarantined('UNKNOWN_DATASET'));
key('Cyrillic lookalike dataset', 'uploads/оrders/a.csv', quarantined('UNKNOWN_DATASET'));
key('dotless-i lookalike dataset', 'uploads/customers\u0131/a.json', quarantined('UNKNOWN_DATASET'));
key('NFKC ligature lookalike (ﬁ)', 'uploads/\ufb01les/a.csv', quarantined('UNKNOWN_DATASET'));
key('combining accent on the dataset', 'uploads/orde\u0301rs/a.csv', quarantined('UNKNOWN_DATASET'));
key('zero-width space in the dataset', 'uploads/ord\u200bers/a.csv', quarantined('UNKNOWN_DATASET'));
key(
  'right-to-left override in the file name',
  'uploads/orders/a\u202ecsv.exe',
  quarantined('FORMAT_NOT_ALLOWED'),
);
key('fullwidth extension', 'uploads/orders/a.ｃｓｖ', quarantined('FORMAT_NOT_ALLOWED'));
key('percent-encoded dataset (literal)', 'uploads/%6Frders/a.csv', quarantined('UNKNOWN_DATASET'));
key('a backslash traversal', 'uploads/orders\\..\\..\\x.csv', quarantined('BAD_KEY'));
key('a NUL in the file name', 'uploads/orders/a\u0000.csv', quarantined('BAD_KEY'));
key('a NUL in the dataset', 'uploads/ord\u0000ers/a.csv', quarantined('BAD_KEY'));
key('a newline in the file name', 'uploads/orders/a\n.csv', quarantined('BAD_KEY'));
key('a double slash', 'uploads/orders//a.csv', quarantined('BAD_KEY'));
key('a nested folder', 'uploads/orders/x/a.csv', quarantined('BAD_KEY'));
key('no dataset folder', 'uploads/a.csv', quarantined('BAD_KEY'));
key('no extension', 'uploads/orders/README', quarantined('BAD_KEY'));
key('a dataset named __proto__ (hidden: starts with _)', 'uploads/__proto__/a.csv', ignored);
key('a dataset named constructor', 'uploads/constructor/a.csv', quarantined('UNKNOWN_DATASET'));
key('a dataset named toString', 'uploads/toString/a.csv', quarantined('UNKNOWN_DATASET'));
key('an over-long dataset name', `uploads/${'o'.repeat(300)}/a.csv`, quarantined('UNKNOWN_DATASET'));

// ---------------------------------------------------------------------------------------------------------------
// SQL (POST /queries)

export const sqlCases: SqlCase[] = [];
const sql = (name: string, text: string) =>
  sqlCases.push({
    name,
    category: 'sql',
    sql: text,
    expect: { status: 400, code: 'QUERY_NOT_ALLOWED', field: 'sql' },
  });

// writes
sql('COPY ... TO a file', "COPY (SELECT * FROM orders) TO '/tmp/bad-input-copy.csv'");
sql('COPY table TO a file in the lake', "COPY orders TO 'raw/uploads/orders/x.csv' (HEADER)");
sql('CREATE TABLE', 'CREATE TABLE t (x INT)');
sql('CREATE TABLE AS SELECT', 'CREATE TABLE t AS SELECT * FROM orders');
sql('CREATE VIEW', 'CREATE VIEW v AS SELECT 1');
sql('CREATE SECRET', "CREATE SECRET s (TYPE s3, KEY_ID 'x', SECRET 'y')");
sql('INSERT INTO ... SELECT', 'INSERT INTO orders SELECT * FROM orders');
sql('INSERT VALUES', "INSERT INTO orders (order_id) VALUES ('x')");
sql('UPDATE', 'UPDATE orders SET amount = 0');
sql('DELETE', 'DELETE FROM orders');
sql('DROP TABLE', 'DROP TABLE orders');
sql('DROP VIEW IF EXISTS', 'DROP VIEW IF EXISTS page_view');
sql('ALTER TABLE', 'ALTER TABLE orders ADD COLUMN x INT');
sql('TRUNCATE', 'TRUNCATE orders');
sql('MERGE', 'MERGE INTO orders USING orders o ON true WHEN MATCHED THEN DELETE');
sql('UNLOAD', "UNLOAD (SELECT * FROM orders) TO 's3://bucket/x/' WITH (format = 'CSV')");
sql('SELECT INTO', 'SELECT * INTO copy_of_orders FROM orders');
sql('EXPORT DATABASE', "EXPORT DATABASE '/tmp/bad-input-export'");
sql('IMPORT DATABASE', "IMPORT DATABASE '/tmp/bad-input-export'");
sql('CHECKPOINT', 'CHECKPOINT');
sql('VACUUM', 'VACUUM');
sql('MSCK REPAIR TABLE', 'MSCK REPAIR TABLE orders');
sql('CALL a procedure', 'CALL pragma_version()');
sql('a data-modifying CTE', 'WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d');
sql('BEGIN', 'BEGIN TRANSACTION');
sql('PREPARE', 'PREPARE p AS SELECT 1');
sql('EXECUTE', 'EXECUTE p');
// escape the database / engine
sql('ATTACH', "ATTACH '/tmp/bad-input.db' AS other");
sql('ATTACH in a second statement', "SELECT 1; ATTACH '/tmp/bad-input.db' AS other");
sql('DETACH', 'DETACH memory');
sql('INSTALL', 'INSTALL httpfs');
sql('LOAD', 'LOAD httpfs');
sql('PRAGMA', 'PRAGMA database_list');
sql('PRAGMA enable_profiling to a file', "PRAGMA profiling_output = '/tmp/bad-input-profile'");
sql('SET a setting', 'SET enable_external_access = true');
sql('SET GLOBAL', "SET GLOBAL allowed_directories = ['/']");
sql('RESET', 'RESET ALL');
sql('USE another database', 'USE memory');
sql("read_csv('/etc/passwd')", "SELECT * FROM read_csv('/etc/passwd')");
sql("read_text('/etc/passwd') in a scalar subquery", "SELECT (SELECT content FROM read_text('/etc/passwd'))");
sql(
  'read_parquet in a UNION',
  "SELECT order_id FROM orders UNION ALL SELECT * FROM read_parquet('/tmp/x.parquet')",
);
sql('read_json_auto', "SELECT * FROM read_json_auto('/etc/hosts')");
sql('a file path in FROM', "SELECT * FROM '/etc/passwd'");
sql('a lake file path in FROM', "SELECT * FROM 'curated/tables/datasets/orders/*/*.parquet'");
sql('glob()', "SELECT * FROM glob('/etc/*')");
sql('getenv()', "SELECT getenv('HOME')");
sql('current_setting()', "SELECT current_setting('allowed_directories')");
sql('duckdb_settings()', 'SELECT * FROM duckdb_settings()');
sql('query_table()', "SELECT * FROM query_table('orders')");
sql('query()', "SELECT * FROM query('SELECT 1')");
sql('a qualified function', 'SELECT main.getenv(1)');
sql('a qualified current_setting', "SELECT main.current_setting('allowed_directories')");
sql('a catalog-qualified function', "SELECT system.main.current_setting('threads')");
sql('a function qualified by a table alias', 'SELECT o.upper(order_id) FROM orders o');
sql('sqlite_scan', "SELECT * FROM sqlite_scan('/tmp/x.db', 't')");
// several statements
sql('two statements', 'SELECT 1; SELECT 2');
sql('a write after a SELECT', 'SELECT * FROM orders; DROP TABLE orders');
sql('a semicolon inside a comment, then a statement', 'SELECT 1 /* ; */ ; DELETE FROM orders');
sql('a line comment hiding a newline and a statement', 'SELECT 1 -- comment\n; DROP TABLE orders');
sql('a nested comment hiding a statement', 'SELECT 1 /* /* */ ; DROP TABLE orders; /* */');
sql('an unterminated comment', 'SELECT 1 /* ; DROP TABLE orders');
sql('a statement after a string with a semicolon', "SELECT ';' ; DROP TABLE orders");
sql('E-string escape hiding a quote', "SELECT E'\\'' ; DROP TABLE orders; --'");
sql('dollar quoting', 'SELECT $$ ; $$; DROP TABLE orders');
sql('a backtick identifier', 'SELECT `order_id` FROM orders');
// catalogs, system tables, other databases
sql(
  'information_schema.views (only tables and columns are answered)',
  'SELECT * FROM information_schema.views',
);
sql('"information_schema"."schemata"', 'SELECT * FROM "information_schema"."schemata"');
sql('pg_catalog', 'SELECT * FROM pg_catalog.pg_tables');
sql('system.runtime.nodes (Trino)', 'SELECT * FROM system.runtime.nodes');
sql('sqlite_master', 'SELECT * FROM sqlite_master');
sql('duckdb_tables()', 'SELECT * FROM duckdb_tables()');
sql('otherdb.t', 'SELECT * FROM otherdb.t');
sql('"awsdatacatalog"."x"."y"', 'SELECT * FROM "awsdatacatalog"."x"."y"');
sql('another catalog', 'SELECT * FROM memory.main.orders');
sql('the main schema', 'SELECT * FROM main.orders');
sql('a join to another database', 'SELECT * FROM orders o JOIN otherdb.customers c ON true');
sql('another database in a subquery', 'SELECT * FROM orders WHERE order_id IN (SELECT x FROM otherdb.t)');
sql('an unknown table', 'SELECT * FROM secrets');
// too deep to check: refused, not a crash
sql('a 20,000-term sum', 'SELECT ' + '1+'.repeat(20_000) + '1');
sql('a 10,000-deep concatenation', 'SELECT ' + "'a'||".repeat(10_000) + "'a'");
sql('10,000 NOTs', 'SELECT ' + 'NOT '.repeat(10_000) + 'true');
sql('parentheses 100 deep', 'SELECT ' + '('.repeat(100) + '1' + ')'.repeat(100));
// unicode and encoding tricks
sql('a Unicode-escaped identifier (U&)', 'SELECT * FROM U&"\\006f\\0072ders"');
sql('a Unicode-escaped string (U&)', "SELECT U&'\\0041' FROM orders");
sql('a fullwidth table name', 'SELECT * FROM ｏｒｄｅｒｓ');
sql('a Cyrillic lookalike table', 'SELECT * FROM оrders');
sql('a fullwidth semicolon then DROP', 'SELECT 1 ； DROP TABLE orders');
sql('a NUL byte before a second statement', 'SELECT 1\u0000; DROP TABLE orders');
sql('a zero-width space in DROP', 'SELECT 1; DR\u200bOP TABLE orders');
sql('a Greek question mark (;)', 'SELECT 1\u037e DROP TABLE orders');
sql('only a comment', '-- nothing');
