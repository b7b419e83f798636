/**
 * The lake folder's format (lib/lake-format.ts): recorded by the first version that opens the folder; a folder of a
 * newer format is refused, naming both, by npm start and by the commands that run an execution in their own
 * process, before anything is written (an older version rewrote partitions without the columns it did not know).
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { claimLakeFormat, LAKE_FORMAT, LAKE_FORMAT_FILE, LakeFormatError } from '../../lib/lake-format';
import { tempLake } from '../support/raw-zone';

const ROOT = path.resolve(__dirname, '../..');

async function node(args: string[], env: Record<string, string>) {
  try {
    const r = await promisify(execFile)(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

it('records the format of a new folder, keeps its own, and refuses a newer or damaged one', async () => {
  const dir = await tempLake('lake-format');
  await claimLakeFormat(dir);
  expect(JSON.parse(await fs.readFile(path.join(dir, LAKE_FORMAT_FILE), 'utf8'))).toEqual({
    format: LAKE_FORMAT,
  });
  await claimLakeFormat(dir);
  await fs.writeFile(path.join(dir, LAKE_FORMAT_FILE), JSON.stringify({ format: LAKE_FORMAT + 1 }));
  await expect(claimLakeFormat(dir)).rejects.toThrow(LakeFormatError);
  await expect(claimLakeFormat(dir)).rejects.toThrow(
    new RegExp(
      `is of a newer version of the project \\(lake format ${LAKE_FORMAT + 1}; this version knows format ${LAKE_FORMAT}\\)`,
    ),
  );
  await fs.writeFile(path.join(dir, LAKE_FORMAT_FILE), '{"format": "one"}');
  await expect(claimLakeFormat(dir)).rejects.toThrow(/lake-format\.json is damaged/);
});

it('npm start, npm run compact and a retry refuse a folder of a newer version before writing anything', async () => {
  const dir = await tempLake('lake-format-start');
  await fs.mkdir(path.join(dir, 'raw'), { recursive: true });
  await fs.writeFile(path.join(dir, LAKE_FORMAT_FILE), JSON.stringify({ format: LAKE_FORMAT + 1 }));
  const before = (await fs.readdir(dir)).sort();
  const start = await node(['--import', 'tsx', 'local/main.ts'], { LAKE_DIR: dir, PORT: '0' });
  expect(start.code).toBe(1);
  expect(start.out).toMatch(
    /failed to start the local data lake: the lake in .* is of a newer version of the project/,
  );
  expect(start.out).not.toMatch(/\n\s+at /);
  const compact = await node(['--import', 'tsx', 'local/cli/compact.ts'], { LAKE_DIR: dir });
  expect(compact.code).toBe(1);
  expect(compact.out).toMatch(/nothing ran: the lake in .* is of a newer version of the project/);
  // A retry writes a request into the folder: refused as well.
  const retry = await node(['--import', 'tsx', 'local/cli/executions.ts', 'retry', 'compact-x'], {
    LAKE_DIR: dir,
  });
  expect(retry.code).toBe(1);
  expect(retry.out).toMatch(/nothing requested: the lake in .* is of a newer version of the project/);
  expect((await fs.readdir(dir)).sort()).toEqual(before);
}, 120_000);
