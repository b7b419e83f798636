/** The uploads watcher's list (local/uploads-seen.ts): what it read back, and the lines it could not. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { appendSeen, readSeen } from '../../local/uploads-seen';
import { tempLake } from '../support/raw-zone';

const entry = (key: string) => ({ key, etag: `e-${key}`, versionId: `v-${key}`, size: 3, mtimeMs: 1 });

it('tells a damaged line before the last one (a disk error, a hand edit), not a torn last line', async () => {
  const file = path.join(await tempLake('uploads-seen'), '.uploads-seen.jsonl');
  for (const key of ['uploads/a/1.csv', 'uploads/a/2.csv', 'uploads/a/3.csv'])
    await appendSeen(file, entry(key));
  const lines = (await fs.readFile(file, 'utf8')).split('\n');
  // The second line cut to 40 characters, the last one torn as by a crash while appending.
  lines[1] = lines[1]!.slice(0, 40);
  lines[2] = lines[2]!.slice(0, 20);
  await fs.writeFile(file, lines.join('\n'));
  const damaged: number[] = [];
  expect((await readSeen(file, (n) => damaged.push(n))).map((e) => e.key)).toEqual(['uploads/a/1.csv']);
  expect(damaged).toEqual([2]);
  // A line that is JSON but no entry is damaged too.
  await fs.writeFile(
    file,
    `${JSON.stringify(entry('uploads/a/1.csv'))}\n{"key": 5}\n${JSON.stringify(entry('x'))}\n`,
  );
  damaged.length = 0;
  expect((await readSeen(file, (n) => damaged.push(n))).map((e) => e.key)).toEqual(['uploads/a/1.csv', 'x']);
  expect(damaged).toEqual([2]);
});
