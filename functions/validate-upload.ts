/**
 * S3 "Object Created" (EventBridge) for the raw bucket's uploads/ — checks the file against its dataset without
 * reading it whole (key, dataset, format, size, columns, a sample of rows); a good file starts the ETL state
 * machine (deterministic execution name: a duplicate event starts nothing new), a bad one is moved to
 * quarantine/<date>/<dataset>/<file> with <file>.reason.json beside it and an UPLOAD_QUARANTINED notice.
 * Errors (S3, SNS, Step Functions) fail the invocation, which Lambda retries, then sends to the uploads DLQ.
 *
 * Observability: correlation id = the EventBridge event id (Powertools' correlationPaths.EVENT_BRIDGE), on every
 * log line with bucket, key and sequencer, and passed to the ETL execution as input.correlationId. Metrics
 * (lib/metrics.ts): UploadsAccepted, UploadsQuarantined or UploadsIgnored, with dataset and reason as metadata
 * (not dimensions); ColdStart.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, S3ObjectCreatedNotificationEvent } from 'aws-lambda';
import { runtime } from '../lib/config';
import { isolated } from '../lib/invocation-scope';
import { logger } from '../lib/logger';
import { count, MetricName, metrics } from '../lib/metrics';
import { notifier } from '../lib/notify';
import { objectStore } from '../lib/objects';
import { BadEventError, parseObjectCreated } from '../lib/uploads/event';
import { classifyKey } from '../lib/uploads/key';
import { processUpload, type UploadOutcome } from '../lib/uploads/process';
import { workflow } from '../lib/workflow';

/** Counts an outcome; what varies per file (dataset, reason, execution) goes in the metadata of the EMF line. */
function countOutcome(outcome: UploadOutcome): void {
  metrics.addMetadata('key', outcome.key);
  switch (outcome.outcome) {
    case 'ignored':
      count(MetricName.UploadsIgnored);
      metrics.addMetadata('reason', outcome.reason);
      return;
    case 'quarantined': {
      count(MetricName.UploadsQuarantined);
      const cls = classifyKey(outcome.key);
      if (cls.kind === 'upload' && cls.dataset) metrics.addMetadata('dataset', cls.dataset);
      metrics.addMetadata('reason', outcome.code);
      return;
    }
    case 'started':
    case 'alreadyStarted':
      count(MetricName.UploadsAccepted);
      metrics.addMetadata('dataset', outcome.dataset);
      metrics.addMetadata('outcome', outcome.outcome);
      metrics.addMetadata('execution_name', outcome.executionName);
      return;
  }
}

export async function validateUpload(
  event: S3ObjectCreatedNotificationEvent,
  _context?: Context,
): Promise<UploadOutcome> {
  // correlationPaths.EVENT_BRIDGE: the event's id (the same for EventBridge's and Lambda's retries of it).
  const id = (event as { id?: unknown } | null)?.id;
  const correlationId = typeof id === 'string' && id !== '' ? id : undefined;
  if (correlationId) {
    logger.setCorrelationId(correlationId);
    metrics.addMetadata('correlation_id', correlationId);
  }
  const created = parseObjectCreated(event);
  logger.appendKeys({
    bucket: created.bucket,
    key: created.key,
    ...(created.sequencer ? { sequencer: created.sequencer } : {}),
  });
  const rawBucket = process.env.RAW_BUCKET;
  if (runtime() === 'aws' && rawBucket && created.bucket !== rawBucket) {
    throw new BadEventError(`the event is for bucket '${created.bucket}', not the raw bucket '${rawBucket}'`);
  }
  const outcome = await processUpload(
    created,
    { objects: objectStore(), notifier, workflow },
    correlationId ? { correlationId } : {},
  );
  countOutcome(outcome);
  return outcome;
}

// One log context per invocation where invocations share a process (the local lake; lib/invocation-scope.ts).
export const handler = isolated(
  middy<S3ObjectCreatedNotificationEvent, UploadOutcome>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .handler(validateUpload),
);
