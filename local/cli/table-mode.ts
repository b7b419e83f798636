/**
 * The arguments of `npm run replay -- <table>` and `npm run rebuild -- <table>`: the table (one of the lake's) and
 * --no-wait (--help prints the usage). Refuses anything else with the usage.
 */
import { lakeTables, schemaFiles, schemasDir } from '../../lib/catalog/tables';
import { cliArgs, UsageError } from './args';

export { UsageError } from './args';

export function tableArgument(
  mode: 'replay' | 'rebuild',
  argv: string[],
  dir = schemasDir,
): { table: string; wait: boolean } | 'help' {
  const names = lakeTables(dir).map((t) => t.name);
  const usage = `usage: npm run ${mode} -- <table> [--no-wait]   (tables: ${names.join(', ')})`;
  const parsed = cliArgs(argv, { 'no-wait': { type: 'boolean' } }, usage);
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
      throw new UsageError(`table '${rest[0]}' cannot be read: ${unread.error} (npm run schemas:check)`);
    throw new UsageError(`no table '${rest[0]}'\n${usage}`);
  }
  return { table: rest[0]!, wait };
}
