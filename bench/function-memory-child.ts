/**
 * One function's memory for its largest normal input, in a fresh process as on Lambda (bench/function-memory.ts
 * starts it): the handler as deployed (LAKE_RUNTIME=aws), its AWS SDK v3 clients answered by aws-sdk-client-mock,
 * invoked RUNS times; prints {maxRssBytes, heapUsedBytes} as JSON. Argument: ingest | queries | validateUpload | lake.
 *   ingest         — a 500-event batch (the largest the API takes), PutRecordBatch accepting every record
 *   queries        — a 1,000-row result page (GET /queries/{id}/results?maxRows=1000), 12 columns of text
 *   validateUpload — the largest checks an upload gets, in turn: a JSON-lines file whose sample is full (1,000
 *                    rows, every text near its maxLength), the same gzip'd (read range by range through gunzip),
 *                    and a Parquet file whose footer describes 700 row groups (BENCH_PARQUET_FILE, written by the
 *                    parent: DuckDB is not loaded here); each accepted (queue record written, execution started).
 *                    The bucket serves range reads from the bytes a check may read (all of a text file, the first
 *                    and last MiB of the Parquet file): this process holds no more of an object than Lambda would.
 *   lake           — GET /executions/{name} (the console's execution page) of an execution whose history is a full
 *                    GetExecutionHistory page (1,000 events, with its state data: includeExecutionData) of ~8 KB of
 *                    state in and out of each state — a long wait for a busy lake — and the ETL definition it ran.
 */
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand } from '@aws-sdk/client-athena';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  DescribeStateMachineForExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { generateBodies } from './events';

const RUNS = 20;
const QUERY_ID = '7b3f9a52-1c4e-4d8b-9f0a-2e6c5d4b3a21';

const context = (name: string): Context =>
  ({
    functionName: name,
    awsRequestId: 'bench',
    memoryLimitInMB: '512',
    getRemainingTimeInMillis: () => 10_000,
  }) as unknown as Context;

function apiEvent(over: Partial<APIGatewayProxyEvent>): APIGatewayProxyEvent {
  return {
    httpMethod: 'POST',
    path: '/',
    resource: '/',
    headers: { 'content-type': 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: { requestId: 'bench', identity: { sourceIp: '127.0.0.1' } },
    ...over,
  } as unknown as APIGatewayProxyEvent;
}

async function ingest(): Promise<void> {
  process.env.DELIVERY_STREAM_NAME = 'bench-stream';
  mockClient(FirehoseClient)
    .on(PutRecordBatchCommand)
    .callsFake((input: { Records: unknown[] }) => ({
      FailedPutCount: 0,
      RequestResponses: input.Records.map((_, i) => ({ RecordId: `r-${i}` })),
    }));
  const { handler } = await import('../functions/ingest');
  const body = generateBodies(1, 500).bodies[0]!.toString('utf8');
  for (let i = 0; i < RUNS; i++) {
    const res = await handler(apiEvent({ path: '/events', resource: '/events', body }), context('ingest'));
    if (res.statusCode !== 202) throw new Error(`ingest answered ${res.statusCode}: ${res.body}`);
  }
}

async function queries(): Promise<void> {
  process.env.ATHENA_WORKGROUP = 'bench';
  process.env.GLUE_DATABASE = 'bench';
  process.env.LAKE_TABLES ??= 'orders';
  const columns = Array.from({ length: 12 }, (_, i) => ({ Name: `column_${i}`, Type: 'varchar' }));
  const row = (r: number) => ({
    Data: columns.map((c, i) => ({ VarCharValue: `${c.Name}-value-${r}-${'x'.repeat(i * 4)}` })),
  });
  const athena = mockClient(AthenaClient);
  athena.on(GetQueryExecutionCommand).resolves({
    QueryExecution: {
      QueryExecutionId: QUERY_ID,
      WorkGroup: 'bench',
      StatementType: 'DML',
      Status: { State: 'SUCCEEDED' },
      Statistics: { DataScannedInBytes: 1024 },
    },
  });
  athena.on(GetQueryResultsCommand).resolves({
    ResultSet: {
      ResultSetMetadata: { ColumnInfo: columns.map((c) => ({ ...c, Label: c.Name })) },
      Rows: [
        { Data: columns.map((c) => ({ VarCharValue: c.Name })) },
        ...Array.from({ length: 1000 }, (_, r) => row(r)),
      ],
    },
    NextToken: 'next',
  });
  const { handler } = await import('../functions/queries');
  for (let i = 0; i < RUNS; i++) {
    const res = await handler(
      apiEvent({
        httpMethod: 'GET',
        path: `/queries/${QUERY_ID}/results`,
        resource: '/queries/{id}/results',
        pathParameters: { id: QUERY_ID },
        queryStringParameters: { maxRows: '1000' },
      }),
      context('queries'),
    );
    if (res.statusCode !== 200) throw new Error(`queries answered ${res.statusCode}: ${res.body}`);
    const rows = (JSON.parse(res.body) as { rows: unknown[] }).rows.length;
    if (rows !== 1000) throw new Error(`queries returned ${rows} rows, expected 1000`);
  }
}

/** customers JSON lines: `rows` rows with every text near its schema's maxLength (~730 bytes a line). */
function customersJsonLines(rows: number): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const id = `cust-${String(i).padStart(8, '0')}`;
    lines.push(
      JSON.stringify({
        customer_id: id.padEnd(64, 'x'),
        email: `${'a'.repeat(60)}.${id}@${'b'.repeat(60)}.${'c'.repeat(60)}.example.com`,
        name: `Name ${i} ${'n'.repeat(240)}`,
        country: 'DE',
        segment: 'business',
        marketing_opt_in: i % 2 === 0,
        lifetime_value: i * 1.25,
        created_at: '2026-03-01T10:00:00Z',
        updated_at: '2026-03-02T11:30:00.123Z',
      }),
    );
  }
  return Buffer.from(lines.join('\n') + '\n');
}

/** An object as far as range reads see it: its size, and the byte ranges of it that are held. */
interface SparseObject {
  size: number;
  parts: { start: number; bytes: Buffer }[];
}

async function headAndTail(file: string, bytes: number): Promise<SparseObject> {
  const fh = await fs.open(file);
  try {
    const { size } = await fh.stat();
    const read = async (start: number) => {
      const buf = Buffer.alloc(Math.min(bytes, size - start));
      await fh.read(buf, 0, buf.length, start);
      return { start, bytes: buf };
    };
    return { size, parts: [await read(0), await read(Math.max(0, size - bytes))] };
  } finally {
    await fh.close();
  }
}

/** Bytes start..end (inclusive, clamped to the object) from the part that holds them. */
function rangeOf(o: SparseObject, start: number, end: number): Buffer {
  const last = Math.min(end, o.size - 1);
  const part = o.parts.find((p) => p.start <= start && last < p.start + p.bytes.length);
  if (!part) throw new Error(`a range read of bytes ${start}-${end} beyond what the bench holds`);
  return part.bytes.subarray(start - part.start, last - part.start + 1);
}

async function validateUpload(): Promise<void> {
  process.env.RAW_BUCKET = 'bench-raw';
  process.env.CURATED_BUCKET = 'bench-curated';
  process.env.NOTIFICATIONS_TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:bench-notifications';
  process.env.ETL_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:bench-etl';
  const parquetFile = process.env.BENCH_PARQUET_FILE;
  if (!parquetFile) throw new Error('BENCH_PARQUET_FILE is not set');
  const json = customersJsonLines(1_200); // more than the sample takes: the check stops at 1,000 rows
  const whole = (bytes: Buffer): SparseObject => ({ size: bytes.length, parts: [{ start: 0, bytes }] });
  const objects = new Map<string, SparseObject>([
    ['uploads/customers/customers.jsonl', whole(json)],
    ['uploads/customers/customers.jsonl.gz', whole(gzipSync(json))],
    ['uploads/customers/customers.parquet', await headAndTail(parquetFile, 1024 * 1024)],
  ]);
  const s3 = mockClient(S3Client);
  s3.on(HeadObjectCommand).callsFake(({ Key }: { Key: string }) => ({
    ContentLength: objects.get(Key)!.size,
    ETag: '"0123456789abcdef0123456789abcdef"',
  }));
  s3.on(GetObjectCommand).callsFake(({ Key, Range }: { Key: string; Range?: string }) => {
    const m = /^bytes=(\d+)-(\d+)$/.exec(Range ?? '');
    if (!m) throw new Error(`validateUpload read ${Key} whole (no Range)`);
    const part = rangeOf(objects.get(Key)!, Number(m[1]), Number(m[2]));
    return { Body: { transformToByteArray: async () => new Uint8Array(part) } as never };
  });
  s3.on(PutObjectCommand).resolves({});
  mockClient(SFNClient)
    .on(StartExecutionCommand)
    .callsFake(({ name }: { name: string }) => ({
      executionArn: `arn:aws:states:us-east-1:123456789012:execution:bench-etl:${name}`,
      startDate: new Date(),
    }));
  const { handler } = await import('../functions/validate-upload');
  const keys = [...objects.keys()];
  for (let i = 0; i < RUNS; i++) {
    const key = keys[i % keys.length]!;
    const event = {
      version: '0',
      id: `bench-${i}`,
      'detail-type': 'Object Created',
      source: 'aws.s3',
      account: '123456789012',
      time: '2026-11-24T10:00:00Z',
      region: 'us-east-1',
      resources: ['arn:aws:s3:::bench-raw'],
      detail: {
        version: '0',
        bucket: { name: 'bench-raw' },
        object: { key, size: objects.get(key)!.size, etag: '0123456789abcdef0123456789abcdef' },
        reason: 'PutObject',
      },
    };
    const outcome = (await handler(event as never, context('validateUpload'))) as { outcome: string };
    if (outcome.outcome !== 'started')
      throw new Error(`validateUpload: ${key} was ${outcome.outcome}: ${JSON.stringify(outcome)}`);
  }
}

/** An execution's state of about `bytes` of JSON, as the ETL carries it from state to state. */
function executionState(bytes: number, step: number): string {
  const files = Array.from({ length: Math.ceil(bytes / 160) }, (_, i) => ({
    key: `uploads/orders/orders-2026-11-${String((i % 28) + 1).padStart(2, '0')}-${i}.csv`,
    rows: 10_000 + i,
    rejected: i % 7,
  }));
  return JSON.stringify({ table: 'orders', correlationId: `bench-${step}`, attempt: step, run: { files } });
}

async function lake(): Promise<void> {
  const stateMachineArn = 'arn:aws:states:us-east-1:123456789012:stateMachine:bench-etl';
  process.env.ETL_STATE_MACHINE_ARN = stateMachineArn;
  const name = 'orders-2026-11-24T10-00-00Z-bench';
  const start = Date.UTC(2026, 10, 24, 10);
  const history: HistoryEvent[] = [
    {
      id: 1,
      type: 'ExecutionStarted',
      timestamp: new Date(start),
      executionStartedEventDetails: { input: executionState(8 * 1024, 0) },
    },
  ];
  for (let id = 2; id <= 1000; id += 2) {
    const stateName = id % 4 === 0 ? 'WaitForLake' : 'CheckUploadDone';
    const kind = id % 4 === 0 ? 'Wait' : 'Task';
    history.push(
      {
        id,
        previousEventId: id - 1,
        type: `${kind}StateEntered`,
        timestamp: new Date(start + id * 1000),
        stateEnteredEventDetails: { name: stateName, input: executionState(8 * 1024, id) },
      },
      {
        id: id + 1,
        previousEventId: id,
        type: `${kind}StateExited`,
        timestamp: new Date(start + id * 1000 + 500),
        stateExitedEventDetails: { name: stateName, output: executionState(8 * 1024, id + 1) },
      },
    );
  }
  const definition = await fs.readFile(path.join(__dirname, '..', 'state-machines', 'etl.asl.json'), 'utf8');
  const sfn = mockClient(SFNClient);
  sfn.on(DescribeExecutionCommand).resolves({
    executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`,
    stateMachineArn,
    name,
    status: 'SUCCEEDED',
    startDate: new Date(start),
    stopDate: new Date(start + 1_001_000),
    input: executionState(8 * 1024, 0),
    output: executionState(8 * 1024, 1001),
  });
  sfn.on(GetExecutionHistoryCommand).resolves({ events: history });
  sfn.on(DescribeStateMachineForExecutionCommand).resolves({ definition });
  const { handler } = await import('../functions/lake');
  for (let i = 0; i < RUNS; i++) {
    const res = await handler(
      apiEvent({
        httpMethod: 'GET',
        path: `/executions/${name}`,
        resource: '/executions/{name}',
        pathParameters: { name },
      }),
      context('lake'),
    );
    if (res.statusCode !== 200) throw new Error(`lake answered ${res.statusCode}: ${res.body}`);
    const states = (JSON.parse(res.body) as { states: { name: string }[] }).states;
    if (!states.some((st) => st.name === 'WaitForLake'))
      throw new Error(`lake's answer has no visit of WaitForLake: ${res.body.slice(0, 500)}`);
  }
}

async function main(): Promise<void> {
  process.env.LAKE_RUNTIME = 'aws';
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'bench';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'bench';
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const fn = process.argv[2];
  if (fn === 'ingest') await ingest();
  else if (fn === 'queries') await queries();
  else if (fn === 'validateUpload') await validateUpload();
  else if (fn === 'lake') await lake();
  else throw new Error(`unknown function '${fn}' (ingest | queries | validateUpload | lake)`);
  process.stdout.write(
    JSON.stringify({
      fn,
      runs: RUNS,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      heapUsedBytes: process.memoryUsage().heapUsed,
    }) + '\n',
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
