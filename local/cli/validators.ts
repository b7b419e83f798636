/** npm run validators: generates lib/validators/generated/ from schemas/ (lib/validators/build.ts). */
import { relativeToWhereTyped } from '../../lib/config';
import { buildValidators } from '../../lib/validators/build';
import { quietWhenOutputClosed } from './exit';

quietWhenOutputClosed();

const USAGE = 'usage: npm run validators (no arguments)';
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--help' || args[0] === '-h')) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (args.length > 0) {
  process.stderr.write(`${USAGE}; got '${args.join(' ')}'\n`);
  process.exit(2);
}
let written: string[];
try {
  written = buildValidators();
} catch (e) {
  // A schema file that does not read or compile: its name and the reason, in one line (schemas:check says more).
  process.stderr.write(
    `validators not generated: ${(e as Error).message}\n(npm run schemas:check names every problem)\n`,
  );
  process.exit(1);
}
process.stdout.write(
  written.length
    ? `generated ${written.map((f) => relativeToWhereTyped(f)).join(', ')}\n`
    : 'validators are up to date with schemas/\n',
);
