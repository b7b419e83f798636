/**
 * The local Glue job: runs the shared ETL plans (lib/etl/plan.ts) on DuckDB over the local lake
 * (<lakeDir>/raw/ is the raw bucket, <lakeDir>/curated/ the curated bucket), with the job arguments, output layout,
 * compaction manifests and run summary of the Glue job (resources/glue/etl_job.py, lib/etl/run.ts, lib/etl/plans.ts).
 *
 * How a plan runs (plan.ts's header, step by step):
 *  1. raw_input: every input column as VARCHAR — CSV with its own header row (read_csv, all text, RFC 4180 quoting),
 *     JSON lines / JSON documents (read_json with explicit columns: STRUCT(... VARCHAR) for nested paths, so objects
 *     and arrays come out as JSON text), Parquet (each column cast to text, nested values as JSON); .gz inputs are
 *     read as such. Plus lake_source_file (the raw key) and lake_ingested_at (run start, ISO-8601 UTC).
 *  2. typed (materialised once), incoming, existing (the current Parquet rows of the partitions incoming touches and
 *     of those that hold one of its keys under another partition value, typed: held-keys.ts), merged (mergeSql),
 *     rejected rows → JSON lines (with, for event tables, the copies of an id whose data differs from the row kept:
 *     lib/etl/event-conflicts.ts).
 *  3. The merged rows are written as ONE Parquet file (zstd) per partition into a staging folder
 *     (curated/_state/tmp/<run_id>/...), fsynced, then a swap journal is written and each partition folder is
 *     swapped by rename (the old folder is moved aside, the staged one moved in, the old one removed). A crash during
 *     the swap is finished by the next run of the table (roll forward from the journal), so no partition stays
 *     half-written or missing; re-running the same input changes no row but the datasets' lake_ingested_at (the
 *     newest run wins ties, as the plan says; events keep the first received copy).
 *
 * Rejected rows go to the rejected store (lib/etl/rejected.ts): one JSON-lines file per batch,
 * rejected/table_name=<table>/run_date=<d>/<run_id>-<n>.json, staged and swapped in with the batch's journal, one
 * record per row (plan.rejectedSql.duckdb). Rows that do not even parse (a CSV line with the wrong number of fields
 * or an unterminated quote, a JSON line that is not an object) are not dropped: their record holds the reason and
 * their text in `raw_record`, and they count as read and rejected.
 *
 * Modes 'replay' and 'rebuild' (replay.ts, rebuild.ts) read a table's raw objects again, between the uploads and the
 * events of the run, merged by plan.reloadMergeSql; the tables of a run can be given (EtlRunnerOptions.tables).
 *
 * Figures (as the Glue job): rowsRead = rowsWritten + rowsRejected + duplicatesRemoved, where rowsWritten counts the
 * keys that are new to the table and duplicatesRemoved the rows the merge dropped (a key repeated in the input, or
 * one the table already had — replaced or kept).
 *
 * Every run takes the queue of accepted uploads (lib/etl/upload-queue.ts: each upload's result is written before
 * its pending record is deleted) and compacts the pending streamed events, whatever its mode, one run at a time per
 * lake (lake-lock.ts), as the Glue job does.
 *
 * Errors of the run itself carry a `name` the state machine (state-machines/etl.asl.json) can catch:
 * Glue.InvalidInputException (bad arguments), Glue.EntityNotFoundException (unknown table),
 * Glue.ConcurrentRunsExceededException (another run is in progress: the execution waits for the lake),
 * States.TaskFailed (the run itself failed, as a Glue job run that ends FAILED). What goes wrong with one upload (a
 * missing file, a table that fails) is that upload's FAILED result, not the run's error.
 */
export { runEtlJob } from './run-etl-job';
export { EtlErrorName, EtlJobError } from './errors';
export { SimulatedCrash, type EtlRunnerHooks, type EtlRunnerOptions } from './options';
