/**
 * Who may call the local lake's Athena API: a request signed with AWS Signature Version 4 by the credentials
 *   access key id      = the lake's API key (LAKE_API_KEY, <LAKE_DIR>/api-key)
 *   secret access key  = `local` (LOCAL_SECRET_ACCESS_KEY, fixed and documented)
 * The key id is the secret here, as the API key is on the other routes; the signature, recomputed with
 * @smithy/signature-v4 (the signer the AWS SDK itself uses) over the request as received, proves the request is a
 * well-formed SigV4 request of those credentials and that its body is the one signed. Any region is accepted (the
 * lake is not regional); the service must be `athena`; the date within 15 minutes of the lake's clock, as AWS
 * requires.
 *
 * Refusals, before anything runs, are those AWS's JSON-protocol services answer, all HTTP 400:
 * MissingAuthenticationTokenException (no Authorization header), IncompleteSignatureException (an Authorization
 * header that is not SigV4's), UnrecognizedClientException (an access key id that is not the API key),
 * InvalidSignatureException (a signature that does not verify, a wrong service, an expired date).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { AthenaApiError } from './errors';

/** The secret access key of the lake's Athena credentials. */
export const LOCAL_SECRET_ACCESS_KEY = 'local';

/** How far a request's X-Amz-Date may be from the lake's clock (AWS: 15 minutes). */
const MAX_SKEW_MS = 15 * 60 * 1000;

/** SHA-256 (and HMAC-SHA-256 with a secret) in the shape @smithy/signature-v4 asks for (SourceData). */
class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

const refuse = (type: string, message: string) => new AthenaApiError(type, message, 400);

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access ' +
  `Key and signing method. Consult the service documentation for details. (The local lake's secret access key is ` +
  `'${LOCAL_SECRET_ACCESS_KEY}'.)`;

interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

function parseAuthorization(header: string): ParsedAuthorization {
  const [algorithm, ...rest] = header.trim().split(/\s+/);
  const params = new Map<string, string>();
  for (const part of rest.join(' ').split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((p) => !params.get(p));
  if (algorithm !== 'AWS4-HMAC-SHA256' || missing.length) {
    throw refuse(
      'IncompleteSignatureException',
      algorithm !== 'AWS4-HMAC-SHA256'
        ? `Unsupported authorization type '${algorithm ?? ''}': sign the request with AWS4-HMAC-SHA256 (SigV4)`
        : missing.map((p) => `Authorization header requires '${p}' parameter.`).join(' '),
    );
  }
  // The key is the lake's API key, which may hold '/', ',' or '=' (a base64 key): the scope is the last four parts
  // of the credential, which ends at the first '/aws4_request' before a ',' or the end.
  const whole = /Credential=(.+?\/aws4_request)\s*(?:,|$)/.exec(header)?.[1] ?? params.get('Credential')!;
  const credential = whole.split('/');
  const [date = '', region = '', service = '', terminator] = credential.slice(-4);
  const accessKeyId = credential.slice(0, -4).join('/');
  if (credential.length < 5 || terminator !== 'aws4_request' || !accessKeyId || !/^\d{8}$/.test(date)) {
    throw refuse(
      'IncompleteSignatureException',
      `Credential '${params.get('Credential')}' is not <access key id>/<yyyyMMdd>/<region>/<service>/aws4_request`,
    );
  }
  return {
    accessKeyId,
    date,
    region,
    service,
    signedHeaders: params.get('SignedHeaders')!.toLowerCase().split(';'),
    signature: params.get('Signature')!,
  };
}

/** yyyyMMddTHHmmssZ → Date (undefined if malformed). */
function amzDate(value: string | undefined): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? '');
  if (!m) return undefined;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Checks the request's signature against the lake's credentials; throws the AWS error to answer otherwise. `url`
 * is the request's path and query as received; `body` its bytes.
 */
export async function verifySignature(
  req: Pick<http.IncomingMessage, 'method' | 'headers'>,
  url: URL,
  body: Buffer,
  apiKey: string,
  now = Date.now(),
): Promise<void> {
  const authorization = req.headers.authorization;
  if (!authorization) throw refuse('MissingAuthenticationTokenException', 'Missing Authentication Token');
  const auth = parseAuthorization(authorization);
  const signedAt = amzDate(req.headers['x-amz-date'] as string | undefined);
  if (!signedAt || !auth.signedHeaders.includes('host') || !auth.signedHeaders.includes('x-amz-date')) {
    throw refuse(
      'IncompleteSignatureException',
      'The request must carry an X-Amz-Date header (yyyyMMddTHHmmssZ), and sign it and Host.',
    );
  }
  if (!sameText(auth.accessKeyId, apiKey))
    throw refuse(
      'UnrecognizedClientException',
      // AWS's words, then the local hint (as the signature's): the likeliest cause is an AWS profile's key.
      "The security token included in the request is invalid. (The local lake's access key id is its API key: " +
        "LAKE_API_KEY, else the api-key file in the lake's folder, .lake/api-key by default.)",
    );
  if (auth.service !== 'athena')
    throw refuse('InvalidSignatureException', `Credential should be scoped to correct service: 'athena'.`);
  if (Math.abs(now - signedAt.getTime()) > MAX_SKEW_MS) {
    throw refuse(
      'InvalidSignatureException',
      `Signature expired: ${req.headers['x-amz-date']} is more than 15 minutes from the lake's clock ` +
        `(${new Date(now).toISOString()}).`,
    );
  }
  const declaredHash = req.headers['x-amz-content-sha256'];
  if (
    typeof declaredHash === 'string' &&
    declaredHash !== 'UNSIGNED-PAYLOAD' &&
    declaredHash !== createHash('sha256').update(body).digest('hex')
  ) {
    throw refuse(
      'InvalidSignatureException',
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  }

  // The request as the client signed it: its signed headers only, as received.
  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = req.headers[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const signer = new SignatureV4({
    credentials: { accessKeyId: auth.accessKeyId, secretAccessKey: LOCAL_SECRET_ACCESS_KEY },
    region: auth.region,
    service: auth.service,
    sha256: Sha256,
    applyChecksum: false,
  });
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    query[key] = all.length === 1 ? all[0]! : all;
  }
  const signed = await signer.sign(
    {
      method: (req.method ?? 'POST').toUpperCase(),
      protocol: 'http:',
      hostname: String(req.headers.host ?? ''),
      path: url.pathname,
      query,
      headers,
      body,
    },
    {
      signingDate: signedAt,
      signingRegion: auth.region,
      signingService: auth.service,
      signableHeaders: new Set(auth.signedHeaders),
    },
  );
  const expected = /Signature=([0-9a-f]+)/.exec(String(signed.headers.authorization))?.[1] ?? '';
  if (!sameText(expected, auth.signature.toLowerCase()))
    throw refuse('InvalidSignatureException', SIGNATURE_MISMATCH);
}
