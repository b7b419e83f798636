/**
 * fsyncAll (the ETL's staged files and folders, several at a time): each path synced once, and a failure reported only
 * once every other fsync has settled — the batch is discarded right after, and no sync of it may still be running.
 */
import { promises as fs, readlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fsyncAll } from '../../lib/etl/duckdb-runner/fsync-all';

let dir: string;
let proto: { sync: () => Promise<void> };

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fsync-all-'));
  const fh = await fs.open(path.join(dir, 'probe'), 'w');
  proto = Object.getPrototypeOf(fh) as { sync: () => Promise<void> };
  await fh.close();
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));
afterEach(() => jest.restoreAllMocks());

async function files(n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const f = path.join(dir, `f-${i}-${Math.random().toString(36).slice(2)}`);
    await fs.writeFile(f, `file ${i}`);
    out.push(f);
  }
  return out;
}

it('syncs every file and folder once, duplicates included only once', async () => {
  const original = proto.sync;
  const synced: string[] = [];
  jest.spyOn(proto, 'sync').mockImplementation(function (this: { fd: number }) {
    synced.push(readlinkSync(`/proc/self/fd/${this.fd}`));
    return original.call(this);
  });
  const fs40 = await files(40);
  await fsyncAll([...fs40, fs40[0]!], [dir, dir]);
  expect([...synced].sort()).toEqual([...fs40, dir].sort());
});

it('reports a failure only after the other fsyncs have finished', async () => {
  const original = proto.sync;
  const [bad, slow, ...rest] = await files(20);
  const finished: string[] = [];
  jest.spyOn(proto, 'sync').mockImplementation(async function (this: { fd: number }) {
    const p = readlinkSync(`/proc/self/fd/${this.fd}`);
    if (p === bad) throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    if (p === slow) await new Promise((r) => setTimeout(r, 300));
    await original.call(this);
    finished.push(p);
  });
  await expect(fsyncAll([bad!, slow!, ...rest], [dir])).rejects.toThrow('EIO');
  expect([...finished].sort()).toEqual([slow!, ...rest, dir].sort());
});
