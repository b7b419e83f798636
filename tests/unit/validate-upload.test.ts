/**
 * The validateUpload handler on the AWS runtime: S3, SNS and Step Functions mocked (aws-sdk-client-mock), S3 backed
 * by an in-memory bucket that serves range reads, so every check runs on real bytes.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DuckDBInstance } from '@duckdb/node-api';
import { mockClient } from 'aws-sdk-client-mock';
import type { S3ObjectCreatedNotificationEvent } from 'aws-lambda';
import { lambdaContext, s3ObjectCreated } from '../support/api-event';

process.env.LAKE_RUNTIME = 'aws';
process.env.RAW_BUCKET = 'lake-raw';
process.env.CURATED_BUCKET = 'lake-curated';
process.env.NOTIFICATIONS_TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:data-lake-test-notifications';
process.env.ETL_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:data-lake-test-etl';
process.env.LAKE_DATASET_TABLES = 'customers,orders';

// Loaded after the environment is set, as Lambda would.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { handler } =
  require('../../functions/validate-upload') as typeof import('../../functions/validate-upload');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pendingUploadKey } =
  require('../../lib/etl/upload-queue') as typeof import('../../lib/etl/upload-queue');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { encodeS3EventKey } = require('../../lib/uploads/key') as typeof import('../../lib/uploads/key');
type Outcome = import('../../lib/uploads/process').UploadOutcome;

const s3 = mockClient(S3Client);
const sns = mockClient(SNSClient);
const sfn = mockClient(SFNClient);

// ---- an in-memory raw bucket behind the S3 mock ----------------------------------------------------------------

interface Stored {
  body: Buffer;
  etag: string;
  versionId?: string;
  /** Reported size when the body stands for a bigger object (size checks without allocating gigabytes). */
  size?: number;
}
const bucket = new Map<string, Stored>();
const notFound = () =>
  Object.assign(new Error('NotFound'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } });

function putObject(key: string, body: Buffer | string, extra: Partial<Stored> = {}): Stored {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const o = { body: buf, etag: createHash('md5').update(buf).digest('hex'), ...extra };
  bucket.set(key, o);
  return o;
}

/** A stand-in for S3's CRC64NVME of the bytes (an opaque value to the code under test). */
const checksumOf = (body: Buffer) => createHash('sha256').update(body).digest('base64').slice(0, 12);

function installS3(): void {
  s3.on(HeadObjectCommand).callsFake(({ Key, ChecksumMode }) => {
    const o = bucket.get(Key);
    if (!o) throw notFound();
    return {
      ContentLength: o.size ?? o.body.length,
      ETag: `"${o.etag}"`,
      ...(o.versionId ? { VersionId: o.versionId } : {}),
      // As S3: the checksum it added (CRC64NVME, of the whole object) only when asked for.
      ...(ChecksumMode === 'ENABLED'
        ? { ChecksumCRC64NVME: checksumOf(o.body), ChecksumType: 'FULL_OBJECT' }
        : {}),
    };
  });
  s3.on(GetObjectCommand).callsFake(({ Key, Range }) => {
    const o = bucket.get(Key);
    if (!o)
      throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    let body = o.body;
    const m = /^bytes=(\d+)-(\d+)$/.exec(Range ?? '');
    if (m) body = o.body.subarray(Number(m[1]), Number(m[2]) + 1);
    return { Body: { transformToByteArray: async () => new Uint8Array(body) } as never };
  });
  s3.on(PutObjectCommand).callsFake(({ Bucket, Key, Body }) => {
    calls.push(`PutObject ${Bucket}/${Key}`);
    putObject(Key, Body as string);
    return {};
  });
  s3.on(CopyObjectCommand).callsFake(({ Key, CopySource }) => {
    const from = decodeURIComponent(String(CopySource).slice('lake-raw/'.length));
    const o = bucket.get(from);
    if (!o) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
    bucket.set(Key, { ...o });
    return {};
  });
  s3.on(DeleteObjectCommand).callsFake(({ Key }) => {
    bucket.delete(Key);
    return {};
  });
}

/** The order of writes and starts across the S3 and Step Functions mocks. */
const calls: string[] = [];
/** Started executions by name: their input, start date, and whether they still run. */
const startedNames = new Map<string, { input: string; startDate: Date; running: boolean }>();
function installSfn(): void {
  sfn.on(StartExecutionCommand).callsFake(({ name, input }) => {
    calls.push(`StartExecution ${name}`);
    const executionArn = `arn:aws:states:us-east-1:123456789012:execution:data-lake-test-etl:${name}`;
    const existing = startedNames.get(name);
    // As Step Functions: the same name and input as a running execution is that execution (success, its start date);
    // a closed one, or another input, is ExecutionAlreadyExists.
    if (existing?.running && existing.input === input) return { executionArn, startDate: existing.startDate };
    if (existing)
      throw new ExecutionAlreadyExists({ message: `Execution Already Exists: ${name}`, $metadata: {} });
    const startDate = new Date();
    startedNames.set(name, { input, startDate, running: true });
    return { executionArn, startDate };
  });
}

beforeEach(() => {
  s3.reset();
  sns.reset();
  sfn.reset();
  bucket.clear();
  startedNames.clear();
  calls.length = 0;
  installS3();
  installSfn();
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
});

// ---- events ---------------------------------------------------------------------------------------------------

function objectCreated(
  key: string,
  over: { size?: number; etag?: string; versionId?: string; encodedKey?: string } = {},
) {
  const o = bucket.get(key);
  return s3ObjectCreated(over.encodedKey ?? encodeS3EventKey(key), {
    size: over.size ?? o?.size ?? o?.body.length ?? 0,
    etag: over.etag ?? o?.etag ?? 'd41d8cd98f00b204e9800998ecf8427e',
    versionId: over.versionId ?? o?.versionId,
  });
}

const invoke = (event: S3ObjectCreatedNotificationEvent) =>
  handler(event, lambdaContext('data-lake-test-validateUpload')) as Promise<Outcome>;
const upload = async (key: string, body: Buffer | string, extra: Partial<Stored> = {}) => {
  putObject(key, body, extra);
  return invoke(objectCreated(key));
};

const today = () => new Date().toISOString().slice(0, 10);
const rangeHeaders = () => s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Range);

/** Asserts a quarantine (object moved, reason beside it, notice sent, nothing started) and returns the reason. */
function expectQuarantined(res: Outcome, key: string, code: string): Record<string, unknown> {
  expect(res).toMatchObject({ outcome: 'quarantined', key, code });
  const relative = key.slice('uploads/'.length);
  const qKey = `quarantine/${today()}/${relative}`;
  expect(res).toMatchObject({ quarantineKey: qKey, reasonKey: `${qKey}.reason.json` });
  expect(bucket.has(key)).toBe(false);
  expect(bucket.has(qKey)).toBe(true);
  const reason = JSON.parse(bucket.get(`${qKey}.reason.json`)!.body.toString()) as Record<string, unknown>;
  expect(reason).toMatchObject({ code, key, quarantineKey: qKey });
  expect(typeof reason.message).toBe('string');
  expect(new Date(reason.detectedAt as string).toISOString()).toBe(reason.detectedAt);
  // The notice.
  expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  const pub = sns.commandCalls(PublishCommand)[0]!.args[0].input;
  expect(pub.TopicArn).toBe(process.env.NOTIFICATIONS_TOPIC_ARN);
  expect(pub.Subject!.length).toBeLessThanOrEqual(100);
  expect(pub.Subject).toContain(code);
  const message = JSON.parse(pub.Message!);
  expect(message).toMatchObject({
    kind: 'UPLOAD_QUARANTINED',
    detail: { code, key, quarantineKey: qKey, bucket: 'lake-raw' },
  });
  // Copy before delete; nothing for the ETL.
  const order = s3
    .calls()
    .map((c) => c.args[0].constructor.name)
    .filter((n) => /Copy|Delete|Put/.test(n));
  expect(order).toEqual(['PutObjectCommand', 'CopyObjectCommand', 'DeleteObjectCommand']);
  expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
  return reason;
}

const ORDERS_HEADER = 'order_id,customer_id,order_date,status,amount,currency,item_count,coupon,updated_at';
const orderRow = (i: number, over: Partial<Record<string, string>> = {}) => {
  const r = {
    order_id: `o-${i}`,
    customer_id: `c-${i % 7}`,
    order_date: '2026-11-24',
    status: 'paid',
    amount: `${(i * 1.25).toFixed(2)}`,
    currency: 'EUR',
    item_count: String(i % 5),
    coupon: '',
    updated_at: '2026-11-24T10:00:00Z',
    ...over,
  };
  return ORDERS_HEADER.split(',')
    .map((c) => r[c as keyof typeof r])
    .join(',');
};
const ordersCsv = (n: number, rows: (i: number) => string = orderRow) =>
  [ORDERS_HEADER, ...Array.from({ length: n }, (_, i) => rows(i + 1))].join('\n') + '\n';
const customer = (i: number, over: Record<string, unknown> = {}) =>
  JSON.stringify({
    customer_id: `c-${i}`,
    email: `c${i}@example.com`,
    name: `Customer ${i}`,
    country: 'DE',
    segment: 'consumer',
    created_at: '2026-01-01T00:00:00Z',
    ...over,
  });

// ---- Parquet fixtures, written by DuckDB ------------------------------------------------------------------------

const parquet: Record<string, Buffer> = {};
beforeAll(async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vu-parquet-'));
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const write = async (name: string, select: string) => {
    const file = path.join(dir, `${name}.parquet`);
    await c.run(`COPY (${select}) TO '${file}' (FORMAT parquet)`);
    parquet[name] = await fs.readFile(file);
  };
  const base = `'c-1' AS customer_id, 'a@example.com' AS email, TIMESTAMP '2026-01-01 00:00:00' AS created_at`;
  await write(
    'good',
    `SELECT ${base}, 'DE' AS country, 12.5::DOUBLE AS lifetime_value, true AS marketing_opt_in`,
  );
  await write('missing', `SELECT 'c-1' AS customer_id, TIMESTAMP '2026-01-01 00:00:00' AS created_at`);
  await write('unknown', `SELECT ${base}, 1 AS shoe_size`);
  await write('wrongType', `SELECT ${base}, 42::INTEGER AS marketing_opt_in`);
  await write('empty', `SELECT ${base} WHERE false`);
  c.closeSync();
}, 60_000);

// ---- the tests ------------------------------------------------------------------------------------------------

describe('validateUpload: good files start the ETL', () => {
  it('starts the state machine with a deterministic name and the file input', async () => {
    const key = 'uploads/orders/2026-11-24.csv';
    const res = await upload(key, ordersCsv(3));
    expect(res).toMatchObject({ outcome: 'started', key, dataset: 'orders' });
    const input = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(input.stateMachineArn).toBe(process.env.ETL_STATE_MACHINE_ARN);
    expect(input.name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    expect(input.name).toMatch(/^orders-2026-11-24-csv-[0-9a-f]{32}$/);
    expect(JSON.parse(input.input!)).toEqual({
      mode: 'file',
      table: 'orders',
      inputs: [key],
      bucket: 'lake-raw',
      key,
      size: bucket.get(key)!.body.length,
      etag: bucket.get(key)!.etag,
      // The EventBridge event's id: follows the upload from its event to the execution.
      correlationId: 'e1f2',
    });
    expect(bucket.has(key)).toBe(true); // stays where it is, for the ETL
    // The upload joins the ETL's queue (the curated bucket) before its execution starts.
    expect(calls).toEqual([
      `PutObject lake-curated/${pendingUploadKey(input.name!)}`,
      `StartExecution ${input.name}`,
    ]);
    expect(JSON.parse(bucket.get(pendingUploadKey(input.name!))!.body.toString())).toEqual({
      execution: input.name,
      table: 'orders',
      key,
      size: bucket.get(key)!.body.length,
      etag: bucket.get(key)!.etag,
      checksum: `CRC64NVME:${checksumOf(bucket.get(key)!.body)}`,
      acceptedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      correlationId: 'e1f2',
    });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
    expect(s3).toHaveReceivedCommandTimes(CopyObjectCommand, 0);
  });

  it('a duplicate event starts nothing new (the running execution, or ExecutionAlreadyExists → success)', async () => {
    const key = 'uploads/orders/dup.csv';
    putObject(key, ordersCsv(2));
    const first = await invoke(objectCreated(key));
    // A minute later (Lambda's retry, or EventBridge delivering again), the execution still running.
    const [name, started] = [...startedNames.entries()][0]!;
    started.startDate = new Date(started.startDate.getTime() - 60_000);
    const second = await invoke(objectCreated(key));
    // Ended since.
    startedNames.get(name)!.running = false;
    const third = await invoke(objectCreated(key));
    expect([first.outcome, second.outcome, third.outcome]).toEqual([
      'started',
      'alreadyStarted',
      'alreadyStarted',
    ]);
    const names = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name);
    expect(names).toEqual([name, name, name]);
  });

  it('names executions by version: a new version of the same key is a new run', async () => {
    const key = 'uploads/orders/daily.csv';
    putObject(key, ordersCsv(2), { versionId: 'v1' });
    const a = await invoke(objectCreated(key));
    putObject(key, ordersCsv(2), { versionId: 'v2' });
    const b = await invoke(objectCreated(key));
    expect(a.outcome).toBe('started');
    expect(b.outcome).toBe('started');
    const inputs = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
    expect(inputs[0]!.name).not.toBe(inputs[1]!.name);
    expect(JSON.parse(inputs[1]!.input!).versionId).toBe('v2');
  });

  it('decodes URL-encoded keys (spaces as +, unicode, a literal +)', async () => {
    const key = 'uploads/orders/März Bestellungen +1 (final).csv';
    putObject(key, ordersCsv(1));
    const encoded = 'uploads/orders/M%C3%A4rz+Bestellungen+%2B1+%28final%29.csv';
    expect(encodeS3EventKey(key)).toBe(encoded);
    const res = await invoke(objectCreated(key, { encodedKey: encoded }));
    expect(res).toMatchObject({ outcome: 'started', key });
    expect(s3).toHaveReceivedCommandWith(HeadObjectCommand, { Bucket: 'lake-raw', Key: key });
    const input = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(JSON.parse(input.input!).inputs).toEqual([key]);
    expect(input.name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });

  it('finds the object of a key the event did not encode (a literal + or %): the key as sent', async () => {
    // An event of EventBridge has been seen with a ':' left as it is: keys may come unencoded.
    for (const key of [
      'uploads/orders/Q1+Q2.csv',
      'uploads/orders/50%off.csv',
      'uploads/orders/100%25.csv',
    ]) {
      putObject(key, ordersCsv(1));
      const res = await invoke(objectCreated(key, { encodedKey: key }));
      expect(res).toMatchObject({ outcome: 'started', key });
    }
    const inputs = sfn
      .commandCalls(StartExecutionCommand)
      .map((c) => JSON.parse(c.args[0].input.input!).inputs);
    expect(inputs).toEqual([
      ['uploads/orders/Q1+Q2.csv'],
      ['uploads/orders/50%off.csv'],
      ['uploads/orders/100%25.csv'],
    ]);
    // Both names there: the one that is the event's version (its ETag) is the event's object.
    putObject('uploads/orders/a b.csv', ordersCsv(2));
    putObject('uploads/orders/a+b.csv', ordersCsv(3));
    const plus = await invoke(
      objectCreated('uploads/orders/a+b.csv', { encodedKey: 'uploads/orders/a+b.csv' }),
    );
    expect(plus).toMatchObject({ outcome: 'started', key: 'uploads/orders/a+b.csv' });
    const space = await invoke(
      objectCreated('uploads/orders/a b.csv', { encodedKey: 'uploads/orders/a+b.csv' }),
    );
    expect(space).toMatchObject({ outcome: 'started', key: 'uploads/orders/a b.csv' });
    // Neither there: gone, as for any key.
    const none = await invoke(
      objectCreated('uploads/orders/x.csv', { encodedKey: 'uploads/orders/%E0%A4%A.csv' }),
    );
    expect(none).toMatchObject({ outcome: 'ignored', reason: 'the object no longer exists' });
  });

  it('quarantines an encoded key to its decoded name', async () => {
    const key = 'uploads/orders/bad file é.csv';
    putObject(key, 'nope\n1\n');
    expectQuarantined(
      await invoke(objectCreated(key, { encodedKey: 'uploads/orders/bad+file+%C3%A9.csv' })),
      key,
      'HEADER_MISMATCH',
    );
  });

  it('keeps a file refused earlier the same day under the same name: the second goes beside it, timed', async () => {
    const key = 'uploads/orders/twice.refused.csv';
    putObject(key, 'nope\n1\n');
    const first = await invoke(objectCreated(key));
    putObject(key, 'still nope\n2\n');
    const second = (await invoke(objectCreated(key))) as Outcome & {
      quarantineKey: string;
      reasonKey: string;
    };
    expect(first).toMatchObject({
      outcome: 'quarantined',
      quarantineKey: `quarantine/${today()}/orders/twice.refused.csv`,
    });
    expect(second.quarantineKey).toMatch(
      new RegExp(`^quarantine/${today()}/orders/twice\\.[0-9]{9}\\.refused\\.csv$`),
    );
    expect(bucket.get(`quarantine/${today()}/orders/twice.refused.csv`)!.body.toString()).toBe('nope\n1\n');
    expect(bucket.get(second.quarantineKey)!.body.toString()).toBe('still nope\n2\n');
    expect(JSON.parse(bucket.get(second.reasonKey)!.body.toString())).toMatchObject({
      quarantineKey: second.quarantineKey,
    });
    expect(bucket.has(`quarantine/${today()}/orders/twice.refused.csv.reason.json`)).toBe(true);
  });

  it('quarantines a file of a very long name under a shorter one, its reason beside it within S3’s key size', async () => {
    const key = `uploads/orders/${'z'.repeat(990)}.csv`;
    putObject(key, 'nope\n1\n');
    const out = (await invoke(objectCreated(key))) as Outcome & { quarantineKey: string; reasonKey: string };
    expect(out).toMatchObject({ outcome: 'quarantined' });
    expect(out.quarantineKey).toMatch(new RegExp(`^quarantine/${today()}/orders/z+~[0-9a-f]{8}\\.csv$`));
    expect(Buffer.byteLength(out.reasonKey)).toBeLessThanOrEqual(1024);
    expect(JSON.parse(bucket.get(out.reasonKey)!.body.toString())).toMatchObject({
      key,
      code: 'HEADER_MISMATCH',
    });
    expect(bucket.get(out.quarantineKey)!.body.toString()).toBe('nope\n1\n');
  });

  it('accepts JSON lines, JSON arrays and Parquet where the dataset allows them', async () => {
    const lines = [customer(1), customer(2, { segment: null }), '', customer(3)].join('\n');
    expect(await upload('uploads/customers/a.jsonl', lines)).toMatchObject({ outcome: 'started' });
    expect(await upload('uploads/customers/b.json', `[\n${customer(1)},\n${customer(2)}\n]`)).toMatchObject({
      outcome: 'started',
    });
    expect(await upload('uploads/customers/c.json', `${customer(1)}\n${customer(2)}\n`)).toMatchObject({
      outcome: 'started',
    });
    expect(await upload('uploads/customers/d.parquet', parquet.good!)).toMatchObject({ outcome: 'started' });
  });

  it('accepts a spreadsheet export: byte-order mark, CRLF line ends, quoted fields', async () => {
    const csv = '\ufeff' + ordersCsv(3, (i) => orderRow(i, { coupon: '"SAVE, 10%"' })).replace(/\n/g, '\r\n');
    expect(await upload('uploads/orders/excel.csv', csv)).toMatchObject({ outcome: 'started' });
  });

  it("judges a quoted value's line breaks as the ETL stores them: the file's CRLF as LF", async () => {
    // coupon: at most 64 characters; 62 + CRLF + 1 as written, 64 as stored (both engines write the file's line end
    // inside quotes as LF).
    const coupon = (n: number) => `"${'a'.repeat(n)}\nb"`;
    const crlf = (n: number) =>
      ordersCsv(3, (i) => orderRow(i, i === 2 ? { coupon: coupon(n) } : {})).replace(/\n/g, '\r\n');
    // One more is one more than the rule takes, stored too.
    const key = 'uploads/orders/notes-long.csv';
    const reason = expectQuarantined(await upload(key, crlf(63)), key, 'ROW_INVALID');
    expect(reason).toMatchObject({ field: 'coupon', line: 3 });
    expect(await upload('uploads/orders/notes.csv', crlf(62))).toMatchObject({ outcome: 'started' });
  });

  it('tolerates bad rows up to the dataset maxRejectedRatio (the ETL rejects them one by one)', async () => {
    const csv = ordersCsv(100, (i) => (i === 50 ? orderRow(i, { amount: '-1' }) : orderRow(i)));
    expect(await upload('uploads/orders/mostly-good.csv', csv)).toMatchObject({ outcome: 'started' });
  });
});

describe('validateUpload: ignored keys (success, nothing read)', () => {
  it.each([
    ['events/type=page_view/x.gz', 'outside'],
    ['uploads/orders/_SUCCESS', 'hidden'],
    ['uploads/orders/.DS_Store', 'hidden'],
    ['uploads/orders/_temporary/0/part-0.csv', 'hidden'],
    ['uploads/.staging/orders.csv', 'hidden'],
    ['uploads/orders/a.csv.tmp', 'temporary'],
    ['uploads/orders/a.csv.part', 'temporary'],
    ['uploads/orders/a.csv~', 'temporary'],
    ['uploads/orders/a.csv.crc', 'temporary'],
    ['uploads/orders_$folder$', 'temporary'],
    ['uploads/orders/', 'folder'],
  ])('%s', async (key, why) => {
    putObject(key, 'whatever');
    const res = await invoke(objectCreated(key));
    expect(res).toMatchObject({ outcome: 'ignored', key });
    expect((res as { reason: string }).reason).toContain(why);
    expect(s3.calls()).toHaveLength(0);
    expect(sns.calls()).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('an object already gone (moved by an earlier delivery of the event) is ignored', async () => {
    const res = await invoke(objectCreated('uploads/orders/gone.csv', { size: 10, etag: 'abc' }));
    expect(res).toMatchObject({ outcome: 'ignored', reason: 'the object no longer exists' });
    expect(s3).toHaveReceivedCommandTimes(GetObjectCommand, 0);
  });

  it('an object overwritten since the event is left to the newer event', async () => {
    putObject('uploads/orders/x.csv', ordersCsv(1));
    const res = await invoke(objectCreated('uploads/orders/x.csv', { etag: 'old-etag' }));
    expect(res).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining('superseded') });
    expect(sfn.calls()).toHaveLength(0);
  });
});

describe('validateUpload: a file written again while it is checked', () => {
  it('is left to its own event: the finding on the older file quarantines nothing, notifies no one', async () => {
    const key = 'uploads/orders/race.csv';
    putObject(key, 'nope\n1\n'); // HEADER_MISMATCH
    const event = objectCreated(key);
    const good = ordersCsv(2);
    // The good file lands under the key while the bad one's bytes are being read.
    s3.on(GetObjectCommand).callsFakeOnce(({ Range }) => {
      const body = bucket.get(key)!.body;
      putObject(key, good);
      const m = /^bytes=(\d+)-(\d+)$/.exec(Range ?? '')!;
      return {
        Body: {
          transformToByteArray: async () => new Uint8Array(body.subarray(Number(m[1]), Number(m[2]) + 1)),
        } as never,
      };
    });
    const res = await invoke(event);
    expect(res).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining('superseded') });
    expect(bucket.get(key)!.body.toString()).toBe(good);
    expect([...bucket.keys()].filter((k) => k.startsWith('quarantine/'))).toEqual([]);
    expect(sns.calls()).toHaveLength(0);
    // The good file's own event loads it.
    installS3();
    expect(await invoke(objectCreated(key))).toMatchObject({ outcome: 'started' });
  });
});

/** The next read of the bucket first runs `write` (an object written under the key just then), then reads. */
function writtenBeforeFirstRead(write: () => void): void {
  s3.on(GetObjectCommand).callsFakeOnce(({ Key, Range }) => {
    write();
    const m = /^bytes=(\d+)-(\d+)$/.exec(Range ?? '')!;
    return {
      Body: {
        transformToByteArray: async () =>
          new Uint8Array(bucket.get(Key)!.body.subarray(Number(m[1]), Number(m[2]) + 1)),
      } as never,
    };
  });
}

describe('validateUpload: the same bytes written again while they are checked', () => {
  it('are the same file (its whole-object checksum) where the ETag is no MD5 (SSE-KMS): accepted', async () => {
    const key = 'uploads/orders/kms.csv';
    const good = ordersCsv(2);
    // An SSE-KMS object's ETag is not its MD5: the same bytes written again get another.
    putObject(key, good, { etag: 'kms-etag-1' });
    const event = objectCreated(key);
    writtenBeforeFirstRead(() => putObject(key, good, { etag: 'kms-etag-2' }));
    const res = await invoke(event);
    expect(res).toMatchObject({ outcome: 'started', key });
    const name = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.name!;
    expect(JSON.parse(bucket.get(pendingUploadKey(name))!.body.toString())).toMatchObject({
      etag: 'kms-etag-1',
      checksum: `CRC64NVME:${checksumOf(Buffer.from(good))}`,
    });
    expect(s3).toHaveReceivedCommandWith(HeadObjectCommand, { Key: key, ChecksumMode: 'ENABLED' });
  });
});

describe('validateUpload: a file replaced while it is checked, by one that passes', () => {
  it('is left to its own event: the verdict read the newer file, which the older version is not', async () => {
    const key = 'uploads/orders/race-ok.csv';
    const good = ordersCsv(2);
    putObject(key, `x${good.slice(1)}`); // the same size, HEADER_MISMATCH ('xrder_id'): never loadable
    const event = objectCreated(key);
    // The good file lands under the key before the check reads it: the check reads the good bytes.
    writtenBeforeFirstRead(() => putObject(key, good));
    const res = await invoke(event);
    // Not queued under the bad version's id (its run would fail: the version it names is gone).
    expect(res).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining('superseded') });
    expect(sfn.calls()).toHaveLength(0);
    expect(sns.calls()).toHaveLength(0);
    installS3();
    expect(await invoke(objectCreated(key))).toMatchObject({ outcome: 'started' });
  });
});

describe('validateUpload: every rejection reason quarantines with a reason file and a notice', () => {
  it('BAD_KEY: no dataset folder', async () => {
    const r = expectQuarantined(
      await upload('uploads/orders.csv', ordersCsv(1)),
      'uploads/orders.csv',
      'BAD_KEY',
    );
    expect(r.dataset).toBeNull();
  });

  it('BAD_KEY: nested folders', async () => {
    const key = 'uploads/orders/2026/11/a.csv';
    const r = expectQuarantined(await upload(key, ordersCsv(1)), key, 'BAD_KEY');
    expect(r.dataset).toBe('orders');
    expect(r.message).toMatch(/nested/);
  });

  it('BAD_KEY: no extension', async () => {
    expectQuarantined(await upload('uploads/orders/README', 'x'), 'uploads/orders/README', 'BAD_KEY');
  });

  it('UNKNOWN_DATASET', async () => {
    const r = expectQuarantined(
      await upload('uploads/products/p.csv', 'a\n1\n'),
      'uploads/products/p.csv',
      'UNKNOWN_DATASET',
    );
    expect(r).toMatchObject({
      dataset: 'products',
      // The datasets there are, as the other refusals of an unknown table list them.
      message: "no dataset 'products' (schemas/datasets/products.json); the datasets: customers, orders",
    });
    expect(s3).toHaveReceivedCommandTimes(GetObjectCommand, 0);
  });

  it('FORMAT_NOT_ALLOWED: a format the dataset does not take, a non-lake format, gzipped Parquet', async () => {
    const r = expectQuarantined(
      await upload('uploads/orders/a.jsonl', '{}'),
      'uploads/orders/a.jsonl',
      'FORMAT_NOT_ALLOWED',
    );
    expect(r.message).toBe('dataset orders accepts csv, not jsonl');
    sns.resetHistory();
    s3.resetHistory();
    expectQuarantined(
      await upload('uploads/orders/a.xlsx', 'PK'),
      'uploads/orders/a.xlsx',
      'FORMAT_NOT_ALLOWED',
    );
    sns.resetHistory();
    s3.resetHistory();
    expectQuarantined(
      await upload('uploads/customers/a.parquet.gz', gzipSync(parquet.good!)),
      'uploads/customers/a.parquet.gz',
      'FORMAT_NOT_ALLOWED',
    );
  });

  it('EMPTY_FILE: no bytes, a header without rows, an empty gzip, a Parquet file without rows', async () => {
    for (const [key, body] of [
      ['uploads/orders/zero.csv', ''],
      ['uploads/orders/header-only.csv', `${ORDERS_HEADER}\n\n`],
      ['uploads/orders/empty.csv.gz', gzipSync(Buffer.alloc(0))],
      ['uploads/customers/blank.jsonl', '\n\n  \n'],
      ['uploads/customers/none.json', '[ ]'],
      ['uploads/customers/empty.parquet', parquet.empty!],
    ] as const) {
      sns.resetHistory();
      s3.resetHistory();
      expectQuarantined(await upload(key, body), key, 'EMPTY_FILE');
    }
  });

  it('FILE_TOO_LARGE: over x-lake.maxFileBytes, decided from the size alone (nothing read)', async () => {
    const key = 'uploads/orders/huge.csv';
    const r = expectQuarantined(
      await upload(key, ordersCsv(1), { size: 2 * 1024 ** 3 + 1 }),
      key,
      'FILE_TOO_LARGE',
    );
    expect(r.size).toBe(2 * 1024 ** 3 + 1);
    expect(s3).toHaveReceivedCommandTimes(GetObjectCommand, 0);
  });

  it('HEADER_MISMATCH: a missing required column', async () => {
    const csv = 'order_id,customer_id,order_date,status,amount\no1,c1,2026-11-24,paid,1\n';
    const r = expectQuarantined(
      await upload('uploads/orders/m.csv', csv),
      'uploads/orders/m.csv',
      'HEADER_MISMATCH',
    );
    expect(r).toMatchObject({
      line: 1,
      field: 'currency',
      message: expect.stringContaining("missing required column(s) 'currency'"),
    });
  });

  it('HEADER_MISMATCH: an unknown column (with a hint for near misses)', async () => {
    const csv = `${ORDERS_HEADER},Order_Note\n${orderRow(1)},x\n`;
    const r = expectQuarantined(
      await upload('uploads/orders/u.csv', csv),
      'uploads/orders/u.csv',
      'HEADER_MISMATCH',
    );
    expect(r).toMatchObject({ line: 1, column: 10, field: 'Order_Note' });
    const csv2 = `${ORDERS_HEADER.replace('order_id', 'Order ID')}\n${orderRow(1)}\n`;
    sns.resetHistory();
    s3.resetHistory();
    const r2 = expectQuarantined(
      await upload('uploads/orders/u2.csv', csv2),
      'uploads/orders/u2.csv',
      'HEADER_MISMATCH',
    );
    expect(r2.message).toContain("did you mean 'order_id'?");
    // The misspelt column is a required one: its absence is named in the same refusal.
    expect(r2.message).toContain("; missing required column(s) 'order_id'; its columns: ");
  });

  it('HEADER_MISMATCH: a header delimited by semicolons or tabs says that a CSV upload is comma-separated', async () => {
    for (const [delimiter, named, file] of [
      [';', "';'", 'semi'],
      ['\t', 'tabs', 'tabs'],
    ] as const) {
      sns.resetHistory();
      s3.resetHistory();
      const csv = `${ORDERS_HEADER.replaceAll(',', delimiter)}\n${orderRow(1).replaceAll(',', delimiter)}\n`;
      const r = expectQuarantined(
        await upload(`uploads/orders/${file}.csv`, csv),
        `uploads/orders/${file}.csv`,
        'HEADER_MISMATCH',
      );
      expect(r).toMatchObject({ line: 1, column: 1 });
      expect(r.message).toContain(
        `(the header row reads as one column: the file looks delimited by ${named}; a CSV upload must be comma-separated)`,
      );
    }
    // A column name that merely holds a semicolon gets no such hint.
    sns.resetHistory();
    s3.resetHistory();
    const r = expectQuarantined(
      await upload('uploads/orders/semi2.csv', `${ORDERS_HEADER},"a;b"\n${orderRow(1)},x\n`),
      'uploads/orders/semi2.csv',
      'HEADER_MISMATCH',
    );
    expect(r.message).not.toContain('comma-separated');
  });

  it('HEADER_MISMATCH: a column twice', async () => {
    const csv = `${ORDERS_HEADER},amount\n${orderRow(1)},1\n`;
    const r = expectQuarantined(
      await upload('uploads/orders/d.csv', csv),
      'uploads/orders/d.csv',
      'HEADER_MISMATCH',
    );
    expect(r).toMatchObject({
      column: 10,
      field: 'amount',
      message: expect.stringContaining('appears twice'),
    });
  });

  it('HEADER_MISMATCH: JSON keys that are not columns, required columns in no sampled row', async () => {
    const r = expectQuarantined(
      await upload('uploads/customers/k.jsonl', `${customer(1)}\n${customer(2, { shoe_size: 44 })}\n`),
      'uploads/customers/k.jsonl',
      'HEADER_MISMATCH',
    );
    expect(r).toMatchObject({ line: 2, field: 'shoe_size' });
    sns.resetHistory();
    s3.resetHistory();
    const noEmail = [1, 2]
      .map((i) => JSON.stringify({ customer_id: `c${i}`, created_at: '2026-01-01T00:00:00Z' }))
      .join('\n');
    const r2 = expectQuarantined(
      await upload('uploads/customers/e.jsonl', noEmail),
      'uploads/customers/e.jsonl',
      'HEADER_MISMATCH',
    );
    expect(r2).toMatchObject({ field: 'email' });
  });

  it('HEADER_MISMATCH: Parquet schema (missing, unknown, incompatible type) read from the footer', async () => {
    for (const [name, field] of [
      ['missing', 'email'],
      ['unknown', 'shoe_size'],
      ['wrongType', 'marketing_opt_in'],
    ] as const) {
      sns.resetHistory();
      s3.resetHistory();
      const key = `uploads/customers/${name}.parquet`;
      const r = expectQuarantined(await upload(key, parquet[name]!), key, 'HEADER_MISMATCH');
      expect(r.field).toBe(field);
      // Footer only: the first bytes and the tail, by range.
      expect(rangeHeaders().every((h) => /^bytes=\d+-\d+$/.test(h ?? ''))).toBe(true);
    }
  });

  it('ROW_INVALID: a CSV value of the wrong type, with line, column and field', async () => {
    const csv = ordersCsv(3, (i) => (i === 2 ? orderRow(i, { amount: 'twelve' }) : orderRow(i)));
    const r = expectQuarantined(
      await upload('uploads/orders/t.csv', csv),
      'uploads/orders/t.csv',
      'ROW_INVALID',
    );
    expect(r).toMatchObject({ line: 3, column: 5, field: 'amount' });
    expect(r.message).toContain('1 of the first 3 row(s)');
    expect(r.message).toContain('is not a number');
  });

  it('ROW_INVALID: schema rules (enum, pattern, format, required) checked with ajv', async () => {
    const csv = ordersCsv(2, (i) => orderRow(i, { status: 'lost', currency: i === 1 ? 'euro' : 'EUR' }));
    const r = expectQuarantined(
      await upload('uploads/orders/s.csv', csv),
      'uploads/orders/s.csv',
      'ROW_INVALID',
    );
    expect(r).toMatchObject({ line: 2 });
    expect(['status', 'currency']).toContain(r.field);
    sns.resetHistory();
    s3.resetHistory();
    const noId = ordersCsv(1, (i) => orderRow(i, { order_id: '' }));
    const r2 = expectQuarantined(
      await upload('uploads/orders/r.csv', noId),
      'uploads/orders/r.csv',
      'ROW_INVALID',
    );
    expect(r2).toMatchObject({
      line: 2,
      column: 1,
      field: 'order_id',
      message: expect.stringContaining('is required'),
    });
    sns.resetHistory();
    s3.resetHistory();
    const badEmail = `${customer(1, { email: 'not-an-email' })}\n`;
    const r3 = expectQuarantined(
      await upload('uploads/customers/m.jsonl', badEmail),
      'uploads/customers/m.jsonl',
      'ROW_INVALID',
    );
    expect(r3).toMatchObject({ line: 1, field: 'email' });
    sns.resetHistory();
    s3.resetHistory();
    const offset = `${customer(1, { created_at: '2026-11-20T23:30:00+02:00' })}\n`;
    const r4 = expectQuarantined(
      await upload('uploads/customers/o.jsonl', offset),
      'uploads/customers/o.jsonl',
      'ROW_INVALID',
    );
    expect(r4).toMatchObject({ line: 1, field: 'created_at' });
    expect(r4.message).toMatch(
      /\(created_at\): is not a UTC timestamp \(.*, T or a space, with Z, \+00:00 or no offset/,
    );
  });

  it('a row with another number of fields than the header is a bad row of the sample (both engines reject it)', async () => {
    // One in 100 (under orders' maxRejectedRatio, 5 %): let through; the ETL rejects it with its line.
    const few = ordersCsv(100, (i) => (i === 50 ? `${orderRow(i)},` : orderRow(i)));
    expect(await upload('uploads/orders/few.csv', few)).toMatchObject({ outcome: 'started' });
    sns.resetHistory();
    s3.resetHistory();
    sfn.resetHistory();
    const many = `${ORDERS_HEADER}\n${orderRow(1)}\n${orderRow(2)},extra\n`;
    const r = expectQuarantined(
      await upload('uploads/orders/fields.csv', many),
      'uploads/orders/fields.csv',
      'ROW_INVALID',
    );
    expect([r.line, r.message]).toEqual([
      3,
      expect.stringMatching(
        /^1 of the first 2 row\(s\) fail .*first: line 3: the row has 10 field\(s\); the header has 9$/,
      ),
    ]);
  });

  it('MALFORMED_FILE: CSV syntax (open quote, text after a closing quote)', async () => {
    // (A quote inside an unquoted field is a character of it, as both ETL readers read it: no syntax error.)
    for (const [name, csv, line] of [
      ['open-quote', `${ORDERS_HEADER}\n${orderRow(1)}\n"o-2,c,2026-11-24,paid,1,EUR,1,,x\n`, 3],
      ['stray-quote', `${ORDERS_HEADER}\n"o"1,c,2026-11-24,paid,1,EUR,1,,x\n`, 2],
    ] as const) {
      sns.resetHistory();
      s3.resetHistory();
      const key = `uploads/orders/${name}.csv`;
      const r = expectQuarantined(await upload(key, csv), key, 'MALFORMED_FILE');
      expect(r.line).toBe(line);
    }
  });

  it('MALFORMED_FILE: a byte order mark on a line of its own before the header (Spark would read it as the header)', async () => {
    const rows = ordersCsv(3);
    for (const [name, body] of [
      ['bom-lf', '\ufeff\n' + rows],
      ['bom-crlf', ('\ufeff\r\n\r\n' + rows).replace(/(?<!\r)\n/g, '\r\n')],
      ['bom-gz', gzipSync('\ufeff\n\n' + rows)],
    ] as const) {
      sns.resetHistory();
      s3.resetHistory();
      const key = `uploads/orders/${name}.csv${name.endsWith('gz') ? '.gz' : ''}`;
      const r = expectQuarantined(await upload(key, body), key, 'MALFORMED_FILE');
      expect([r.line, r.message]).toEqual([1, expect.stringMatching(/byte order mark on a line of its own/)]);
    }
    // Empty lines before the header without a mark, and a mark right before the header, are read alike by both.
    expect(await upload('uploads/orders/blank-first.csv', '\n\n' + rows)).toMatchObject({
      outcome: 'started',
    });
    expect(await upload('uploads/orders/bom-first.csv', '\ufeff' + rows)).toMatchObject({
      outcome: 'started',
    });
  });

  it('MALFORMED_FILE: invalid JSON, not an object, not UTF-8, gzip in name only, not Parquet', async () => {
    const cases: [string, Buffer | string, number | undefined][] = [
      ['uploads/customers/j.jsonl', `${customer(1)}\n{"customer_id": "c2",\n`, 2],
      ['uploads/customers/a.json', `[${customer(1)} ${customer(2)}]`, 1],
      ['uploads/customers/n.jsonl', `${customer(1)}\n[1,2]\n`, 2],
      [
        'uploads/orders/latin1.csv',
        Buffer.concat([
          Buffer.from(`${ORDERS_HEADER}\no-1,c,2026-11-24,paid,1,EUR,1,`),
          Buffer.from([0xe9]),
          Buffer.from(',x\n'),
        ]),
        2,
      ],
      ['uploads/orders/fake.csv.gz', ordersCsv(1), undefined],
      ['uploads/orders/zipped.csv', gzipSync(ordersCsv(1)), undefined],
      ['uploads/customers/not.parquet', 'this is not parquet at all', undefined],
      ['uploads/customers/cut.parquet', parquet.good!.subarray(0, parquet.good!.length - 3), undefined],
    ];
    for (const [key, body, line] of cases) {
      sns.resetHistory();
      s3.resetHistory();
      const r = expectQuarantined(await upload(key, body), key, 'MALFORMED_FILE');
      if (line !== undefined) expect(r.line).toBe(line);
    }
  });

  it('a failing notice fails the invocation before the object is moved (retried whole, never lost)', async () => {
    sns.on(PublishCommand).rejects(new Error('SNS down'));
    const key = 'uploads/products/x.csv';
    putObject(key, 'a\n');
    await expect(invoke(objectCreated(key))).rejects.toThrow('SNS down');
    expect(bucket.has(key)).toBe(true);
    expect(s3).toHaveReceivedCommandTimes(DeleteObjectCommand, 0);
    // Lambda's retries: the same refusal again, under the name its reason file already has (not one more each).
    await expect(invoke(objectCreated(key))).rejects.toThrow('SNS down');
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    sns.resetHistory();
    s3.resetHistory();
    expectQuarantined(await invoke(objectCreated(key)), key, 'UNKNOWN_DATASET');
    expect([...bucket.keys()].filter((k) => k.startsWith('quarantine/'))).toEqual([
      `quarantine/${today()}/products/x.csv.reason.json`,
      `quarantine/${today()}/products/x.csv`,
    ]);
  });

  it('a header of 30,000 unknown columns: named up to 20, the notice within SNS’s 256 KiB, quarantined', async () => {
    const extra = Array.from({ length: 30_000 }, (_, i) => `col_${String(i).padStart(5, '0')}`);
    const key = 'uploads/orders/wide.csv';
    const r = expectQuarantined(
      await upload(key, `${ORDERS_HEADER},${extra.join(',')}\n${orderRow(1)}${',x'.repeat(30_000)}\n`),
      key,
      'HEADER_MISMATCH',
    );
    expect(r.message).toMatch(
      /^unknown column\(s\) 'col_00000', .*'col_00019' and 29980 more for dataset orders/,
    );
    const pub = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(Buffer.byteLength(pub.Message!)).toBeLessThan(256 * 1024);
  });
});

describe('validateUpload: bytes that are not UTF-8 past the sample rows', () => {
  it('are the ETL’s to reject by their line, as in a file larger than the sample’s bytes (not the whole file’s)', async () => {
    // 1,100 rows (~60 KB, inside the 1 MiB read): the sample is the first 1,000; line 1,102 holds a Latin-1 é.
    const csv = Buffer.concat([
      Buffer.from(ordersCsv(1100)),
      Buffer.from('o-bad,c-1,2026-11-24,paid,1,EUR,1,caf'),
      Buffer.from([0xe9]),
      Buffer.from(',2026-11-24T10:00:00Z\n'),
    ]);
    expect(await upload('uploads/orders/past.csv', csv)).toMatchObject({ outcome: 'started' });
    sfn.resetHistory();
    s3.resetHistory();
    expect(await upload('uploads/orders/past.csv.gz', gzipSync(csv))).toMatchObject({ outcome: 'started' });
    sfn.resetHistory();
    s3.resetHistory();
    // Within the sample's rows: the file is refused, naming the line.
    const early = Buffer.concat([csv.subarray(0, Buffer.from(ordersCsv(10)).length), csv.subarray(-60)]);
    const r = expectQuarantined(
      await upload('uploads/orders/early.csv', early),
      'uploads/orders/early.csv',
      'MALFORMED_FILE',
    );
    expect(r.line).toBe(12);
    // Placed on its line whatever the line ends: CRLF, or a CR alone.
    for (const [name, eol] of [
      ['early-crlf.csv', '\r\n'],
      ['early-cr.csv', '\r'],
    ] as const) {
      sns.resetHistory();
      s3.resetHistory();
      const text = Buffer.from(early.toString('latin1').replaceAll('\n', eol), 'latin1');
      const found = expectQuarantined(
        await upload(`uploads/orders/${name}`, text),
        `uploads/orders/${name}`,
        'MALFORMED_FILE',
      );
      expect([name, found.line]).toEqual([name, 12]);
    }
  });
});

describe('validateUpload: gzip and large files (range reads only)', () => {
  it('checks gzip files through a streaming gunzip', async () => {
    expect(await upload('uploads/orders/a.csv.gz', gzipSync(ordersCsv(20)))).toMatchObject({
      outcome: 'started',
    });
    sfn.resetHistory();
    s3.resetHistory(); // the accepted file's pending record
    const bad = gzipSync(ordersCsv(3, (i) => orderRow(i, { amount: 'x' })));
    expectQuarantined(await upload('uploads/orders/b.csv.gz', bad), 'uploads/orders/b.csv.gz', 'ROW_INVALID');
    sns.resetHistory();
    s3.resetHistory();
    const truncated = gzipSync(ordersCsv(20)).subarray(0, 200);
    expectQuarantined(
      await upload('uploads/orders/c.csv.gz', truncated),
      'uploads/orders/c.csv.gz',
      'MALFORMED_FILE',
    );
    sns.resetHistory();
    s3.resetHistory();
    expect(
      await upload('uploads/customers/d.JSONL.gz', gzipSync([customer(1), customer(2)].join('\n'))),
    ).toMatchObject({
      outcome: 'started',
    });
    sns.resetHistory();
    s3.resetHistory();
    sfn.resetHistory();
    // '.GZ': Spark (Hadoop's codec factory) would read the compressed bytes as text.
    expectQuarantined(
      await upload('uploads/customers/e.jsonl.GZ', gzipSync(customer(3))),
      'uploads/customers/e.jsonl.GZ',
      'BAD_KEY',
    );
  });

  it('MALFORMED_FILE: bytes after the gzip stream (zero padding too), which DuckDB and the Glue job cannot read', async () => {
    const gz = gzipSync(ordersCsv(3));
    for (const [name, after] of [
      ['padded', Buffer.alloc(2000)],
      ['one-zero', Buffer.alloc(1)],
      ['zero-then-garbage', Buffer.from('\0xyz')],
      // Not zeros: Node's gunzip failed on them as corrupt data ("unexpected end of file", "incorrect header check").
      ['newline', Buffer.from('\n')],
      ['junk', Buffer.from('junk')],
      ['a-member-cut-short', gz.subarray(0, 12)],
    ] as const) {
      sns.resetHistory();
      s3.resetHistory();
      const key = `uploads/orders/${name}.csv.gz`;
      const r = expectQuarantined(await upload(key, Buffer.concat([gz, after])), key, 'MALFORMED_FILE');
      expect(r.message).toBe(
        `${after.length} byte(s) follow the end of the gzip stream: DuckDB and the Glue job (Spark) read no gzip ` +
          'file with bytes after its last member; remove them',
      );
      expect(r.line).toBeUndefined();
    }
    // Members one after another are one stream (both engines read them all), an empty last member too.
    for (const [name, body] of [
      ['two-members', Buffer.concat([gz, gzipSync(orderRow(9) + '\n')])],
      ['empty-last-member', Buffer.concat([gz, gzipSync('')])],
    ] as const) {
      sfn.resetHistory();
      expect(await upload(`uploads/orders/${name}.csv.gz`, body)).toMatchObject({ outcome: 'started' });
    }
  });

  it('zero padding at the end of a gzip file larger than the sample: found by one read of its last bytes', async () => {
    const gz = gzipSync(ordersCsv(300_000)); // ~20 MiB of text: the sample does not reach the end
    const key = 'uploads/orders/big-padded.csv.gz';
    const padded = Buffer.concat([gz, Buffer.alloc(4096)]);
    const r = expectQuarantined(await upload(key, padded), key, 'MALFORMED_FILE');
    expect(r.message).toMatch(
      /^zero bytes \(padding\) follow the end of the gzip stream: DuckDB and the Glue job/,
    );
    const ranges = rangeHeaders();
    expect(ranges.at(-1)).toBe(`bytes=${padded.length - 64 * 1024}-${padded.length - 1}`);
    expect(Number(/-(\d+)$/.exec(ranges.at(-2)!)![1]) + 1).toBeLessThanOrEqual(4 * 1024 * 1024);
    // An empty last member ends in eight zero bytes too (CRC-32 0, length 0): it is found in those last bytes.
    sns.resetHistory();
    s3.resetHistory();
    const withEmpty = Buffer.concat([gz, gzipSync('')]);
    expect(await upload('uploads/orders/big-empty-last.csv.gz', withEmpty)).toMatchObject({
      outcome: 'started',
    });
    sfn.resetHistory();
    sns.resetHistory();
    s3.resetHistory(); // the accepted file's pending record
    const emptyThenPadded = Buffer.concat([withEmpty, Buffer.alloc(100)]);
    const key2 = 'uploads/orders/big-empty-padded.csv.gz';
    expectQuarantined(await upload(key2, emptyThenPadded), key2, 'MALFORMED_FILE');
  });

  it('reads only the first MiB of a large CSV, by range', async () => {
    const csv = ordersCsv(120_000); // ~8 MiB
    expect(csv.length).toBeGreaterThan(6 * 1024 * 1024);
    const res = await upload('uploads/orders/big.csv', csv);
    expect(res).toMatchObject({ outcome: 'started' });
    const ranges = rangeHeaders();
    expect(ranges.length).toBeGreaterThan(0);
    expect(ranges.every((r) => /^bytes=\d+-\d+$/.test(r ?? ''))).toBe(true);
    const fetched = ranges.reduce((n, r) => {
      const [, a, b] = /^bytes=(\d+)-(\d+)$/.exec(r!)!;
      return n + Number(b) - Number(a) + 1;
    }, 0);
    expect(fetched).toBeLessThanOrEqual(1024 * 1024);
  });

  it('a first record longer than the sample is read whole (a valid file is not MALFORMED for it)', async () => {
    // 1.2 MB in the first row's coupon (over its maxLength: that row alone fails, within maxRejectedRatio).
    const long = 'x'.repeat(1_200_000);
    const csv = ordersCsv(100, (i) => (i === 1 ? orderRow(i, { coupon: long }) : orderRow(i)));
    expect(await upload('uploads/orders/long-first.csv', csv)).toMatchObject({ outcome: 'started' });
    const jsonl = [
      customer(1, { name: long }),
      ...Array.from({ length: 99 }, (_, i) => customer(i + 2)),
    ].join('\n');
    expect(await upload('uploads/customers/long-first.jsonl', jsonl + '\n')).toMatchObject({
      outcome: 'started',
    });
  });

  it('a first record that never ends (a quote never closed) is still MALFORMED_FILE', async () => {
    const long = 'x'.repeat(1_200_000);
    const open = ordersCsv(100, (i) => (i === 1 ? orderRow(i, { coupon: `"${long}` }) : orderRow(i)));
    expectQuarantined(
      await upload('uploads/orders/open.csv', open),
      'uploads/orders/open.csv',
      'MALFORMED_FILE',
    );
  });

  it('a bad row beyond the sample is left to the ETL (rejected there, row by row)', async () => {
    const csv = ordersCsv(30_000, (i) => (i === 29_999 ? orderRow(i, { amount: 'bad' }) : orderRow(i)));
    expect(await upload('uploads/orders/late-error.csv', csv)).toMatchObject({ outcome: 'started' });
  });

  it('reads a large gzip file in ranged chunks until the sample is full', async () => {
    const gz = gzipSync(ordersCsv(300_000)); // ~20 MiB of text
    const res = await upload('uploads/orders/big.csv.gz', gz);
    expect(res).toMatchObject({ outcome: 'started' });
    const ranges = rangeHeaders();
    expect(ranges.every((r) => /^bytes=\d+-\d+$/.test(r ?? ''))).toBe(true);
    // The sample's reads from the start, then one read of the last 64 KiB (the end of the gzip stream: gzip-end.ts).
    const sample = ranges.slice(0, -1);
    const last = Number(/-(\d+)$/.exec(sample.at(-1)!)![1]);
    expect(last + 1).toBeLessThan(gz.length);
    expect(last + 1).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(ranges.at(-1)).toBe(`bytes=${gz.length - 64 * 1024}-${gz.length - 1}`);
  });

  it('reads a Parquet file by its ends (magic bytes and footer), never its middle', async () => {
    const pad = Buffer.alloc(3 * 1024 * 1024, 0); // column data stand-in: a bigger file, same footer
    const good = parquet.good!;
    const big = Buffer.concat([good.subarray(0, 4), pad, good.subarray(4)]);
    // The footer does not point into the data here, so only its framing and schema matter.
    expect(await upload('uploads/customers/big.parquet', big)).toMatchObject({ outcome: 'started' });
    const ranges = rangeHeaders();
    expect(ranges[0]).toBe('bytes=0-3');
    const fetched = ranges.reduce((n, r) => {
      const [, a, b] = /^bytes=(\d+)-(\d+)$/.exec(r!)!;
      return n + Number(b) - Number(a) + 1;
    }, 0);
    expect(fetched).toBeLessThanOrEqual(64 * 1024 + 4);
  });
});

describe('validateUpload: bad events', () => {
  it('refuses events that are not S3 Object Created, or for another bucket, and touches nothing', async () => {
    const wrongType = { ...objectCreated('uploads/orders/a.csv'), 'detail-type': 'Object Deleted' } as never;
    await expect(invoke(wrongType)).rejects.toThrow(/Object Created/);
    const other = objectCreated('uploads/orders/a.csv');
    other.detail.bucket.name = 'someone-elses';
    await expect(invoke(other)).rejects.toThrow(/not the raw bucket/);
    expect(s3.calls()).toHaveLength(0);
  });
});
