/**
 * The contract between the ETL state machine, the Glue job (resources/glue/etl_job.py) and the local Glue runner.
 *
 * Job arguments (Glue `--name value`; the state machine passes them, the local runner receives the same map):
 *   --mode            'file' (one uploaded object) | 'events' (compact streamed events from the raw zone)
 *   --table           the table (dataset name) for mode 'file'; omitted for 'events' (every event type)
 *   --inputs          JSON array of raw-bucket keys for mode 'file'
 *   --run_id          the execution name: names the run's outputs and its summary
 *   --JOB_RUN_ID      the Glue job run id (Glue passes it to every run; the local Glue handler does too)
 *   --raw_bucket, --curated_bucket, --plans_key    (AWS only; locally the lake folders and lib/etl/plan)
 *
 * Every run writes its summary to the curated bucket at `_state/runs/<run_id>.json` (EtlRunSummary), which the
 * state machine reads to report the figures and to decide whether rejected rows exceed the table's threshold.
 */
import layout from '../lake-layout.json';

export type EtlMode = 'file' | 'events';

export interface EtlTableFigures {
  table: string;
  rowsRead: number;
  rowsWritten: number;
  rowsRejected: number;
  /** Distinct keys that replaced existing rows or were duplicates in the input. */
  duplicatesRemoved: number;
  /** The partitions written, sorted: at most PARTITIONS_LISTED of them (lib/etl/upload-queue.ts). */
  partitions: string[];
  /** How many partitions were written. */
  partitionCount: number;
  rejectedLocation?: string;
  maxRejectedRatio: number;
}

/**
 * A run's record. Every run takes the pending uploads (their outcomes go to their UploadResult records,
 * lib/etl/upload-queue.ts) and compacts the pending streamed events, whatever its mode. Its size is bounded
 * whatever the backlog — Step Functions reads it into the execution's state, where 256 KiB is the limit: the keys
 * read are listed in a separate object (inputsKey), partitions are listed up to a cap.
 */
export interface EtlRunSummary {
  runId: string;
  /** The Glue job run (locally: the id the local Glue handler gives it); null when the run was given none. */
  jobRunId: string | null;
  mode: EtlMode;
  engine: 'glue' | 'duckdb';
  startedAt: string;
  finishedAt: string;
  /** Raw objects read (uploads and streamed-event objects). */
  inputCount: number;
  /** Where their keys are listed ({"inputs": [...]}, curated bucket), when there were any. */
  inputsKey?: string;
  /** Every table the run wrote: datasets of the uploads it took, event tables it compacted. */
  tables: EtlTableFigures[];
  rowsRead: number;
  rowsWritten: number;
  rowsRejected: number;
  /** rowsRejected / rowsRead (0 when nothing was read). */
  rejectedRatio: number;
  /**
   * True when an event table's rejected share is above its maxRejectedRatio. Uploads are judged one by one in
   * their results (the file's execution reports them); they do not fail the run's own execution.
   */
  rejectedAboveThreshold: boolean;
  /** The uploads the run took: how many, and how many ended SUCCEEDED or FAILED. */
  uploads: { taken: number; succeeded: number; failed: number };
}

export const runSummaryKey = (runId: string) => `${layout.curated.statePrefix}runs/${runId}.json`;
export const runInputsKey = (runId: string) => `${layout.curated.statePrefix}runs/${runId}.inputs.json`;
