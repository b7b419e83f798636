/**
 * `npm run compact`: compacts the streamed events now — starts the ETL state machine with {"mode":"events"}, as its
 * schedule does (etl-execution.ts: on the running local lake, or in this process). Waits for the outcome and prints
 * it (--no-wait: only start it). Exit code 0 when it succeeded.
 */
import { cliMain, runEtlExecution } from './etl-execution';

cliMain('compaction', () =>
  runEtlExecution({
    input: { mode: 'events' },
    prefix: 'compact',
    wait: !process.argv.includes('--no-wait'),
  }),
);
