/** Error codes of the lake's console routes (functions/lake.ts), besides the shared ones in lib/errors.ts. */
export const LakeErrorCode = {
  InvalidParameter: 'INVALID_PARAMETER',
  ExecutionNotFound: 'EXECUTION_NOT_FOUND',
  ExecutionNotRetryable: 'EXECUTION_NOT_RETRYABLE',
  UnknownTable: 'UNKNOWN_TABLE',
  SchemasRefused: 'SCHEMAS_REFUSED',
} as const;
