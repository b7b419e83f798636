/**
 * `npm run compact`: compacts the streamed events now — starts the ETL state machine with {"mode":"events"}, as its
 * schedule does (etl-execution.ts: on the running local lake, or in this process). Waits for the outcome and prints
 * it (--no-wait: only start it): the lake it used (LAKE_DIR, default .lake here: where there is no lake it says so and
 * makes none), the rows compacted per table, and when there was nothing to compact, why (the lake holds no events,
 * all were compacted already, or the last ones are still in the delivery stream's buffer). Exit code 0 when it
 * succeeded, 2 on a usage error.
 */
import { parseArgs } from 'node:util';
import { cliMain, runEtlExecution } from './etl-execution';

cliMain('compaction', async () => {
  let wait: boolean;
  try {
    wait = !parseArgs({ args: process.argv.slice(2), options: { 'no-wait': { type: 'boolean' } } }).values[
      'no-wait'
    ];
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\nusage: npm run compact [-- --no-wait]\n`);
    return 2;
  }
  return runEtlExecution({ input: { mode: 'events' }, prefix: 'compact', wait });
});
