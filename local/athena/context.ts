/**
 * What the local lake's Athena API answers from: the lake's query engine (the one /queries uses: one process, one
 * engine, one query history), its database and catalog, and its one workgroup.
 *
 * The workgroup is the stack's (ATHENA_WORKGROUP, `<service>-<stage>-queries`), whose settings are enforced as
 * deployed; `primary`, the workgroup Athena uses when a request names none, is accepted as another name for it, so
 * that tools configured with Athena's default work unchanged.
 *
 * OutputLocation: a query's results file, `file://<LAKE_DIR>/.queries/<id>/results.jsonl` (one JSON array per row,
 * not Athena's CSV; it exists once the query SUCCEEDED). The workgroup's is the folder, `file://<LAKE_DIR>/.queries/`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { lakeDir } from '../../lib/config';
import { queryEngine } from '../../lib/query';
import { RESULTS_FILE } from '../../lib/query/duckdb/results';
import { lakeDatabase } from '../../lib/query/settings';
import type { QueryEngine } from '../../lib/query/types';
import { workGroupNotFound } from './errors';

/** The Glue Data Catalog, as Athena names it. */
export const CATALOG = 'AwsDataCatalog';
/** The database Athena reads unqualified table names in when a request names none (QueryExecutionContext). */
export const DEFAULT_DATABASE = 'default';
/** Athena's default workgroup, accepted as another name for the lake's. */
export const DEFAULT_WORK_GROUP = 'primary';
export const ENGINE_VERSION = 'Athena engine version 3';

export interface AthenaContext {
  apiKey: string;
  /** The lake's workgroup (the stack's). */
  workGroup: string;
  /** Description of the lake's Glue database, as the stack deploys it. */
  databaseDescription: string;
  engine(): Promise<QueryEngine>;
  database(): string;
  lakeDir(): string;
  /**
   * The QueryExecutionContext and ResultReuseConfiguration each query started through this API gave, as
   * GetQueryExecution echoes them (remembered by this process, as the request tokens are); a query started otherwise
   * (POST /queries) reports the lake's database, as the AWS adapter starts it there, and reuse off.
   */
  startedContexts?: StartedContexts;
}

/** The result reuse a StartQueryExecution asked for (not done locally: every query runs), as Athena echoes it. */
export interface ResultReuse {
  ResultReuseByAgeConfiguration: { Enabled: boolean; MaxAgeInMinutes?: number };
}

interface StartedRequest {
  context: { Database?: string; Catalog?: string };
  reuse?: ResultReuse;
}

/** The file beside a query's own (`.queries/<id>/`) that keeps what its StartQueryExecution gave. */
const REQUEST_FILE = 'athena-request.json';

/**
 * Query id → the context (and result reuse) its request gave: the most recent MAX entries in memory, and each in a
 * file beside the query's state (`.queries/<id>/athena-request.json`, gone with the query), so that
 * GetQueryExecution echoes them after a restart too, as Athena always does.
 */
export class StartedContexts {
  static readonly MAX = 10_000;
  private readonly byId = new Map<string, StartedRequest>();

  /** `queriesDir`: where the lake's queries are kept (none: remembered in memory only). */
  constructor(private readonly queriesDir?: () => string) {}

  set(id: string, context: { Database?: string; Catalog?: string }, reuse?: ResultReuse): void {
    const request: StartedRequest = { context, ...(reuse ? { reuse } : {}) };
    this.remember(id, request);
    const dir = this.queriesDir ? path.join(this.queriesDir(), id) : undefined;
    try {
      if (dir && existsSync(dir)) writeFileSync(path.join(dir, REQUEST_FILE), JSON.stringify(request));
    } catch {
      // Not kept past a restart (a full disk): echoed while this process runs, as before.
    }
  }

  get(id: string): { Database?: string; Catalog?: string } | undefined {
    return this.request(id)?.context;
  }

  reuse(id: string): ResultReuse | undefined {
    return this.request(id)?.reuse;
  }

  private remember(id: string, request: StartedRequest): void {
    this.byId.delete(id);
    this.byId.set(id, request);
    if (this.byId.size > StartedContexts.MAX) this.byId.delete(this.byId.keys().next().value!);
  }

  private request(id: string): StartedRequest | undefined {
    const known = this.byId.get(id);
    if (known || !this.queriesDir || !/^[0-9a-f-]{36}$/.test(id)) return known;
    try {
      const read = JSON.parse(
        readFileSync(path.join(this.queriesDir(), id, REQUEST_FILE), 'utf8'),
      ) as StartedRequest;
      if (typeof read?.context !== 'object' || read.context === null) return undefined;
      this.remember(id, read);
      return read;
    } catch {
      return undefined; // started otherwise (POST /queries), or before requests were kept
    }
  }
}

export function lakeContext(opts: { apiKey: string; service: string; stage: string }): AthenaContext {
  return {
    apiKey: opts.apiKey,
    workGroup: process.env.ATHENA_WORKGROUP || `${opts.service}-${opts.stage}-queries`,
    databaseDescription: `Curated tables of the ${opts.service} lake (${opts.stage}), from schemas/.`,
    engine: queryEngine,
    database: lakeDatabase,
    lakeDir,
    startedContexts: new StartedContexts(() => queriesDir(lakeDir())),
  };
}

/** The workgroup a request names (none: the lake's); WorkGroup is not found for another. */
export function checkWorkGroup(ctx: AthenaContext, name: string | undefined): string {
  if (name === undefined || name === ctx.workGroup || name === DEFAULT_WORK_GROUP) return ctx.workGroup;
  throw workGroupNotFound();
}

/** Where the lake's query engine keeps its queries, one folder each (lib/query/duckdb/engine.ts). */
const queriesDir = (lake: string) => path.join(lake, '.queries');

export function queriesUrl(ctx: AthenaContext): string {
  return pathToFileURL(queriesDir(ctx.lakeDir())).href + '/';
}

/** Where a query's results file is (see the module's comment). */
export function outputLocation(ctx: AthenaContext, id: string): string {
  return `${queriesUrl(ctx)}${id}/${RESULTS_FILE}`;
}

/** A timestamp as AWS JSON carries it: epoch seconds, with milliseconds as the fraction. */
export function epochSeconds(iso: string): number {
  return Date.parse(iso) / 1000;
}
