/** Runs before the suites: environment every test shares. */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildValidators } from '../lib/validators/build';

export default async function globalSetup(): Promise<void> {
  // The build step (lib/validators/build.ts): the validators the registries use, generated from schemas/ as it is.
  buildValidators();
  process.env.POWERTOOLS_LOG_LEVEL ??= process.env.TEST_LOG_LEVEL ?? 'SILENT';
  process.env.AWS_REGION ??= 'us-east-1';
  // Names this run's shared fixtures (e.g. the offline package the template tests read: tests/support/template.ts).
  process.env.LAKE_TEST_RUN_ID ??= `${Date.now()}-${process.pid}`;
  // Every temporary folder of the run (test lakes, packages, the lakes and browsers the tests start) under one folder
  // of the system's: the global teardown removes it (LAKE_TEST_KEEP_TMP=1 keeps it, to look into a failure).
  if (process.env.LAKE_TEST_TMP_ROOT === undefined) {
    const root = mkdtempSync(path.join(os.tmpdir(), 'lake-tests-'));
    process.env.LAKE_TEST_TMP_ROOT = root;
    process.env.TMPDIR = root;
  }
}
