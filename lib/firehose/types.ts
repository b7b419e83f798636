/** The delivery-stream port: what the ingest handler needs from Firehose, on AWS or on the local lake. */
import type { EventRecord } from '../envelope';

export interface FailedRecord {
  id: string;
  errorCode: string;
  errorMessage: string;
}

export interface PutResult {
  /** Records the stream did not accept, after retries. Every other record was accepted. */
  failed: FailedRecord[];
}

export interface EventStream {
  /** Writes records; resolves once each is durably accepted or reported in `failed`. */
  putRecords(records: EventRecord[]): Promise<PutResult>;
}
