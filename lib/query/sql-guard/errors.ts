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
  /**
   * The database an unqualified table name is read in (Athena: the request's QueryExecutionContext.Database, else
   * `default`); the lake's when not given. Another one holds no lake table: such a name is refused.
   */
  defaultDatabase?: string;
  /** The lake's table names. */
  tables: readonly string[];
  /** Largest SQL text in UTF-8 bytes. */
  maxBytes: number;
}
