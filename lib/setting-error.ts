/**
 * A setting of the environment (LAKE_*, INGEST_*, QUERY_*, …) that is no such value. Its name is what the local
 * lake's start and commands tell in one line, without a stack (local/told-refusals.ts); in a Lambda function it fails
 * the cold start, naming the variable.
 */
export class SettingError extends Error {
  override readonly name = 'SettingError';
}
