/** Runs before the suites: environment every test shares. */
export default async function globalSetup(): Promise<void> {
  process.env.POWERTOOLS_LOG_LEVEL ??= process.env.TEST_LOG_LEVEL ?? 'SILENT';
  process.env.AWS_REGION ??= 'us-east-1';
  // Names this run's shared fixtures (e.g. the offline package the template tests read: tests/support/template.ts).
  process.env.LAKE_TEST_RUN_ID ??= `${Date.now()}-${process.pid}`;
}
