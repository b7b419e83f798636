/**
 * Chooses the query engine for the runtime: Athena on AWS, DuckDB over the local lake. One instance per execution
 * environment (locally: per process). The DuckDB engine is imported only when the runtime is local, and
 * @duckdb/node-api is excluded from the function bundles (serverless.yml custom.esbuild.exclude).
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { notInAwsBundle } from '../bundle-runtime';
import { lakeDir, requiredEnv, runtime } from '../config';
import { ATHENA_MAX_ATTEMPTS, AthenaQueryEngine } from './athena';
import { lakeTables, type TableDef } from '../catalog/tables';
import { lakeDatabase, localQuerySettings, queryLimits } from './settings';
import type { QueryEngine } from './types';

let current: Promise<QueryEngine> | undefined;

/** The DuckDB engine; not in a bundle built for AWS (lib/bundle-runtime.ts), where the SQL goes to Athena as written. */
async function openLocalEngine(): Promise<QueryEngine> {
  if (process.env.LAKE_BUNDLE_RUNTIME !== 'aws') {
    const { DuckDbQueryEngine } = await import('./duckdb');
    return DuckDbQueryEngine.open({
      lakeDir: lakeDir(),
      database: lakeDatabase(),
      tables: lakeTables(),
      ...localQuerySettings(),
    });
  }
  throw notInAwsBundle('local query engine (DuckDB)');
}

export function queryEngine(): Promise<QueryEngine> {
  if (!current) {
    current =
      runtime() === 'aws'
        ? Promise.resolve(
            new AthenaQueryEngine(new AthenaClient({ maxAttempts: ATHENA_MAX_ATTEMPTS }), {
              workGroup: requiredEnv('ATHENA_WORKGROUP'),
              database: lakeDatabase(),
              resultReuseMinutes: queryLimits().resultReuseMinutes,
            }),
          )
        : openLocalEngine();
    current.catch(() => (current = undefined));
  }
  return current;
}

/**
 * The local lake is stopping: the engine, if one was opened, fails what is queued and stops what runs, and still
 * answers for its records (the requests in flight are being answered). closeQueryEngine then releases it.
 */
export async function stopQueries(): Promise<void> {
  await (await current?.catch(() => undefined))?.stopQueries?.();
}

/** Closes the engine; resolves with the runs the local engine could not end (QueryEngine.close). */
export async function closeQueryEngine(): Promise<{ runsNotEnded: number }> {
  const c = current;
  current = undefined;
  const closed = c ? await (await c.catch(() => undefined))?.close?.() : undefined;
  return { runsNotEnded: closed ? closed.runsNotEnded : 0 };
}

/**
 * The local lake's tables changed (an edit of schemas/ that passed the check): the local engine's views follow. An
 * engine not opened yet reads them when it opens; Athena reads the catalog the deployment made.
 */
export async function useQueryTables(tables: TableDef[]): Promise<void> {
  const engine = await current?.catch(() => undefined);
  engine?.useTables?.(tables);
}

/** For tests: use this engine instead of the runtime's. */
export function setQueryEngine(engine: QueryEngine | undefined): void {
  current = engine ? Promise.resolve(engine) : undefined;
}
