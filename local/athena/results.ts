/**
 * GetQueryResults: a SUCCEEDED query's results a page at a time, in Athena's ResultSet shape (result-set.ts).
 *
 * As on Athena (measured on the service, see errors.ts): MaxResults defaults to 1000 and counts the header row, which
 * only the first page of a DML statement has; a full page always carries a NextToken, even when no row follows (the
 * next call then returns no rows and no token); the checks run in Athena's order — the input's constraints, the
 * query's existence (QUERY_EXECUTION_NOT_FOUND), MaxResults above 1000, the query's state
 * (INVALID_QUERY_EXECUTION_STATE while it runs or when it FAILED, RESULT_NOT_FOUND when CANCELLED), then the token
 * ("Malformed nextPageToken …"). Tokens wrap the engine's own page tokens (the same pages GET
 * /queries/{id}/results reads), tied to their query.
 */
import { InvalidPageTokenError, QUERY_ID, type ResultPage } from '../../lib/query/types';
import type { AthenaContext } from './context';
import { invalidRequest, queryNotFound } from './errors';
import type { Input, Shape } from './input';
import { columnInfo, dataRows, headerRow, utilityColumnInfo } from './result-set';
import { statementKind } from './statement';

export const SHAPE: Shape = {
  QueryExecutionId: { type: 'string', required: true, min: 1, max: 128, pattern: '\\S+' },
  NextToken: { type: 'string', min: 1, max: 1024 },
  // Athena's request validation allows up to 100000; the operation then refuses more than 1000.
  MaxResults: { type: 'integer', min: 1, max: 100000 },
  QueryResultType: { type: 'string', enum: ['DATA_MANIFEST', 'DATA_ROWS'] },
};

const MAX_RESULTS = 1000;

/** Where a page starts: after the header (no engine token yet), at an engine token, or past the last row. */
type Position = { at: 'start' } | { at: 'token'; token: string } | { at: 'end' };

function encode(id: string, p: Position): string {
  const inner = p.at === 'token' ? `t${p.token}` : p.at === 'start' ? 's' : 'e';
  return Buffer.from(`${id}.${inner}`).toString('base64url');
}

function decode(id: string, token: string): Position {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const dot = text.indexOf('.');
  const inner = text.slice(dot + 1);
  const p: Position | undefined =
    inner === 's'
      ? { at: 'start' }
      : inner === 'e'
        ? { at: 'end' }
        : /^t[A-Za-z0-9_-]+$/.test(inner)
          ? { at: 'token', token: inner.slice(1) }
          : undefined;
  if (!p || text.slice(0, dot) !== id || !QUERY_ID.test(id) || encode(id, p) !== token)
    throw invalidRequest(`Malformed nextPageToken ${token}`);
  return p;
}

function stateError(state: string): never {
  if (state === 'CANCELLED') throw invalidRequest('Could not find results', 'RESULT_NOT_FOUND');
  if (state === 'FAILED')
    throw invalidRequest(
      'Query did not finish successfully. Final query state: FAILED',
      'INVALID_QUERY_EXECUTION_STATE',
    );
  throw invalidRequest(
    `Query has not yet finished. Current state: ${state}`,
    'INVALID_QUERY_EXECUTION_STATE',
  );
}

export async function getQueryResults(ctx: AthenaContext, input: Input): Promise<object> {
  const id = input.string('QueryExecutionId')!;
  const engine = await ctx.engine();
  const status = await engine.status(id);
  if (!status) throw queryNotFound(id);
  const maxResults = input.integer('MaxResults') ?? MAX_RESULTS;
  if (maxResults > MAX_RESULTS)
    throw invalidRequest(`MaxResults is more than maximum allowed length ${MAX_RESULTS}`);
  if (status.state !== 'SUCCEEDED') stateError(status.state);
  if (input.string('QueryResultType') === 'DATA_MANIFEST')
    throw invalidRequest(
      'QueryResultType DATA_MANIFEST is not supported by the local lake: ask for DATA_ROWS',
    );

  const token = input.string('NextToken');
  const from: Position | undefined = token === undefined ? undefined : decode(id, token);
  const header = from === undefined && statementKind(status.sql).header;
  const wanted = maxResults - (header ? 1 : 0);
  const read = async (maxRows: number, nextToken?: string): Promise<ResultPage> => {
    try {
      // A json value as its text, as Athena gives it ('null' is JSON's null; SQL NULL has no VarCharValue).
      return await engine.results(id, {
        maxRows,
        jsonAsText: true,
        ...(nextToken !== undefined ? { nextToken } : {}),
      });
    } catch (e) {
      if (e instanceof InvalidPageTokenError) throw invalidRequest(`Malformed nextPageToken ${token}`);
      throw e;
    }
  };
  // Past the last row, or a page with room for the header only: no rows, but the columns (read from one row).
  const page: ResultPage =
    from?.at === 'end' || wanted === 0
      ? { ...(await read(1)), rows: [] }
      : await read(wanted, from?.at === 'token' ? from.token : undefined);

  const rows = [...(header ? [headerRow(page.columns)] : []), ...dataRows(page.columns, page.rows)];
  const next: Position =
    wanted === 0 ? { at: 'start' } : page.nextToken ? { at: 'token', token: page.nextToken } : { at: 'end' };
  // DESCRIBE and SHOW CREATE TABLE answer no UpdateCount (measured on Athena); SELECT and other SHOWs 0.
  const kind = statementKind(status.sql);
  const { substatementType } = kind;
  return {
    ...(substatementType === 'DESCRIBE_TABLE' || substatementType === 'SHOW_CREATE_TABLE'
      ? {}
      : { UpdateCount: 0 }),
    ResultSet: {
      Rows: rows,
      ResultSetMetadata: {
        ColumnInfo:
          // The SHOWs and DESCRIBE measured (SHOW FUNCTIONS, with a header row, is not among them).
          kind.statementType === 'UTILITY' && !kind.header
            ? utilityColumnInfo(page.columns, substatementType)
            : page.columns.map(columnInfo),
      },
    },
    // A full page carries a token, as on Athena, even when it ends the results.
    ...(rows.length === maxResults ? { NextToken: encode(id, next) } : {}),
  };
}
