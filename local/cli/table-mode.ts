/**
 * The arguments of `npm run replay -- <table>` and `npm run rebuild -- <table>`: the table (one of the lake's) and
 * --no-wait. Refuses anything else with the usage.
 */
import { parseArgs } from 'node:util';
import { lakeTables } from '../../lib/catalog/tables';

export function tableArgument(mode: 'replay' | 'rebuild', argv: string[]): { table: string; wait: boolean } {
  const names = lakeTables().map((t) => t.name);
  const usage = `usage: npm run ${mode} -- <table> [--no-wait]   (tables: ${names.join(', ')})`;
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { 'no-wait': { type: 'boolean' } } });
  } catch {
    throw new UsageError(usage);
  }
  const rest = parsed.positionals;
  const wait = !parsed.values['no-wait'];
  if (rest.length !== 1) throw new UsageError(usage);
  if (!names.includes(rest[0]!)) throw new UsageError(`no table '${rest[0]}'\n${usage}`);
  return { table: rest[0]!, wait };
}

export class UsageError extends Error {
  override name = 'UsageError';
}
