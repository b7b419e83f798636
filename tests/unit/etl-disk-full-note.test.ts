/** How the local ETL says that a run ran out of disk (lib/etl/duckdb-runner/errors.ts withDiskFullNote). */
import { withDiskFullNote } from '../../lib/etl/duckdb-runner/errors';

describe('a run out of disk', () => {
  it('is said as such, also when DuckDB reports its spill limit as "Out of Memory", keeping what DuckDB said', () => {
    // DuckDB 1.5's words when the spill folder may not grow (max_temp_directory_size: 90% of the free space).
    const spill =
      'Out of Memory Error: failed to offload data block of size 256.0 KiB (8.6 MiB/8.8 MiB used).\n' +
      "This limit was set by the 'max_temp_directory_size' setting.\nPossible solutions:\n" +
      "* Increasing the memory limit (SET memory_limit='...GB')";
    const write = 'IO Error: Could not write file "x.parquet": No space left on device';
    for (const m of [spill, write])
      expect(withDiskFullNote(m)).toBe(
        'the disk under LAKE_DIR has too little free space for this run (DuckDB writes what exceeds its memory ' +
          'limit to curated/_state/tmp/<run>/spill, at most 90% of the space free when the run started): free ' +
          `space, then run it again; DuckDB said: ${m}`,
      );
    // Memory itself is not the disk.
    const memory =
      'Out of Memory Error: could not allocate block of size 256.0 KiB (953.6 MiB/953.6 MiB used)';
    expect(withDiskFullNote(memory)).toBe(memory);
  });
});
