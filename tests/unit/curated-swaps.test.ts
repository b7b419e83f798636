/**
 * The seqlock between the ETL's partition swaps and the query engine's listings (lib/curated-swaps.ts), across
 * processes: two lakes in one pid namespace both serve a folder, and a query of one lists a table's files only
 * when no swap of the other runs, and again when one began and ended meanwhile.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beginSwap, betweenSwaps } from '../../lib/curated-swaps';
import { processTag, thisProcess } from '../../lib/process-identity';

let curated: string;
let child: ChildProcess | undefined;
beforeEach(() => {
  curated = mkdtempSync(path.join(os.tmpdir(), 'swaps-'));
});
afterEach(() => {
  child?.kill();
  child = undefined;
  rmSync(curated, { recursive: true, force: true });
});

const swapping = () => path.join(curated, '_state', 'swapping');

/** The process tag of another running process (a child that sleeps). */
function otherProcessTag(): string {
  child = spawn('sleep', ['30']);
  const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
  const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
  return processTag({ pid: child.pid!, start, boot: thisProcess().boot });
}

it("waits while another process swaps the table's partitions, then lists", async () => {
  mkdirSync(swapping(), { recursive: true });
  const marker = path.join(swapping(), `orders~${otherProcessTag()}~1`);
  writeFileSync(marker, '');
  let listedAt = 0;
  const removedAt = Date.now() + 200;
  setTimeout(() => rmSync(marker), 200);
  const listed = await betweenSwaps(curated, 'orders', async () => {
    listedAt = Date.now();
    return 'files';
  });
  expect(listed).toBe('files');
  expect(listedAt).toBeGreaterThanOrEqual(removedAt - 5);
  // Another table's swap does not hold this one's listing.
  writeFileSync(path.join(swapping(), `signup~${otherProcessTag()}~2`), '');
  await expect(betweenSwaps(curated, 'orders', async () => 'now')).resolves.toBe('now');
});

it('lists again when a swap of another process began and ended while it listed (its generation changed)', async () => {
  mkdirSync(swapping(), { recursive: true });
  writeFileSync(path.join(swapping(), 'orders.gen'), 'a');
  let calls = 0;
  const listed = await betweenSwaps(curated, 'orders', async () => {
    if (++calls === 1) writeFileSync(path.join(swapping(), 'orders.gen'), 'b');
    return calls;
  });
  expect(listed).toBe(2);
});

it('takes a marker whose process is gone (a crash mid-swap) as stale, and removes it', async () => {
  mkdirSync(swapping(), { recursive: true });
  const stale = path.join(swapping(), 'orders~999999999.1.abc~1');
  writeFileSync(stale, '');
  await expect(betweenSwaps(curated, 'orders', async () => 'listed')).resolves.toBe('listed');
  expect(existsSync(stale)).toBe(false);
});

it("marks this process's swap on disk while it runs, for the others", () => {
  const end = beginSwap(curated, 'orders');
  const gen = readFileSync(path.join(swapping(), 'orders.gen'), 'utf8');
  expect(readdirSync(swapping()).filter((n) => n.startsWith('orders~'))).toEqual([
    expect.stringMatching(new RegExp(`^orders~${processTag().replace(/\./g, '\\.')}~\\d+$`)),
  ]);
  end();
  expect(readFileSync(path.join(swapping(), 'orders.gen'), 'utf8')).not.toBe(gen);
  expect(readdirSync(swapping()).filter((n) => n.startsWith('orders~'))).toEqual([]);
});
