/**
 * A small real filesystem for disk-full tests: a tmpfs of a few MiB mounted on a new temporary folder (as root, as
 * CI runs), and ballast files that fill it to a chosen free space. Where it cannot be mounted (not root, no mount
 * permission in a container) the tests that need it are skipped, and say why.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, promises as fs, rmSync, statfsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type Tmpfs = { dir: string; unmount: () => void } | { skip: string };

/** Mounts a tmpfs of `sizeMiB` MiB (synchronously: tests decide at load time whether to run). */
export function mountTmpfs(name: string, sizeMiB: number): Tmpfs {
  if (process.platform !== 'linux') return { skip: `a tmpfs needs Linux (this is ${process.platform})` };
  if (process.getuid?.() !== 0) return { skip: 'mounting a tmpfs needs root (CI runs as root)' };
  const dir = mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return { skip: `mount -t tmpfs failed: ${(r.stderr || r.error?.message || '').trim()}` };
  }
  return {
    dir,
    unmount: () => {
      spawnSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Bytes free on the filesystem of `dir`. */
export const freeBytes = (dir: string) => {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
};

/**
 * Fills the filesystem of `dir` with a ballast file until `leaveBytes` (rounded to pages) are free; removing the
 * file frees the space again.
 */
export async function fillUntilFree(dir: string, file: string, leaveBytes: number): Promise<void> {
  const fh = await fs.open(path.join(dir, file), 'w');
  try {
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    for (;;) {
      const room = freeBytes(dir) - leaveBytes;
      if (room <= 0) break;
      await fh.write(chunk, 0, Math.min(chunk.length, room));
    }
  } finally {
    await fh.close();
  }
}
