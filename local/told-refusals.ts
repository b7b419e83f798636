/**
 * Errors that are answers, not crashes: a start or a command refused for a reason its message names — schemas/
 * refused, a busy port, a serverless.yml that does not resolve, a lake folder another namespace's lake runs on, a
 * setting that is no such value, a lake folder of a newer version. They are told in one line, without a stack.
 */
const TOLD = new Set([
  'SchemasRefused',
  'StartRefused',
  'ServiceConfigError',
  'LakeDirInUse',
  'SettingError',
  'LakeFormatError',
]);

export const isToldRefusal = (err: unknown): boolean =>
  TOLD.has((err as { name?: unknown } | null)?.name as string);
