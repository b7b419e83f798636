/**
 * API Gateway's payload compression (serverless.yml provider.apiGateway.minimumCompressionSize): a function's
 * response body of at least that many bytes is sent compressed in the content coding the request's Accept-Encoding
 * prefers of those API Gateway supports (gzip, deflate; identity is none), unless the function set Content-Encoding
 * itself, or the request prefers another coding (preferredCoding). A client that asks for gzip and does not decode (Java's HttpClient does not) would otherwise work against
 * the local lake and not on AWS.
 */
import { deflateSync, gzipSync } from 'node:zlib';

type Coding = 'gzip' | 'deflate';

/**
 * The coding Accept-Encoding names and prefers of gzip and deflate (q > 0), else none. As API Gateway: only a coding
 * named compresses (`*` alone, as no header, does not), and none does when the highest-priority coding is another —
 * identity, or one API Gateway does not support (br) — ranked above it ("identity, gzip;q=0.5").
 */
export function preferredCoding(acceptEncoding: string | undefined): Coding | undefined {
  if (!acceptEncoding) return undefined;
  const q = namedQualities(acceptEncoding);
  const of = (c: string) => q.get(c) ?? 0;
  const best = (['gzip', 'deflate'] as const).reduce<Coding | undefined>(
    (a, c) => (of(c) > 0 && (a === undefined || of(c) > of(a)) ? c : a),
    undefined,
  );
  if (best === undefined) return undefined;
  const others = [...q].filter(([name]) => name !== 'gzip' && name !== 'deflate' && name !== '*');
  return others.some(([, value]) => value > of(best)) ? undefined : best;
}

/** Whether Accept-Encoding accepts `coding` (q > 0, by name or by `*`). */
export function acceptsCoding(acceptEncoding: string | undefined, coding: Coding): boolean {
  return !!acceptEncoding && qualities(acceptEncoding)(coding) > 0;
}

/** Each coding's q value in an Accept-Encoding header (0 for one it does not name, unless `*` gives one). */
function qualities(acceptEncoding: string): (coding: Coding) => number {
  const q = namedQualities(acceptEncoding);
  return (c) => q.get(c) ?? q.get('*') ?? 0;
}

/** The q value of each coding an Accept-Encoding header names (`*` among them), by its lower-case name. */
function namedQualities(acceptEncoding: string): Map<string, number> {
  const q = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const given = params.map((p) => /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    const value = given === undefined ? 1 : Number(given);
    q.set(name.trim(), Number.isFinite(value) ? value : 0);
  }
  return q;
}

/**
 * The body to send and the headers to send it with (`headers` gains content-encoding when it is compressed);
 * `minimumBytes` undefined: compression off, as an API without minimumCompressionSize.
 */
export function compressedResponse(
  body: Buffer,
  acceptEncoding: string | undefined,
  headers: Record<string, string | string[]>,
  minimumBytes: number | undefined,
): Buffer {
  if (minimumBytes === undefined || body.length < minimumBytes || headers['content-encoding'] !== undefined)
    return body;
  const coding = preferredCoding(acceptEncoding);
  if (!coding) return body;
  headers['content-encoding'] = coding;
  return coding === 'gzip' ? gzipSync(body) : deflateSync(body);
}
