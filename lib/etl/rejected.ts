/**
 * The rejected store: every row an ETL run could not load, kept with its raw values and the reason, as one queryable
 * table (lake_rejected) — a DuckDB view on the local lake (lib/query/duckdb/), a Glue table with partition
 * projection on AWS (lib/catalog/rejected-table.ts).
 *
 * Layout (curated bucket, written by both ETL engines):
 *   rejected/table_name=<table>/run_date=<yyyy-MM-dd>/<run_id>-<n>.json
 * JSON lines, one record per rejected row (REJECTED_COLUMNS): n numbers the batches of a run (each batch of a table
 * writes at most one file), run_date is the UTC date the run started.
 *
 * Replays (mode 'replay') record which of a table's rejected files they have taken in
 * _state/replayed/<table>.json ({"replayed": [keys, sorted]}), written after the data.
 */
import { curated } from '../lake-layout.json';
import type { LakeType } from '../catalog/types';

/** The table's name in the query API, in the Glue database and in the local views. */
export const REJECTED_TABLE = 'lake_rejected';

export interface RejectedColumn {
  name: string;
  type: Extract<LakeType, 'string' | 'bigint'>;
  description: string;
}

/** One record per rejected row, in this order. */
export const REJECTED_COLUMNS: readonly RejectedColumn[] = [
  { name: 'run_id', type: 'string', description: 'The ETL run (execution name) that rejected the row.' },
  { name: 'source_file', type: 'string', description: 'The raw object the row came from (raw bucket key).' },
  { name: 'reason', type: 'string', description: 'Why: every failed check of the row, "; "-separated.' },
  {
    name: 'raw_record',
    type: 'string',
    description:
      'The row as read (JSON text): an object of its raw input values by column name, or the text of a record that did not parse.',
  },
  { name: 'rejected_at', type: 'string', description: 'When the run started (ISO-8601 UTC).' },
  { name: 'schema_version', type: 'bigint', description: 'The schema version of the table the run loaded.' },
];

/** Partition keys, in folder order. */
export const REJECTED_PARTITION_KEYS = ['table_name', 'run_date'] as const;

export const rejectedTablePrefix = (table: string) => `${curated.rejectedPrefix}table_name=${table}/`;

/** Where one run's rejected rows of a table go (its files are <run_id>-<n>.json in it). */
export const rejectedRowsPrefix = (table: string, runDate: string) =>
  `${rejectedTablePrefix(table)}run_date=${runDate}/`;

export const rejectedObjectKey = (table: string, runDate: string, runId: string, n: number) =>
  `${rejectedRowsPrefix(table, runDate)}${runId}-${n}.json`;

/**
 * The i-th other name of a rejected file whose name is taken (i from 1: <run_id>-<n>-<i>.json): the state machine
 * runs the job again under the same run id after a failed run, whose batches count from 0 again; a file of the run
 * before keeps its name and records (etl_job.py free_rejected_key does the same).
 */
export const otherRejectedObjectKey = (key: string, i: number) =>
  `${key.slice(0, -'.json'.length)}-${i}.json`;

/** The replays' record of a table: the rejected files they have taken. */
export const replayedStateKey = (table: string) => `${curated.statePrefix}replayed/${table}.json`;

export interface ReplayedState {
  replayed: string[];
  /**
   * The content (ETag) of each upload a replay run read again, by run id, then key: the rows that run rejected again
   * came from it. A later replay tells from it an upload replaced since (accepted-uploads.ts runsReplacedSince),
   * where no record of the queue of accepted uploads names that run. Recorded before the run's first batch, with
   * what an attempt of the same run that died read: a replay that dies or fails after some batches has said it.
   * Absent in a state written before it was kept.
   */
  read?: Record<string, Record<string, string>>;
}

/**
 * A replay in progress on a table: its run id, the rejected files it took and the raw objects whose batches are in
 * (each recorded with its batch's swap). A replay run again under that run id (its process died) takes the same
 * files and reads only the objects not done: read again, their rows that still fail were recorded a second time.
 * Removed once the replay has recorded its files in the replayed state.
 */
export const replayingStateKey = (table: string) => `${curated.statePrefix}replaying/${table}.json`;

/** A rebuild in progress on a table, as a replay's (ReplayingState, without files taken): its run id, the objects done. */
export const rebuildingStateKey = (table: string) => `${curated.statePrefix}rebuilding/${table}.json`;

/** The progress of a run that reads raw objects again (a replay, a rebuild). */
export interface ReloadProgress {
  runId: string;
  done: string[];
}

export interface ReplayingState extends ReloadProgress {
  taken: string[];
}
