/** The findings the content checks share: a file no engine can read, and columns that do not match. */
import { type Finding, UploadErrorCode } from './types';

export const malformed = (message: string, line?: number, column?: number): Finding => ({
  code: UploadErrorCode.MalformedFile,
  message: line ? `line ${line}${column ? `, column ${column}` : ''}: ${message}` : message,
  ...(line ? { line } : {}),
  ...(column ? { column } : {}),
});

/** MALFORMED_FILE for a sample that ended inside the first record (Finding.sampleTooShort). */
export const firstRecordIncomplete = (message: string): Finding => ({
  ...malformed(message),
  sampleTooShort: true,
});

export const headerMismatch = (message: string, extra: Partial<Finding> = {}): Finding => ({
  code: UploadErrorCode.HeaderMismatch,
  message,
  ...extra,
});
