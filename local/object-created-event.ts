/**
 * The event S3 sends through EventBridge for a new object in the raw bucket, as the local uploads watcher
 * (./uploads-watcher.ts) builds it for validateUpload: the same shape and fields as resources/uploads.yml's rule
 * delivers on AWS.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { S3ObjectCreatedNotificationEvent } from 'aws-lambda';
import { encodeS3EventKey } from '../lib/uploads/key';
import { LOCAL_ACCOUNT_ID } from '../lib/workflow/local';

/** The event S3 sends to EventBridge for a new object (detail-type "Object Created"). */
export function objectCreatedEvent(
  bucket: string,
  key: string,
  size: number,
  etag: string,
  mtimeMs: number,
  now = new Date(),
  versionId?: string,
): S3ObjectCreatedNotificationEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: LOCAL_ACCOUNT_ID,
    time: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: process.env.AWS_REGION || 'us-east-1',
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: '0',
      bucket: { name: bucket },
      object: {
        key: encodeS3EventKey(key),
        size,
        etag,
        ...(versionId ? { 'version-id': versionId } : {}),
        sequencer: BigInt(Math.round(mtimeMs * 1000))
          .toString(16)
          .toUpperCase()
          .padStart(18, '0'),
      },
      'request-id': randomBytes(8).toString('hex').toUpperCase(),
      requester: LOCAL_ACCOUNT_ID,
      'source-ip-address': '127.0.0.1',
      reason: 'PutObject',
    },
  } as S3ObjectCreatedNotificationEvent;
}
