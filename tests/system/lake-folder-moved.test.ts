/**
 * The local lake's folder moved while the lake runs: the lake stops at once (its heartbeat file is gone with the
 * folder, as when another lake takes it over), saying that the folder was moved and to start it with LAKE_DIR naming
 * where it is now — not that another lake took it over, as it said with no other lake anywhere.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLakeProcess, type LakeProcess } from '../support/lake-process';

let lake: LakeProcess | undefined;
let root: string;

afterEach(async () => {
  if (lake && lake.child.exitCode === null) await lake.kill('SIGKILL');
  await fs.rm(root, { recursive: true, force: true });
});

it('stops, naming the moved folder, when its folder is moved while it runs', async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'lake-moved-'));
  const dir = path.join(root, 'lake');
  lake = await startLakeProcess({ LAKE_DIR: dir });
  await fs.rename(dir, path.join(root, 'moved'));
  const code = await Promise.race([
    lake.exited,
    new Promise((_, reject) => setTimeout(() => reject(new Error(lake!.output())), 60_000)),
  ]);
  expect(code).toBe(75);
  expect(lake.output()).toContain(
    `the lake's folder ${dir} was moved, deleted or replaced while the lake ran: this lake stops at once`,
  );
  expect(lake.output()).not.toMatch(/judged this lake gone/);
}, 120_000);
