/** The delivery-stream port: what the ingest handler needs from Firehose, on AWS or on the local lake. */
import type { EventRecord } from '../envelope';

/**
 * The error code of records the local writer could not store because its disk (or the user's quota) is full:
 * ENOSPC / EDQUOT. The ingest API answers them with 503 STORAGE_FULL. Firehose itself never reports it.
 */
export const DISK_FULL = 'DiskFull';

/**
 * The error code of records that may be stored although they were not acknowledged: the local writer wrote and synced
 * them into a segment it then found was no longer its own (another lake took the folder, or the folder was moved:
 * whoever delivers that file may deliver them, or not if it read the file before they were written); on AWS, an
 * attempt to send them got no answer (a call given up after its time, a connection lost: Firehose may have taken
 * them). The ingest API says they may be stored: retried under the same ids, they are kept once. Firehose itself
 * never reports it.
 */
export const MAYBE_STORED = 'MaybeStored';

/** Whether a filesystem error means the disk (or the quota) is full. */
export const isDiskFull = (e: unknown) => {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
};

export interface FailedRecord {
  /** The record's place in the records given to putRecords (an id may name events of two types). */
  index: number;
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
