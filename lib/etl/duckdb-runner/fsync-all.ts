/**
 * Makes a batch's staged files and folders durable, several at a time: the disk takes concurrent fsyncs together
 * (90 partition files and their folders: ~0.1 s one after the other, ~0.03 s 16 at a time on this kind of machine),
 * and nothing waits on their order — the journal, written after all of them, is the commit point.
 */
import pLimit from 'p-limit';
import { fsyncDir, fsyncFile } from '../../durable-fs';

/** How many fsyncs run at once (libuv's thread pool runs at most 4 of them at a time by default). */
const CONCURRENT_FSYNCS = 16;

/**
 * Syncs every file and folder given (each once, in no particular order) and returns once all have finished: a
 * failure is thrown after the others settled, so that no fsync of the batch still runs when the caller discards it.
 */
export async function fsyncAll(files: string[], dirs: string[]): Promise<void> {
  const limit = pLimit(CONCURRENT_FSYNCS);
  const results = await Promise.allSettled([
    ...[...new Set(files)].map((f) => limit(() => fsyncFile(f))),
    ...[...new Set(dirs)].map((d) => limit(() => fsyncDir(d))),
  ]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
