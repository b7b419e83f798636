/**
 * A local lake (`npm start`'s entry point, in a child process) with curated page_view data (two days of 120 rows, as
 * the ETL writes them), for the tests of its Athena API; and AthenaClients pointed at it, as a user configures one.
 * A child process rather than a lake in the test's process: there, the lake's invocation scopes
 * (AWS_LAMBDA_MAX_CONCURRENCY) make the SDK's client import node:async_hooks dynamically, which jest's VM refuses.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AthenaClient } from '@aws-sdk/client-athena';
import { DuckDBInstance } from '@duckdb/node-api';
import { lakeTables } from '../../lib/catalog/tables';
import { startLakeProcess, type LakeProcess } from './lake-process';
import { tempLake } from './raw-zone';

export const DAYS = ['2024-03-01', '2024-03-02'];
export const ROWS_PER_DAY = 120;

export interface AthenaLake {
  url: string;
  apiKey: string;
  lakeDir: string;
  process: LakeProcess;
  stop(): Promise<void>;
}

export async function startAthenaLake(name: string): Promise<AthenaLake> {
  const lakeDir = await tempLake(name);
  const writer = await (await DuckDBInstance.create(':memory:')).connect();
  const pv = lakeTables().find((t) => t.name === 'page_view')!;
  for (const day of DAYS) {
    const dir = path.join(lakeDir, 'curated', pv.prefix, `event_date=${day}`);
    await fs.mkdir(dir, { recursive: true });
    await writer.run(`COPY (
      SELECT 'pv-${day}-' || lpad(CAST(i AS VARCHAR), 3, '0') AS event_id,
             TIMESTAMP '${day} 09:00:00' + to_seconds(i) AS occurred_at,
             TIMESTAMP '${day} 09:00:01' + to_seconds(i) AS received_at,
             'sess-' || (i % 3) AS session_id, NULL::VARCHAR AS user_id, 'https://shop.example/p/' || i AS url,
             NULL::VARCHAR AS referrer, NULL::VARCHAR AS title, NULL::VARCHAR AS user_agent,
             CAST(i AS BIGINT) AS duration_ms, NULL::VARCHAR AS viewport
      FROM range(${ROWS_PER_DAY}) t(i)) TO '${path.join(dir, 'part-0.parquet')}' (FORMAT parquet)`);
  }
  writer.closeSync();
  const apiKey = randomBytes(18).toString('base64url');
  const child = await startLakeProcess({ LAKE_DIR: lakeDir, LAKE_API_KEY: apiKey });
  return {
    url: child.url,
    apiKey,
    lakeDir,
    process: child,
    stop: async () => {
      await child.kill('SIGTERM');
      await fs.rm(lakeDir, { recursive: true, force: true });
    },
  };
}

/** An AthenaClient for the lake, as the README shows it (credentials: the API key and the secret `local`). */
export function athenaClient(
  lake: AthenaLake,
  credentials = { accessKeyId: lake.apiKey, secretAccessKey: 'local' },
): AthenaClient {
  return new AthenaClient({ endpoint: lake.url, region: 'us-east-1', credentials, maxAttempts: 1 });
}

/** The error an SDK call throws: its name, HTTP status, AthenaErrorCode and message. */
export async function failure(call: Promise<unknown>) {
  const e = (await call.then(
    () => undefined,
    (err: unknown) => err,
  )) as (Error & { $metadata: { httpStatusCode?: number }; AthenaErrorCode?: string }) | undefined;
  if (!e) throw new Error('the call succeeded');
  return { name: e.name, status: e.$metadata.httpStatusCode, code: e.AthenaErrorCode, message: e.message };
}
