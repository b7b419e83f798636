/**
 * The local query engine's DuckDB instance, sandboxed (shared/README.md): it reads only the folders it is given (the
 * curated tables and the rejected store), no other file and nothing over the network, and its configuration is
 * locked before any query runs, so that no statement — even one the read-only guard let through by mistake — can
 * widen the sandbox again. Athena's catalog is an attached in-memory database, `awsdatacatalog`, with one schema, the
 * Glue database's name, for the table views.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
// Strings read back with a leading byte order mark kept (DuckDB's decoder dropped it).
import '../duckdb-text';
import { sqlIdent, sqlString } from '../duckdb-sql';

export const CATALOG = 'awsdatacatalog';

export interface SandboxOptions {
  /** The schema the views live in (the Glue database name). */
  database: string;
  /** The only folders queries may read (real paths, each ending with a separator). */
  allowedDirectories: string[];
  /** Spill folder (DuckDB's temp_directory). */
  tmpDir: string;
  memoryLimit: string;
  /** 0: DuckDB's default. */
  threads: number;
}

/** A sandboxed instance and its setup connection (which makes the views), the schema in use. */
export async function openQuerySandbox(
  opts: SandboxOptions,
): Promise<{ instance: DuckDBInstance; setup: DuckDBConnection }> {
  const instance = await DuckDBInstance.create(':memory:', {
    integer_division: 'true',
    memory_limit: opts.memoryLimit,
    temp_directory: opts.tmpDir,
    autoinstall_known_extensions: 'false',
    ...(opts.threads > 0 ? { threads: String(opts.threads) } : {}),
  });
  const setup = await instance.connect();
  const db = sqlIdent(opts.database);
  await setup.run(`ATTACH ':memory:' AS ${CATALOG}`);
  await setup.run(`CREATE SCHEMA ${CATALOG}.${db}`);
  await setup.run(`SET GLOBAL TimeZone = 'UTC'`);
  await setup.run('SET GLOBAL enable_external_file_cache = false');
  await setup.run(`CALL enable_logging('FileSystem')`);
  // The sandbox; nothing can change the configuration after the lock.
  await setup.run(`SET allowed_directories = [${opts.allowedDirectories.map(sqlString).join(', ')}]`);
  await setup.run('SET enable_external_access = false');
  await setup.run('SET lock_configuration = true');
  await setup.run(`USE ${CATALOG}.${db}`);
  return { instance, setup };
}
