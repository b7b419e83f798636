/**
 * Where GET /tables reads the lake's tables from, by runtime: the Glue Data Catalog on AWS (GetTables on the stage's
 * database, every page), the TableInputs the catalog is generated from on the local lake; both described by the same
 * mapper (lib/catalog/describe.ts).
 *
 * Errors (the API's error shape, lib/errors.ts ApiError):
 *   500 CATALOG_NOT_CONFIGURED      no Glue database configured (GLUE_DATABASE)
 *   500 CATALOG_DATABASE_NOT_FOUND  the database does not exist (Glue EntityNotFoundException)
 *   503 CATALOG_UNAVAILABLE         Glue throttled, failed (5xx) or could not be reached; retry after Retry-After
 *   502 CATALOG_ERROR               Glue refused the call (access denied, invalid input) or answered without end
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { GlueClient, Table } from '@aws-sdk/client-glue';
import { notInAwsBundle } from '../bundle-runtime';
import { describeGlueTables, localTableListing, type TableListing } from '../catalog/describe';
import { lakeTables } from '../catalog/tables';
import { lakeDir, runtime } from '../config';
import { ApiError } from '../errors';
import { logger } from '../logger';
import { lakeDatabase } from './settings';

export const TableErrorCode = {
  CatalogNotConfigured: 'CATALOG_NOT_CONFIGURED',
  DatabaseNotFound: 'CATALOG_DATABASE_NOT_FOUND',
  CatalogUnavailable: 'CATALOG_UNAVAILABLE',
  CatalogError: 'CATALOG_ERROR',
} as const;

/** Seconds a client should wait before retrying a 503 CATALOG_UNAVAILABLE. */
const RETRY_AFTER_SECONDS = 2;
/** GetTables pages (of up to 100 tables) read at most: a token that never ends is Glue's fault, not a long wait. */
const MAX_PAGES = 100;

/**
 * The Glue client's module, loaded at the first GET /tables: the query function's other routes never call Glue, and
 * the module (the runtime's AWS SDK) takes tens of milliseconds to load, which a cold start would pay for nothing.
 */
function glue(): typeof import('@aws-sdk/client-glue') {
  return require('@aws-sdk/client-glue') as typeof import('@aws-sdk/client-glue');
}

export interface TableCatalog {
  list(): Promise<TableListing>;
}

/** Glue errors worth a retry, beside any 429 or 5xx. */
const TRANSIENT = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'OperationTimeoutException',
  'FederationSourceRetryableException',
]);

/** A failed GetTables as the API's answer. */
export function catalogError(e: unknown, database: string): ApiError {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = err?.$metadata?.httpStatusCode;
  const name = err?.name ?? 'Error';
  if (name === 'EntityNotFoundException') {
    return new ApiError(
      500,
      TableErrorCode.DatabaseNotFound,
      `the Glue database '${database}' does not exist`,
      { database },
    );
  }
  // Throttled, a server error, or no HTTP answer at all (timeout, connection refused): worth retrying.
  if (TRANSIENT.has(name) || status === 429 || status === undefined || status >= 500) {
    return new ApiError(
      503,
      TableErrorCode.CatalogUnavailable,
      `the Glue Data Catalog is unavailable (${name}); retry later`,
      { database },
      { 'retry-after': String(RETRY_AFTER_SECONDS) },
    );
  }
  return new ApiError(502, TableErrorCode.CatalogError, `the Glue Data Catalog refused GetTables (${name})`, {
    database,
  });
}

/** The AWS runtime: every table of the database, as Glue has it. */
export class GlueTableCatalog implements TableCatalog {
  constructor(
    private readonly client: GlueClient,
    private readonly database: string,
  ) {}

  async list(): Promise<TableListing> {
    const tables: Table[] = [];
    let token: string | undefined;
    for (let page = 0; ; page++) {
      if (page === MAX_PAGES) {
        throw new ApiError(
          502,
          TableErrorCode.CatalogError,
          `GetTables answered more than ${MAX_PAGES} pages`,
          { database: this.database },
        );
      }
      const out = await this.client
        .send(new (glue().GetTablesCommand)({ DatabaseName: this.database, NextToken: token }))
        .catch((e: unknown) => {
          logger.warn('GetTables failed', { database: this.database, error: e as Error });
          throw catalogError(e, this.database);
        });
      tables.push(...(out.TableList ?? []));
      token = out.NextToken || undefined;
      if (!token) break;
    }
    const { listing, skipped } = describeGlueTables(this.database, tables);
    // Tables of the database the lake did not generate (IAM already hides those the role does not name).
    if (skipped.length) logger.warn('tables left out of the listing', { skipped });
    return listing;
  }
}

/** The local lake: the catalog the stage would deploy, located in <LAKE_DIR>/curated/. */
export class LocalTableCatalog implements TableCatalog {
  constructor(
    private readonly database: string,
    private readonly curatedDir: string,
  ) {}

  async list(): Promise<TableListing> {
    // Read per request: the local lake replaces its tables when an edit of schemas/ passes the check.
    return localTableListing(this.database, lakeTables(), pathToFileURL(this.curatedDir).href + '/');
  }
}

function database(): string {
  try {
    return lakeDatabase();
  } catch (e) {
    throw new ApiError(500, TableErrorCode.CatalogNotConfigured, (e as Error).message);
  }
}

let current: TableCatalog | undefined;

/** The runtime's table catalog (one per execution environment). */
export function tableCatalog(): TableCatalog {
  if (!current) {
    if (runtime() === 'aws') {
      current = new GlueTableCatalog(new (glue().GlueClient)({}), database());
    } else if (process.env.LAKE_BUNDLE_RUNTIME !== 'aws') {
      current = new LocalTableCatalog(database(), path.join(lakeDir(), 'curated'));
    } else {
      throw notInAwsBundle("local lake's table catalog");
    }
  }
  return current;
}

/** For tests: use this catalog instead of the runtime's (undefined: the runtime's again). */
export function setTableCatalog(catalog: TableCatalog | undefined): void {
  current = catalog;
}
