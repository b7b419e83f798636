/**
 * The query port on AWS: Athena, in the project's workgroup (engine 3; results location, encryption and the
 * bytes-scanned cutoff are enforced by the workgroup, resources/athena.yml) and the lake's Glue database.
 *
 *  - StartQueryExecution with a ClientRequestToken (a retried call cannot start the query twice) and result reuse
 *    (an identical query within QUERY_RESULT_REUSE_MINUTES returns the earlier results without scanning);
 *  - GetQueryExecution → state, times, DataScannedInBytes, EngineExecutionTimeInMillis, the failure reason;
 *  - GetQueryResults, paged: for SELECT (statement type DML) Athena's first row of the first page is the header,
 *    which is dropped; values are typed by the result metadata (see athenaCell);
 *  - StopQueryExecution.
 * Throttling (TooManyRequestsException, ThrottlingException, ...) and transient/5xx errors are retried by the SDK's
 * standard retry strategy (the client: ATHENA_MAX_ATTEMPTS attempts, jittered backoff, the same request — so the same
 * ClientRequestToken); once they are spent, the error the SDK's classification calls throttling or transient becomes
 * EngineBusyError (HTTP 429 with Retry-After).
 * Query ids of other workgroups are reported as unknown.
 */
import { jsonCell } from './json-cell';
import { randomUUID } from 'node:crypto';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type ColumnInfo,
  type QueryExecution,
  type Row,
} from '@aws-sdk/client-athena';
import { isServerError, isThrottlingError, isTransientError } from '@smithy/service-error-classification';
import {
  EngineBusyError,
  InvalidPageTokenError,
  isFinished,
  QueryNotFoundError,
  QueryNotSucceededError,
  QueryRejectedError,
  type Cell,
  type CheckedQuery,
  type PageRequest,
  type QueryEngine,
  type QueryState,
  type QueryStatus,
  type ResultPage,
} from './types';

/** Rows one GetQueryResults call answers at most (its MaxResults). */
const MAX_RESULTS = 1000;

/** Attempts per Athena call (the client's retry strategy: throttling, transient and server errors). */
export const ATHENA_MAX_ATTEMPTS = 5;

export interface AthenaEngineOptions {
  workGroup: string;
  database: string;
  /** Minutes within which an identical query reuses earlier results; 0 turns reuse off. */
  resultReuseMinutes: number;
  /** For tests: how to wait between polls. */
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** An error the SDK still had after its retries: Athena is busy (throttling) or unavailable (5xx, transient). */
function busy(e: unknown): EngineBusyError | undefined {
  const err = e as Parameters<typeof isThrottlingError>[0];
  if (typeof e !== 'object' || e === null) return undefined;
  if (isThrottlingError(err)) {
    return new EngineBusyError(`Athena is throttling requests (${(e as Error).message}); try again shortly`);
  }
  if (isTransientError(err) || isServerError(err) || (e as Error).name === 'InternalServerException') {
    return new EngineBusyError(`Athena is unavailable (${(e as Error).message}); try again shortly`);
  }
  return undefined;
}

const CATEGORY: Record<number, QueryStatus['errorCategory']> = { 1: 'SYSTEM', 2: 'USER', 3: 'OTHER' };
const TIMEOUT_ERROR_TYPES = new Set([206, 210]);

/**
 * An Athena result value (always text; absent for NULL) as a JSON cell, by the column's metadata type:
 * integers and floating point as numbers, decimal as a number up to 15 digits of precision, boolean, json parsed,
 * array/map/row parsed from Athena's rendering ([a, b], {k=v}) with text leaves (cast to JSON for typed leaves);
 * varchar, date, timestamp and the rest as the text Athena returns.
 */
export function athenaCell(value: string | undefined, column: Pick<ColumnInfo, 'Type' | 'Precision'>): Cell {
  if (value === undefined) return null;
  const type = (column.Type ?? 'varchar').toLowerCase();
  switch (type) {
    case 'tinyint':
    case 'smallint':
    case 'integer':
    case 'int':
    case 'bigint': {
      const n = Number(value);
      return Number.isSafeInteger(n) ? n : value;
    }
    case 'double':
    case 'float':
    case 'real': {
      const n = Number(value);
      return Number.isFinite(n) ? n : value;
    }
    case 'decimal':
      return (column.Precision ?? 38) <= 15 && Number.isFinite(Number(value)) ? Number(value) : value;
    case 'boolean':
      return value === 'true' ? true : value === 'false' ? false : value;
    case 'json':
      return jsonCell(value);
    case 'array':
    case 'map':
    case 'row':
      return parseStructure(value);
    default:
      return value;
  }
}

/** Parses Athena's text rendering of arrays ([1, 2]), maps and rows ({a=1, b=x}); leaves stay text, null is null. */
export function parseStructure(text: string): Cell {
  let i = 0;
  const value = (stops: string): Cell => {
    if (text[i] === '[') {
      i++;
      const items: Cell[] = [];
      if (text[i] === ']') {
        i++;
        return items;
      }
      for (;;) {
        items.push(value(',]'));
        if (text[i] === ',') {
          i += text[i + 1] === ' ' ? 2 : 1;
          continue;
        }
        i++; // ]
        return items;
      }
    }
    if (text[i] === '{') {
      i++;
      // Without a prototype: a key named __proto__ is a key like any other (on {}, it set the prototype).
      const out = Object.create(null) as Record<string, Cell>;
      if (text[i] === '}') {
        i++;
        return out;
      }
      for (;;) {
        const eq = text.indexOf('=', i);
        if (eq < 0) throw new Error('not a map');
        const key = text.slice(i, eq);
        i = eq + 1;
        out[key] = value(',}');
        if (text[i] === ',') {
          i += text[i + 1] === ' ' ? 2 : 1;
          continue;
        }
        i++; // }
        return out;
      }
    }
    let depth = 0;
    const start = i;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '[' || c === '{') depth++;
      else if (c === ']' || c === '}') {
        if (depth === 0) break;
        depth--;
      } else if (depth === 0 && stops.includes(c) && (c !== ',' || text[i + 1] === ' ')) break;
      i++;
    }
    const leaf = text.slice(start, i);
    return leaf === 'null' ? null : leaf;
  };
  try {
    const v = value('');
    return i === text.length ? v : text;
  } catch {
    return text;
  }
}

function columnType(c: ColumnInfo): string {
  const type = (c.Type ?? 'varchar').toLowerCase();
  // A SHOW's or DESCRIBE's columns are Hive strings: the local engine's varchar.
  if (type === 'string') return 'varchar';
  if (type === 'decimal' && c.Precision !== undefined) return `decimal(${c.Precision},${c.Scale ?? 0})`;
  return type;
}

export class AthenaQueryEngine implements QueryEngine {
  readonly name = 'athena' as const;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly client: AthenaClient,
    private readonly opts: AthenaEngineOptions,
  ) {
    this.sleep = opts.sleep ?? defaultSleep;
  }

  /** Runs an Athena call (the client retries); what is left of throttling or unavailability: EngineBusyError. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw busy(e) ?? e;
    }
  }

  private status_(q: QueryExecution): QueryStatus {
    const state = (q.Status?.State ?? 'QUEUED') as QueryState;
    const reason = q.Status?.AthenaError?.ErrorMessage ?? q.Status?.StateChangeReason;
    const category = q.Status?.AthenaError?.ErrorCategory;
    return {
      id: q.QueryExecutionId!,
      state,
      sql: q.Query ?? '',
      submittedAt: (q.Status?.SubmissionDateTime ?? new Date()).toISOString(),
      completedAt: q.Status?.CompletionDateTime?.toISOString() ?? null,
      dataScannedBytes: q.Statistics?.DataScannedInBytes ?? 0,
      engineTimeMs: q.Statistics?.EngineExecutionTimeInMillis ?? 0,
      ...(reason && (state === 'FAILED' || state === 'CANCELLED') ? { reason } : {}),
      ...(state === 'FAILED' && category !== undefined && CATEGORY[category]
        ? { errorCategory: CATEGORY[category] }
        : {}),
      // Athena's error types 206 and 210: "Query timeout".
      ...(state === 'FAILED' && TIMEOUT_ERROR_TYPES.has(q.Status?.AthenaError?.ErrorType ?? -1)
        ? { timedOut: true }
        : {}),
      ...(q.Statistics?.ResultReuseInformation
        ? { resultReused: !!q.Statistics.ResultReuseInformation.ReusedPreviousResult }
        : {}),
      engine: 'athena',
    };
  }

  private async execution(id: string): Promise<QueryExecution | undefined> {
    try {
      const out = await this.call(() =>
        this.client.send(new GetQueryExecutionCommand({ QueryExecutionId: id })),
      );
      const q = out.QueryExecution;
      // Only this workgroup's queries (the role cannot read others' either).
      if (!q || q.WorkGroup !== this.opts.workGroup) return undefined;
      return q;
    } catch (e) {
      const name = (e as Error).name;
      if (name === 'InvalidRequestException' || name === 'AccessDeniedException') return undefined;
      throw e;
    }
  }

  async start(query: CheckedQuery): Promise<QueryStatus> {
    const token = randomUUID();
    const input = {
      QueryString: query.sql,
      WorkGroup: this.opts.workGroup,
      QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: this.opts.database },
      ClientRequestToken: token,
      ...(this.opts.resultReuseMinutes > 0
        ? {
            ResultReuseConfiguration: {
              ResultReuseByAgeConfiguration: { Enabled: true, MaxAgeInMinutes: this.opts.resultReuseMinutes },
            },
          }
        : {}),
    };
    let id: string | undefined;
    try {
      id = (await this.call(() => this.client.send(new StartQueryExecutionCommand(input)))).QueryExecutionId;
    } catch (e) {
      if ((e as Error).name === 'InvalidRequestException') throw new QueryRejectedError((e as Error).message);
      throw e;
    }
    if (!id) throw new Error('Athena returned no query execution id');
    return {
      id,
      state: 'QUEUED',
      sql: query.sql,
      submittedAt: new Date().toISOString(),
      completedAt: null,
      dataScannedBytes: 0,
      engineTimeMs: 0,
      engine: 'athena',
    };
  }

  async status(id: string): Promise<QueryStatus | undefined> {
    const q = await this.execution(id);
    return q && this.status_(q);
  }

  async wait(id: string, timeoutMs: number): Promise<QueryStatus | undefined> {
    const deadline = Date.now() + timeoutMs;
    let delay = 200;
    for (;;) {
      const s = await this.status(id);
      if (!s || isFinished(s.state)) return s;
      const left = deadline - Date.now();
      if (left <= 0) return s;
      await this.sleep(Math.min(delay, left));
      delay = Math.min(delay * 2, 1000);
    }
  }

  async results(id: string, page: PageRequest): Promise<ResultPage> {
    const q = await this.execution(id);
    if (!q) throw new QueryNotFoundError(id);
    const status = this.status_(q);
    if (status.state !== 'SUCCEEDED') throw new QueryNotSucceededError(status);
    const first = !page.nextToken;
    // SELECT results start with a header row on the first page: ask for one more row and drop it.
    const header = first && (q.StatementType ?? 'DML') === 'DML';
    const fetch = (maxResults: number, token: string | undefined) =>
      this.call(() =>
        this.client.send(
          new GetQueryResultsCommand({
            QueryExecutionId: id,
            MaxResults: maxResults,
            ...(token ? { NextToken: token } : {}),
          }),
        ),
      );
    let out;
    try {
      out = await fetch(Math.min(page.maxRows + (header ? 1 : 0), MAX_RESULTS), page.nextToken);
    } catch (e) {
      if ((e as Error).name === 'InvalidRequestException' && page.nextToken) {
        throw new InvalidPageTokenError(`nextToken was not accepted: ${(e as Error).message}`);
      }
      throw e;
    }
    const described = out.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
    // DESCRIBE's three columns (col_name, data_type, comment) come as one tab-separated value per row: one column,
    // as the local engine answers it.
    const info = q.SubstatementType === 'DESCRIBE_TABLE' ? described.slice(0, 1) : described;
    const cells = (raw: Row[]) =>
      raw.map((r) => info.map((c, i) => athenaCell(r.Data?.[i]?.VarCharValue, c)));
    const rows = cells(header ? (out.ResultSet?.Rows ?? []).slice(1) : (out.ResultSet?.Rows ?? []));
    let nextToken = out.NextToken;
    // Athena's MaxResults (at most 1,000) counts the header row: a first page of 1,000 rows takes its last row from
    // the next call, so that a page holds what was asked, as the local engine's.
    if (header && rows.length < page.maxRows && nextToken) {
      const more = await fetch(page.maxRows - rows.length, nextToken);
      rows.push(...cells(more.ResultSet?.Rows ?? []));
      nextToken = more.NextToken;
    }
    return {
      columns: info.map((c) => ({ name: c.Name ?? c.Label ?? '', type: columnType(c) })),
      rows,
      nextToken: nextToken ?? null,
    };
  }

  async cancel(id: string): Promise<QueryStatus | undefined> {
    const before = await this.status(id);
    if (!before || isFinished(before.state)) return before;
    await this.call(() => this.client.send(new StopQueryExecutionCommand({ QueryExecutionId: id })));
    return this.status(id);
  }
}
