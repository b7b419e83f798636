/**
 * `npm run compact`: compacts the streamed events now — starts the ETL state machine with {"mode":"events"}, as its
 * schedule does (etl-execution.ts: on the running local lake, or in this process). Waits for the outcome and prints
 * it (--no-wait: only start it): the lake it used (LAKE_DIR, default .lake here: where there is no lake it says so and
 * makes none), the rows compacted per table, and when there was nothing to compact, why (the lake holds no events,
 * all were compacted already, or the last ones are still in the delivery stream's buffer). Exit code 0 when it
 * succeeded, 2 on a usage error.
 */
import './quiet-logs';
import { cliArgs, UsageError } from './args';
import { cliMain, runEtlExecution } from './etl-execution';

const USAGE = 'usage: npm run compact [-- --no-wait]';
const HELP = `Compacts the streamed events now: starts the ETL state machine with {"mode":"events"}, as its schedule
does, on the running local lake (or in this process when none runs), waits for the outcome and prints the rows
compacted per table, or why there was nothing to compact.
  --no-wait          only start it (npm run executions shows how it went)`;

cliMain('compaction', async () => {
  let parsed;
  try {
    parsed = cliArgs(process.argv.slice(2), { 'no-wait': { type: 'boolean' } }, { usage: USAGE, help: HELP });
    if (parsed !== 'help' && parsed.positionals.length > 0)
      throw new UsageError(`no arguments but --no-wait (got '${parsed.positionals.join(' ')}')\n${USAGE}`);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${e.message}\n`);
    return 2;
  }
  if (parsed === 'help') return 0;
  return runEtlExecution({ input: { mode: 'events' }, prefix: 'compact', wait: !parsed.values['no-wait'] });
});
