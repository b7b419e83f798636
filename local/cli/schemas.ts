/**
 * `npm run schemas:check`: compares every schema of schemas/ with what its table holds (schemas/history/), one line
 * per changed table; exit status 1 with every violation — the table, the column, the rule and what to do instead —
 * when a change is not safe (lib/catalog/compat.ts). `npm run schemas:accept`: the same check, then records the new
 * versions in schemas/history/ (commit them with the schemas). `--dir <schemas folder>` checks another folder. The
 * project's schemas are also judged against the versions its local lake has used (local/schemas-in-use.ts). Exit
 * status 2 on a usage error (an unknown option, a folder that holds no schemas).
 */
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { checkSchemas, formatReport, recordSchemas } from '../../lib/catalog/schema-check';
import { schemaFiles, schemasDir } from '../../lib/catalog/tables';
import { fromWhereTyped, lakeDir, relativeToWhereTyped } from '../../lib/config';
import { readSchemasInUse } from '../schemas-in-use';
import { cliArgs, UsageError } from './args';
import { quietWhenOutputClosed } from './exit';

const USAGE = 'usage: npm run schemas:check|schemas:accept [-- --dir <schemas folder>]';
const HELP = `schemas:check      compares every schema of schemas/ with what its table holds (schemas/history/ and the
                   versions the local lake has used): one line per changed table; exit status 1 with every change
                   that is not safe, naming the table, the column, the rule and what to do instead
schemas:accept     the same check, then records the new versions in schemas/history/ (commit them with the schemas)
  --dir <folder>   checks another schemas folder`;

function main(argv: string[]): number {
  let parsed;
  try {
    parsed = cliArgs(argv, { dir: { type: 'string' } }, { usage: USAGE, help: HELP });
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${e.message}\n`);
    return 2;
  }
  if (parsed === 'help') return 0;
  const { values, positionals } = parsed;
  const command = positionals[0] ?? 'check';
  if (command !== 'check' && command !== 'accept') {
    process.stderr.write(`${USAGE} (got '${positionals.join(' ')}')\n`);
    return 2;
  }
  if (positionals.length > 1) {
    // The words after the npm script's own (check or accept): what the user typed.
    process.stderr.write(`no arguments but --dir (got '${positionals.slice(1).join(' ')}')\n${USAGE}\n`);
    return 2;
  }
  if (values.dir === '') {
    process.stderr.write(`--dir needs a folder\n${USAGE}\n`);
    return 2;
  }
  const dir = values.dir ? fromWhereTyped(values.dir) : schemasDir;
  // A folder without schemas would pass as "0 tables, all as recorded": a mistyped --dir in a gate must not.
  if (schemaFiles(dir).length === 0) {
    process.stderr.write(`${dir} holds no schemas (none in events/ or datasets/)\n${USAGE}\n`);
    return 2;
  }
  // The project's schemas are judged against what its local lake has used too (local/schemas-in-use.ts).
  const lake = lakeDir();
  // The project's folder by any of its names (a link, a relative path): its real path.
  const project = realpathSync(dir) === realpathSync(schemasDir);
  const inUse = project && existsSync(lake) ? readSchemasInUse(lake) : undefined;
  let report: ReturnType<typeof checkSchemas>;
  try {
    report = checkSchemas(dir, undefined, inUse);
  } catch (e) {
    // A history file that does not read (a hand edit, a merge conflict): said in one line, as npm start says it.
    process.stderr.write(
      `${(e as Error).message}: restore it from version control (git checkout -- schemas/history/), then check again\n`,
    );
    return 1;
  }
  for (const line of formatReport(report)) process.stdout.write(line + '\n');
  if (report.violations.length) {
    process.stdout.write(
      `${report.violations.length} schema change(s) refused: nothing takes effect until they are fixed\n`,
    );
    return 1;
  }
  if (command === 'accept') {
    const recorded = recordSchemas(report, dir);
    process.stdout.write(
      recorded.length
        ? `recorded: ${recorded.map((t) => `${t} v${report.tables.find((r) => r.table === t)!.version}`).join(', ')} ` +
            `(${relativeToWhereTyped(path.join(dir, 'history')) || '.'}/): commit them with the schemas\n`
        : 'nothing to record: every table is as recorded\n',
    );
  } else if (report.unrecorded.length) {
    process.stdout.write(
      `compatible; not recorded yet: ${report.unrecorded.join(', ')} (npm run schemas:accept)\n`,
    );
  } else process.stdout.write(`${report.tables.length} tables, all as recorded\n`);
  return 0;
}

// A reader that closes the pipe (schemas:check | head -1) is no failure: accept has recorded what it says.
quietWhenOutputClosed();
process.exitCode = main(process.argv.slice(2));
