/**
 * Firehose adapter for AWS: PutRecordBatch within the service's hard limits (500 records, 4 MiB per call,
 * 1,000 KiB per record), retrying only the entries that failed, with bounded exponential backoff and full jitter.
 * Each call has a time limit and all of a chunk's attempts a budget, within the ingest function's timeout: a call
 * Firehose never answers (a stalled connection: the SDK's HTTP handler has no timeout of its own) is given up, and
 * the caller answers 503 naming every record, rather than the function timing out into API Gateway's bare 502. A
 * retried record keeps its id: one Firehose took without answering is curated once (the ETL keeps one copy per id).
 */
import {
  FirehoseClient,
  PutRecordBatchCommand,
  type _Record,
  type PutRecordBatchCommandOutput,
} from '@aws-sdk/client-firehose';
import type { EventRecord } from '../envelope';
import { MAYBE_STORED, type EventStream, type FailedRecord, type PutResult } from './types';

export const PUT_RECORD_BATCH_MAX_RECORDS = 500;
export const PUT_RECORD_BATCH_MAX_BYTES = 4 * 1024 * 1024;
export const FIREHOSE_MAX_RECORD_BYTES = 1000 * 1024;

export interface RetryPolicy {
  /** Attempts per chunk, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Time one PutRecordBatch call may take before it is given up (a TimeoutError, retried). */
  attemptTimeoutMs: number;
  /** Time all of a chunk's attempts and backoffs may take: no attempt starts that could end past it. */
  budgetMs: number;
}

/**
 * A call of up to 4 MiB takes well under a second; 3 s per call and 8 s in all leave the ingest function (timeout
 * 10 s, serverless.yml; a template test holds the two together) time to answer.
 */
export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 100,
  maxDelayMs: 2000,
  attemptTimeoutMs: 3000,
  budgetMs: 8000,
};

/** Errors of the whole call that are worth another try (throttling, service-side, network). */
const RETRYABLE_ERRORS = new Set([
  'ServiceUnavailableException',
  'ThrottlingException',
  'LimitExceededException',
  'InternalFailure',
  'InternalServerError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
]);

function isRetryable(err: unknown): boolean {
  const e = err as {
    name?: string;
    code?: string;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  if (e?.$retryable) return true;
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  return RETRYABLE_ERRORS.has(e?.name ?? '') || RETRYABLE_ERRORS.has(e?.code ?? '');
}

interface Entry {
  record: EventRecord;
  /** Its place in the records given to putRecords. */
  index: number;
  data: Uint8Array;
}

/** Splits entries into PutRecordBatch-sized chunks: at most 500 records and 4 MiB of data per call. */
export function chunkEntries<T extends { data: Uint8Array }>(entries: T[]): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = entry.data.byteLength;
    if (
      current.length > 0 &&
      (current.length >= PUT_RECORD_BATCH_MAX_RECORDS || bytes + size > PUT_RECORD_BATCH_MAX_BYTES)
    ) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

export class FirehoseEventStream implements EventStream {
  constructor(
    private readonly client: FirehoseClient,
    private readonly deliveryStreamName: string,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
    private readonly random: () => number = Math.random,
    private readonly now: () => number = Date.now,
  ) {}

  async putRecords(records: EventRecord[]): Promise<PutResult> {
    const failed: FailedRecord[] = [];
    const entries: Entry[] = [];
    for (const [index, record] of records.entries()) {
      const data = Buffer.from(record.line + '\n', 'utf8');
      if (data.byteLength > FIREHOSE_MAX_RECORD_BYTES) {
        failed.push({
          index,
          id: record.id,
          errorCode: 'RecordTooLarge',
          errorMessage: `record is ${data.byteLength} bytes`,
        });
      } else {
        entries.push({ record, index, data });
      }
    }
    // Chunks go out concurrently; each retries its own failures.
    const results = await Promise.all(chunkEntries(entries).map((chunk) => this.putChunk(chunk)));
    for (const r of results) failed.push(...r);
    return { failed };
  }

  private backoff(attempt: number): number {
    const cap = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return Math.floor(this.random() * cap); // full jitter
  }

  /** The call, or a TimeoutError when Firehose has not answered within the attempt's time (the call is aborted). */
  private async sendWithin(command: PutRecordBatchCommand, ms: number): Promise<PutRecordBatchCommandOutput> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(
          Object.assign(new Error(`Firehose did not answer PutRecordBatch within ${ms} ms`), {
            name: 'TimeoutError',
          }),
        );
      }, ms);
    });
    try {
      return await Promise.race([this.client.send(command, { abortSignal: controller.signal }), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async putChunk(chunk: Entry[]): Promise<FailedRecord[]> {
    let pending = chunk;
    let lastFailures: FailedRecord[] = [];
    // Records an attempt sent without an answer (no HTTP status: a call given up, a connection lost): Firehose may
    // have stored them, whatever a later attempt answered.
    const unanswered = new Set<number>();
    const started = this.now();
    for (let attempt = 1; attempt <= this.retry.maxAttempts; attempt++) {
      if (attempt > 1) {
        const delay = this.backoff(attempt - 1);
        if (this.now() - started + delay + this.retry.attemptTimeoutMs > this.retry.budgetMs) break;
        await this.sleep(delay);
      }
      try {
        const out = await this.sendWithin(
          new PutRecordBatchCommand({
            DeliveryStreamName: this.deliveryStreamName,
            Records: pending.map((e): _Record => ({ Data: e.data })),
          }),
          this.retry.attemptTimeoutMs,
        );
        if (!out.FailedPutCount) return [];
        const responses = out.RequestResponses ?? [];
        const retry: Entry[] = [];
        lastFailures = [];
        pending.forEach((entry, i) => {
          const r = responses[i];
          // A missing response entry is treated as a failure: never assume an unconfirmed record landed.
          if (!r || r.ErrorCode || !r.RecordId) {
            retry.push(entry);
            lastFailures.push({
              index: entry.index,
              id: entry.record.id,
              errorCode: r?.ErrorCode ?? 'NoResponse',
              errorMessage: r?.ErrorMessage ?? 'no response entry for this record',
            });
          }
        });
        if (retry.length === 0) return [];
        pending = retry;
      } catch (err) {
        const e = err as Error;
        if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === undefined)
          for (const entry of pending) unanswered.add(entry.index);
        lastFailures = pending.map((entry) => ({
          index: entry.index,
          id: entry.record.id,
          errorCode: e.name || 'Error',
          errorMessage: e.message,
        }));
        if (!isRetryable(err)) break;
      }
    }
    return lastFailures.map((f) =>
      unanswered.has(f.index)
        ? {
            index: f.index,
            id: f.id,
            errorCode: MAYBE_STORED,
            errorMessage: `an attempt got no answer from Firehose, which may have stored the record (last attempt: ${f.errorCode}: ${f.errorMessage})`,
          }
        : f,
    );
  }
}
