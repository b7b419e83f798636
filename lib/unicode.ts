/**
 * Unicode text checks shared by the event envelope and the upload checks. A UTF-16 surrogate without its pair (JSON's
 * "\ud800") is not Unicode text: it cannot be stored as UTF-8 and the engines refuse it (DuckDB: "no low surrogate").
 */

/** String.prototype.isWellFormed (ES2024, native in Node >= 20): false when `s` holds a lone surrogate. */
export const isWellFormed = (s: string): boolean =>
  (s as string & { isWellFormed(): boolean }).isWellFormed();
