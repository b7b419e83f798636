/**
 * Which files a process on this machine holds open for writing, read from Linux's /proc (each process's fd links and
 * their fdinfo flags). The uploads watcher waits for a file's writer to close it: a copy that pauses for longer than
 * the watcher's quiet interval was checked half written — and a quarantine then moved the open file, so that the rest
 * of the writer's data went into quarantine with it. On S3 a partly written object is never visible. Where /proc
 * cannot be read (another OS, another user's processes), nothing is known to be open: the quiet interval alone rules.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** O_ACCMODE of open(2): O_WRONLY is 1, O_RDWR 2. */
const ACCESS_MODE = 0o3;

/** The files of `files` (as given) that some process holds open for writing, each with one such process's id. */
export async function openForWriting(files: readonly string[]): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  if (files.length === 0) return found;
  // /proc's links name a file by its real path: each given path by its own.
  const wanted = new Map<string, string>();
  for (const f of files) wanted.set(await fs.realpath(f).catch(() => path.resolve(f)), f);
  const pids = await fs.readdir('/proc').catch(() => [] as string[]);
  for (const pid of pids) {
    if (!/^\d+$/.test(pid)) continue;
    const fds = await fs.readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const target = await fs.readlink(`/proc/${pid}/fd/${fd}`).catch(() => undefined);
      const file = target === undefined ? undefined : wanted.get(target);
      if (file === undefined || found.has(file)) continue;
      const info = await fs.readFile(`/proc/${pid}/fdinfo/${fd}`, 'utf8').catch(() => '');
      const flags = /^flags:\s*([0-7]+)$/m.exec(info)?.[1];
      if (flags !== undefined && (parseInt(flags, 8) & ACCESS_MODE) !== 0) found.set(file, Number(pid));
    }
  }
  return found;
}
