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
 *     lambdas, FILTER, typed literals, 3-part names all parse) builds the AST, which must be one SELECT (WITH ...,
 *     UNION, subqueries) whose every FROM item is a lake table (optionally qualified with the lake database, or
 *     AwsDataCatalog.<database>), a CTE, a subquery, VALUES or UNNEST — no other catalogs or schemas, no table
 *     functions (read_csv, read_parquet, glob, read_text, ...), no file paths, no SELECT INTO — and whose function
 *     calls are neither qualified nor engine internals (current_setting, getenv, duckdb_*, ...).
 * What the grammar does not understand is refused with the parser's position, never passed through.
 *
 * The DuckDB engine adds its own checks (exactly one statement, of type SELECT, per DuckDB's parser) and the
 * sandbox of shared/README.md; Athena runs one statement per StartQueryExecution, with IAM limited to the lake.
 */
import { Parser as PostgresParser } from 'node-sql-parser/build/postgresql';
import { Parser as TrinoParser } from 'node-sql-parser/build/trino';
import { parseMetadataStatement } from './metadata/statements';
import type { CheckedQuery } from './types';

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

// ---------------------------------------------------------------------------------------------------------------
// Pass 1: lexer

export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'symbol';

export interface Token {
  kind: TokenKind;
  /** Source text (for words: as written; quoted identifiers and strings: with their quotes). */
  text: string;
  start: number;
  end: number;
}

export interface Lexed {
  tokens: Token[];
  /** The statement without a trailing semicolon (and what follows it: whitespace and comments). */
  body: string;
  /** `body` with backslashes inside string literals replaced, for the parser (which reads \' as an escape). */
  forParser: string;
}

const MAX_NESTING = 64;

function positionOf(sql: string, offset: number): { line: number; column: number } {
  const before = sql.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function refuse(sql: string, offset: number, reason: string): never {
  const pos = positionOf(sql, offset);
  throw new QueryNotAllowedError(`${reason} (line ${pos.line}, column ${pos.column})`, pos);
}

const isSpace = (c: string) =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
const isWordStart = (c: string) => /[A-Za-z_\u00c0-\uffff]/.test(c);
const isWordPart = (c: string) => /[A-Za-z0-9_\u00c0-\uffff]/.test(c);

/**
 * Same-length rewrites of constructs Athena accepts but the parser's grammars do not, in the copy the parser
 * reads (the engine still gets the statement as written). Neither can hide a table or function reference:
 *  - the target type of CAST/TRY_CAST (e.g. ARRAY(VARCHAR), ROW(a BIGINT), MAP(VARCHAR, DOUBLE)) becomes VARCHAR,
 *    if it consists only of type words, numbers, commas and parentheses;
 *  - the AT TIME ZONE operator becomes ||.
 */
function rewriteForParser(
  tokens: Token[],
  replace: (start: number, end: number, text: string) => void,
): void {
  const word = (k: number, w: string) => tokens[k]?.kind === 'word' && tokens[k]!.text.toLowerCase() === w;
  for (let k = 0; k < tokens.length; k++) {
    if (word(k, 'at') && word(k + 1, 'time') && word(k + 2, 'zone')) {
      replace(tokens[k]!.start, tokens[k + 2]!.end, '||');
      continue;
    }
    // UNNEST(…) WITH ORDINALITY: the grammar lacks the clause (it adds a column, never a table or function).
    if (word(k, 'with') && word(k + 1, 'ordinality') && tokens[k - 1]?.text === ')') {
      replace(tokens[k]!.start, tokens[k + 1]!.end, '');
      continue;
    }
    // OFFSET n ROWS: the grammar knows OFFSET n.
    if (
      word(k, 'offset') &&
      tokens[k + 1]?.kind === 'number' &&
      (word(k + 2, 'rows') || word(k + 2, 'row'))
    ) {
      replace(tokens[k + 2]!.start, tokens[k + 2]!.end, '');
      continue;
    }
    // FETCH {FIRST|NEXT} [n] {ROW|ROWS} ONLY is LIMIT n (WITH TIES is left for the parser to refuse).
    if (word(k, 'fetch') && (word(k + 1, 'first') || word(k + 1, 'next'))) {
      const n = tokens[k + 2]?.kind === 'number' ? tokens[k + 2]!.text : undefined;
      const rows = n === undefined ? k + 2 : k + 3;
      if ((word(rows, 'rows') || word(rows, 'row')) && word(rows + 1, 'only')) {
        replace(tokens[k]!.start, tokens[rows + 1]!.end, `LIMIT ${n ?? '1'}`);
        continue;
      }
    }
    if ((word(k, 'cast') || word(k, 'try_cast')) && tokens[k + 1]?.text === '(') {
      // Find AS at depth 1 of this call, then the call's closing parenthesis.
      let depth = 0;
      let as = -1;
      let close = -1;
      for (let j = k + 1; j < tokens.length; j++) {
        const t = tokens[j]!;
        if (t.text === '(') depth++;
        else if (t.text === ')') {
          depth--;
          if (depth === 0) {
            close = j;
            break;
          }
        } else if (depth === 1 && as < 0 && t.kind === 'word' && t.text.toLowerCase() === 'as') as = j;
      }
      if (as < 0 || close < 0 || close === as + 1) continue;
      const typeTokens = tokens.slice(as + 1, close);
      const plain = typeTokens.every(
        (t) =>
          (t.kind === 'word' && !['select', 'with', 'from', 'values'].includes(t.text.toLowerCase())) ||
          t.kind === 'number' ||
          t.kind === 'quoted' ||
          t.text === ',' ||
          t.text === '(' ||
          t.text === ')',
      );
      const simple = typeTokens.length === 1;
      if (plain && !simple) replace(typeTokens[0]!.start, typeTokens[typeTokens.length - 1]!.end, 'VARCHAR');
    }
  }
}

/** Splits SQL into tokens with the rules Athena and DuckDB share; refuses what they could read differently. */
export function tokenize(sql: string): Lexed {
  const tokens: Token[] = [];
  let forParser = '';
  let depth = 0;
  let end = sql.length; // end of the (single) statement
  let ended = false;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === '-' && next === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
      continue;
    }
    if (c === '/' && next === '*') {
      const close = sql.indexOf('*/', i + 2);
      if (close < 0) refuse(sql, i, 'unterminated comment');
      if (sql.slice(i + 2, close).includes('/*')) {
        refuse(sql, i, 'nested comments are not allowed (engines disagree about where they end)');
      }
      i = close + 2;
      continue;
    }
    if (ended) {
      refuse(sql, i, 'only one statement per query is allowed (found more after a semicolon)');
    }
    if (c === "'") {
      let j = i + 1;
      for (;;) {
        const q = sql.indexOf("'", j);
        if (q < 0) refuse(sql, i, 'unterminated string literal');
        if (sql[q + 1] === "'") {
          j = q + 2;
          continue;
        }
        j = q + 1;
        break;
      }
      tokens.push({ kind: 'string', text: sql.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      for (;;) {
        const q = sql.indexOf('"', j);
        if (q < 0) refuse(sql, i, 'unterminated quoted identifier');
        if (sql[q + 1] === '"') {
          j = q + 2;
          continue;
        }
        j = q + 1;
        break;
      }
      const text = sql.slice(i, j);
      if (text.includes('\\')) refuse(sql, i, 'backslashes are not allowed in quoted identifiers');
      tokens.push({ kind: 'quoted', text, start: i, end: j });
      i = j;
      continue;
    }
    if (isWordStart(c)) {
      let j = i + 1;
      while (j < n && isWordPart(sql[j]!)) j++;
      const text = sql.slice(i, j);
      if (sql[j] === "'" && text.toLowerCase() === 'e') {
        refuse(
          sql,
          i,
          "E'...' escape strings are not allowed (not Athena SQL; DuckDB reads backslash escapes in them)",
        );
      }
      tokens.push({ kind: 'word', text, start: i, end: j });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && next !== undefined && /[0-9]/.test(next))) {
      let j = i + 1;
      while (j < n && /[0-9A-Za-z_.]/.test(sql[j]!)) {
        // exponent sign: 1e-5
        if ((sql[j] === 'e' || sql[j] === 'E') && (sql[j + 1] === '-' || sql[j + 1] === '+')) j++;
        j++;
      }
      tokens.push({ kind: 'number', text: sql.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    if (c === ';') {
      // The statement ends here; only whitespace and comments may follow.
      end = i;
      ended = true;
      i++;
      continue;
    }
    if (c === '/' && next === '/') refuse(sql, i, "'//' is not an operator in Athena SQL");
    if (c === '$') refuse(sql, i, "'$' (dollar quoting or parameters) is not allowed");
    if (c === '?') refuse(sql, i, 'parameter placeholders (?) are not allowed; put the values in the query');
    if (c === '`') refuse(sql, i, 'backtick-quoted identifiers are not Athena SQL; use double quotes');
    if (c === '\\') refuse(sql, i, 'a backslash outside a string literal is not allowed');
    if (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)
      refuse(sql, i, 'control characters are not allowed');
    if (c === '(') {
      depth++;
      if (depth > MAX_NESTING) refuse(sql, i, `parentheses are nested deeper than ${MAX_NESTING} levels`);
    } else if (c === ')') {
      depth--;
    }
    tokens.push({ kind: 'symbol', text: c, start: i, end: i + 1 });
    i++;
  }
  const body = sql.slice(0, end).trim();
  const offset = sql.slice(0, end).length - sql.slice(0, end).trimStart().length;
  const chars = sql.split('');
  const replace = (start: number, stop: number, text: string) => {
    for (let k = start; k < stop; k++) chars[k] = k - start < text.length ? text[k - start]! : ' ';
  };
  for (const t of tokens) {
    // Backslashes inside string literals are plain characters in Athena and DuckDB (but escapes to the parser).
    if (t.kind === 'string' && t.text.includes('\\')) replace(t.start, t.end, t.text.replace(/\\/g, '_'));
  }
  rewriteForParser(tokens, replace);
  forParser = chars.slice(offset, offset + body.length).join('');
  return { tokens, body, forParser };
}

// ---------------------------------------------------------------------------------------------------------------
// Pass 2: statement kind, parse, AST checks

const STATEMENT_REASONS: Record<string, string> = {
  insert: 'DML (INSERT, UPDATE, DELETE, MERGE) is not allowed: the query API is read-only',
  update: 'DML (INSERT, UPDATE, DELETE, MERGE) is not allowed: the query API is read-only',
  delete: 'DML (INSERT, UPDATE, DELETE, MERGE) is not allowed: the query API is read-only',
  merge: 'DML (INSERT, UPDATE, DELETE, MERGE) is not allowed: the query API is read-only',
  truncate: 'TRUNCATE is not allowed: the query API is read-only',
  create: 'DDL (CREATE, including CREATE TABLE AS SELECT) is not allowed: the query API is read-only',
  drop: 'DDL (DROP) is not allowed: the query API is read-only',
  alter: 'DDL (ALTER) is not allowed: the query API is read-only',
  msck: 'MSCK REPAIR TABLE is not allowed: the catalog is managed by the lake (partition projection)',
  unload:
    'UNLOAD is not allowed: the query API is read-only (results are paged through GET /queries/{id}/results)',
  call: 'CALL (procedures) is not allowed',
  prepare: 'prepared statements (PREPARE, EXECUTE, DEALLOCATE) are not allowed',
  execute: 'prepared statements (PREPARE, EXECUTE, DEALLOCATE) are not allowed',
  deallocate: 'prepared statements (PREPARE, EXECUTE, DEALLOCATE) are not allowed',
  grant: 'GRANT and REVOKE are not allowed',
  revoke: 'GRANT and REVOKE are not allowed',
  set: 'SET, RESET and USE are not allowed: session settings are fixed',
  reset: 'SET, RESET and USE are not allowed: session settings are fixed',
  use: 'SET, RESET and USE are not allowed: session settings are fixed',
  explain: 'EXPLAIN is not supported',
  analyze: 'ANALYZE is not allowed',
  vacuum: 'VACUUM and OPTIMIZE are not allowed: the query API is read-only',
  optimize: 'VACUUM and OPTIMIZE are not allowed: the query API is read-only',
  refresh: 'REFRESH is not allowed',
  start: 'transaction statements are not allowed',
  begin: 'transaction statements are not allowed',
  commit: 'transaction statements are not allowed',
  rollback: 'transaction statements are not allowed',
  copy: 'COPY, ATTACH, INSTALL, LOAD, PRAGMA, EXPORT and IMPORT are not allowed',
  attach: 'COPY, ATTACH, INSTALL, LOAD, PRAGMA, EXPORT and IMPORT are not allowed',
  detach: 'COPY, ATTACH, INSTALL, LOAD, PRAGMA, EXPORT and IMPORT are not allowed',
  install: 'COPY, ATTACH, INSTALL, LOAD, PRAGMA, EXPORT and IMPORT are not allowed',
  load: 'COPY, ATTACH, INSTALL, LOAD, PRAGMA, EXPORT and IMPORT are not allowed',
  pragma: 'COPY, ATTACH, INSTALL, LOAD, PRAGMA, EXPORT and IMPORT are not allowed',
  export: 'COPY, ATTACH, INSTALL, LOAD, PRAGMA, EXPORT and IMPORT are not allowed',
  import: 'COPY, ATTACH, INSTALL, LOAD, PRAGMA, EXPORT and IMPORT are not allowed',
  checkpoint: 'CHECKPOINT is not allowed',
  summarize: 'SUMMARIZE is not supported',
  from: 'FROM-first queries are DuckDB syntax, not Athena SQL: write SELECT ... FROM ...',
  table: 'TABLE t is not supported: write SELECT * FROM t',
};

/** AST node types that are statements other than SELECT (as node-sql-parser names them). */
const OTHER_STATEMENTS = new Set([
  'insert',
  'replace',
  'update',
  'delete',
  'create',
  'drop',
  'alter',
  'truncate',
  'rename',
  'use',
  'show',
  'desc',
  'explain',
  'call',
  'set',
  'lock',
  'unlock',
  'grant',
  'revoke',
  'transaction',
  'load_data',
  'declare',
  'exec',
  'execute',
  'prepare',
  'deallocate',
  'copy',
  'merge',
  'unload',
]);

/** Functions that reach outside the query's data (files, settings, environment, catalogs, dynamic SQL). */
const DENIED_FUNCTION_PREFIXES = [
  'read_',
  'parquet_',
  'sqlite_',
  'postgres_',
  'mysql_',
  'iceberg_',
  'delta_',
  'duckdb_',
  'pragma_',
  'glob',
  'query',
  'json_execute',
  'write_',
  'from_substrait',
  'get_substrait',
  'to_substrait',
];
const DENIED_FUNCTIONS = new Set([
  'current_setting',
  'getenv',
  'getvariable',
  'nextval',
  'currval',
  'enable_logging',
  'disable_logging',
  'truncate_duckdb_logs',
  'checkpoint',
  'force_checkpoint',
  'which_secret',
  'sql_auto_complete',
  'load_extension',
  'install_extension',
  'ducklake_snapshots',
  'sniff_csv',
  'iceberg_scan',
  'delta_scan',
  'arrow_scan',
  'seq_scan',
  'test_all_types',
  'range_table',
]);

function deniedFunction(name: string): boolean {
  return DENIED_FUNCTIONS.has(name) || DENIED_FUNCTION_PREFIXES.some((p) => name.startsWith(p));
}

/** Table functions allowed in FROM. */
const ALLOWED_TABLE_FUNCTIONS = new Set(['unnest']);

interface Parsed {
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
function parse(text: string): Parsed {
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

// The AST is loosely typed by node-sql-parser; it is walked generically.
type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A function call's name as written, lower case, with its qualifier (`schema.name`) when it has one; '' when the
 * AST has a shape this does not know (the caller refuses it: failing closed).
 */
function functionName(node: Node): string {
  const name = node.name;
  if (typeof name === 'string') return name.toLowerCase();
  if (!isNode(name)) return '';
  let base = '';
  if (Array.isArray(name.name)) {
    base = (name.name as unknown[])
      .map((p) => (isNode(p) && typeof p.value === 'string' ? p.value : ''))
      .join('.');
    if ((name.name as unknown[]).length === 0 || base.split('.').some((p) => p === '')) return '';
  } else if (isNode(name.name) && typeof name.name.value === 'string') {
    // { name: { value }, schema: { value } }: a qualified call such as main.getenv(...)
    base = name.name.value;
  } else if (typeof name.value === 'string') {
    base = name.value;
  } else {
    return '';
  }
  const schema = name.schema;
  if (schema != null) {
    const qualifier = isNode(schema) && typeof schema.value === 'string' ? schema.value : '?';
    base = `${qualifier}.${base}`;
  }
  return base.toLowerCase();
}

interface Context {
  /** The text the parser read (AST offsets refer to it). */
  sql: string;
  /** The submitted text and where `sql` starts in it, for positions in refusals. */
  original: string;
  lead: number;
  database: string;
  tables: Set<string>;
  ctes: Set<string>;
  referenced: Set<string>;
}

function offsetOf(node: Node): number | undefined {
  const loc = node.loc;
  if (isNode(loc) && isNode(loc.start) && typeof loc.start.offset === 'number') return loc.start.offset;
  return undefined;
}

function checkTableRef(item: Node, ctx: Context): void {
  const table = String(item.table).toLowerCase();
  const at = offsetOf(item);
  if (at !== undefined && ctx.sql[at] === "'") {
    refuse(
      ctx.original,
      ctx.lead + at,
      `file paths are not allowed in FROM ('${String(item.table)}'); query a lake table`,
    );
  }
  const db = item.db == null ? null : String(item.db).toLowerCase();
  const schema = item.schema == null ? null : String(item.schema).toLowerCase();
  let database: string | null = db;
  if (schema !== null) {
    // catalog.database.table
    if (db !== 'awsdatacatalog') {
      throw new QueryNotAllowedError(
        `catalog '${db}' is not allowed: only the lake's tables (in AwsDataCatalog.${ctx.database})`,
      );
    }
    database = schema;
  }
  if (database === 'information_schema' && (db === 'information_schema' || db === 'awsdatacatalog')) {
    // Athena's catalog views; the local engine answers them for the lake's database only.
    if (table === 'tables' || table === 'columns') return;
    throw new QueryNotAllowedError(
      `information_schema.${table} is not supported: only information_schema.tables and information_schema.columns`,
    );
  }
  if (database !== null && database !== ctx.database) {
    throw new QueryNotAllowedError(
      `database '${database}' is not allowed: only the lake's database '${ctx.database}' can be queried`,
    );
  }
  if (database === null && ctx.ctes.has(table)) return;
  if (!ctx.tables.has(table)) {
    throw new QueryNotAllowedError(
      `'${String(item.table)}' is not a table of the lake (tables: ${[...ctx.tables].sort().join(', ')})`,
    );
  }
  ctx.referenced.add(table);
}

function checkFromItem(item: Node, ctx: Context): void {
  if (typeof item.table === 'string') return checkTableRef(item, ctx);
  const expr = item.expr;
  if (isNode(expr)) {
    if (expr.type === 'function') {
      const name = functionName(expr);
      if (!ALLOWED_TABLE_FUNCTIONS.has(name)) {
        throw new QueryNotAllowedError(`table function ${name}() is not allowed in FROM; query lake tables`);
      }
      return;
    }
    if (expr.type === 'tables' && Array.isArray(expr.expr)) {
      // A parenthesised join: (a JOIN b ON ...)
      for (const inner of expr.expr) if (isNode(inner)) checkFromItem(inner, ctx);
      return;
    }
    if (expr.type === 'values' || isNode(expr.ast) || expr.type === 'select') return;
  }
  throw new QueryNotAllowedError(
    'unsupported FROM item: use lake tables, CTEs, subqueries, VALUES or UNNEST',
  );
}

function walk(value: unknown, ctx: Context): void {
  if (Array.isArray(value)) {
    for (const v of value) walk(v, ctx);
    return;
  }
  if (!isNode(value)) return;
  const type = typeof value.type === 'string' ? value.type.toLowerCase() : undefined;
  // Subqueries and CTE bodies are { ast: <statement> }: each must be a SELECT.
  if (isNode(value.ast)) {
    const inner = typeof value.ast.type === 'string' ? value.ast.type.toLowerCase() : 'unknown';
    if (inner !== 'select') {
      throw new QueryNotAllowedError(
        `${OTHER_STATEMENTS.has(inner) ? inner.toUpperCase() : 'a non-SELECT statement'} is not allowed inside a query: only SELECT`,
      );
    }
  }
  if (type === 'select') {
    const into = value.into;
    if (isNode(into) && (into.type === 'into' || into.expr != null)) {
      throw new QueryNotAllowedError('SELECT ... INTO is not allowed: the query API is read-only');
    }
  }
  if (type === 'function' || type === 'aggr_func' || type === 'window_func') {
    const name = functionName(value);
    if (name === '') {
      throw new QueryNotAllowedError('a function call the guard cannot identify is not allowed');
    }
    if (name.includes('.')) {
      throw new QueryNotAllowedError(`qualified function names are not allowed (${name})`);
    }
    if (deniedFunction(name)) {
      throw new QueryNotAllowedError(`function ${name}() is not allowed: it reads outside the lake's tables`);
    }
  }
  if (Array.isArray(value.from)) {
    for (const item of value.from) if (isNode(item)) checkFromItem(item, ctx);
  }
  for (const [k, v] of Object.entries(value)) {
    if (k === 'loc') continue;
    walk(v, ctx);
  }
}

function collectCtes(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) collectCtes(v, into);
    return;
  }
  if (!isNode(value)) return;
  if (Array.isArray(value.with)) {
    for (const w of value.with) {
      if (isNode(w) && isNode(w.name) && typeof w.name.value === 'string')
        into.add(w.name.value.toLowerCase());
    }
  }
  for (const [k, v] of Object.entries(value)) if (k !== 'loc') collectCtes(v, into);
}

/**
 * Checks one submitted statement. Returns the statement to run, or throws QueryNotAllowedError with the reason.
 */
export function checkQuery(sql: string, opts: GuardOptions): CheckedQuery {
  if (typeof sql !== 'string' || sql.trim() === '') throw new QueryNotAllowedError('the query is empty');
  const bytes = Buffer.byteLength(sql, 'utf8');
  if (bytes > opts.maxBytes) {
    throw new QueryNotAllowedError(`the query is ${bytes} bytes; at most ${opts.maxBytes} are accepted`);
  }
  const lexed = tokenize(sql);
  const first = lexed.tokens.find((t) => t.text !== '(');
  if (!first) throw new QueryNotAllowedError('the query is empty');
  const keyword = first.kind === 'word' ? first.text.toLowerCase() : '';
  // SHOW …, DESCRIBE …: the lake's metadata (lib/query/metadata/statements.ts); nothing is read from the data.
  const lake = { database: opts.database.toLowerCase(), tables: opts.tables.map((t) => t.toLowerCase()) };
  if (parseMetadataStatement(lexed.tokens, lake)) {
    return { sql: lexed.body, tables: [] } as unknown as CheckedQuery;
  }
  if (keyword !== 'select' && keyword !== 'with' && keyword !== 'values') {
    throw new QueryNotAllowedError(
      STATEMENT_REASONS[keyword] ??
        `only SELECT queries (optionally WITH ...) are allowed; this statement starts with '${first.text}'`,
    );
  }

  // The parser reads the statement with leading whitespace trimmed: its offsets are relative to that. A bare
  // VALUES is checked as the FROM item it is equivalent to (offsets shifted by the prefix).
  const prefix = keyword === 'values' ? 'SELECT * FROM (' : '';
  const forParser = keyword === 'values' ? `${prefix}${lexed.forParser}) AS t` : lexed.forParser;
  const lead = sql.length - sql.trimStart().length - prefix.length;
  let parsed: Parsed;
  try {
    parsed = parse(forParser);
  } catch (e) {
    if (e instanceof RangeError) throw new QueryNotAllowedError('the query is too deeply nested to check');
    const loc = (e as { location?: { start?: { line: number; column: number; offset: number } } }).location;
    const start = loc?.start;
    const near = start ? forParser.slice(start.offset, start.offset + 24).split('\n')[0] : '';
    const where = start ? positionOf(sql, lead + start.offset) : undefined;
    throw new QueryNotAllowedError(
      `the query could not be checked: the guard's Trino SQL parser does not understand it` +
        (where ? ` at line ${where.line}, column ${where.column}${near ? ` (near '${near}')` : ''}` : '') +
        '. Only SELECT queries in Athena (Trino) SQL are accepted; simplify the construct or report it.',
      where,
    );
  }
  const ast = parsed.ast;
  if (Array.isArray(ast)) {
    if (ast.length !== 1) throw new QueryNotAllowedError('only one statement per query is allowed');
  }
  const root = Array.isArray(ast) ? ast[0] : ast;
  if (!isNode(root) || root.type !== 'select') {
    const t = isNode(root) && typeof root.type === 'string' ? root.type : 'unknown';
    throw new QueryNotAllowedError(STATEMENT_REASONS[t] ?? `only SELECT queries are allowed (got ${t})`);
  }

  try {
    return checkTree(root, parsed.tableList, { ...lexed, forParser }, sql, lead, opts);
  } catch (e) {
    // A long chain of operators (1+1+...+1) parses into an AST deeper than the walk's stack: refuse, don't crash.
    if (e instanceof RangeError) throw new QueryNotAllowedError('the query is too deeply nested to check');
    throw e;
  }
}

/** The AST checks of checkQuery: every table, CTE, subquery and function of the one SELECT. */
function checkTree(
  root: Node,
  tableList: string[],
  lexed: Lexed,
  sql: string,
  lead: number,
  opts: GuardOptions,
): CheckedQuery {
  const ctes = new Set<string>();
  collectCtes(root, ctes);
  const ctx: Context = {
    sql: lexed.forParser,
    original: sql,
    lead,
    database: opts.database.toLowerCase(),
    tables: new Set(opts.tables.map((t) => t.toLowerCase())),
    ctes,
    referenced: new Set(),
  };
  walk(root, ctx);

  // Belt and braces: every table the parser saw must have passed the checks above.
  for (const entry of tableList) {
    const [kind, db, table] = entry.split('::');
    if (kind !== 'select') throw new QueryNotAllowedError(`${String(kind).toUpperCase()} is not allowed`);
    const name = String(table).toLowerCase();
    const qualifier = db === 'null' ? null : String(db).toLowerCase();
    const okQualifier =
      qualifier === null || qualifier === ctx.database || qualifier === `awsdatacatalog.${ctx.database}`;
    const catalogView =
      (qualifier === 'information_schema' || qualifier === 'awsdatacatalog.information_schema') &&
      (name === 'tables' || name === 'columns');
    if (catalogView) continue;
    if (!okQualifier || !(ctx.tables.has(name) || (qualifier === null && ctes.has(name)))) {
      throw new QueryNotAllowedError(`'${table}' is not a table of the lake`);
    }
  }

  return { sql: lexed.body, tables: [...ctx.referenced].sort() } as unknown as CheckedQuery;
}
