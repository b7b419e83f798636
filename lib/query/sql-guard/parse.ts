/** Pass 2's parse: node-sql-parser's Trino grammar, the PostgreSQL grammar for what it misses. */
import { Parser as PostgresParser } from 'node-sql-parser/build/postgresql';
import { Parser as TrinoParser } from 'node-sql-parser/build/trino';

export interface Parsed {
  tableList: string[];
  ast: unknown;
}

let trino: TrinoParser | undefined;
let postgres: PostgresParser | undefined;

/**
 * Parses with the Trino grammar; what it rejects is retried with the PostgreSQL grammar, which covers constructs
 * the Trino grammar of node-sql-parser 5.4 misses (scalar and EXISTS subqueries in expressions). Either way the
 * AST goes through the same checks; the Trino grammar's error is reported when both fail.
 */
export function parse(text: string): Parsed {
  const options = { parseOptions: { includeLocations: true } };
  trino ??= new TrinoParser();
  try {
    return trino.parse(text, { database: 'trino', ...options }) as unknown as Parsed;
  } catch (first) {
    if (first instanceof RangeError) throw first;
    postgres ??= new PostgresParser();
    try {
      return postgres.parse(text, { database: 'postgresql', ...options }) as unknown as Parsed;
    } catch {
      throw first;
    }
  }
}
