/**
 * Athena's error answers (AWS JSON 1.1): HTTP 400 with `{"__type", "Message", "AthenaErrorCode", "ErrorCode"}` for
 * InvalidRequestException (Athena repeats AthenaErrorCode as ErrorCode), the other exception types with their
 * `Message`, 500 for InternalServerException. The SDKs read `__type` as the error's name and throw it.
 *
 * The shapes follow Athena's API reference and what was measured on the real service (the athena-local project's
 * published measurements, docs/dev/measurements/ of github.com/aoyagikouhei/athena-local: error bodies, validation
 * messages, GetQueryResults' checks); the authentication errors are those AWS's JSON-protocol services answer (the
 * DynamoDB reference lists them with HTTP 400).
 */
import { randomUUID } from 'node:crypto';

export class AthenaApiError extends Error {
  /** Athena's SerializationException and UnknownOperationException come without a Message. */
  readonly hasMessage: boolean;

  constructor(
    /** The exception's name (`__type`). */
    readonly type: string,
    message: string | undefined,
    readonly status = 400,
    /** More members of the body (AthenaErrorCode, Reason, …). */
    readonly fields: Record<string, string> = {},
  ) {
    super(message ?? type);
    this.name = type;
    this.hasMessage = message !== undefined;
  }

  body(): Record<string, string> {
    return { __type: this.type, ...this.fields, ...(this.hasMessage ? { Message: this.message } : {}) };
  }
}

/** InvalidRequestException with its AthenaErrorCode (INVALID_INPUT unless told). */
export function invalidRequest(message: string, code = 'INVALID_INPUT'): AthenaApiError {
  return new AthenaApiError('InvalidRequestException', message, 400, {
    AthenaErrorCode: code,
    ErrorCode: code,
  });
}

/** A request body Athena cannot read as the operation's input (no Message when the body is not JSON at all). */
export function serializationError(message?: string): AthenaApiError {
  return new AthenaApiError('SerializationException', message);
}

/** Athena's answer for a database or table the catalog does not have (Glue's EntityNotFoundException, wrapped). */
export function entityNotFound(): AthenaApiError {
  return new AthenaApiError(
    'MetadataException',
    `Entity Not Found (Service: AmazonDataCatalog; Status Code: 400; Error Code: EntityNotFoundException; ` +
      `Request ID: ${randomUUID()}; Proxy: null)`,
  );
}

export function queryNotFound(id: string): AthenaApiError {
  return invalidRequest(`QueryExecution ${id} was not found`, 'QUERY_EXECUTION_NOT_FOUND');
}

export function workGroupNotFound(): AthenaApiError {
  return invalidRequest('WorkGroup is not found.');
}

/** "N validation error(s) detected: …" as AWS's request validation words it. */
export function validationErrors(constraints: string[]): AthenaApiError {
  const n = constraints.length;
  return invalidRequest(
    `${n} validation error${n === 1 ? '' : 's'} detected: ${constraints.join('; ')}`,
    'INVALID_INPUT',
  );
}

export function internalError(message: string): AthenaApiError {
  return new AthenaApiError('InternalServerException', message, 500);
}
