/** Errors that become HTTP responses: a status, a machine-readable code, a message and optional details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Error codes the API answers with; documented in README.md. */
export const ErrorCode = {
  Unauthorized: 'UNAUTHORIZED',
  Forbidden: 'FORBIDDEN',
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  UnsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  MalformedJson: 'MALFORMED_JSON',
  InvalidBody: 'INVALID_BODY',
  TooManyEvents: 'TOO_MANY_EVENTS',
  ValidationFailed: 'VALIDATION_FAILED',
  DeliveryFailed: 'DELIVERY_FAILED',
  /** The local lake's disk is full: as DELIVERY_FAILED (503, the same ids), but retrying waits for free space. */
  StorageFull: 'STORAGE_FULL',
  NotFound: 'NOT_FOUND',
  MethodNotAllowed: 'METHOD_NOT_ALLOWED',
  Internal: 'INTERNAL_ERROR',
  /** API Gateway's answers (resources/api-gateway-responses.cjs, from lib/gateway-responses.json; the local lake: local/http-api.ts). */
  Throttled: 'THROTTLED',
  QuotaExceeded: 'QUOTA_EXCEEDED',
  Timeout: 'TIMEOUT',
} as const;

/** Per-event problem codes inside a VALIDATION_FAILED response. */
export const EventErrorCode = {
  NotAnObject: 'NOT_AN_OBJECT',
  InvalidEnvelope: 'INVALID_ENVELOPE',
  UnknownType: 'UNKNOWN_TYPE',
  SchemaViolation: 'SCHEMA_VIOLATION',
  OccurredInFuture: 'OCCURRED_AT_IN_FUTURE',
  EventTooLarge: 'EVENT_TOO_LARGE',
  DuplicateId: 'DUPLICATE_ID',
} as const;
