/**
 * A LAKE_DIR no lake can live in is refused before anything is written: one on the kernel's /proc or /sys, where no
 * folder can be made (Node's recursive mkdir looped forever on /proc: npm start spun at 100 % CPU, deaf to Ctrl-C).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '../..');

async function start(
  lakeDir: string,
  env: NodeJS.ProcessEnv = {},
  script = 'local/main.ts',
  args: string[] = [],
): Promise<{ code: number; out: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: ROOT,
      env: { ...process.env, LAKE_DIR: lakeDir, PORT: '0', ...env },
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

it.each([
  ['npm start', 'INGEST_MAX_EVENTS', 'x', 'local/main.ts', 'failed to start the local data lake: '],
  ['npm start', 'LAKE_UPLOADS_POLL_MS', 'x', 'local/main.ts', 'failed to start the local data lake: '],
  ['npm start', 'LAKE_FAULTS', 'bogus', 'local/main.ts', 'failed to start the local data lake: '],
  ['npm run compact', 'LAKE_COMPACTION_INTERVAL_SECONDS', 'x', 'local/cli/compact.ts', ''],
  ['npm run compact', 'LAKE_SFN_RETRY_INTERVAL_MS', 'x', 'local/cli/compact.ts', ''],
])(
  '%s refuses %s=%s before it writes anything in LAKE_DIR',
  async (_, name, value, script, prefix) => {
    const parent = mkdtempSync(path.join(os.tmpdir(), 'refused-setting-'));
    try {
      const lakeDir = path.join(parent, 'lake');
      // A lake folder that holds only raw/ (the compact command needs a lake to be there).
      if (script !== 'local/main.ts') await promisify(execFile)('mkdir', ['-p', path.join(lakeDir, 'raw')]);
      const r = await start(lakeDir, { [name]: value }, script);
      expect(r.code).not.toBe(0);
      expect(r.out).toContain(`${prefix}${name}`);
      expect(r.out).not.toMatch(/\n\s+at /); // one line, no stack
      if (script === 'local/main.ts') expect(existsSync(lakeDir)).toBe(false);
      else expect(existsSync(path.join(lakeDir, 'schemas-in-use'))).toBe(false);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  },
  90_000,
);

it('npm start refuses an argument (its settings are environment variables), exit 2, before it writes anything', async () => {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'start-args-'));
  try {
    const lakeDir = path.join(parent, 'lake');
    const r = await start(lakeDir, {}, 'local/main.ts', ['--port', '4000']);
    expect(r.code).toBe(2);
    expect(r.out.trim()).toBe(
      'npm start takes no arguments (given: --port 4000): its settings are environment variables, e.g. PORT=3001 ' +
        'LAKE_DIR=/path/to/lake npm start (README "Configuration")',
    );
    expect(existsSync(lakeDir)).toBe(false);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
}, 90_000);
