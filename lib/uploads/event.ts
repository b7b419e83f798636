/** The EventBridge "Object Created" event of S3, read into what the upload check needs. */
import { decodeS3EventKey } from './key';

export interface ObjectCreated {
  bucket: string;
  /**
   * Decoded (the event carries it URL-encoded, '+' for a space); the key as sent when it does not decode (a '%' not
   * followed by two hex digits: an event that did not encode it).
   */
  key: string;
  /** The key as the event sent it, when it differs from `key` (./event-key.ts: which of the two is the object). */
  sentKey?: string;
  size?: number;
  etag?: string;
  versionId?: string;
  sequencer?: string;
}

/** The event is not an S3 "Object Created" event as EventBridge delivers it. */
export class BadEventError extends Error {
  readonly code = 'BAD_EVENT';
  constructor(message: string) {
    super(message);
    this.name = 'BadEventError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseObjectCreated(event: unknown): ObjectCreated {
  if (!isObject(event)) throw new BadEventError('the event is not an object');
  if (event.source !== 'aws.s3' || event['detail-type'] !== 'Object Created') {
    throw new BadEventError(
      `expected source 'aws.s3' and detail-type 'Object Created', got ${JSON.stringify(event.source)} / ${JSON.stringify(event['detail-type'])}`,
    );
  }
  const detail = event.detail;
  if (!isObject(detail) || !isObject(detail.bucket) || !isObject(detail.object)) {
    throw new BadEventError('detail.bucket and detail.object are required');
  }
  const bucket = detail.bucket.name;
  const o = detail.object;
  if (typeof bucket !== 'string' || bucket === '')
    throw new BadEventError('detail.bucket.name must be a non-empty string');
  if (typeof o.key !== 'string' || o.key === '')
    throw new BadEventError('detail.object.key must be a non-empty string');
  let key: string;
  try {
    key = decodeS3EventKey(o.key);
  } catch {
    key = o.key; // not URL-encoded: the key as sent is the only one it can name
  }
  const optional = (name: string, v: unknown, type: 'string' | 'number') => {
    if (v === undefined || v === null || v === '') return {};
    if (typeof v !== type) throw new BadEventError(`detail.object.${name} must be a ${type}`);
    return { [name === 'version-id' ? 'versionId' : name]: v };
  };
  return {
    bucket,
    key,
    ...(key !== o.key ? { sentKey: o.key } : {}),
    ...optional('size', o.size, 'number'),
    ...optional('etag', o.etag, 'string'),
    ...optional('version-id', o['version-id'], 'string'),
    ...optional('sequencer', o.sequencer, 'string'),
  } as ObjectCreated;
}
