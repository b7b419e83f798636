/**
 * `npm start` on a lake folder on a read-only file system (a container's read-only mount) fails in one line that
 * says so and names the folder, also when the folder is empty: Node's recursive mkdir reports ENOENT there, and the
 * start printed a stack. Needs a mount namespace of its own (root, unshare): CI runs as root.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const canMount =
  process.getuid?.() === 0 && spawnSync('unshare', ['-m', '-fp', '--mount-proc', 'true']).status === 0;

(canMount ? it : it.skip)(
  'refuses a fresh read-only LAKE_DIR in one line naming it',
  () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ro-lake-'));
    try {
      const script = [
        `mount -t tmpfs -o ro,size=1m tmpfs '${dir}'`,
        `PORT=0 LAKE_DIR='${dir}' '${process.execPath}' --import tsx local/main.ts`,
      ].join(' && ');
      const run = spawnSync('unshare', ['-m', '-fp', '--mount-proc', 'bash', '-c', script], {
        cwd: root,
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(run.status).not.toBe(0);
      const lines = run.stderr.trim().split('\n');
      expect(lines.at(-1)).toMatch(
        new RegExp(
          `^failed to start the local data lake: the file system is read-only: give the lake a writable folder under ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(LAKE_DIR; `,
        ),
      );
      expect(run.stderr).not.toMatch(/\n\s+at /); // no stack
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  150_000,
);
