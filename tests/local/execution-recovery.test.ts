/** The local engine's recovery at start (local/step-functions/execution-recovery.ts): what it cannot read, it names. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ETL_STATE_MACHINE, executionsDir } from '../../lib/workflow/local';
import { executionsToResume } from '../../local/step-functions/execution-recovery';
import { tempLake } from '../support/raw-zone';

it('names an execution record that does not read (one cut short by a crash), and leaves it out', async () => {
  const lake = await tempLake('recovery-damaged');
  const dir = executionsDir(lake, ETL_STATE_MACHINE);
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'orders-o-csv-0123456789abcdef0123456789abcdef.json'), '{"trunc\n');
  const errors: unknown[][] = [];
  const log = { info: () => {}, warn: () => {}, error: (...args: unknown[]) => void errors.push(args) };
  expect(await executionsToResume(lake, ETL_STATE_MACHINE, log, async () => {})).toEqual([]);
  expect(errors).toEqual([
    [
      expect.stringMatching(
        /^an execution record does not read: it is left out, not run again .*Damaged state files/,
      ),
      {
        record: path.join(dir, 'orders-o-csv-0123456789abcdef0123456789abcdef.json'),
        error: expect.stringMatching(/\S/),
      },
    ],
  ]);
});
