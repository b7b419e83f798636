/**
 * The CloudWatch metrics every function emits (AWS Lambda Powertools, Embedded Metric Format: one JSON line on
 * stdout per invocation, which CloudWatch Logs turns into metrics). One instance per process, like lib/logger.ts;
 * each handler flushes it with `logMetrics(metrics, { captureColdStartMetric: true })` (middy).
 *
 * The contract the alarms and the dashboard (resources/) are built on:
 *   namespace   POWERTOOLS_METRICS_NAMESPACE, default `DataLake`
 *   dimensions  service (POWERTOOLS_SERVICE_NAME, default `data-lake`) and stage (see lakeStage()), on every metric;
 *               ColdStart also has function_name
 *   metrics     MetricName below, all Count
 *
 * Switch: POWERTOOLS_METRICS_DISABLED=true|false, honoured by Powertools itself. When it is not set, metrics are on
 * only inside a Lambda execution environment (not `sls invoke local`, the local lake or tests): EMF is meant for
 * CloudWatch Logs and would only be noise on a terminal.
 *
 * Limitation: a shared instance holds the metrics of one invocation until its middleware flushes them. Lambda runs
 * one invocation at a time per process, so that is exact there; the local lake runs every function in one process
 * with concurrent requests, where flushes would interleave — which is why metrics are off locally.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { inLambda } from './lambda-environment';
import { logger } from './logger';

export const MetricName = {
  /** ingest: records the delivery stream accepted (a 202, or the accepted part of a 503). */
  EventsAccepted: 'EventsAccepted',
  /** ingest: events of a request refused with 400 VALIDATION_FAILED (all of the batch: validation is all or nothing). */
  EventsRejected: 'EventsRejected',
  /** ingest: records the delivery stream did not accept (a 503). */
  EventsDeliveryFailed: 'EventsDeliveryFailed',
  /** ingest: requests refused before their events were looked at (bad JSON, too large, content type, bad body). */
  RequestsRejected: 'RequestsRejected',
  /** validateUpload: a file handed to the ETL (execution started, or already started by a duplicate event). */
  UploadsAccepted: 'UploadsAccepted',
  /** validateUpload: a file moved to quarantine/. */
  UploadsQuarantined: 'UploadsQuarantined',
  /** validateUpload: not an upload, gone, or superseded by a newer object. */
  UploadsIgnored: 'UploadsIgnored',
  /** queries: POST /queries started a query. */
  QueriesStarted: 'QueriesStarted',
  /** queries: POST /queries refused (QUERY_NOT_ALLOWED or another 4xx bad request). */
  QueriesRejected: 'QueriesRejected',
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];

export const DEFAULT_NAMESPACE = 'DataLake';
const DEFAULT_SERVICE = 'data-lake';

/**
 * The stage dimension: env LAKE_STAGE if set, else taken from the function name Serverless gives every function,
 * `<service>-<stage>-<function key>` (AWS_LAMBDA_FUNCTION_NAME; the keys have no '-'), else `unknown`.
 */
export function lakeStage(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LAKE_STAGE) return env.LAKE_STAGE;
  const service = env.POWERTOOLS_SERVICE_NAME || DEFAULT_SERVICE;
  const fn = env.AWS_LAMBDA_FUNCTION_NAME ?? '';
  if (fn.startsWith(`${service}-`)) {
    const rest = fn.slice(service.length + 1);
    const cut = rest.lastIndexOf('-');
    if (cut > 0) return rest.slice(0, cut);
  }
  return 'unknown';
}

// Powertools honours POWERTOOLS_METRICS_DISABLED (read once, by every Metrics it creates, the cold-start one
// included); setting the default here keeps that the only switch.
if (process.env.POWERTOOLS_METRICS_DISABLED === undefined && !inLambda(process.env)) {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
}

const NO_METRICS_WARNING = 'No application metrics to publish';

export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || DEFAULT_NAMESPACE,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME || DEFAULT_SERVICE,
  defaultDimensions: { stage: lakeStage() },
  // Powertools' own warnings go to the structured log. An invocation with nothing to count (GET /queries/{id}, a
  // 500) is normal here, not worth a WARN line each time.
  logger: {
    debug: (...args: unknown[]) => logger.debug(String(args[0])),
    info: (...args: unknown[]) => logger.info(String(args[0])),
    warn: (...args: unknown[]) =>
      String(args[0]).startsWith(NO_METRICS_WARNING)
        ? logger.debug(String(args[0]))
        : logger.warn(String(args[0])),
    error: (...args: unknown[]) => logger.error(String(args[0])),
  },
});

/** Adds `value` (> 0) to a Count metric of this invocation. */
export function count(name: MetricName, value = 1): void {
  if (value > 0) metrics.addMetric(name, MetricUnit.Count, value);
}
