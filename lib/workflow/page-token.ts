/**
 * Opaque paging tokens of execution lists: the runtime's own position (Step Functions' nextToken, or an offset in
 * the local records) bound to the status filter it was made for, base64url JSON. A token altered, or used with
 * another filter, is refused (InvalidNextTokenError) rather than read as something else.
 */
import { InvalidNextTokenError } from './types';

interface TokenBody {
  /** The runtime's position. */
  p: string | number;
  /** The status filter ('' for none). */
  s: string;
}

export function encodePageToken(position: string | number, status: string | undefined): string {
  const body: TokenBody = { p: position, s: status ?? '' };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

export function decodePageToken<T extends string | number>(
  token: string,
  status: string | undefined,
  kind: 'string' | 'number',
): T {
  let body: Partial<TokenBody> | undefined;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<TokenBody>;
  } catch {
    body = undefined;
  }
  if (!body || typeof body.p !== kind || typeof body.s !== 'string')
    throw new InvalidNextTokenError('nextToken is not a token this list gave');
  if (body.s !== (status ?? ''))
    throw new InvalidNextTokenError('nextToken was given for another status filter');
  if (kind === 'number' && !(Number.isSafeInteger(body.p) && (body.p as number) >= 0))
    throw new InvalidNextTokenError('nextToken is not a token this list gave');
  return body.p as T;
}
