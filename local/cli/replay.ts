/**
 * `npm run replay -- <table>`: runs again, through the table's current plan, the raw objects its rejected rows came
 * from (those no earlier replay took) — starts the ETL state machine with {"mode":"replay","table":"<table>"}. Prints
 * the outcome and the run's figures, with the sources read and those that no longer exist (replay.missing). Exit
 * code 0 when it succeeded, 1 when it failed (or the table's schema file does not read), 2 on a usage error.
 */
import './quiet-logs';
import { cliMain, runEtlExecution } from './etl-execution';
import { tableCommand } from './table-mode';

cliMain('the replay', async () => {
  const args = tableCommand('replay', process.argv.slice(2));
  if (typeof args === 'number') return args;
  return runEtlExecution({
    input: { mode: 'replay', table: args.table },
    prefix: `replay-${args.table}`,
    wait: args.wait,
  });
});
