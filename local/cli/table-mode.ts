/**
 * The arguments of `npm run replay -- <table>` and `npm run rebuild -- <table>`: the table (one of the lake's) and
 * --no-wait (--help prints the usage). Refuses anything else with the usage.
 */
import { lakeTables, schemaFiles, schemasDir } from '../../lib/catalog/tables';
import { cliArgs, UsageError } from './args';

export { UsageError } from './args';

/** The table named has a schema file that does not read: a refused change (exit status 1, nothing runs), not a usage error. */
export class TableUnreadableError extends Error {
  override name = 'TableUnreadableError';
}

/** What --help prints after the usage (README "Replay and rebuild"). */
const MODE_HELP = {
  replay: `Runs again, through the table's current plan, the raw objects its rejected rows came from (those no earlier
replay took): starts the ETL state machine with {"mode":"replay","table":"<table>"}, waits for the outcome and
prints the run's figures, with the sources read and those that no longer exist.
  --no-wait          only start it (npm run executions shows how it went)`,
  rebuild: `Runs every raw object of the table again through its current plan, merged with its rows (a dataset's
accepted uploads, an event type's raw objects; rows whose raw object is gone are kept, renamed columns filled
everywhere): starts the ETL state machine with {"mode":"rebuild","table":"<table>"}, waits for the outcome and
prints the run's figures, with the files skipped.
  --no-wait          only start it (npm run executions shows how it went)`,
};

export function tableArgument(
  mode: 'replay' | 'rebuild',
  argv: string[],
  dir = schemasDir,
): { table: string; wait: boolean } | 'help' {
  const names = lakeTables(dir).map((t) => t.name);
  const usage = `usage: npm run ${mode} -- <table> [--no-wait]   (tables: ${names.join(', ')})`;
  const parsed = cliArgs(argv, { 'no-wait': { type: 'boolean' } }, { usage, help: MODE_HELP[mode] });
  if (parsed === 'help') return parsed;
  const rest = parsed.positionals;
  const wait = !parsed.values['no-wait'];
  if (rest.length === 0) throw new UsageError(`which table?\n${usage}`);
  if (rest.length > 1)
    throw new UsageError(`one table at a time (got ${rest.map((t) => `'${t}'`).join(' ')})\n${usage}`);
  if (!names.includes(rest[0]!)) {
    // A table whose schema file does not read is no table of the lake's now: say why, not that there is none.
    const unread = schemaFiles(dir).find((f) => f.name === rest[0] && f.error);
    if (unread)
      throw new TableUnreadableError(
        `table '${rest[0]}' cannot be read: ${unread.error} (npm run schemas:check)`,
      );
    throw new UsageError(`no table '${rest[0]}'\n${usage}`);
  }
  return { table: rest[0]!, wait };
}

/**
 * A table command's arguments, or its exit code when it ends here (what was wrong on stderr): 0 after --help, 2 on a
 * usage error, 1 when the table's schema file does not read (as for any refused change of schemas/: nothing runs).
 */
export function tableCommand(
  mode: 'replay' | 'rebuild',
  argv: string[],
  dir = schemasDir,
): { table: string; wait: boolean } | number {
  try {
    const args = tableArgument(mode, argv, dir);
    return args === 'help' ? 0 : args;
  } catch (e) {
    if (!(e instanceof UsageError) && !(e instanceof TableUnreadableError)) throw e;
    process.stderr.write(`${e.message}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}
