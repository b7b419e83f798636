/**
 * What the caller of runEtlJob can set: the lake, its tables, clock, DuckDB limits, batch size, test hooks and step
 * timings.
 */
import type { TableDef } from '../../catalog/tables';

/** Fault injection for tests: called at the named points of a run; a throw there fails the run. */
export interface EtlRunnerHooks {
  /** A batch is about to read its inputs (raw-bucket keys). */
  beforeRead?(info: { table: string; keys: string[] }): void | Promise<void>;
  /** The merged partitions (and rejected rows) are staged and fsynced; nothing is swapped yet. */
  afterStaging?(info: { table: string; partitions: string[] }): void | Promise<void>;
  /** One partition folder has been swapped into place. */
  afterPartitionSwap?(info: { table: string; partition: string }): void | Promise<void>;
}

/** A hook may throw this to act like a process crash: the run stops where it is, without any clean-up. */
export class SimulatedCrash extends Error {
  override name = 'SimulatedCrash';
}

export interface EtlRunnerOptions {
  lakeDir: string;
  /**
   * The lake's tables (default: lakeTables(), from the project's schemas/). The seam for a run over other schemas:
   * a test that relaxes a schema to replay the rows it rejected, or renames a column to rebuild a table.
   */
  tables?: TableDef[];
  now?: () => Date;
  /**
   * The real clock, ms (default Date.now): when the run read its tables, and whether a raw object or an upload was
   * written since (tables-read.ts). A test steps it to stand for something written while the run went on.
   */
  realClock?: () => number;
  /** DuckDB threads per run (default: min(2, CPUs)). */
  threads?: number;
  /** DuckDB memory_limit per run (default '1GB'); larger work spills to curated/_state/tmp/<run_id>/spill. */
  memoryLimit?: string;
  /** Raw objects of one table run per batch, in (stored) bytes (default 64 MiB); rebuilds also bound partitions. */
  maxBatchBytes?: number;
  hooks?: EtlRunnerHooks;
  /** Called after each step of a batch with its duration (read, rejected, existing, merge, count, write, fsync, swap). */
  onStep?: (info: { table: string; step: string; ms: number }) => void;
  /**
   * Stops the run (its execution was stopped, as Step Functions stops a .sync Glue job run): DuckDB's statement is
   * interrupted, the batch not yet committed is discarded, and the run fails as a whole (RunFailure) — the uploads it
   * took stay queued, a swap already decided is finished, as after a crash.
   */
  signal?: AbortSignal;
}

export const DEFAULT_MEMORY_LIMIT = '1GB';
export const DEFAULT_MAX_BATCH_BYTES = 64 * 1024 * 1024;
