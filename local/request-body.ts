/** Reading a request's body as API Gateway takes it: whole, up to its payload limit; and as its proxy event carries it. */
import { isUtf8 } from 'node:buffer';
import type http from 'node:http';
import zlib from 'node:zlib';

/** API Gateway's largest request payload. */
export const API_GATEWAY_MAX_PAYLOAD = 10 * 1024 * 1024;

/** Bytes of an oversized body read and discarded before answering 413, so that the client sees the answer (a server
 * that closes while the client is still sending makes most clients report a connection reset instead). Beyond this
 * the connection is cut. */
const MAX_DISCARDED_BYTES = 64 * 1024 * 1024;

/** The body, or null when it is larger than `limit` (then drained, up to MAX_DISCARDED_BYTES, before resolving). */
export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = declared > limit;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) tooLarge = true;
      if (tooLarge) {
        chunks.length = 0;
        if (size > MAX_DISCARDED_BYTES) {
          req.removeAllListeners('data');
          req.socket.destroy();
          resolve(null);
        }
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(tooLarge ? null : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A request body as the Lambda proxy event carries it: UTF-8 text as is, other bytes in base64, none as null. */
export interface EventBody {
  body: string | null;
  isBase64Encoded: boolean;
}

/** The proxy event's body of `bytes`, as API Gateway writes it. */
export function eventBody(bytes: Buffer): EventBody {
  if (bytes.length === 0) return { body: null, isBase64Encoded: false };
  return isUtf8(bytes)
    ? { body: bytes.toString('utf8'), isBase64Encoded: false }
    : { body: bytes.toString('base64'), isBase64Encoded: true };
}

/**
 * A body as API Gateway passes it on when payload compression is enabled (serverless.yml minimumCompressionSize): its
 * Content-Encoding codings (gzip, deflate in HTTP's zlib format, identity: API Gateway's list, which does not hold
 * HTTP's x-gzip; applied in the order listed) decoded;
 * 'unsupported' for another coding or a body that does not decode with its coding (API Gateway answers 415),
 * 'too-large' when the decoded body would exceed API Gateway's payload limit. An empty body without a coding is
 * passed on as it is (one labelled gzip or deflate is 'unsupported': nothing is no such stream).
 */
export function decodedBody(
  bytes: Buffer,
  contentEncoding: string | undefined,
): Buffer | 'unsupported' | 'too-large' {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  // The codings are judged first, as API Gateway does, also for an empty body; nothing is no gzip or deflate stream.
  if (codings.some((c) => c !== 'gzip' && c !== 'deflate')) return 'unsupported';
  let body = bytes;
  for (const coding of codings.reverse()) {
    const decode = coding === 'gzip' ? zlib.gunzipSync : coding === 'deflate' ? zlib.inflateSync : undefined;
    if (!decode) return 'unsupported';
    try {
      body = decode(body, { maxOutputLength: API_GATEWAY_MAX_PAYLOAD });
    } catch (e) {
      return (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? 'too-large' : 'unsupported';
    }
  }
  return body;
}
