/**
 * How the local lake's Athena API reads a request before running anything: the body as Athena reads an operation's
 * input (local/athena/input.ts) and the SigV4 signature of the lake's credentials (local/athena/auth.ts; requests
 * signed here with @smithy/signature-v4, the SDK's own signer).
 */
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { verifySignature } from '../../local/athena/auth';
import type { AthenaApiError } from '../../local/athena/errors';
import { readInput, type Shape } from '../../local/athena/input';

const SHAPE: Shape = {
  QueryExecutionId: { type: 'string', required: true, min: 1, max: 128, pattern: '\\S+' },
  NextToken: { type: 'string', min: 1, max: 1024 },
  MaxResults: { type: 'integer', min: 1, max: 1000 },
  Context: { type: 'structure', members: { Database: { type: 'string', min: 1 } } },
  Ids: { type: 'strings', min: 1, max: 2 },
};

function refusal(fn: () => unknown): Record<string, unknown> {
  try {
    fn();
  } catch (e) {
    return { status: (e as AthenaApiError).status, ...(e as AthenaApiError).body() };
  }
  throw new Error('accepted');
}

const read = (body: unknown) => () =>
  readInput(Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), SHAPE);

describe("an operation's input, read as Athena reads it", () => {
  it('reads members of the right types; null is absent, unknown members are ignored, 1.5 reads as 1', () => {
    const input = read({
      QueryExecutionId: 'q',
      MaxResults: 1.5,
      NextToken: null,
      Other: [1],
      Context: { Database: 'd' },
    })();
    expect([input.string('QueryExecutionId'), input.integer('MaxResults'), input.has('NextToken')]).toEqual([
      'q',
      1,
      false,
    ]);
    expect(input.structure('Context')?.string('Database')).toBe('d');
  });

  it('a member of the wrong JSON type: SerializationException, without AthenaErrorCode', () => {
    expect(refusal(read({ QueryExecutionId: 'q', MaxResults: '1' }))).toEqual({
      status: 400,
      __type: 'SerializationException',
      Message: 'STRING_VALUE can not be converted to an Integer',
    });
    expect(refusal(read({ QueryExecutionId: 7 })).Message).toBe(
      'NUMBER_VALUE can not be converted to a String',
    );
    expect(refusal(read({ QueryExecutionId: true })).Message).toBe(
      'TRUE_VALUE can not be converted to a String',
    );
    expect(refusal(read({ QueryExecutionId: ['q'] })).Message).toBe('Start of list found where not expected');
    expect(refusal(read({ QueryExecutionId: {} })).Message).toBe(
      'Start of structure or map found where not expected.',
    );
    expect(refusal(read({ QueryExecutionId: 'q', Ids: 'a' })).Message).toBe('Expected list or null');
    expect(refusal(read({ QueryExecutionId: 'q', Context: 'd' })).Message).toBe('Expected null');
    // A body that is not a JSON object at all: no Message.
    expect(refusal(read('{'))).toEqual({ status: 400, __type: 'SerializationException' });
    expect(refusal(read(''))).toEqual({ status: 400, __type: 'SerializationException' });
  });

  it("constraints: every violation in one InvalidRequestException, in the model's order", () => {
    expect(refusal(read({ MaxResults: 1 }))).toEqual({
      status: 400,
      __type: 'InvalidRequestException',
      AthenaErrorCode: 'INVALID_INPUT',
      ErrorCode: 'INVALID_INPUT',
      Message:
        "1 validation error detected: Value null at 'queryExecutionId' failed to satisfy constraint: Member must not be null",
    });
    expect(refusal(read({ QueryExecutionId: 'q', NextToken: '', MaxResults: 0 })).Message).toBe(
      "2 validation errors detected: Value at 'nextToken' failed to satisfy constraint: Member must have length " +
        "greater than or equal to 1; Value at 'maxResults' failed to satisfy constraint: Member must have value " +
        'greater than or equal to 1',
    );
    expect(refusal(read({ QueryExecutionId: 'a b' })).Message).toContain(
      'Member must satisfy regular expression pattern: \\S+',
    );
    expect(refusal(read({ QueryExecutionId: 'q', Context: { Database: '' } })).Message).toContain(
      "'context.database'",
    );
  });
});

/** SHA-256 for the signer, from node:crypto (the SDK brings its own; any correct one signs the same). */
class Sha256 {
  private readonly h;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    const key =
      secret === undefined || typeof secret === 'string' ? secret : Buffer.from(secret as ArrayBuffer);
    this.h = key === undefined ? createHash('sha256') : createHmac('sha256', key);
  }
  update(d: string | ArrayBuffer | ArrayBufferView) {
    this.h.update(typeof d === 'string' ? d : Buffer.from(d as ArrayBuffer));
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
}

const KEY = 'the-lake-api-key';
const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);

async function signed(
  opts: { key?: string; secret?: string; service?: string; at?: number; body?: string } = {},
): Promise<{ headers: Record<string, string>; body: Buffer }> {
  const body = opts.body ?? '{"QueryExecutionId":"q"}';
  const signer = new SignatureV4({
    credentials: { accessKeyId: opts.key ?? KEY, secretAccessKey: opts.secret ?? 'local' },
    region: 'eu-west-1',
    service: opts.service ?? 'athena',
    sha256: Sha256,
  });
  const req = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 3000,
      path: '/',
      query: {},
      headers: {
        host: '127.0.0.1:3000',
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AmazonAthena.GetQueryExecution',
      },
      body,
    },
    { signingDate: new Date(opts.at ?? NOW) },
  );
  return { headers: req.headers as Record<string, string>, body: Buffer.from(body) };
}

async function verdict(
  request: { headers: Record<string, string>; body: Buffer },
  tamper: (r: { headers: Record<string, string>; body: Buffer }) => void = () => undefined,
  lakeKey = KEY,
): Promise<unknown> {
  tamper(request);
  return verifySignature(
    { method: 'POST', headers: request.headers },
    new URL('http://127.0.0.1:3000/'),
    request.body,
    lakeKey,
    NOW,
  ).then(
    () => 'accepted',
    (e: AthenaApiError) => [e.type, e.status],
  );
}

describe("the signature of the lake's credentials", () => {
  it('accepts a request signed with the API key and the secret `local`, in any region', async () => {
    expect(await verdict(await signed())).toBe('accepted');
  });

  it("accepts an API key holding '/', ',' or '=' (a base64 key): the credential's scope is its last four parts", async () => {
    for (const key of [
      'abc/def+ghi=jkl0123456789',
      'a,b=c/d/e',
      'k/20260102/eu-west-1/athena/aws4_request',
    ]) {
      expect(await verdict(await signed({ key }), undefined, key)).toBe('accepted');
      expect(await verdict(await signed({ key: `${key}x` }), undefined, key)).toEqual([
        'UnrecognizedClientException',
        400,
      ]);
    }
  });

  it('refuses, before anything runs, as AWS refuses', async () => {
    expect(await verdict(await signed({ key: 'AKIAEXAMPLE' }))).toEqual(['UnrecognizedClientException', 400]);
    expect(await verdict(await signed({ secret: 'other' }))).toEqual(['InvalidSignatureException', 400]);
    expect(await verdict(await signed({ service: 's3' }))).toEqual(['InvalidSignatureException', 400]);
    expect(await verdict(await signed({ at: NOW - 16 * 60_000 }))).toEqual([
      'InvalidSignatureException',
      400,
    ]);
    // A body other than the one signed, with or without its declared hash.
    expect(
      await verdict(await signed(), (r) => (r.body = Buffer.from('{"QueryExecutionId":"other"}'))),
    ).toEqual(['InvalidSignatureException', 400]);
    expect(
      await verdict(await signed(), (r) => {
        r.body = Buffer.from('{"QueryExecutionId":"other"}');
        r.headers['x-amz-content-sha256'] = createHash('sha256').update(r.body).digest('hex');
      }),
    ).toEqual(['InvalidSignatureException', 400]);
    expect(
      await verdict(await signed(), (r) => (r.headers['x-amz-target'] = 'AmazonAthena.StopQueryExecution')),
    ).toEqual(['InvalidSignatureException', 400]);
    expect(await verdict(await signed(), (r) => delete r.headers.authorization)).toEqual([
      'MissingAuthenticationTokenException',
      400,
    ]);
    expect(await verdict(await signed(), (r) => (r.headers.authorization = `Bearer ${KEY}`))).toEqual([
      'IncompleteSignatureException',
      400,
    ]);
  });
});
