/**
 * Limits and names of the query API, from the environment serverless.yml gives the queries function (the local
 * runtime sets the same variables; LAKE_QUERY_* only matter to the local engine).
 */
import { SettingError } from '../setting-error';
import { notInAwsBundle } from '../bundle-runtime';
import { lakeTables } from '../catalog/tables';
import { requiredEnv, runtime } from '../config';
import { REJECTED_TABLE } from '../etl/rejected';

function intEnv(name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new SettingError(`${name} must be an integer in [${min}, ${max}], got '${raw}'`);
  }
  return n;
}

export const queryLimits = () => ({
  /** Largest accepted SQL text, in UTF-8 bytes (Athena's own limit is 262,144). */
  maxSqlBytes: intEnv('QUERY_MAX_SQL_BYTES', 64 * 1024, 1, 262_144),
  /** Largest `wait` a POST may ask for: API Gateway's REST integration timeout is 29 s. */
  maxWaitSeconds: intEnv('QUERY_MAX_WAIT_SECONDS', 20, 0, 25),
  /** Rows per results page: Athena's GetQueryResults returns at most 1,000. */
  maxPageRows: 1000,
  defaultPageRows: intEnv('QUERY_DEFAULT_PAGE_ROWS', 100, 1, 1000),
  /**
   * Athena result reuse: a repeated identical query within this many minutes answers with the earlier results, even
   * if the data changed since (0, the default: off, so that a query after a compaction or an upload sees it). The
   * local engine runs every query: local/lake.ts says so when this is set.
   */
  resultReuseMinutes: intEnv('QUERY_RESULT_REUSE_MINUTES', 0, 0, 10_080),
});

/** LAKE_QUERY_MAX_RESULT_BYTES by default: 1 GiB of a query's results on the lake's disk. */
export const DEFAULT_MAX_RESULT_BYTES = 1024 * 1024 * 1024;

export const localQuerySettings = () => ({
  /** Queries DuckDB runs at once; more wait QUEUED. */
  concurrency: intEnv('LAKE_QUERY_CONCURRENCY', 2, 1, 64),
  /** QUEUED queries beyond which POST /queries answers 429. */
  maxQueued: intEnv('LAKE_QUERY_MAX_QUEUED', 100, 0),
  /** A query running longer is interrupted and FAILED. */
  timeoutMs: intEnv('LAKE_QUERY_TIMEOUT_SECONDS', 300, 1) * 1000,
  /** Result rows kept per query; a query producing more FAILS (add a LIMIT or aggregate). */
  maxResultRows: intEnv('LAKE_QUERY_MAX_RESULT_ROWS', 1_000_000, 1),
  /** Bytes of results (JSON lines) kept per query; a query producing more FAILS (Athena writes any size to S3). */
  maxResultBytes: intEnv('LAKE_QUERY_MAX_RESULT_BYTES', DEFAULT_MAX_RESULT_BYTES, 1),
  /** DuckDB's memory limit. */
  memoryLimit: process.env.LAKE_QUERY_MEMORY_LIMIT || '1GB',
  threads: intEnv('LAKE_QUERY_THREADS', 0, 0, 256),
});

/** The Glue database (Athena) that holds the lake's tables: data_lake_<stage>. */
export function lakeDatabase(): string {
  const db = process.env.GLUE_DATABASE;
  if (db) return db.toLowerCase();
  if (runtime() === 'local') return 'data_lake_local';
  throw new Error('environment variable GLUE_DATABASE is required');
}

/**
 * Names of the lake's tables, which are all a query may read: every table of schemas/ and the rejected store
 * (lake_rejected, lib/etl/rejected.ts). Locally read from schemas/ on disk; in Lambda, where schemas/ is not on disk,
 * from LAKE_TABLES (comma-separated, resolved from schemas/ when packaging: resources/query-tables.cjs).
 */
export function lakeTableNames(): string[] {
  const names =
    runtime() === 'local'
      ? localTableNames()
      : requiredEnv('LAKE_TABLES')
          .split(',')
          .map((s) => s.trim().toLowerCase())
          .filter(Boolean);
  return [...new Set([...names, REJECTED_TABLE])];
}

/** The local lake's tables, from schemas/ on disk; not in a bundle built for AWS (lib/bundle-runtime.ts). */
function localTableNames(): string[] {
  if (process.env.LAKE_BUNDLE_RUNTIME !== 'aws') return lakeTables().map((t) => t.name);
  throw notInAwsBundle("local lake's table list");
}
