/**
 * `npm run schemas:check`: compares every schema of schemas/ with what its table holds (schemas/history/), one line
 * per changed table; exit status 1 with every violation — the table, the column, the rule and what to do instead —
 * when a change is not safe (lib/catalog/compat.ts). `npm run schemas:accept`: the same check, then records the new
 * versions in schemas/history/ (commit them with the schemas). `--dir <schemas folder>` checks another folder.
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { checkSchemas, formatReport, recordSchemas } from '../../lib/catalog/schema-check';
import { schemasDir } from '../../lib/catalog/tables';

function main(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { dir: { type: 'string' } },
    allowPositionals: true,
  });
  const command = positionals[0] ?? 'check';
  if (command !== 'check' && command !== 'accept') {
    process.stderr.write(`usage: schemas [check|accept] [--dir <schemas folder>] (got '${command}')\n`);
    return 2;
  }
  const dir = values.dir ? path.resolve(values.dir) : schemasDir;
  const report = checkSchemas(dir);
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
            `(${path.relative(process.cwd(), path.join(dir, 'history')) || 'history'}/): commit them with the schemas\n`
        : 'nothing to record: every table is as recorded\n',
    );
  } else if (report.unrecorded.length) {
    process.stdout.write(
      `compatible; not recorded yet: ${report.unrecorded.join(', ')} (npm run schemas:accept)\n`,
    );
  } else process.stdout.write(`${report.tables.length} tables, all as recorded\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
