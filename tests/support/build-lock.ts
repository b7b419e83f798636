/**
 * serverless-esbuild builds into the project's .esbuild/ folder; two `sls` commands at once (jest runs test files
 * in parallel) would overwrite each other's bundles. Tests that run `sls` take this lock first.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

const lockDir = path.resolve(__dirname, '../../node_modules/.cache/data-lake/sls.lock');

export async function withBuildLock<T>(fn: () => Promise<T>, timeoutMs = 170_000): Promise<T> {
  await fs.mkdir(path.dirname(lockDir), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fs.mkdir(lockDir);
      await fs.writeFile(path.join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // A lock left by a dead process is taken over.
      const pid = Number(await fs.readFile(path.join(lockDir, 'pid'), 'utf8').catch(() => 'NaN'));
      let alive = false;
      try {
        if (Number.isInteger(pid)) (process.kill(pid, 0), (alive = true));
      } catch {
        alive = false;
      }
      if (Number.isInteger(pid) && !alive) await fs.rm(lockDir, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error('timed out waiting for the sls build lock');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    await fs.rm(lockDir, { recursive: true, force: true });
  }
}
