/** npm run validators: generates lib/validators/generated/ from schemas/ (lib/validators/build.ts). */
import path from 'node:path';
import { buildValidators } from '../../lib/validators/build';

if (process.argv.length > 2) {
  process.stderr.write(
    `usage: npm run validators (no arguments; got '${process.argv.slice(2).join(' ')}')\n`,
  );
  process.exit(2);
}
const written = buildValidators();
process.stdout.write(
  written.length
    ? `generated ${written.map((f) => path.relative(process.cwd(), f)).join(', ')}\n`
    : 'validators are up to date with schemas/\n',
);
