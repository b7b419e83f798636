/** Runs before the suites: environment every test shares. */
import { buildValidators } from '../lib/validators/build';

export default async function globalSetup(): Promise<void> {
  // The build step (lib/validators/build.ts): the validators the registries use, generated from schemas/ as it is.
  buildValidators();
  process.env.POWERTOOLS_LOG_LEVEL ??= process.env.TEST_LOG_LEVEL ?? 'SILENT';
  process.env.AWS_REGION ??= 'us-east-1';
  // Names this run's shared fixtures (e.g. the offline package the template tests read: tests/support/template.ts).
  process.env.LAKE_TEST_RUN_ID ??= `${Date.now()}-${process.pid}`;
}
