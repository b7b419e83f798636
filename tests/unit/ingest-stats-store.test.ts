/**
 * The local lake's ingest statistics store (lib/ingest-stats/local-store.ts) when an append fails (a full disk): the
 * counts are kept and appended at a later flush, and a line an append left cut short does not swallow the next one.
 */
import fsSync, { promises as fs } from 'node:fs';
import path from 'node:path';
import { LocalIngestStats, statsDir } from '../../lib/ingest-stats/local-store';
import { tempLake } from '../support/raw-zone';

const at = new Date();
const day = at.toISOString().slice(0, 10);
const window = {
  from: new Date(at.getTime() - 3_600_000),
  to: new Date(at.getTime() + 60_000),
  bucketMinutes: 60,
};
const accepted = async (store: LocalIngestStats) =>
  (await store.read(window)).series.reduce((n, p) => n + p.accepted, 0);
const outcome = (n: number) => ({
  at,
  accepted: new Map([['page_view', n]]),
  refused: new Map(),
  refusals: [],
});

it('keeps the counts of an append that failed, and appends them at the next flush', async () => {
  const lake = await tempLake('ingest-stats-store');
  const store = new LocalIngestStats(lake);
  store.record(outcome(3));
  // The disk is full: the append fails.
  const append = jest.spyOn(fsSync, 'appendFileSync').mockImplementationOnce(() => {
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  });
  store.flush();
  expect(append).toHaveBeenCalledTimes(1);
  append.mockRestore();
  expect(await accepted(store)).toBe(3); // still counted by this process
  expect(await accepted(new LocalIngestStats(lake))).toBe(0); // not appended yet
  store.record(outcome(2));
  store.flush();
  expect(await accepted(new LocalIngestStats(lake))).toBe(5); // another process reads them all, once
  store.flush();
  expect(await accepted(new LocalIngestStats(lake))).toBe(5);
});

it('starts its lines on a line of their own after an append cut short', async () => {
  const lake = await tempLake('ingest-stats-torn');
  await fs.mkdir(statsDir(lake), { recursive: true });
  const file = path.join(statsDir(lake), `${day}.jsonl`);
  await fs.writeFile(file, `{"m":${at.getTime() - 60_000},"c":{"page_view":[7,0]}}\n{"m":12`);
  const store = new LocalIngestStats(lake);
  store.record(outcome(4));
  store.flush();
  expect(await accepted(new LocalIngestStats(lake))).toBe(11);
});

it('counts once a line an append that failed part way had written whole, when it is appended again', async () => {
  const lake = await tempLake('ingest-stats-partial');
  const store = new LocalIngestStats(lake);
  const minute = (k: number) => ({ ...outcome(1), at: new Date(at.getTime() - k * 60_000) });
  for (let k = 0; k < 3; k++) store.record(minute(k)); // three minutes: three lines in one append
  // The disk fills after the first line: it is written whole, then the append fails.
  const real = fsSync.appendFileSync;
  const append = jest.spyOn(fsSync, 'appendFileSync').mockImplementationOnce((file, data) => {
    real(file, String(data).split('\n')[0] + '\n');
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  });
  store.flush();
  append.mockRestore();
  expect(await accepted(new LocalIngestStats(lake))).toBe(1); // the line written
  expect(await accepted(store)).toBe(3); // this process counts the rest it holds, not the written line twice
  store.flush(); // room again: the three lines appended again, the first one a second time
  expect(await accepted(new LocalIngestStats(lake))).toBe(3);
});

it("holds one batch of lines and a minute's counts however many flushes fail while the disk stays full", async () => {
  const lake = await tempLake('ingest-stats-full');
  const store = new LocalIngestStats(lake);
  const tried: number[] = [];
  const append = jest.spyOn(fsSync, 'appendFileSync').mockImplementation((_file, data) => {
    tried.push(String(data).length);
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  });
  try {
    for (let i = 0; i < 20; i++) {
      store.record(outcome(1));
      store.flush();
    }
  } finally {
    append.mockRestore();
  }
  // Each failed flush tried the same one-line batch again: the counts since wait in pending, merged.
  expect(new Set(tried).size).toBe(1);
  expect(await accepted(store)).toBe(20);
  store.flush(); // room again: the batch, then the counts held since
  expect(await accepted(new LocalIngestStats(lake))).toBe(20);
});
