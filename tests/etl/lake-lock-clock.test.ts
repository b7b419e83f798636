/**
 * A lock or takeover guard whose time is ahead of the clock (the clock stepped back, or the folder was copied from
 * a machine whose clock ran ahead): its age is unknown, not young. An unreadable lake lock — left by a process killed
 * between creating and writing it — so dated was taken for one being written for as long as the clock took to catch
 * up (an hour ahead: every ETL run waited in WaitForLake for an hour); it is taken over as a stale one is.
 */
import { promises as fs, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lockLake } from '../../lib/etl/duckdb-runner/lake-lock';
import { removeStaleFile } from '../../lib/stale-file';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

async function curated(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lake-lock-clock-'));
  dirs.push(dir);
  await fs.mkdir(path.join(dir, '_state', 'locks'), { recursive: true });
  return dir;
}

const HOUR_AHEAD = () => new Date(Date.now() + 3600_000);

it('takes over an empty lake lock dated an hour ahead of the clock', async () => {
  const dir = await curated();
  const lock = path.join(dir, '_state', 'locks', '_lake.lock');
  await fs.writeFile(lock, '');
  utimesSync(lock, HOUR_AHEAD(), HOUR_AHEAD());
  const unlock = await lockLake(dir, 'run-after-the-step');
  expect(JSON.parse(await fs.readFile(lock, 'utf8'))).toMatchObject({ runId: 'run-after-the-step' });
  await unlock();
});

it('still waits for an empty lake lock written a moment ago (it may be being written)', async () => {
  const dir = await curated();
  const lock = path.join(dir, '_state', 'locks', '_lake.lock');
  await fs.writeFile(lock, '');
  await expect(lockLake(dir, 'second')).rejects.toThrow();
});

it('removes a takeover guard dated an hour ahead, as one left by a process that died', async () => {
  const dir = await curated();
  const file = path.join(dir, 'claim');
  await fs.writeFile(file, 'stale');
  await fs.writeFile(`${file}.takeover`, '');
  utimesSync(`${file}.takeover`, HOUR_AHEAD(), HOUR_AHEAD());
  expect(await removeStaleFile(file, 'stale')).toBe(false); // the guard found: removed, the file left this time
  expect(await removeStaleFile(file, 'stale')).toBe(true);
});
