/**
 * Runtime configuration, read from the environment that serverless.yml declares per stage
 * (the local runtime sets the same variables for stage `local`).
 */
import { SettingError } from './setting-error';
import path from 'node:path';

export type Runtime = 'aws' | 'local';

function intEnv(name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER, why = ''): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new SettingError(
      `${name} must be an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}${why}, got '${raw}'`,
    );
  return n;
}

export function runtime(): Runtime {
  const r = process.env.LAKE_RUNTIME;
  if (r === 'aws' || r === 'local') return r;
  if (r) throw new SettingError(`LAKE_RUNTIME must be 'aws' or 'local', got '${r}'`);
  // In a Lambda execution environment default to AWS; anywhere else to the local lake.
  return process.env.AWS_EXECUTION_ENV && !process.env.IS_LOCAL ? 'aws' : 'local';
}

/** Absolute path of the local lake (LAKE_DIR, default `.lake` in the working directory). */
export function lakeDir(): string {
  const given = process.env.LAKE_DIR;
  return given ? fromWhereTyped(given) : path.resolve('.lake');
}

/**
 * A path the user typed, made absolute from the folder they typed it in: `npm run` runs a script in the project's
 * root, and tells the folder it was run from in INIT_CWD (`cd local && LAKE_DIR=l npm start` means local/l).
 */
export function fromWhereTyped(p: string): string {
  return path.resolve(process.env.INIT_CWD || process.cwd(), p);
}

/** An absolute path as the user would type it from the folder they ran the command in (see fromWhereTyped). */
export function relativeToWhereTyped(p: string): string {
  return path.relative(process.env.INIT_CWD || process.cwd(), p);
}

export function requiredEnv(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`environment variable ${name} is required`);
  return v;
}

export const ingestLimits = () => ({
  /** Largest accepted request body. API Gateway allows 10 MB and Lambda 6 MB; 4 MiB keeps well clear of both. */
  maxBodyBytes: intEnv('INGEST_MAX_BODY_BYTES', 4 * 1024 * 1024, 1),
  /** Events per request, as Firehose PutRecordBatch takes at most 500 records. */
  maxEvents: intEnv('INGEST_MAX_EVENTS', 500, 1, 500, ' (Firehose PutRecordBatch takes at most 500 records)'),
  /**
   * How far in the future occurred_at may be (producer clock skew), seconds: at most a day, as Athena projects the
   * event tables' date partitions up to NOW+1DAYS (lib/catalog/glue.ts PROJECTION_END): a row of a later date would be
   * in the table locally and missing from Athena's answers until that day.
   */
  maxFutureSkewSeconds: intEnv(
    'INGEST_MAX_FUTURE_SKEW_SECONDS',
    24 * 3600,
    0,
    24 * 3600,
    " (Athena projects the event tables' event_date partitions up to a day ahead, NOW+1DAYS: an event dated later " +
      'would be stored where Athena does not read until that day)',
  ),
});

export const localFirehoseSettings = () => ({
  streamName: process.env.DELIVERY_STREAM_NAME || 'events',
  bufferBytes:
    intEnv(
      'LAKE_FIREHOSE_BUFFER_MB',
      16,
      0,
      128,
      " (Firehose's largest buffer; a write-ahead segment is delivered whole, and Node reads at most 2 GiB at once)",
    ) *
      1024 *
      1024 || 1,
  bufferIntervalMs: intEnv('LAKE_FIREHOSE_BUFFER_SECONDS', 10, 0) * 1000,
});

/** Comma-separated list of allowed CORS origins, or '*'. Empty disables CORS headers. */
export function corsOrigins(): string[] {
  return (process.env.CORS_ALLOWED_ORIGINS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
