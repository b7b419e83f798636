/** Runs after the suites: removes the run's temporary folder (tests/global-setup.ts) unless asked to keep it. */
import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const root = process.env.LAKE_TEST_TMP_ROOT;
  if (!root) return;
  if (process.env.LAKE_TEST_KEEP_TMP === '1') {
    process.stderr.write(`LAKE_TEST_KEEP_TMP=1: the run's temporary files are kept in ${root}\n`);
    return;
  }
  // A tmpfs a test left mounted keeps its folder (EBUSY): what can be removed is removed.
  try {
    rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  } catch (e) {
    process.stderr.write(`could not remove all of ${root}: ${(e as Error).message}\n`);
  }
}
