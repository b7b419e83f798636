/**
 * `npm run replay -- <table>`: runs again, through the table's current plan, the raw objects its rejected rows came
 * from (those no earlier replay took) — starts the ETL state machine with {"mode":"replay","table":"<table>"}. Prints
 * the outcome and the run's figures, with the sources read and those that no longer exist (replay.missing). Exit
 * code 0 when it succeeded, 1 when it failed, 2 on a usage error.
 */
import './quiet-logs';
import { cliMain, runEtlExecution } from './etl-execution';
import { tableArgument, UsageError } from './table-mode';

cliMain('the replay', async () => {
  let args;
  try {
    args = tableArgument('replay', process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${e.message}\n`);
    return 2;
  }
  if (args === 'help') return 0;
  return runEtlExecution({
    input: { mode: 'replay', table: args.table },
    prefix: `replay-${args.table}`,
    wait: args.wait,
  });
});
