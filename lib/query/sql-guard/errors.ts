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
 * A table or database the catalog does not have. Athena resolves names when the query runs: it starts a SELECT of
 * one and then fails it (ErrorCategory 2, ErrorType 1301; measured on Athena by the athena-local project:
 * "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.<db>.<nope>' does not exist", "SCHEMA_NOT_FOUND: line 1:15:
 * Schema '<nodb>' does not exist"), and refuses DESCRIBE or SHOW COLUMNS of one at start (INVALID_INPUT, "Entity Not
 * Found"). The lake's API refuses either at start with `reason`; its Athena API answers as Athena does with `athena`.
 */
export class NotInCatalogError extends QueryNotAllowedError {
  constructor(
    reason: string,
    /** Athena's failure of the query, without its position ("TABLE_NOT_FOUND: Table '…' does not exist"). */
    readonly athena: { code: 'TABLE_NOT_FOUND' | 'SCHEMA_NOT_FOUND'; message: string },
    /** Where the name stands in the statement as written. */
    readonly at?: { line: number; column: number },
    /** A metadata statement's name (DESCRIBE, SHOW …), which Athena refuses at start. */
    readonly metadata = false,
  ) {
    super(reason, at);
    this.name = 'NotInCatalogError';
  }

  /** Athena's StateChangeReason of the failed query. */
  athenaReason(): string {
    const where = this.at ? `line ${this.at.line}:${this.at.column}: ` : '';
    return `${this.athena.code}: ${where}${this.athena.message}`;
  }
}

/** Athena's failure of a table name that is not in `database`. */
export const tableNotFound = (database: string, table: string) =>
  ({
    code: 'TABLE_NOT_FOUND',
    message: `Table 'awsdatacatalog.${database}.${table}' does not exist`,
  }) as const;

/** Athena's failure of a database the catalog does not have. */
export const schemaNotFound = (database: string) =>
  ({ code: 'SCHEMA_NOT_FOUND', message: `Schema '${database}' does not exist` }) as const;

/**
 * Athena's answer to an unqualified table name where the request names no database (or names `default`, where it
 * reads such a name): there is no such table there; the lake's tables are in `database`. `table` undefined: a SHOW
 * TABLES without IN, which lists that database's tables.
 */
export function notInDefaultDatabase(
  table: string | undefined,
  defaultDatabase: string,
  database: string,
  at?: { line: number; column: number },
  metadata = false,
): QueryNotAllowedError {
  const context = `with no QueryExecutionContext Database (or Database '${defaultDatabase}'), Athena`;
  if (table === undefined)
    return new QueryNotAllowedError(
      `SHOW TABLES lists the tables of '${defaultDatabase}': ${context} reads it there, where the lake's tables ` +
        `are not; give Database '${database}' or write SHOW TABLES IN ${database}`,
    );
  return new NotInCatalogError(
    `Table 'awsdatacatalog.${defaultDatabase}.${table}' does not exist: ${context} reads '${table}' in ` +
      `'${defaultDatabase}'; give Database '${database}' or write ${database}.${table}`,
    tableNotFound(defaultDatabase, table),
    at,
    metadata,
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
