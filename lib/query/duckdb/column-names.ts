/**
 * A result's column names as Athena gives them. Athena (Trino) names a select item by its alias, a column reference
 * by the column's name as the query wrote it (written-names.ts), and any other expression _col<position>; DuckDB names the other expressions after their text
 * (count_star(), (a + 1)) and a few of them like identifiers (NULL, current_date). Names that are plain identifiers
 * are taken as they are; where one is not, the statement's own select list (DuckDB's parser) tells an alias or a
 * column, whatever its characters ("総数", "has space"), from an expression.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { isTreeNode, statementTree, treeNodes, type StatementTree, type TreeNode } from './statement-tree';
import { writtenColumnNames } from './written-names';

/**
 * Names DuckDB gives expressions that look like identifiers: count(*), and the literals and special functions
 * written without parentheses (SELECT NULL, current_date), which Trino's reserved words keep from being a column's
 * or an unquoted alias's name.
 */
const UNNAMED = new Set([
  'count_star',
  'null',
  'true',
  'false',
  'current_date',
  'current_time',
  'current_timestamp',
  'localtime',
  'localtimestamp',
  'current_user',
  'current_catalog',
  'current_schema',
]);

const PLAIN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The alias a rewrite gives a column Trino leaves unnamed (unnest-columns.ts: an array's elements, the ordinal),
 * followed by a number: named _col<position> in the results.
 */
export const UNNAMED_COLUMN = 'lake unnamed';
const rewriteUnnamed = (alias: string) => alias.startsWith(`${UNNAMED_COLUMN} `);

/** A name DuckDB gave that reads as Athena's without looking at the statement (a plain identifier, not UNNAMED). */
const plainName = (name: string) => PLAIN.test(name) && !UNNAMED.has(name.toLowerCase());

/**
 * Whether the statement writes one of the names in another case (`EVENT_ID` for `event_id`): only then can a column's
 * written name differ from DuckDB's. A word inside a string or a quoted name counts too: it only costs a look.
 */
function writesAnotherCase(sql: string, names: string[]): boolean {
  const exact = new Set(names);
  const lower = new Set(names.map((n) => n.toLowerCase()));
  for (const [word] of sql.matchAll(/[\p{L}\p{N}_$]+/gu))
    if (!exact.has(word) && lower.has(word.toLowerCase())) return true;
  // A name of several words or other characters ("has space"): written in another case somewhere in the text.
  const text = sql.toLowerCase();
  return names.some((n) => {
    if (PLAIN.test(n)) return false;
    const lower = n.toLowerCase();
    for (let at = text.indexOf(lower); at >= 0; at = text.indexOf(lower, at + 1))
      if (sql.slice(at, at + n.length) !== n) return true;
    return false;
  });
}

/** The result's column names, from DuckDB's (`names`) and the statement it ran (`sql`, DuckDB's SQL). */
export async function athenaColumnNames(
  c: DuckDBConnection,
  sql: string,
  names: string[],
): Promise<string[]> {
  const caseWritten = writesAnotherCase(sql, names);
  if (names.every(plainName) && !caseWritten) return names;
  const tree = await statementTree(c, sql);
  const statement = tree?.statements?.[0];
  if (!isTreeNode(statement)) return names.map((n, i) => (plainName(n) ? n : `_col${i}`));
  const athena = names.every(plainName) ? names : namedAsAthena(tree!, statement, names);
  if (!caseWritten) return athena;
  // A name kept from DuckDB, in the case the statement wrote it.
  const written = writtenColumnNames(statement, names);
  return athena.map((n, i) => (n === names[i] ? (written[i] ?? n) : n));
}

/** The names DuckDB gave, or _col<position> for a column Athena leaves unnamed. */
function namedAsAthena(tree: StatementTree, statement: TreeNode, names: string[]): string[] {
  const list = selectList(statement.node);
  if (!list) return names.map((n, i) => (plainName(n) ? n : `_col${i}`));
  // One select item per column: each is named by its alias or column, or by its position.
  if (list.length === names.length && !list.some((e) => e.class === 'STAR'))
    return names.map((n, i) => (namedItem(list[i]!) ? n : `_col${i}`));
  // A * stands for columns the statement does not list: an alias or column it names anywhere keeps its name.
  const named = new Set<string>();
  for (const n of treeNodes(tree)) {
    if (typeof n.alias === 'string' && n.alias !== '' && !rewriteUnnamed(n.alias)) named.add(n.alias);
    if (n.class === 'COLUMN_REF' && Array.isArray(n.column_names)) named.add(String(n.column_names.at(-1)));
  }
  return names.map((n, i) =>
    plainName(n) || (named.has(n) && !UNNAMED.has(n.toLowerCase())) ? n : `_col${i}`,
  );
}

/** The select list that names a query's columns: its own, or a set operation's first query's. */
function selectList(node: unknown): TreeNode[] | undefined {
  for (let n = node; isTreeNode(n); n = n.left) {
    if (n.type === 'SELECT_NODE')
      return Array.isArray(n.select_list) ? n.select_list.filter(isTreeNode) : undefined;
    if (n.type !== 'SET_OPERATION_NODE') return undefined;
  }
  return undefined;
}

/** A select item Athena names by itself: one with an alias, or a column (not current_date and its kind). */
function namedItem(e: TreeNode): boolean {
  if (typeof e.alias === 'string' && e.alias !== '') return !rewriteUnnamed(e.alias);
  if (e.class !== 'COLUMN_REF' || !Array.isArray(e.column_names)) return false;
  const last = e.column_names.at(-1);
  return !(e.column_names.length === 1 && typeof last === 'string' && UNNAMED.has(last.toLowerCase()));
}
