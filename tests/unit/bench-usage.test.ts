/** `npm run bench` refuses a setting it cannot run with as the CLIs do: one line, exit status 2, nothing run. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

it.each([
  [{ BENCH_ONLY: 'bundle' }, /^BENCH_ONLY: unknown section\(s\) bundle; known: ingest, .*bundles/],
  [{ BENCH_ONLY: 'bundles', BENCH_SECONDS: 'x' }, /^BENCH_SECONDS must be a positive number, got 'x'$/],
])('refuses %j in one line, exit status 2', (env, why) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.stdout).toBe('');
  expect(r.stderr.trim()).toMatch(why);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.status).toBe(2);
});
