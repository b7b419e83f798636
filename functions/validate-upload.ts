/**
 * S3 "Object Created" (EventBridge) for the raw bucket's uploads/ — checks the file against its dataset without
 * reading it whole (key, dataset, format, size, columns, a sample of rows); a good file starts the ETL state
 * machine (deterministic execution name: a duplicate event starts nothing new), a bad one is moved to
 * quarantine/<date>/<dataset>/<file> with <file>.reason.json beside it and an UPLOAD_QUARANTINED notice.
 * Errors (S3, SNS, Step Functions) fail the invocation, which Lambda retries, then sends to the uploads DLQ.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, S3ObjectCreatedNotificationEvent } from 'aws-lambda';
import { runtime } from '../lib/config';
import { logger } from '../lib/logger';
import { notifier } from '../lib/notify';
import { objectStore } from '../lib/objects';
import { BadEventError, parseObjectCreated } from '../lib/uploads/event';
import { processUpload, type UploadOutcome } from '../lib/uploads/process';
import { workflow } from '../lib/workflow';

export async function validateUpload(
  event: S3ObjectCreatedNotificationEvent,
  _context?: Context,
): Promise<UploadOutcome> {
  const created = parseObjectCreated(event);
  const rawBucket = process.env.RAW_BUCKET;
  if (runtime() === 'aws' && rawBucket && created.bucket !== rawBucket) {
    throw new BadEventError(`the event is for bucket '${created.bucket}', not the raw bucket '${rawBucket}'`);
  }
  logger.appendKeys({ key: created.key });
  return processUpload(created, { objects: objectStore(), notifier, workflow });
}

export const handler = middy<S3ObjectCreatedNotificationEvent, UploadOutcome>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(validateUpload);
