/**
 * Athena's own API on the local lake: its JSON protocol (AWS JSON 1.1, `POST /` with `X-Amz-Target:
 * AmazonAthena.<Operation>`), on the lake's port, over the engine, guard and query history /queries uses — so the
 * AWS SDK's AthenaClient, the AWS CLI and drivers built on them work against the lake with
 *   endpoint http://127.0.0.1:<port>, access key id = the lake's API key, secret access key = `local` (auth.ts).
 *
 *   executions.ts  StartQueryExecution, GetQueryExecution, StopQueryExecution, ListQueryExecutions,
 *                  BatchGetQueryExecution
 *   results.ts     GetQueryResults (result-set.ts: Athena's ResultSet; statement.ts: header rows)
 *   catalog.ts     ListDataCatalogs, ListDatabases, GetDatabase, ListTableMetadata, GetTableMetadata, GetWorkGroup
 *   input.ts       the request body read as Athena reads it; errors.ts: Athena's error answers
 *
 * Order, as on AWS: the body is read, the signature checked (nothing runs without it), the operation found
 * (UnknownOperationException otherwise), its input checked, then it runs.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { logger } from '../../lib/logger';
import { verifySignature } from './auth';
import * as catalog from './catalog';
import { lakeContext, type AthenaContext } from './context';
import * as executions from './executions';
import { AthenaApiError, internalError } from './errors';
import { readInput, type Input, type Shape } from './input';
import * as results from './results';

export { LOCAL_SECRET_ACCESS_KEY } from './auth';

const TARGET_PREFIX = 'AmazonAthena.';
const JSON_1_1 = 'application/x-amz-json-1.1';
/** Largest request body read (Athena's QueryString is at most 256 KiB; escaped as JSON, up to 6 times that). */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

type Operation = (input: Input) => Promise<object> | object;

export interface AthenaAnswer {
  status: number;
  /** The operation and, when refused, the error (for the access log). */
  detail: string;
}

export class AthenaApi {
  private readonly ctx: AthenaContext;
  private readonly tokens = new executions.IdempotencyTokens();
  private readonly operations: Map<string, { shape: Shape; run: Operation }>;

  constructor(opts: { apiKey: string; service: string; stage: string }) {
    this.ctx = lakeContext(opts);
    const ctx = this.ctx;
    const op = (shape: Shape | undefined, run: Operation) => ({ shape: shape ?? {}, run });
    const e = executions.SHAPES;
    const c = catalog.SHAPES;
    this.operations = new Map<string, { shape: Shape; run: Operation }>([
      [
        'StartQueryExecution',
        op(e.StartQueryExecution, (i) => executions.startQueryExecution(ctx, this.tokens, i)),
      ],
      ['GetQueryExecution', op(e.GetQueryExecution, (i) => executions.getQueryExecution(ctx, i))],
      ['StopQueryExecution', op(e.StopQueryExecution, (i) => executions.stopQueryExecution(ctx, i))],
      ['ListQueryExecutions', op(e.ListQueryExecutions, (i) => executions.listQueryExecutions(ctx, i))],
      [
        'BatchGetQueryExecution',
        op(e.BatchGetQueryExecution, (i) => executions.batchGetQueryExecution(ctx, i)),
      ],
      ['GetQueryResults', op(results.SHAPE, (i) => results.getQueryResults(ctx, i))],
      ['ListDataCatalogs', op(c.ListDataCatalogs, (i) => catalog.listDataCatalogs(ctx, i))],
      ['ListDatabases', op(c.ListDatabases, (i) => catalog.listDatabases(ctx, i))],
      ['GetDatabase', op(c.GetDatabase, (i) => catalog.getDatabase(ctx, i))],
      ['ListTableMetadata', op(c.ListTableMetadata, (i) => catalog.listTableMetadata(ctx, i))],
      ['GetTableMetadata', op(c.GetTableMetadata, (i) => catalog.getTableMetadata(ctx, i))],
      ['GetWorkGroup', op(c.GetWorkGroup, (i) => catalog.getWorkGroup(ctx, i))],
    ]);
  }

  /** Whether a request is Athena's: `POST /` with an Athena target or AWS JSON 1.1's content type. */
  accepts(req: http.IncomingMessage, url: URL): boolean {
    if ((req.method ?? '').toUpperCase() !== 'POST' || url.pathname !== '/') return false;
    const target = req.headers['x-amz-target'];
    const type = String(req.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    return (typeof target === 'string' && target.startsWith(TARGET_PREFIX)) || type === JSON_1_1;
  }

  /** Answers an Athena request (accepts() said so). */
  async serve(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<AthenaAnswer> {
    const requestId = randomUUID();
    const target = String(req.headers['x-amz-target'] ?? '');
    const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    let status = 200;
    let payload: object;
    let detail = name || 'UnknownOperation';
    try {
      const body = await readBody(req, MAX_BODY_BYTES);
      if (body === null) {
        res.setHeader('connection', 'close');
        throw new AthenaApiError(
          'SerializationException',
          `the request body is larger than ${MAX_BODY_BYTES} bytes`,
          413,
        );
      }
      await verifySignature(req, url, body, this.ctx.apiKey);
      const operation = this.operations.get(name);
      if (!operation) {
        throw new AthenaApiError(
          'UnknownOperationException',
          `the local lake does not answer ${name || `the target '${target}'`}; it answers ` +
            [...this.operations.keys()].join(', '),
        );
      }
      payload = await operation.run(readInput(body, operation.shape));
    } catch (e) {
      const err =
        e instanceof AthenaApiError ? e : internalError(`the local lake failed: ${(e as Error).message}`);
      if (!(e instanceof AthenaApiError))
        logger.error('Athena API operation failed', { operation: name, error: e as Error });
      status = err.status;
      payload = err.body();
      detail = `${detail} ${err.type}`;
    }
    res.writeHead(status, { 'content-type': JSON_1_1, 'x-amzn-requestid': requestId });
    res.end(JSON.stringify(payload));
    return { status, detail };
  }
}

/**
 * The body, or null when larger than `limit` (then read on and discarded, so that the client sees the answer; past
 * 8 times the limit the connection is cut).
 */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
      else chunks.length = 0;
      if (size > 8 * limit) {
        req.removeAllListeners('data');
        req.socket.destroy();
        resolve(null);
      }
    });
    req.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
