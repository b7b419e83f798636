/**
 * Athena's metadata statements, read-only, on the lake's database only:
 *   SHOW TABLES [IN|FROM db] [[LIKE] 'pattern']      → tab_name
 *   SHOW COLUMNS {FROM|IN} [db.]table [{FROM|IN} db]  → field
 *   DESCRIBE [db.]table                               → col_name (Hive's text: name, type, comment; partitions)
 *   SHOW PARTITIONS [db.]table                        → partition
 *   SHOW CREATE TABLE [db.]table                      → createtab_stmt
 * Each answers one varchar column named as Hive's DDL result schema names it, one row per line of Hive's output.
 * parseMetadataStatement is the guard's check (both engines: Athena runs the statement as written);
 * metadataSql is the local engine's answer, a SELECT over VALUES made from the Glue TableInputs.
 *
 * SHOW PARTITIONS lists the partitions registered in Glue; the lake registers none (partition projection), so
 * Athena's answer, and the local one, has no rows.
 *
 * Names as Athena's Hive DDL parser reads them (measured on Athena by the athena-local project,
 * docs/dev/measurements/statements.md of github.com/aoyagikouhei/athena-local): unquoted or in backticks
 * (DESCRIBE `orders`); a double-quoted name, SELECT's quoting, fails the statement at its start. A block comment
 * before the table's name of DESCRIBE or SHOW CREATE TABLE fails it too (Hive's ParseException: "cannot recognize
 * input near '/' '*'"), where SHOW TABLES, SHOW COLUMNS and SHOW PARTITIONS read it as a space; a line comment
 * (-- …) is read as a space by all.
 */
import type { GlueTableInput } from '../../catalog/glue';
import { sqlIdent, sqlString } from '../../duckdb-sql';
import {
  notInDefaultDatabase,
  NotInCatalogError,
  QueryNotAllowedError,
  schemaNotFound,
  tableNotFound,
} from '../sql-guard/errors';
import { positionOf, type Token } from '../sql-guard/lexer';
import { describeTable, showColumns, showCreateTable, tableNameMatcher } from './hive-ddl';

export type MetadataStatement =
  | { kind: 'tables'; pattern?: string }
  | { kind: 'columns' | 'describe' | 'partitions' | 'create'; table: string };

const COLUMN: Record<MetadataStatement['kind'], string> = {
  tables: 'tab_name',
  columns: 'field',
  describe: 'col_name',
  partitions: 'partition',
  create: 'createtab_stmt',
};

const SUPPORTED =
  "SHOW TABLES [IN db] ['pattern'], SHOW COLUMNS FROM table, DESCRIBE table, SHOW PARTITIONS table, SHOW CREATE TABLE table";

const lower = (t: Token | undefined) =>
  t?.kind === 'word'
    ? t.text.toLowerCase()
    : t?.kind === 'backquoted'
      ? t.text.slice(1, -1).replaceAll('``', '`').toLowerCase()
      : undefined;

/** The statement's words as written, from `from` to `to` (tokens), for Athena's messages. */
const written = (sql: string, tokens: Token[], from: number, to: number) =>
  sql.slice(tokens[from]!.start, tokens[to]!.end);

/**
 * The metadata statement these tokens make, checked against the lake (its database and tables); a refusal with the
 * reason otherwise. `undefined` when the statement is not SHOW/DESCRIBE at all.
 */
export function parseMetadataStatement(
  tokens: Token[],
  lake: { database: string; defaultDatabase?: string; tables: readonly string[] },
  /** The statement's text and where its block comments start (tokenize): the guard's check asks for them. */
  source?: { sql: string; blockComments: readonly number[] },
): MetadataStatement | undefined {
  const first = lower(tokens[0]);
  if (first !== 'show' && first !== 'describe' && first !== 'desc') return undefined;
  let i = 1;
  const peek = () => lower(tokens[i]);
  const refuse = (why = `only ${SUPPORTED} are supported`): never => {
    throw new QueryNotAllowedError(`${tokens.map((t) => t.text).join(' ')}: ${why}`);
  };
  /** A double-quoted name (SELECT's quoting) where Athena's Hive DDL parser reads a name: its failure at start. */
  const doubleQuoted = (at: number): never => {
    const t = tokens[at]!;
    const pos = source ? positionOf(source.sql, t.start) : undefined;
    const name = t.text.slice(1, -1).replaceAll('""', '"').replaceAll('`', '``');
    const athena =
      first !== 'show' && source && pos
        ? // DESCRIBE "t": "line 1:10: no viable alternative at input 'DESCRIBE "t"'" (from the statement's start
          // for its first name part, else from the name's).
          `line ${pos.line}:${pos.column}: no viable alternative at input '${written(
            source.sql,
            tokens,
            tokens[at - 1]?.text === '.' ? at - 2 : 0,
            at,
          )}'`
        : tokens[1] && lower(tokens[1]) === 'create'
          ? 'Queries of this type are not supported'
          : `mismatched input '${t.text}'`;
    throw new QueryNotAllowedError(
      `${athena}: Athena reads the names of DESCRIBE and SHOW statements unquoted or in backticks (\`${name}\`), ` +
        'not in double quotes',
      pos,
      true,
    );
  };
  /** A name part at `at`: double quotes refused as Athena refuses them. */
  const namePart = (at: number) => (tokens[at]?.kind === 'quoted' ? doubleQuoted(at) : lower(tokens[at]));
  /** DESCRIBE and SHOW CREATE TABLE: a block comment before the end of the name at `last` fails on Athena. */
  const noBlockComment = (last: number) => {
    const before = tokens[last]?.end ?? Infinity;
    const at = source?.blockComments.find((c) => c < before);
    if (at === undefined) return;
    const what = first === 'show' ? 'SHOW CREATE TABLE' : first.toUpperCase();
    throw new QueryNotAllowedError(
      `${what} with a block comment (/* … */) before the table's name: Athena's Hive DDL parser fails it ` +
        "(FAILED: ParseException … cannot recognize input near '/' '*'), where the local engine would answer; " +
        'write a line comment (-- …) there, or none',
      positionOf(source!.sql, at),
      true,
    );
  };
  const database = (name: string | undefined) => {
    if (name === undefined) refuse('a database name is expected');
    if (name !== lake.database) {
      throw notFound(
        new NotInCatalogError(
          `database '${name}' is not allowed: only the lake's database '${lake.database}' can be queried`,
          schemaNotFound(name!),
          undefined,
          true,
        ),
      );
    }
  };
  /**
   * An unqualified name is read in the request's database, else in `default` (Athena's API without a
   * QueryExecutionContext Database): the lake's tables are not there, as for a SELECT (sql-guard/tree.ts).
   */
  const inDefault = (table?: string) => {
    const other = lake.defaultDatabase;
    if (other !== undefined && other !== lake.database)
      throw notFound(notInDefaultDatabase(table, other, lake.database, undefined, true));
  };
  /**
   * DESCRIBE and SHOW COLUMNS of a table the catalog lacks: Athena refuses them at start ("Entity Not Found"); SHOW
   * CREATE TABLE and SHOW PARTITIONS of one are refused as the lake's API refuses them (not measured on Athena).
   */
  let entityStatement = first !== 'show';
  const notFound = (e: QueryNotAllowedError): QueryNotAllowedError =>
    e instanceof NotInCatalogError && !entityStatement ? new QueryNotAllowedError(e.reason) : e;
  /** [catalog.][db.]table; `later`: a database may follow (SHOW COLUMNS FROM t IN db), read by the caller. */
  const tableName = (later = false): string => {
    const parts: string[] = [];
    for (;;) {
      const p = namePart(i);
      if (p === undefined) refuse('a table name is expected');
      parts.push(p!);
      i++;
      if (tokens[i]?.text !== '.') break;
      i++;
    }
    if (parts.length === 3) {
      if (parts[0] !== 'awsdatacatalog') refuse(`catalog '${parts[0]}' is not allowed`);
      parts.shift();
    }
    if (parts.length === 2) database(parts.shift());
    else if (!later) inDefault(parts[0]);
    if (parts.length !== 1) refuse();
    const table = parts[0]!;
    if (!lake.tables.includes(table)) {
      throw notFound(
        new NotInCatalogError(
          `'${table}' is not a table of the lake (tables: ${[...lake.tables].sort().join(', ')})`,
          tableNotFound(lake.database, table),
          undefined,
          true,
        ),
      );
    }
    return table;
  };
  const end = (s: MetadataStatement): MetadataStatement => (i === tokens.length ? s : refuse());
  if (first === 'describe' || first === 'desc') {
    if (['extended', 'formatted', 'table'].includes(peek() ?? '')) refuse();
    const table = tableName();
    noBlockComment(i - 1);
    return end({ kind: 'describe', table });
  }
  const what = peek();
  i++;
  if (what === 'tables') {
    if (peek() === 'in' || peek() === 'from') {
      i++;
      database(namePart(i++));
    } else inDefault();
    if (peek() === 'like') i++;
    const p = tokens[i];
    if (p?.kind === 'string') {
      i++;
      return end({ kind: 'tables', pattern: p.text.slice(1, -1).replace(/''/g, "'") });
    }
    return end({ kind: 'tables' });
  }
  if (what === 'columns') {
    entityStatement = true;
    if (peek() !== 'from' && peek() !== 'in') refuse();
    i++;
    const qualified = tokens[i + 1]?.text === '.';
    const table = tableName(true);
    if (peek() === 'from' || peek() === 'in') {
      i++;
      database(namePart(i++));
    } else if (!qualified) inDefault(table);
    return end({ kind: 'columns', table });
  }
  if (what === 'partitions') return end({ kind: 'partitions', table: tableName() });
  if (what === 'create' && peek() === 'table') {
    i++;
    const table = tableName();
    noBlockComment(i - 1);
    return end({ kind: 'create', table });
  }
  return refuse();
}

/** The answer's lines. */
export function metadataLines(
  s: MetadataStatement,
  database: string,
  inputs: GlueTableInput<string>[],
): string[] {
  if (s.kind === 'tables') {
    const match = s.pattern === undefined ? () => true : tableNameMatcher(s.pattern);
    return inputs
      .map((t) => t.Name)
      .filter(match)
      .sort();
  }
  const t = inputs.find((x) => x.Name === s.table);
  if (!t) throw new Error(`table '${s.table}' is not in the catalog`);
  if (s.kind === 'columns') return showColumns(t);
  if (s.kind === 'describe') return describeTable(t);
  if (s.kind === 'create') return showCreateTable(database, t);
  return []; // partitions: none registered (partition projection)
}

/** The local engine's SELECT for a metadata statement: its lines in order, in one varchar column. */
export function metadataSql(
  s: MetadataStatement,
  database: string,
  inputs: GlueTableInput<string>[],
): string {
  const column = sqlIdent(COLUMN[s.kind]);
  const lines = metadataLines(s, database, inputs);
  if (lines.length === 0) return `SELECT CAST(NULL AS VARCHAR) AS ${column} WHERE false`;
  const rows = lines.map((l, n) => `(${n}, ${sqlString(l)})`).join(', ');
  return `SELECT ${column} FROM (VALUES ${rows}) AS t(n, ${column}) ORDER BY n`;
}
