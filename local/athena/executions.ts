/**
 * The query lifecycle operations over the lake's engine: StartQueryExecution (through the same read-only guard as
 * POST /queries), GetQueryExecution, StopQueryExecution, ListQueryExecutions and BatchGetQueryExecution — with the
 * QueryExecution shape Athena returns.
 *
 * StartQueryExecution needs a ClientRequestToken (the SDKs and the CLI generate one): a retry with the same token
 * and the same query returns the same id, with another query IDEMPOTENT_PARAMETER_MISMATCH, as on Athena (tokens
 * are remembered by this process). Every query runs in the lake's database of AwsDataCatalog and in the lake's
 * workgroup; a QueryExecutionContext naming another catalog or a database other than the lake's or `default` (where
 * unqualified names are read without one), and ExecutionParameters, are refused. A SELECT of a table or database
 * the catalog lacks is started and recorded FAILED (TABLE_NOT_FOUND, SCHEMA_NOT_FOUND), as Athena fails it.
 * GetQueryExecution echoes the QueryExecutionContext the request gave (`{}` for none), as Athena does.
 */
import { logger } from '../../lib/logger';
import { checkQuery, QueryNotAllowedError } from '../../lib/query/sql-guard';
import { NotInCatalogError } from '../../lib/query/sql-guard/errors';
import { lakeTableNames, queryLimits } from '../../lib/query/settings';
import {
  EngineBusyError,
  InvalidPageTokenError,
  isFinished,
  QueryRejectedError,
  type QueryStatus,
} from '../../lib/query/types';
import {
  CATALOG,
  DEFAULT_DATABASE,
  checkWorkGroup,
  ENGINE_VERSION,
  epochSeconds,
  outputLocation,
  type AthenaContext,
} from './context';
import { AthenaApiError, entityNotFound, internalError, invalidRequest, queryNotFound } from './errors';
import type { Input, Shape } from './input';
import { statementKind } from './statement';

const WORK_GROUP = { type: 'string', pattern: '[a-zA-Z0-9._-]{1,128}' } as const;
const QUERY_ID = { type: 'string', required: true, min: 1, max: 128, pattern: '\\S+' } as const;
const TOKEN = { type: 'string', min: 1, max: 1024 } as const;

export const SHAPES: Record<string, Shape> = {
  StartQueryExecution: {
    QueryString: { type: 'string', required: true, min: 1, max: 262144 },
    ClientRequestToken: { type: 'string', min: 32, max: 128 },
    QueryExecutionContext: {
      type: 'structure',
      members: {
        Database: { type: 'string', min: 1, max: 255 },
        Catalog: { type: 'string', min: 1, max: 256 },
      },
    },
    WorkGroup: WORK_GROUP,
    ExecutionParameters: { type: 'strings', min: 1 },
    ResultConfiguration: {
      type: 'structure',
      members: {
        OutputLocation: { type: 'string' },
        EncryptionConfiguration: {
          type: 'structure',
          members: {
            EncryptionOption: { type: 'string', required: true, enum: ['SSE_S3', 'SSE_KMS', 'CSE_KMS'] },
            KmsKey: { type: 'string' },
          },
        },
        ExpectedBucketOwner: { type: 'string' },
        AclConfiguration: {
          type: 'structure',
          members: { S3AclOption: { type: 'string', required: true, enum: ['BUCKET_OWNER_FULL_CONTROL'] } },
        },
      },
    },
    // Checked as Athena checks it; reuse itself is not done locally (every query runs).
    ResultReuseConfiguration: {
      type: 'structure',
      members: {
        ResultReuseByAgeConfiguration: {
          type: 'structure',
          members: {
            Enabled: { type: 'boolean', required: true },
            MaxAgeInMinutes: { type: 'integer', min: 0, max: 10080 },
          },
        },
      },
    },
  },
  GetQueryExecution: { QueryExecutionId: QUERY_ID },
  StopQueryExecution: { QueryExecutionId: QUERY_ID },
  ListQueryExecutions: {
    NextToken: TOKEN,
    MaxResults: { type: 'integer', min: 0, max: 50 },
    WorkGroup: WORK_GROUP,
  },
  BatchGetQueryExecution: {
    QueryExecutionIds: {
      type: 'strings',
      required: true,
      min: 1,
      max: 50,
      member: { min: 1, max: 128, pattern: '\\S+' },
    },
  },
};

/** Athena's reason for a query stopped on request. */
const CANCELLED_BY_USER = 'Query cancelled by user';

/** A query's QueryExecution, as Athena's GetQueryExecution returns it (timestamps in epoch seconds). */
export function queryExecution(ctx: AthenaContext, s: QueryStatus): Record<string, unknown> {
  const kind = statementKind(s.sql);
  const finished = isFinished(s.state);
  const end = s.completedAt ? Date.parse(s.completedAt) : Date.now();
  const total = Math.max(0, end - Date.parse(s.submittedAt));
  const reason = s.state === 'CANCELLED' ? CANCELLED_BY_USER : s.reason;
  // The local engine's own failures (the lake stopped under the query) are Athena's SYSTEM errors; the rest USER.
  // A query recorded before the engine classed its failures is told by its reason's words.
  const classed = s.errorCategory !== undefined;
  const system = classed ? s.errorCategory !== 'USER' : /local lake stopped/.test(s.reason ?? '');
  const timedOut = classed ? s.timedOut === true : /\(LAKE_QUERY_TIMEOUT_SECONDS\)/.test(s.reason ?? '');
  return {
    QueryExecutionId: s.id,
    Query: s.sql,
    StatementType: kind.statementType,
    SubstatementType: kind.substatementType,
    ResultConfiguration: { OutputLocation: outputLocation(ctx, s.id) },
    ResultReuseConfiguration: ctx.startedContexts?.reuse(s.id) ?? {
      ResultReuseByAgeConfiguration: { Enabled: false },
    },
    QueryExecutionContext: ctx.startedContexts?.get(s.id) ?? {
      Database: ctx.database(),
      Catalog: CATALOG.toLowerCase(),
    },
    Status: {
      State: s.state,
      ...(reason && (s.state === 'FAILED' || s.state === 'CANCELLED') ? { StateChangeReason: reason } : {}),
      SubmissionDateTime: epochSeconds(s.submittedAt),
      ...(s.completedAt ? { CompletionDateTime: epochSeconds(s.completedAt) } : {}),
      ...(s.state === 'FAILED'
        ? {
            AthenaError: {
              ErrorCategory: system ? 1 : 2,
              // Athena's error type reference: 206 query timeout, 100 internal service error, 1000 user error.
              // 1301: a table or schema the catalog does not have (recordFailed).
              ErrorType: s.errorType ?? (timedOut ? 206 : system ? 100 : 1000),
              Retryable: system,
              ErrorMessage: reason ?? 'the query failed',
            },
          }
        : {}),
    },
    Statistics: {
      EngineExecutionTimeInMillis: s.engineTimeMs,
      DataScannedInBytes: s.dataScannedBytes,
      TotalExecutionTimeInMillis: total,
      ...(finished ? { QueryQueueTimeInMillis: Math.max(0, total - s.engineTimeMs) } : {}),
      ResultReuseInformation: { ReusedPreviousResult: false },
    },
    WorkGroup: ctx.workGroup,
    EngineVersion: { SelectedEngineVersion: ENGINE_VERSION, EffectiveEngineVersion: ENGINE_VERSION },
  };
}

/** What StartQueryExecution compares for a repeated ClientRequestToken. */
interface Started {
  request: string;
  id: Promise<string>;
}

/** ClientRequestTokens of this process, oldest first (at most MAX_TOKENS). */
export class IdempotencyTokens {
  private static readonly MAX_TOKENS = 10_000;
  private readonly started = new Map<string, Started>();

  /** The id of the query `token` started, or starts it (`start`) and remembers it. */
  run(token: string, request: string, start: () => Promise<string>): Promise<string> {
    const earlier = this.started.get(token);
    if (earlier) {
      if (earlier.request !== request)
        throw invalidRequest('Idempotent parameters do not match', 'IDEMPOTENT_PARAMETER_MISMATCH');
      return earlier.id;
    }
    const id = start();
    this.started.set(token, { request, id });
    // A refused start leaves no trace: the same token may be used again.
    id.catch(() => this.started.delete(token));
    if (this.started.size > IdempotencyTokens.MAX_TOKENS)
      this.started.delete(this.started.keys().next().value as string);
    return id;
  }
}

/** The guard's verdict on a query: the checked query, or the error StartQueryExecution answers. */
function checkStatement(
  ctx: AthenaContext,
  sql: string,
  database: string | undefined,
):
  | { checked: ReturnType<typeof checkQuery> }
  | { notFound: NotInCatalogError }
  | { refused: AthenaApiError; syntax: boolean } {
  try {
    return {
      checked: checkQuery(sql, {
        database: ctx.database(),
        // Athena reads an unqualified table name in the context's database, else in `default`.
        defaultDatabase: database ?? DEFAULT_DATABASE,
        tables: lakeTableNames(),
        maxBytes: queryLimits().maxSqlBytes,
      }),
    };
  } catch (e) {
    if (!(e instanceof QueryNotAllowedError)) throw e;
    // A name the catalog lacks: Athena refuses a DESCRIBE or SHOW COLUMNS of it at start, and starts a SELECT of it
    // to fail it (NotInCatalogError).
    if (e instanceof NotInCatalogError) {
      if (!e.metadata) return { notFound: e };
      logger.info('query refused', { reason: e.reason, via: 'athena-api' });
      return { refused: invalidRequest(entityNotFound().message, 'INVALID_INPUT'), syntax: false };
    }
    logger.info('query refused', { reason: e.reason, via: 'athena-api' });
    // A syntax error (the guard's lexer, its parser, no statement's keyword: SELEC 1) is Athena's MALFORMED_QUERY.
    const syntax =
      e.syntax ||
      e.reason.startsWith('the query could not be checked') ||
      /; this statement starts with '/.test(e.reason);
    return { refused: invalidRequest(e.reason, syntax ? 'MALFORMED_QUERY' : 'QUERY_NOT_ALLOWED'), syntax };
  }
}

async function startChecked(ctx: AthenaContext, checked: ReturnType<typeof checkQuery>): Promise<string> {
  const engine = await ctx.engine();
  try {
    const status = await engine.start(checked);
    logger.info('query started', {
      id: status.id,
      engine: engine.name,
      tables: checked.tables,
      via: 'athena-api',
    });
    return status.id;
  } catch (e) {
    if (e instanceof EngineBusyError)
      throw new AthenaApiError('TooManyRequestsException', e.message, 400, {
        Reason: 'CONCURRENT_QUERY_LIMIT_EXCEEDED',
      });
    if (e instanceof QueryRejectedError) throw invalidRequest(e.message);
    throw e;
  }
}

/** A SELECT of a name the catalog lacks: a query recorded FAILED, as Athena fails it (ErrorType 1301). */
async function recordNotFound(ctx: AthenaContext, sql: string, e: NotInCatalogError): Promise<string> {
  const engine = await ctx.engine();
  if (!engine.recordFailed) throw invalidRequest(e.reason, 'QUERY_NOT_ALLOWED');
  const reason = `${e.athenaReason()} (the local lake: ${e.reason})`;
  const status = await engine.recordFailed(sql, reason, 1301);
  logger.info('query failed: a name the catalog lacks', { id: status.id, reason, via: 'athena-api' });
  return status.id;
}

export async function startQueryExecution(
  ctx: AthenaContext,
  tokens: IdempotencyTokens,
  input: Input,
): Promise<object> {
  const sql = input.string('QueryString')!;
  const token = input.string('ClientRequestToken');
  if (token === undefined) throw invalidRequest('clientRequestToken is null or empty');
  // The model counts characters, Athena's own check bytes (measured: 50 'あ' are refused).
  if (Buffer.byteLength(token, 'utf8') > 128)
    throw invalidRequest('clientRequestToken exceeds maximum allowed length 128', 'INVALID_INPUT');
  checkWorkGroup(ctx, input.string('WorkGroup'));
  const context = input.structure('QueryExecutionContext');
  const catalog = context?.string('Catalog');
  const database = context?.string('Database');
  // The result configuration is checked, then not used: the local lake writes every result where
  // GetQueryExecution's OutputLocation says (a file: URL in the lake folder).
  const results = input.structure('ResultConfiguration');
  const location = results?.string('OutputLocation');
  if (location !== undefined && !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/|$)/.test(location))
    throw invalidRequest('outputLocation is not a valid S3 path.', 'INVALID_INPUT');
  // A syntax error is answered before the token is compared (measured on Athena: a token used again with SELEC 1
  // is MALFORMED_QUERY, not a mismatch); other refusals do not use up the token.
  const verdict = checkStatement(ctx, sql, database?.toLowerCase());
  if ('refused' in verdict && verdict.syntax) throw verdict.refused;
  // What Athena compares for a token used again: the query, its context (catalog and database, as written) and the
  // result's OutputLocation; another workgroup or other parameters with the same token give the first query's id
  // (measured on Athena: aoyagikouhei/athena-local docs/dev/measurements/client-request-token.md).
  const request = JSON.stringify([sql, catalog ?? null, database ?? null, location ?? null]);
  const id = await tokens.run(token, request, async () => {
    if (input.has('ExecutionParameters'))
      throw invalidRequest(
        'ExecutionParameters are not supported by the local lake: write the values into the query',
      );
    if (catalog !== undefined && catalog.toLowerCase() !== CATALOG.toLowerCase())
      throw invalidRequest(
        `Catalog '${catalog}' does not exist: the local lake has ${CATALOG} only`,
        'INVALID_INPUT',
      );
    // `default` is where Athena reads unqualified names without a Database: qualified ones read the lake's tables.
    const known = [ctx.database(), DEFAULT_DATABASE];
    if (database !== undefined && !known.includes(database.toLowerCase()))
      throw invalidRequest(
        `Database '${database}' does not exist: the local lake's tables are in '${ctx.database()}'`,
        'INVALID_INPUT',
      );
    if ('refused' in verdict) throw verdict.refused;
    const started =
      'notFound' in verdict
        ? await recordNotFound(ctx, sql, verdict.notFound)
        : await startChecked(ctx, verdict.checked);
    // As Athena echoes it: what the request gave, the catalog named as Athena names it; nothing given, nothing.
    // The result reuse asked for is echoed too (ResultReuseInformation says no result was reused).
    const byAge = input.structure('ResultReuseConfiguration')?.structure('ResultReuseByAgeConfiguration');
    const maxAge = byAge?.integer('MaxAgeInMinutes');
    ctx.startedContexts?.set(
      started,
      catalog === undefined && database === undefined
        ? {}
        : { ...(database !== undefined ? { Database: database } : {}), Catalog: CATALOG.toLowerCase() },
      byAge
        ? {
            ResultReuseByAgeConfiguration: {
              Enabled: byAge.boolean('Enabled')!,
              ...(maxAge !== undefined ? { MaxAgeInMinutes: maxAge } : {}),
            },
          }
        : undefined,
    );
    return started;
  });
  return { QueryExecutionId: id };
}

async function statusOf(ctx: AthenaContext, id: string): Promise<QueryStatus> {
  const status = await (await ctx.engine()).status(id);
  if (!status) throw queryNotFound(id);
  return status;
}

export async function getQueryExecution(ctx: AthenaContext, input: Input): Promise<object> {
  return { QueryExecution: queryExecution(ctx, await statusOf(ctx, input.string('QueryExecutionId')!)) };
}

/** Stops a QUEUED or RUNNING query; a finished one is left as it is (200, as on Athena). */
export async function stopQueryExecution(ctx: AthenaContext, input: Input): Promise<object> {
  const id = input.string('QueryExecutionId')!;
  const status = await statusOf(ctx, id);
  if (!isFinished(status.state)) {
    await (await ctx.engine()).cancel(id);
    logger.info('query cancelled', { id, via: 'athena-api' });
  }
  return {};
}

/** The lake's queries, newest first (those started through /queries too), 50 at a time unless asked. */
export async function listQueryExecutions(ctx: AthenaContext, input: Input): Promise<object> {
  checkWorkGroup(ctx, input.string('WorkGroup'));
  const engine = await ctx.engine();
  if (!engine.list) throw internalError('the query engine keeps no history');
  const nextToken = input.string('NextToken');
  try {
    const page = await engine.list({
      maxRows: input.integer('MaxResults') || 50,
      ...(nextToken !== undefined ? { nextToken } : {}),
    });
    return { QueryExecutionIds: page.ids, ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
  } catch (e) {
    if (e instanceof InvalidPageTokenError)
      throw invalidRequest(`The nextPageToken is malformed: ${nextToken}`);
    throw e;
  }
}

export async function batchGetQueryExecution(ctx: AthenaContext, input: Input): Promise<object> {
  const engine = await ctx.engine();
  const found: Record<string, unknown>[] = [];
  const unprocessed: Record<string, string>[] = [];
  for (const id of input.strings('QueryExecutionIds')!) {
    const status = await engine.status(id);
    if (status) found.push(queryExecution(ctx, status));
    else
      unprocessed.push({
        QueryExecutionId: id,
        ErrorCode: 'QUERY_EXECUTION_NOT_FOUND',
        ErrorMessage: `QueryExecution ${id} was not found`,
      });
  }
  return { QueryExecutions: found, UnprocessedQueryExecutionIds: unprocessed };
}
