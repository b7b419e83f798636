/**
 * A LAKE_DIR no lake can live in is refused before anything is written: one on the kernel's /proc or /sys, where no
 * folder can be made (Node's recursive mkdir looped forever on /proc: npm start spun at 100 % CPU, deaf to Ctrl-C).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '../..');

async function start(lakeDir: string): Promise<{ code: number; out: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, LAKE_DIR: lakeDir, PORT: '0' },
      timeout: 60_000,
    });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

it.each([
  ['/proc/lake', 'proc', '/proc'],
  ['/sys/lake/deeper', 'sysfs', '/sys'],
])(
  "refuses %s (the kernel's %s), in one line",
  async (dir, fs, at) => {
    const r = await start(dir);
    expect(r.code).toBe(1);
    expect(r.out.trim()).toBe(
      `failed to start the local data lake: ${dir} (LAKE_DIR) is on the kernel's ${fs} file system (${at}), where no ` +
        'folder can be made: give the lake a folder it may write',
    );
  },
  90_000,
);
