/**
 * Pass 2's parse: node-sql-parser's Trino grammar, and only it (the guard is the same on every runtime, and the
 * query function carries one grammar). What the grammar throws on because of an expression subquery or a window
 * partitioned by an expression is read again in pieces (./subqueries.ts, ./partitions.ts), each a statement of its
 * own that the guard checks whole.
 */
import type { Parser as TrinoParser } from 'node-sql-parser/build/trino';
import { liftPartitionExpressions } from './partitions';
import { QueryNotAllowedError } from './errors';
import { parsableEquivalent } from './set-operations';
import { liftSubqueries } from './subqueries';

export interface Parsed {
  /** Every table the parser saw, in every piece. */
  tableList: string[];
  /** The statement's AST. */
  ast: unknown;
  /** The ASTs of the subqueries lifted out of it (./subqueries.ts): each must be one SELECT, checked like it. */
  subqueries: unknown[];
}

let trino: TrinoParser | undefined;

/**
 * The grammar, loaded at the first query: ~250 KB of generated parser whose module body builds its tables, which
 * the other routes of the query function (results, status, cancel, GET /tables) never need.
 */
function grammar(): TrinoParser {
  if (!trino) {
    const { Parser } = require('node-sql-parser/build/trino') as typeof import('node-sql-parser/build/trino');
    trino = new Parser();
  }
  return trino;
}

function parseOne(text: string): { tableList: string[]; ast: unknown } {
  // Not trimmed: a lifted piece is blank outside its part, and its offsets must stay those of the statement.
  return grammar().parse(text, {
    database: 'trino',
    trimQuery: false,
    parseOptions: { includeLocations: true },
  }) as unknown as { tableList: string[]; ast: unknown };
}

/**
 * Parses the statement; if the grammar refuses it, parses its pieces with the expression subqueries lifted out.
 * The first error is reported when that fails too (also when the lexer refuses the text for lifting).
 */
export function parse(text: string): Parsed {
  try {
    return { ...parseOne(text), subqueries: [] };
  } catch (first) {
    if (first instanceof RangeError) throw first;
    // INTERSECT, EXCEPT, IS [NOT] DISTINCT FROM: checked as the equivalent the grammar parses (./set-operations.ts).
    const equivalent = parsableEquivalent(text);
    if (equivalent !== undefined) {
      try {
        return parse(equivalent);
      } catch (e) {
        if (e instanceof RangeError || e instanceof QueryNotAllowedError) throw e;
        throw first;
      }
    }
    let pieces: string[];
    try {
      // Partitions by expression lifted first (./partitions.ts); then every piece's expression subqueries.
      pieces = liftPartitionExpressions(text).flatMap((piece) => liftSubqueries(piece));
    } catch (e) {
      if (e instanceof QueryNotAllowedError) throw e;
      throw first;
    }
    if (pieces.length < 2) throw first;
    try {
      const parsed = pieces.map((p) => parseOne(p.trimEnd()));
      return {
        tableList: [...new Set(parsed.flatMap((p) => p.tableList))],
        ast: parsed[0]!.ast,
        subqueries: parsed.slice(1).map((p) => p.ast),
      };
    } catch (e) {
      if (e instanceof RangeError) throw e;
      throw first;
    }
  }
}
