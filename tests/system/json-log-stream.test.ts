/**
 * The local lake with LOG_FORMAT=json (the default when piped, as in a container): stdout carries the JSON lines the
 * functions print on Lambda and nothing else — its greeting (address, API key, example commands) goes to stderr, so
 * that a log collector reading one JSON object per line is not handed ten lines of text.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

it('prints only JSON lines on stdout, the greeting on stderr', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lake-json-log-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
    cwd: root,
    env: { ...process.env, PORT: '0', LAKE_DIR: dir, LOG_FORMAT: 'json', POWERTOOLS_LOG_LEVEL: 'INFO' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no greeting:\n${stdout}\n${stderr}`)), 60_000);
      child.stderr!.on('data', () => {
        const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(stderr);
        if (m) (clearTimeout(timer), resolve(m[1]!));
      });
    });
    expect(stderr).toMatch(/API key \(/);
    // A request refused, so that the functions log something too.
    expect((await fetch(`${url}/events`, { method: 'POST', body: '{}' })).status).toBeGreaterThanOrEqual(400);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const lines = stdout.split('\n').filter((l) => l.trim() !== '');
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(stdout).not.toMatch(/listening on/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await fs.rm(dir, { recursive: true, force: true });
  }
}, 120_000);
