/** What the guard refuses with, and what it is given. */
export class QueryNotAllowedError extends Error {
  constructor(
    readonly reason: string,
    readonly position?: { line: number; column: number },
    /** A syntax error of Athena (Trino) SQL: Athena's MALFORMED_QUERY (its API answers it before anything else). */
    readonly syntax = false,
  ) {
    super(reason);
    this.name = 'QueryNotAllowedError';
  }
}

/**
 * Athena's answer to an unqualified table name where the request names no database (or names `default`, where it
 * reads such a name): there is no such table there; the lake's tables are in `database`. `table` undefined: a SHOW
 * TABLES without IN, which lists that database's tables.
 */
export function notInDefaultDatabase(
  table: string | undefined,
  defaultDatabase: string,
  database: string,
): QueryNotAllowedError {
  const context = `with no QueryExecutionContext Database (or Database '${defaultDatabase}'), Athena`;
  return new QueryNotAllowedError(
    table === undefined
      ? `SHOW TABLES lists the tables of '${defaultDatabase}': ${context} reads it there, where the lake's tables ` +
          `are not; give Database '${database}' or write SHOW TABLES IN ${database}`
      : `Table 'awsdatacatalog.${defaultDatabase}.${table}' does not exist: ${context} reads '${table}' in ` +
          `'${defaultDatabase}'; give Database '${database}' or write ${database}.${table}`,
  );
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
