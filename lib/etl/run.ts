/**
 * The contract between the ETL state machine, the Glue job (resources/glue/etl_job.py) and the local Glue runner.
 *
 * Job arguments (Glue `--name value`; the state machine passes them, the local runner receives the same map). None
 * is a name Glue uses itself (its "Using job parameters" page: --conf, --debug, --mode, --JOB_NAME, --endpoint:
 * "never use them"), hence --etl_mode.
 *   --etl_mode        'file' (one uploaded object) | 'events' (compact streamed events from the raw zone) |
 *                     'replay' (the raw objects rejected rows of --table came from, again through the current plan) |
 *                     'rebuild' (every raw object of --table, again through the current plan, merged with its rows)
 *   --table           the table: the dataset of mode 'file', the table of 'replay' and 'rebuild' (required: it must
 *                     exist); for 'events' optional (one event type; omitted: every event type)
 *   --inputs          JSON array of raw-bucket keys for mode 'file'
 *   --execution_input the execution's input as JSON (mode 'file'; the state machine passes it): the version of the
 *                     file the upload check accepted (etag, versionId), which a run that takes its own input loads
 *                     alone (a retry never loads another file written under the name since)
 *   --run_id          the execution name: names the run's outputs and its summary
 *   --JOB_RUN_ID      the Glue job run id (Glue passes it to every run; the local Glue handler does too)
 *   --raw_bucket, --curated_bucket, --plans_key    (AWS only; locally the lake folders and lib/etl/plan)
 *
 * Every run writes its summary to the curated bucket at `_state/runs/<run_id>.json` (EtlRunSummary), which the
 * state machine reads to report the figures and to decide whether rejected rows exceed the table's threshold.
 */
import layout from '../lake-layout.json';

export type EtlMode = 'file' | 'events' | 'replay' | 'rebuild';

export interface EtlTableFigures {
  table: string;
  /** The schema version of the table's plan (plan.version): what the rows the run wrote record. */
  schemaVersion: number;
  rowsRead: number;
  rowsWritten: number;
  rowsRejected: number;
  /** Distinct keys that replaced existing rows or were duplicates in the input. */
  duplicatesRemoved: number;
  /** The partitions written, sorted: at most PARTITIONS_LISTED of them (lib/etl/upload-queue.ts). */
  partitions: string[];
  /** How many partitions were written. */
  partitionCount: number;
  /** Where the run's rejected rows of the table are: rejected/table_name=<t>/run_date=<d>/ (files <run_id>-<n>.json). */
  rejectedLocation?: string;
  maxRejectedRatio: number;
}

/** Mode 'replay': what the run read again, and what it could not. */
export interface ReplaySummary {
  table: string;
  /** Rejected files of the table no earlier replay took (now recorded in _state/replayed/<table>.json). */
  rejectedFiles: number;
  /** The raw objects their rows came from that still exist: read again through the current plan. */
  sources: number;
  /**
   * Those that no longer exist, were replaced since, or no longer read as rows (a gzip stream cut short): not read
   * (listed up to PARTITIONS_LISTED; missingCount has them all).
   */
  missing: string[];
  missingCount: number;
  /** The replay's own figures (the table's entry in `tables` also counts the uploads of the run). */
  figures: EtlTableFigures;
}

/** Mode 'rebuild': the table's raw objects, and the partitions only rewritten. */
export interface RebuildSummary {
  table: string;
  /** Raw objects read (every upload of the dataset, every raw object of the event type). */
  sources: number;
  /** Objects under the table's raw prefix that are no input of it (listed up to the cap; skippedCount: all). */
  skipped: string[];
  skippedCount: number;
  /** Partitions no raw object touched, rewritten from their rows (the plan's existingSql: renamed columns filled). */
  partitionsRewritten: number;
  figures: EtlTableFigures;
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
   * True when an event table's rejected share is above its maxRejectedRatio, or the replay's or rebuild's own. Uploads
   * are judged one by one in their results (the file's execution reports them); they do not fail the run's own
   * execution.
   */
  rejectedAboveThreshold: boolean;
  /**
   * What the rejected-rows notice says: each table above its threshold, "<table>: r of n rows rejected, above its
   * maxRejectedRatio, w new rows loaded", "; "-joined; '' when none.
   */
  rejectedAbove: string;
  /** The uploads the run took: how many, and how many ended SUCCEEDED or FAILED. */
  uploads: { taken: number; succeeded: number; failed: number };
  /**
   * Raw event objects delivered after the run read its tables: left to the next run, which reads the tables again
   * (they may hold events accepted under a schema changed since). Absent from summaries written before 2026-12-05.
   */
  eventObjectsLeft?: number;
  replay?: ReplaySummary;
  rebuild?: RebuildSummary;
}

export const runSummaryKey = (runId: string) => `${layout.curated.statePrefix}runs/${runId}.json`;
export const runInputsKey = (runId: string) => `${layout.curated.statePrefix}runs/${runId}.inputs.json`;
