/**
 * The read-only guard: every statement is checked here before it reaches an engine (Athena or DuckDB).
 *
 * Two passes, both failing closed:
 *  1. A lexer with the string, identifier and comment rules Athena (Trino) and DuckDB share. It finds statement
 *     boundaries itself (so a `;` inside a string or comment is not one, and a second statement is refused), and it
 *     refuses the constructs on which engines and the parser could disagree about where a string or comment ends:
 *     backslash escapes in quoted identifiers, E'...' strings, nested comments, dollar quoting, backticks, `//`
 *     (DuckDB division, a comment to the parser) and parameter placeholders.
 *  2. node-sql-parser with its Trino grammar (the closest to Athena engine 3: CTEs, window functions, UNNEST,
 *     lambdas, FILTER, typed literals, 3-part names all parse; expression subqueries are parsed as statements of
 *     their own, subqueries.ts) builds the AST, which must be one SELECT (WITH ...,
 *     UNION, subqueries) whose every FROM item is a lake table (optionally qualified with the lake database, or
 *     AwsDataCatalog.<database>), a CTE, a subquery, VALUES or UNNEST — no other catalogs or schemas, no table
 *     functions (read_csv, read_parquet, glob, read_text, ...), no file paths, no SELECT INTO — and whose function
 *     calls are neither qualified nor engine internals (current_setting, getenv, duckdb_*, ...).
 * What the grammar does not understand is refused with the parser's position, never passed through.
 *
 * The DuckDB engine adds its own checks (exactly one statement, of type SELECT, per DuckDB's parser) and the
 * sandbox of shared/README.md; Athena runs one statement per StartQueryExecution, with IAM limited to the lake.
 *
 * Files: errors.ts, token.ts, lexer.ts, parser-rewrites.ts, numeric-literals.ts and operators.ts (pass 1), parse.ts,
 * subqueries.ts, rules.ts, cte-scopes.ts and tree.ts (pass 2); checkQuery here.
 */
import { parseMetadataStatement } from '../metadata/statements';
import type { CheckedQuery } from '../types';
import { QueryNotAllowedError, type GuardOptions } from './errors';
import { BACKTICK_REFUSAL, positionOf, refuse, tokenize } from './lexer';
import {
  refuseFractionalRowCounts,
  refuseInvalidDecimalLiterals,
  refuseInvalidIntegerLiterals,
  refuseMalformedLiterals,
} from './numeric-literals';
import { refuseOtherOperators } from './operators';
import { parse, type Parsed } from './parse';
import { misreadGap, parserGapAt } from './parser-gaps';
import { STATEMENT_REASONS } from './rules';
import { checkTree, isNode, type Node } from './tree';

export { QueryNotAllowedError, type GuardOptions } from './errors';
export { tokenize, type Lexed, type Token, type TokenKind } from './lexer';
export { expressionSubqueryDepth } from './subqueries';

/**
 * Checks one submitted statement. Returns the statement to run, or throws QueryNotAllowedError with the reason.
 */
export function checkQuery(sql: string, opts: GuardOptions): CheckedQuery {
  if (typeof sql !== 'string' || sql.trim() === '')
    throw new QueryNotAllowedError('the query is empty', undefined, true);
  const bytes = Buffer.byteLength(sql, 'utf8');
  if (bytes > opts.maxBytes) {
    throw new QueryNotAllowedError(
      `the query is ${bytes} bytes; at most ${opts.maxBytes} are accepted (QUERY_MAX_SQL_BYTES, the lake's own ` +
        "limit: Athena's is 262,144)",
    );
  }
  // Backticks are read for the metadata statements (Hive DDL names), refused by the lexer for the rest.
  const lexed = tokenize(sql, { backquotes: METADATA_FIRST.test(sql) });
  refuseMalformedLiterals(sql, lexed.tokens);
  refuseInvalidIntegerLiterals(sql, lexed.tokens);
  refuseInvalidDecimalLiterals(sql, lexed.tokens);
  refuseFractionalRowCounts(sql, lexed.tokens);
  refuseOtherOperators(sql, lexed.tokens);
  const first = lexed.tokens.find((t) => t.text !== '(');
  if (!first) throw new QueryNotAllowedError('the query is empty', undefined, true);
  const keyword = first.kind === 'word' ? first.text.toLowerCase() : '';
  // SHOW …, DESCRIBE …: the lake's metadata (lib/query/metadata/statements.ts); nothing is read from the data.
  const lake = {
    database: opts.database.toLowerCase(),
    defaultDatabase: (opts.defaultDatabase ?? opts.database).toLowerCase(),
    tables: opts.tables.map((t) => t.toLowerCase()),
  };
  if (parseMetadataStatement(lexed.tokens, lake, { sql, blockComments: lexed.blockComments })) {
    return { sql: lexed.body, tables: [] } as unknown as CheckedQuery;
  }
  const backquoted = lexed.tokens.find((t) => t.kind === 'backquoted');
  if (backquoted) refuse(sql, backquoted.start, BACKTICK_REFUSAL); // a SHOW or DESCRIBE of another form
  if (keyword !== 'select' && keyword !== 'with' && keyword !== 'values') {
    throw new QueryNotAllowedError(
      STATEMENT_REASONS[keyword] ??
        `only SELECT queries (optionally WITH ...), VALUES, and SHOW TABLES, SHOW COLUMNS, SHOW CREATE TABLE, ` +
          `SHOW PARTITIONS and DESCRIBE of the lake's tables are allowed; this statement starts with ` +
          `'${first.text}'`,
    );
  }

  // The parser reads the statement with leading whitespace trimmed: its offsets are relative to that. A bare
  // VALUES is checked as the FROM item it is equivalent to (offsets shifted by the prefix).
  const prefix = keyword === 'values' ? 'SELECT * FROM (' : '';
  const forParser = keyword === 'values' ? `${prefix}${lexed.forParser}) AS t` : lexed.forParser;
  const lead = sql.length - sql.trimStart().length - prefix.length;
  const misread = misreadGap(lexed.tokens);
  if (misread)
    refuse(
      sql,
      misread.start,
      `Athena runs ${misread.construct}, but the guard's parser does not read it: ${misread.instead}`,
      false,
    );
  let parsed: Parsed;
  try {
    parsed = parse(forParser);
  } catch (e) {
    if (e instanceof RangeError) throw new QueryNotAllowedError('the query is too deeply nested to check');
    if (e instanceof QueryNotAllowedError) throw e;
    const loc = (e as { location?: { start?: { line: number; column: number; offset: number } } }).location;
    const start = loc?.start;
    // Quoted from the statement as written (the parser's copy has same-length rewrites: ./lexer.ts).
    const at = start ? Math.max(0, lead + start.offset) : 0;
    const near = start ? sql.slice(at, at + 24).split('\n')[0] : '';
    const where = start ? positionOf(sql, lead + start.offset) : undefined;
    // Valid Athena SQL the parser does not read (a known gap): named, with what to write instead.
    const gap = start ? parserGapAt(lexed.tokens, at) : undefined;
    if (gap) {
      refuse(
        sql,
        gap.start,
        `Athena runs ${gap.construct}, but the guard's parser does not read it: ${gap.instead}`,
        false,
      );
    }
    // Most often the query's own syntax error (a typo, a reserved word as a name): said so first, where the parser
    // stopped; a construct Athena runs that the parser lacks is the rarer case, said last.
    const place = where
      ? ` at line ${where.line}, column ${where.column}${near ? ` (near '${near}')` : ' (at the end of the query)'}`
      : '';
    throw new QueryNotAllowedError(
      `the query could not be checked: a syntax error${place}, as the guard's Trino SQL parser reads it: check the ` +
        'query there (a reserved word such as order or from as a name needs double quotes). Only SELECT queries in ' +
        'Athena (Trino) SQL are accepted; if Athena runs this one as written, simplify the construct or report it.',
      where,
    );
  }
  // The statement, and the subqueries lifted out of it for the parser (./subqueries.ts): each one SELECT.
  const roots = [parsed.ast, ...parsed.subqueries].map(oneSelect);

  try {
    return checkTree(roots, parsed.tableList, { ...lexed, forParser }, sql, lead, opts);
  } catch (e) {
    // A long chain of operators (1+1+...+1) parses into an AST deeper than the walk's stack: refuse, don't crash.
    if (e instanceof RangeError) throw new QueryNotAllowedError('the query is too deeply nested to check');
    throw e;
  }
}

/** A statement that starts (after spaces and comments) with SHOW, DESCRIBE or DESC: a metadata statement's form. */
const METADATA_FIRST = /^(?:\s|--[^\n\r]*|\/\*[\s\S]*?\*\/)*(?:show|describe|desc)\b/i;

/** The one SELECT an AST holds; a refusal for anything else. */
function oneSelect(ast: unknown): Node {
  if (Array.isArray(ast) && ast.length !== 1) {
    throw new QueryNotAllowedError('only one statement per query is allowed');
  }
  const root: unknown = Array.isArray(ast) ? ast[0] : ast;
  if (!isNode(root) || root.type !== 'select') {
    const t = isNode(root) && typeof root.type === 'string' ? root.type : 'unknown';
    throw new QueryNotAllowedError(STATEMENT_REASONS[t] ?? `only SELECT queries are allowed (got ${t})`);
  }
  return root;
}
