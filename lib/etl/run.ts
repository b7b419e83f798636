/**
 * The contract between the ETL state machine, the Glue job (resources/glue/etl_job.py) and the local Glue runner.
 *
 * Job arguments (Glue `--name value`; the state machine passes them, the local runner receives the same map):
 *   --mode            'file' (one uploaded object) | 'events' (compact streamed events from the raw zone)
 *   --table           the table (dataset name) for mode 'file'; omitted for 'events' (every event type)
 *   --inputs          JSON array of raw-bucket keys for mode 'file'
 *   --run_id          the execution name: names the run's outputs and its summary
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
  partitions: string[];
  rejectedLocation?: string;
  maxRejectedRatio: number;
}

export interface EtlRunSummary {
  runId: string;
  mode: EtlMode;
  engine: 'glue' | 'duckdb';
  startedAt: string;
  finishedAt: string;
  inputs: string[];
  tables: EtlTableFigures[];
  rowsRead: number;
  rowsWritten: number;
  rowsRejected: number;
  /** rowsRejected / rowsRead (0 when nothing was read). */
  rejectedRatio: number;
  /** True when any table's rejected share is above its maxRejectedRatio. */
  rejectedAboveThreshold: boolean;
}

export const runSummaryKey = (runId: string) => `${layout.curated.statePrefix}runs/${runId}.json`;
