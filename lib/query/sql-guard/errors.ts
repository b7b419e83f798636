/** What the guard refuses with, and what it is given. */
export class QueryNotAllowedError extends Error {
  constructor(
    readonly reason: string,
    readonly position?: { line: number; column: number },
  ) {
    super(reason);
    this.name = 'QueryNotAllowedError';
  }
}

export interface GuardOptions {
  /** The lake's database (Glue database; the DuckDB schema), e.g. data_lake_prod. */
  database: string;
  /** The lake's table names. */
  tables: readonly string[];
  /** Largest SQL text in UTF-8 bytes. */
  maxBytes: number;
}
