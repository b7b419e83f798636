/**
 * Removing a file a process that is gone left (a lock, a claim), by one process only: several that judged the same
 * stale file at once could otherwise each remove what another created after it, and all go on as its new holder.
 */
import { promises as fs } from 'node:fs';

/** A takeover guard older than this was left by a process that died taking a stale file over. */
const TAKEOVER_GUARD_STALE_MS = 10_000;

/**
 * Removes `file` if it still holds `staleText` (the stale holder judged), one process at a time: a guard file
 * created exclusively. A process that finds the guard taken leaves the file to that one (and removes a guard left by
 * a process that died holding it). True when this call removed it: the caller is the one to take over.
 */
export async function removeStaleFile(file: string, staleText: string | undefined): Promise<boolean> {
  const guard = `${file}.takeover`;
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(guard, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const age =
      Date.now() -
      (await fs.stat(guard).then(
        (st) => st.mtimeMs,
        () => Date.now(),
      ));
    // Dated ahead of the clock (it stepped back): no age to wait for either.
    if (Math.abs(age) > TAKEOVER_GUARD_STALE_MS) await fs.rm(guard, { force: true });
    return false;
  }
  try {
    await fh.close();
    const now = await fs.readFile(file, 'utf8').catch(() => undefined);
    if (now !== staleText) return false;
    await fs.rm(file, { force: true });
    return true;
  } finally {
    await fs.rm(guard, { force: true });
  }
}
