/** Runs before the suites: environment every test shares. */
export default async function globalSetup(): Promise<void> {
  process.env.POWERTOOLS_LOG_LEVEL ??= process.env.TEST_LOG_LEVEL ?? 'SILENT';
  process.env.AWS_REGION ??= 'us-east-1';
}
