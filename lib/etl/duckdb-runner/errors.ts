/**
 * Errors of a run, with the `name` the state machine (state-machines/etl.asl.json) catches.
 */

export const EtlErrorName = {
  InvalidInput: 'Glue.InvalidInputException',
  EntityNotFound: 'Glue.EntityNotFoundException',
  ConcurrentRunsExceeded: 'Glue.ConcurrentRunsExceededException',
  /** What Step Functions reports when a Glue job run (startJobRun.sync) ends FAILED. */
  RunFailed: 'States.TaskFailed',
} as const;

export class EtlJobError extends Error {
  constructor(name: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = name;
  }
}

export const invalid = (message: string) => new EtlJobError(EtlErrorName.InvalidInput, message);
export const notFound = (message: string) => new EtlJobError(EtlErrorName.EntityNotFound, message);
export const failed = (message: string, cause?: unknown) =>
  new EtlJobError(EtlErrorName.RunFailed, message, cause === undefined ? undefined : { cause });

/**
 * A failure of the run as a whole that a table's work must not turn into its uploads' FAILED results: a swap whose
 * journal is durable but which could not be finished (the next run finishes it), or a batch that could not be
 * discarded. The run's uploads stay queued, so that their result, once written, is what the table holds.
 */
export class RunFailure extends EtlJobError {
  constructor(message: string, cause?: unknown) {
    super(EtlErrorName.RunFailed, message, cause === undefined ? undefined : { cause });
  }
}

/**
 * DuckDB's message for a run that ran out of disk, said as such: a write that found no space, or work that could not
 * spill past the memory limit because the spill folder (curated/_state/tmp/<run>/spill) is bounded by
 * max_temp_directory_size, 90% of the space free when the run started — which DuckDB reports as "Out of Memory" and
 * answers with advice on memory settings. The message as DuckDB gave it stays at the end.
 */
export function withDiskFullNote(message: string): string {
  if (!/max_temp_directory_size|No space left on device/i.test(message)) return message;
  return (
    'the disk under LAKE_DIR has too little free space for this run (DuckDB writes what exceeds its memory limit ' +
    'to curated/_state/tmp/<run>/spill, at most 90% of the space free when the run started): free space, then run ' +
    `it again; DuckDB said: ${message}`
  );
}

/**
 * Reading a batch's inputs failed, and DuckDB did not say which (a gzip stream it refuses, bytes of a string column
 * that are not UTF-8): a batch of several inputs is run again one by one, where the one that fails is an
 * UnreadableInput.
 */
export class InputReadFailed extends EtlJobError {
  constructor(message: string, cause?: unknown) {
    super(EtlErrorName.RunFailed, message, cause === undefined ? undefined : { cause });
  }
}

/**
 * One input of a batch that cannot be read as rows (a quote never closed, a gzip stream cut short): the upload it
 * belongs to fails alone (Etl.InvalidInput); the batch's other files are run without it.
 */
export class UnreadableInput extends Error {
  constructor(
    readonly key: string,
    message: string,
    /** The upload's error: Etl.InvalidInput, or Etl.InputMissing for a file replaced since it was accepted. */
    readonly uploadError: 'Etl.InvalidInput' | 'Etl.InputMissing' = 'Etl.InvalidInput',
    /** The upload it fails, when the key alone does not say (two versions of one key in a batch). */
    readonly execution?: string,
  ) {
    super(message);
    this.name = 'UnreadableInput';
  }
}
