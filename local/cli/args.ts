/**
 * The CLIs' arguments (node:util parseArgs): `--help`/`-h` prints the usage and exits 0; an unknown option, a missing
 * value, an option given twice or a second `--` is a usage error (exit 2) that says what was wrong in a line of its own, then the usage —
 * not parseArgs' hint about placing positional arguments after '--', which npm's own `--` makes confusing.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  override name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** A command's usage line (with every usage error), and what --help prints after it: what each form does. */
export interface CliUsage {
  usage: string;
  help: string;
}

/**
 * The parsed arguments, or 'help' when asked for it (the usage is printed, then the help when given). Throws
 * UsageError.
 */
export function cliArgs<O extends Options>(
  argv: string[],
  options: O,
  usageOrHelp: string | CliUsage,
  out: NodeJS.WritableStream = process.stdout,
) {
  const usage = typeof usageOrHelp === 'string' ? usageOrHelp : usageOrHelp.usage;
  if (argv.includes('--'))
    throw new UsageError(
      "one '--' is enough: npm passes what follows the first to the command, and a second makes the options after " +
        `it arguments (${argv.slice(argv.indexOf('--') + 1).join(' ')})\n${usage}`,
    );
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
    });
  } catch (e) {
    throw new UsageError(`${usageProblem((e as Error).message, options)}\n${usage}`);
  }
  // parseArgs keeps the last of an option given twice: a script's two values would be one, silently.
  for (const name of Object.keys(options)) {
    const given = argv.filter((a) => a === `--${name}` || a.startsWith(`--${name}=`)).length;
    if (given > 1) throw new UsageError(`--${name} is given ${given} times: give it once\n${usage}`);
  }
  if ((parsed.values as { help?: boolean }).help) {
    out.write(typeof usageOrHelp === 'string' ? `${usage}\n` : `${usage}\n\n${usageOrHelp.help}\n`);
    return 'help' as const;
  }
  return parsed;
}

/** parseArgs' complaint in one line of our own: its hints are several lines, one about '--' placement. */
function usageProblem(message: string, options: Options): string {
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option '${unknown[1]}'`;
  // "Option '--limit' argument is ambiguous. Did you forget …? To specify an option argument starting with a dash …"
  // (A short option is named alone: "Option '-l' argument is ambiguous"; its long name is given in the config.)
  const ambiguous = /^Option '(?:-\w, )?(--?[^' ]+)' argument is ambiguous/.exec(message);
  if (ambiguous) {
    const given = ambiguous[1]!;
    const long = given.startsWith('--')
      ? given
      : `--${Object.entries(options).find(([, o]) => o.short === given.slice(1))?.[0] ?? given.slice(1)}`;
    return `${given} takes a value, and what follows it is an option; a value that starts with a dash is written ${long}=-…`;
  }
  // "Option '-l, --limit <value>' argument missing"
  const missing = /^Option '(?:-\w, )?(--[^' ]+) <value>' argument missing/.exec(message);
  if (missing) return `${missing[1]} takes a value: ${missing[1]} <value>`;
  return message.split('\n')[0]!;
}
