/**
 * The queue of accepted uploads, in the curated bucket (lib/lake-layout.json curated.uploadsQueuePrefix).
 *
 * The lake runs one ETL run at a time (the Glue job's MaxConcurrentRuns is 1; the local runner holds a lake-wide
 * lock), and a run never waits for another: StartJobRun answers Glue.ConcurrentRunsExceededException. So that no
 * accepted file fails, or waits for a run of its own, because others were busy:
 *  1. validateUpload writes `pending/<execution>.json` (PendingUpload) before it starts the file's execution;
 *  2. every ETL run, whatever started it, takes every pending upload: it writes `done/<execution>.json`
 *     (UploadResult: the file's outcome and figures), then deletes the pending record;
 *  3. an execution whose StartJobRun finds the lake busy waits (state-machines/etl.asl.json, WaitForLake) and
 *     looks for its file's result before it asks again.
 * A file is accepted before the next run starts, so that run takes it: a file waits for at most the run in
 * progress and its own run (README "Deploying to AWS" has the arithmetic), however many files arrive.
 *
 * A run that fails or crashes leaves its uploads pending for the next run; one that has been taken by
 * MAX_UPLOAD_ATTEMPTS runs without an outcome is given up with a FAILED result (it cannot hold up the others). A run
 * takes an upload (counts its attempt) when the upload's batch starts: one it never reached counts nothing.
 */
import layout from '../lake-layout.json';
import type { EtlTableFigures } from './run';

const PREFIX = layout.curated.uploadsQueuePrefix;

/** An accepted upload that no run has taken yet. */
export interface PendingUpload {
  /** The name of the file's execution (lib/uploads/process.ts executionName); names both records. */
  execution: string;
  /** The dataset's table. */
  table: string;
  /** The object in the raw bucket (uploads/<dataset>/<file>). */
  key: string;
  size?: number;
  etag?: string;
  versionId?: string;
  /**
   * The whole-object checksum S3 keeps with the accepted version (lib/objects/types.ts ObjectInfo): a new version with
   * the same one holds the same bytes, loaded, when its ETag cannot tell (SSE-KMS, multipart).
   */
  checksum?: string;
  acceptedAt: string;
  correlationId?: string;
  /** Runs that took this upload without recording its outcome (a run that crashed, or failed as a whole). */
  attempts?: number;
  /** The (local) run that took it last: its attempt is given back when that run is stopped with the lake. */
  takenBy?: string;
  /**
   * Which run of that id (an execution run again after a crash has its id): only the run stopped gives back what it
   * took, not what an earlier run of the same execution took and died with.
   */
  takenIn?: string;
}

/** What became of an upload: written by the run that took it, read by the file's execution. */
export interface UploadResult extends Omit<EtlTableFigures, 'partitions' | 'schemaVersion'> {
  /** The schema version of the table's plan; null when there is no such dataset. */
  schemaVersion: number | null;
  execution: string;
  key: string;
  /** The version of the object the upload check accepted (as in its pending record). */
  etag?: string;
  versionId?: string;
  status: 'SUCCEEDED' | 'FAILED';
  mode: 'file';
  /** The run that took it (its execution name), and its Glue job run id. */
  runId: string;
  jobRunId: string | null;
  rejectedRatio: number;
  rejectedAboveThreshold: boolean;
  /** What the rejected-rows notice says: "<table>: r of n rows rejected, above its maxRejectedRatio, w new rows loaded", or
   * ''. */
  rejectedAbove: string;
  /** The file's figures as the notices report them (one table). */
  tables: EtlTableFigures[];
  /** Partitions the file's rows went to (at most PARTITIONS_LISTED; partitionCount has them all). */
  partitions: string[];
  partitionCount: number;
  error?: string;
  cause?: string;
  processedAt: string;
}

export const MAX_UPLOAD_ATTEMPTS = 3;
/** Partitions named in a result or a summary; the count says how many there were (payloads stay small). */
export const PARTITIONS_LISTED = 20;

export const pendingUploadsPrefix = `${PREFIX}pending/`;
export const pendingUploadKey = (execution: string) => `${pendingUploadsPrefix}${execution}.json`;
export const uploadResultKey = (execution: string) => `${PREFIX}done/${execution}.json`;

/**
 * The uploads a rebuild read by their names, having found no record of the table's uploads at all (the curated
 * zone lost): recorded as accepted as they were then, so that a later rebuild, when uploads checked since have
 * records of their own, still reads them (and skips a file dropped after it, or replaced since).
 */
export interface RestoredUploads {
  table: string;
  /** The rebuild's run id. */
  runId: string;
  /** When it recorded them: their place in the order uploads were loaded in (lib/etl/upload-order.ts). */
  restoredAt: string;
  uploads: { key: string; etag: string }[];
}

export const restoredUploadsPrefix = `${PREFIX}restored/`;
export const restoredUploadsKey = (runId: string) => `${restoredUploadsPrefix}${runId}.json`;

/** Error names of a FAILED upload result (the execution fails with them). */
export const UploadError = {
  /** The object is no longer in the raw bucket under its key. */
  InputMissing: 'Etl.InputMissing',
  /** The key is not one the ETL reads (a format it cannot tell, a link out of the raw bucket). */
  InvalidInput: 'Etl.InvalidInput',
  /** Reading or typing the file's table failed in the run. */
  TableFailed: 'Etl.TableFailed',
  /** MAX_UPLOAD_ATTEMPTS runs took it and none finished. */
  GivenUp: 'Etl.UploadGivenUp',
} as const;

/** The first PARTITIONS_LISTED partitions, sorted, and how many there are. */
export function listedPartitions(partitions: string[]): { partitions: string[]; partitionCount: number } {
  const all = [...new Set(partitions)].sort();
  return { partitions: all.slice(0, PARTITIONS_LISTED), partitionCount: all.length };
}
