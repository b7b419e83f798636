/**
 * `npm run rebuild -- <table>`: runs every raw object of the table again through its current plan, merged with its
 * rows (a dataset's uploads, an event type's raw objects; rows whose raw object is gone are kept, renamed columns
 * filled everywhere) — starts the ETL state machine with {"mode":"rebuild","table":"<table>"}. Prints the outcome and
 * the run's figures. Exit code 0 when it succeeded, 1 when it failed (or the table's schema file does not read), 2 on a usage error.
 */
import './quiet-logs';
import { cliMain, runEtlExecution } from './etl-execution';
import { tableCommand } from './table-mode';

cliMain('the rebuild', async () => {
  const args = tableCommand('rebuild', process.argv.slice(2));
  if (typeof args === 'number') return args;
  return runEtlExecution({
    input: { mode: 'rebuild', table: args.table },
    prefix: `rebuild-${args.table}`,
    wait: args.wait,
  });
});
