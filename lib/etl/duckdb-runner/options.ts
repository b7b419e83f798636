/**
 * What the caller of runEtlJob can set: the lake, clock, DuckDB limits, batch size, test hooks and step timings.
 */

/** Fault injection for tests: called at the named points of a run; a throw there fails the run. */
export interface EtlRunnerHooks {
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
  now?: () => Date;
  /** DuckDB threads per run (default: min(2, CPUs)). */
  threads?: number;
  /** DuckDB memory_limit per run (default '1GB'); larger work spills to curated/_state/tmp/<run_id>/spill. */
  memoryLimit?: string;
  /** Mode 'events': raw objects of one table compacted per batch, in gzip bytes (default 64 MiB). */
  maxBatchBytes?: number;
  hooks?: EtlRunnerHooks;
  /** Called after each step of a batch with its duration (read, rejected, existing, merge, write, fsync, swap). */
  onStep?: (info: { table: string; step: string; ms: number }) => void;
}

export const DEFAULT_MEMORY_LIMIT = '1GB';
export const DEFAULT_MAX_BATCH_BYTES = 64 * 1024 * 1024;
