/** Errors both object-store adapters throw, so callers need not know which runtime they run on. */

/** The object does not exist (S3 NoSuchKey / 404; locally, no such file). */
export class NoSuchKeyError extends Error {
  readonly code = 'NoSuchKey';
  constructor(
    readonly bucket: string,
    readonly key: string,
  ) {
    super(`no object '${key}' in bucket ${bucket}`);
    this.name = 'NoSuchKeyError';
  }
}

/** The object under the key is no longer the version an operation was given (written again since). */
export class ObjectChangedError extends Error {
  readonly code = 'ObjectChanged';
  constructor(
    readonly bucket: string,
    readonly key: string,
  ) {
    super(`the object '${key}' in bucket ${bucket} was written again since it was looked at`);
    this.name = 'ObjectChangedError';
  }
}

/** The key cannot name an object here (empty, too long, or it would leave the bucket's folder). */
export class InvalidKeyError extends Error {
  readonly code = 'InvalidObjectKey';
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`invalid object key ${JSON.stringify(key)}: ${reason}`);
    this.name = 'InvalidKeyError';
  }
}

/** A byte range the object cannot satisfy (S3 InvalidRange / 416). */
export class InvalidRangeError extends Error {
  readonly code = 'InvalidRange';
  constructor(
    readonly key: string,
    readonly start: number,
    readonly end: number,
    readonly size?: number,
  ) {
    super(
      `range ${start}-${end} is not satisfiable for '${key}'${size === undefined ? '' : ` (${size} bytes)`}`,
    );
    this.name = 'InvalidRangeError';
  }
}

/** Checks a requested range before it is sent anywhere. */
export function checkRange(key: string, start: number, end: number): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new InvalidRangeError(key, start, end);
  }
}
