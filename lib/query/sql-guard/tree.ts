/**
 * Pass 2's AST checks: the one SELECT's every FROM item is a lake table, a CTE, a subquery, VALUES or UNNEST, and no
 * function call is qualified or an engine internal.
 */
import type { CheckedQuery } from '../types';
import {
  notInDefaultDatabase,
  NotInCatalogError,
  QueryNotAllowedError,
  schemaNotFound,
  tableNotFound,
  type GuardOptions,
} from './errors';
import { positionOf, refuse, type Lexed } from './lexer';
import { ALLOWED_TABLE_FUNCTIONS, deniedFunction, OTHER_STATEMENTS } from './rules';
import { cteScopes, isCteAt, type CteScope } from './cte-scopes';

// The AST is loosely typed by node-sql-parser; it is walked generically.
export type Node = Record<string, unknown>;
export const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

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
  /** Where an unqualified table name is read (GuardOptions.defaultDatabase). */
  defaultDatabase: string;
  tables: Set<string>;
  /** Names some WITH of the statement defines (the parser's reading). */
  ctes: Set<string>;
  /** Where each is in scope (./cte-scopes.ts): a name is a CTE only there. */
  cteScopes: CteScope[];
  referenced: Set<string>;
  /** Names (lower case) of the functions the statement calls in its expressions. */
  functions: Set<string>;
  /** Table functions of FROM items (UNNEST), which are not calls in expressions. */
  tableFunctions: WeakSet<Node>;
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
  // Where the name stands, for Athena's message of a name it does not find.
  const where = at !== undefined ? positionOf(ctx.original, ctx.lead + at) : undefined;
  if (database !== null && database !== ctx.database) {
    throw new NotInCatalogError(
      `database '${database}' is not allowed: only the lake's database '${ctx.database}' can be queried`,
      // `default` is there (empty); another database is not in the local catalog.
      database === 'default' ? tableNotFound(database, table) : schemaNotFound(database),
      where,
    );
  }
  // A CTE where it is in scope, not wherever its name stands: elsewhere the engine reads the name as a catalog
  // object or a file. Its position is needed to tell; without one, it is judged as a table name.
  if (
    database === null &&
    at !== undefined &&
    ctx.ctes.has(table) &&
    isCteAt(ctx.cteScopes, table, ctx.lead + at)
  )
    return;
  if (database === null && ctx.defaultDatabase !== ctx.database)
    throw notInDefaultDatabase(table, ctx.defaultDatabase, ctx.database, where);
  if (!ctx.tables.has(table)) {
    const outOfScope = ctx.ctes.has(table)
      ? `; a WITH defines '${table}' for its own query only (the parenthesis it stands in), not here`
      : '';
    throw new NotInCatalogError(
      `'${String(item.table)}' is not a table of the lake (tables: ${[...ctx.tables].sort().join(', ')})${outOfScope}`,
      tableNotFound(ctx.database, table),
      where,
    );
  }
  ctx.referenced.add(table);
}

function checkFromItem(item: Node, ctx: Context): void {
  if (typeof item.table === 'string') return checkTableRef(item, ctx);
  const expr = item.expr;
  if (isNode(expr)) {
    if (expr.type === 'function') {
      ctx.tableFunctions.add(expr);
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
    // NOT (x), and not(x), is Trino's operator: the parser reads it as a call of a function named not. VALUES and
    // EXISTS are reserved words, no function's names: the parser reads `IN (VALUES (1), (2))` and `EXISTS (VALUES
    // (1))` as calls of them.
    if (!ctx.tableFunctions.has(value) && !['not', 'values', 'exists'].includes(name))
      ctx.functions.add(name);
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
 * The AST checks of checkQuery: every table, CTE, subquery and function of the one SELECT — given as its roots:
 * the statement's and those of the subqueries parsed apart from it (parse.ts), one scope of CTE names for all.
 */
export function checkTree(
  roots: Node[],
  tableList: string[],
  lexed: Lexed,
  sql: string,
  lead: number,
  opts: GuardOptions,
): CheckedQuery {
  const ctes = new Set<string>();
  collectCtes(roots, ctes);
  const tokens = lexed.tokens;
  const ctx: Context = {
    sql: lexed.forParser,
    original: sql,
    lead,
    database: opts.database.toLowerCase(),
    defaultDatabase: (opts.defaultDatabase ?? opts.database).toLowerCase(),
    tables: new Set(opts.tables.map((t) => t.toLowerCase())),
    ctes,
    cteScopes: cteScopes(tokens, sql.length),
    referenced: new Set(),
    functions: new Set(),
    tableFunctions: new WeakSet(),
  };
  walk(roots, ctx);

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
      throw new NotInCatalogError(
        `'${table}' is not a table of the lake`,
        tableNotFound(qualifier?.replace(/^awsdatacatalog\./, '') ?? ctx.database, name),
      );
    }
  }

  return {
    sql: lexed.body,
    tables: [...ctx.referenced].sort(),
    functions: [...ctx.functions].sort(),
  } as unknown as CheckedQuery;
}
