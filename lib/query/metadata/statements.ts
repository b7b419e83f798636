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
 */
import type { GlueTableInput } from '../../catalog/glue';
import { sqlIdent, sqlString } from '../../duckdb-sql';
import { notInDefaultDatabase, QueryNotAllowedError } from '../sql-guard/errors';
import type { Token } from '../sql-guard/lexer';
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
    : t?.kind === 'quoted'
      ? t.text.slice(1, -1).toLowerCase()
      : undefined;

/**
 * The metadata statement these tokens make, checked against the lake (its database and tables); a refusal with the
 * reason otherwise. `undefined` when the statement is not SHOW/DESCRIBE at all.
 */
export function parseMetadataStatement(
  tokens: Token[],
  lake: { database: string; defaultDatabase?: string; tables: readonly string[] },
): MetadataStatement | undefined {
  const first = lower(tokens[0]);
  if (first !== 'show' && first !== 'describe' && first !== 'desc') return undefined;
  let i = 1;
  const peek = () => lower(tokens[i]);
  const refuse = (why = `only ${SUPPORTED} are supported`): never => {
    throw new QueryNotAllowedError(`${tokens.map((t) => t.text).join(' ')}: ${why}`);
  };
  const database = (name: string | undefined) => {
    if (name === undefined) refuse('a database name is expected');
    if (name !== lake.database) {
      throw new QueryNotAllowedError(
        `database '${name}' is not allowed: only the lake's database '${lake.database}' can be queried`,
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
      throw notInDefaultDatabase(table, other, lake.database);
  };
  /** [catalog.][db.]table; `later`: a database may follow (SHOW COLUMNS FROM t IN db), read by the caller. */
  const tableName = (later = false): string => {
    const parts: string[] = [];
    for (;;) {
      const p = lower(tokens[i]);
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
      throw new QueryNotAllowedError(
        `'${table}' is not a table of the lake (tables: ${[...lake.tables].sort().join(', ')})`,
      );
    }
    return table;
  };
  const end = (s: MetadataStatement): MetadataStatement => (i === tokens.length ? s : refuse());
  if (first === 'describe' || first === 'desc') {
    if (['extended', 'formatted', 'table'].includes(peek() ?? '')) refuse();
    return end({ kind: 'describe', table: tableName() });
  }
  const what = peek();
  i++;
  if (what === 'tables') {
    if (peek() === 'in' || peek() === 'from') {
      i++;
      database(lower(tokens[i++]));
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
    if (peek() !== 'from' && peek() !== 'in') refuse();
    i++;
    const qualified = tokens[i + 1]?.text === '.';
    const table = tableName(true);
    if (peek() === 'from' || peek() === 'in') {
      i++;
      database(lower(tokens[i++]));
    } else if (!qualified) inDefault(table);
    return end({ kind: 'columns', table });
  }
  if (what === 'partitions') return end({ kind: 'partitions', table: tableName() });
  if (what === 'create' && peek() === 'table') {
    i++;
    return end({ kind: 'create', table: tableName() });
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
