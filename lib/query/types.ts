/**
 * The query port: one asynchronous lifecycle for SQL over the lake, served by Athena on AWS (lib/query/athena.ts)
 * and by DuckDB over the local lake (lib/query/duckdb/). Engines only ever receive a CheckedQuery, the output of
 * the read-only guard (lib/query/sql-guard/).
 */
import type { TableDef } from '../catalog/types';

export const QUERY_STATES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export type QueryState = (typeof QUERY_STATES)[number];

export const isFinished = (s: QueryState): boolean =>
  s === 'SUCCEEDED' || s === 'FAILED' || s === 'CANCELLED';

/** A statement the guard accepted. Only the guard (sql-guard/) creates these (the brand keeps raw strings out of engines). */
export interface CheckedQuery {
  readonly __checked: unique symbol;
  /** The statement to run: the submitted text without a trailing semicolon. */
  readonly sql: string;
  /** Lake tables it reads (lower case, unqualified). */
  readonly tables: readonly string[];
  /** Functions it calls in its expressions (lower case; none for a metadata statement). */
  readonly functions?: readonly string[];
}

export interface QueryStatus {
  id: string;
  state: QueryState;
  /** The statement as submitted to the engine. */
  sql: string;
  /** ISO-8601 UTC. */
  submittedAt: string;
  completedAt: string | null;
  /** Bytes the engine read from the lake (Athena: DataScannedInBytes; DuckDB: bytes read from Parquet files). */
  dataScannedBytes: number;
  /** Time the engine spent executing, in milliseconds. */
  engineTimeMs: number;
  /** Why the query FAILED (or was CANCELLED), as the engine reports it. */
  reason?: string;
  /** Athena's error category for FAILED queries: USER (fix the query), SYSTEM or OTHER. */
  errorCategory?: 'USER' | 'SYSTEM' | 'OTHER';
  /** A time limit stopped it (Athena's error type 206; locally LAKE_QUERY_TIMEOUT_SECONDS). */
  timedOut?: boolean;
  /** Athena's ErrorType where the engine knows it (1301: a table or schema the catalog does not have). */
  errorType?: number;
  /** Athena reused the results of an earlier identical query (no data scanned). */
  resultReused?: boolean;
  engine: 'athena' | 'duckdb';
}

/**
 * Column types use Athena's (Trino's) names on both runtimes: varchar, bigint, integer, smallint, tinyint, double,
 * real, boolean, date, timestamp, timestamp with time zone, decimal(p,s), json, varbinary, time, uuid, and the
 * structural array, map and row (locally with their element types, e.g. array(bigint); Athena's result metadata
 * gives only the bare name).
 */
export interface ResultColumn {
  name: string;
  type: string;
}

/**
 * A JSON value of a result cell: numbers as numbers (bigint beyond ±2^53 and decimals of more than 15 digits as
 * strings, to stay exact), booleans, null; dates as 'yyyy-MM-dd', timestamps as 'yyyy-MM-dd HH:mm:ss.SSS' (UTC;
 * with time zone: + ' UTC'); json columns parsed; arrays as arrays, maps and rows as objects.
 */
export type Cell = string | number | boolean | null | Cell[] | { [k: string]: Cell };

export interface ResultPage {
  columns: ResultColumn[];
  rows: Cell[][];
  /** Present when more rows follow; pass it back as nextToken. */
  nextToken: string | null;
}

export interface PageRequest {
  maxRows: number;
  nextToken?: string;
  /**
   * A json column's values as their JSON text, as Athena's API gives them ('null' for JSON's null, which the parsed
   * cell cannot tell from SQL NULL; every digit of a number): the local Athena API asks for it.
   */
  jsonAsText?: boolean;
  /**
   * A row whose stored text is longer than this is not read into memory: RowTooLargeError (the local engine; the
   * query API asks for it, whose responses cannot carry such a row).
   */
  maxRowBytes?: number;
}

/** A page of query ids, newest first; nextToken is present when older queries follow. */
export interface QueryIdPage {
  ids: string[];
  nextToken: string | null;
}

export interface QueryEngine {
  readonly name: 'athena' | 'duckdb';
  /** Submits a checked statement; returns at once (QUEUED or RUNNING). */
  start(query: CheckedQuery): Promise<QueryStatus>;
  /** The query's status, or undefined for an unknown id. */
  status(id: string): Promise<QueryStatus | undefined>;
  /** Resolves with the status once the query finished or `timeoutMs` passed, whichever is first. */
  wait(id: string, timeoutMs: number): Promise<QueryStatus | undefined>;
  /**
   * A page of a SUCCEEDED query's results: QueryNotFoundError for an unknown id, QueryNotSucceededError for one
   * that did not succeed, InvalidPageTokenError for a token the query did not return.
   */
  results(id: string, page: PageRequest): Promise<ResultPage>;
  /**
   * The local engine: records a query that failed before it ran (its reason, USER, Athena's `errorType`), as Athena
   * records a query it started and then could not plan: the local lake's Athena API, for a name the catalog lacks.
   */
  recordFailed?(sql: string, reason: string, errorType: number): Promise<QueryStatus>;
  /** Requests cancellation of a QUEUED or RUNNING query; returns the status afterwards. */
  cancel(id: string): Promise<QueryStatus | undefined>;
  /**
   * Stops what runs and releases the engine. The local engine resolves with the number of runs DuckDB had not
   * ended within the stop's bound (lib/query/duckdb/stop.ts): they keep the process from exiting until they end.
   */
  close?(): Promise<{ runsNotEnded: number } | void>;
  /** The local engine: the lake is stopping; queries are stopped, their records stay readable until close(). */
  stopQueries?(): Promise<void>;
  /** The local engine: the lake's tables changed (schemas/ edited); queries from now on see these. */
  useTables?(tables: TableDef[]): void;
  /**
   * The local engine: the queries it has recorded, newest first, `page.maxRows` at a time (the local lake's Athena
   * API answers ListQueryExecutions with it; on AWS, Athena keeps the history itself). InvalidPageTokenError for a
   * token it did not return.
   */
  list?(page: PageRequest): Promise<QueryIdPage>;
}

/** Results were asked for a query that did not (yet) succeed. */
export class QueryNotSucceededError extends Error {
  constructor(readonly status: QueryStatus) {
    super(`query ${status.id} is ${status.state}`);
    this.name = 'QueryNotSucceededError';
  }
}

export class QueryNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`no query ${id}`);
    this.name = 'QueryNotFoundError';
  }
}

export class InvalidPageTokenError extends Error {
  constructor(message = 'nextToken is not a token this query returned') {
    super(message);
    this.name = 'InvalidPageTokenError';
  }
}

/** A row of the page asked for is longer than PageRequest.maxRowBytes: `bytes` of it were read before giving up. */
export class RowTooLargeError extends Error {
  constructor(
    readonly row: number,
    readonly bytes: number,
  ) {
    super(`row ${row + 1} of the results is more than ${bytes} bytes`);
    this.name = 'RowTooLargeError';
  }
}

/** The engine cannot take more queries right now (Athena throttling, local queue full). */
export class EngineBusyError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds = 5,
  ) {
    super(message);
    this.name = 'EngineBusyError';
  }
}

/** The engine refused the statement at submission (e.g. Athena InvalidRequestException, DuckDB's own check). */
export class QueryRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryRejectedError';
  }
}

/** Query ids are UUIDs on both runtimes (Athena's QueryExecutionId; locally crypto.randomUUID). */
export const QUERY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Error codes of the query API (besides the shared ones in lib/errors.ts). */
export const QueryErrorCode = {
  QueryNotAllowed: 'QUERY_NOT_ALLOWED',
  InvalidParameter: 'INVALID_PARAMETER',
  QueryNotFound: 'QUERY_NOT_FOUND',
  QueryNotSucceeded: 'QUERY_NOT_SUCCEEDED',
  QueryAlreadyFinished: 'QUERY_ALREADY_FINISHED',
  QueryRejected: 'QUERY_REJECTED',
  TooManyQueries: 'TOO_MANY_QUERIES',
  RowTooLarge: 'ROW_TOO_LARGE',
} as const;
