/**
 * The case a query wrote its columns in. Athena (Trino) names an unaliased column reference as the query wrote it
 * (`SELECT EVENT_ID` is headed `EVENT_ID`, `SELECT pv.Event_Id` `Event_Id`: "display the column heading using the
 * casing that you chose in the query"), where DuckDB takes the name its table or subquery gave the column
 * (`event_id`). A `*` stands for the columns of what it reads, named as that query named them: a subquery's or a
 * CTE's select list (written case again), a table's own names.
 *
 * From DuckDB's tree of the statement (json_serialize_sql), each result column's written name where the statement
 * tells it; `undefined` where it does not (an expression, a table's column behind a `*`).
 */
import { isTreeNode, type TreeNode } from './statement-tree';

/** Stands for the columns of a `*` whose number the tree does not tell (a table's). */
const UNKNOWN_RUN = Symbol('unknown run');
type Names = (string | undefined | typeof UNKNOWN_RUN)[];

/** A CTE: its query and the column names it gives (WITH t(a, b) AS …). */
interface Cte {
  query: TreeNode;
  aliases: unknown[];
}
/** CTEs in scope, innermost first. */
type Ctes = Map<string, Cte>[];

/** How deep CTEs and subqueries are followed (a recursive CTE reads itself). */
const MAX_DEPTH = 32;

/** The result columns' names as written, aligned with DuckDB's `names`; undefined where the tree cannot tell. */
export function writtenColumnNames(statement: TreeNode, names: string[]): (string | undefined)[] {
  const written = queryNames(statement.node, [], 0);
  const aligned: (string | undefined)[] = names.map(() => undefined);
  const gap = written.indexOf(UNKNOWN_RUN);
  const head = gap < 0 ? written : written.slice(0, gap);
  // After an unknown run only a run of known names at the end (SELECT *, EVENT_ID FROM t) is aligned: from the end.
  const tail = gap < 0 ? [] : written.slice(gap + 1);
  if (tail.includes(UNKNOWN_RUN)) tail.splice(0, tail.lastIndexOf(UNKNOWN_RUN) + 1);
  if (gap < 0 ? head.length !== names.length : head.length + tail.length > names.length) return aligned;
  head.forEach((n, i) => (aligned[i] = typeof n === 'string' ? n : undefined));
  tail.forEach((n, i) => (aligned[names.length - tail.length + i] = typeof n === 'string' ? n : undefined));
  // Only a difference of case: a name the tree tells otherwise is not this column's.
  return aligned.map((n, i) =>
    n !== undefined && n.toLowerCase() === names[i]!.toLowerCase() ? n : undefined,
  );
}

/** The names of a query node's result columns. */
function queryNames(node: unknown, outer: Ctes, depth: number): Names {
  if (depth > MAX_DEPTH) return [UNKNOWN_RUN];
  for (let n = node; isTreeNode(n); n = n.left) {
    if (n.type === 'SET_OPERATION_NODE') continue;
    if (n.type !== 'SELECT_NODE') return [UNKNOWN_RUN];
    const ctes = [cteMap(n), ...outer];
    const list = Array.isArray(n.select_list) ? n.select_list.filter(isTreeNode) : [];
    return list.flatMap((e): Names => {
      if (typeof e.alias === 'string' && e.alias !== '') return [e.alias];
      if (e.class === 'COLUMN_REF' && Array.isArray(e.column_names)) {
        const last = e.column_names.at(-1);
        return [typeof last === 'string' ? last : undefined];
      }
      if (e.class === 'STAR')
        return plainStar(e) ? relationNames(n.from_table, ctes, depth + 1) : [UNKNOWN_RUN];
      return [undefined];
    });
  }
  return [UNKNOWN_RUN];
}

/** A `*` of all columns of what the query reads (not t.*, EXCLUDE, REPLACE, COLUMNS(…)). */
const plainStar = (e: TreeNode) =>
  !e.relation_name &&
  !e.columns &&
  !e.expr &&
  [e.exclude_list, e.replace_list, e.qualified_exclude_list, e.rename_list].every(
    (l) => !Array.isArray(l) || l.length === 0,
  );

/** The columns of a FROM clause's relation, in the order a `*` takes them. */
function relationNames(from: unknown, ctes: Ctes, depth: number): Names {
  if (!isTreeNode(from)) return [UNKNOWN_RUN];
  const renamed = (names: Names, alias: unknown): Names =>
    Array.isArray(alias)
      ? names.map((n, i) => (typeof alias[i] === 'string' ? (alias[i] as string) : n))
      : names;
  const aliased = (names: Names): Names => renamed(names, from.column_name_alias);
  switch (from.type) {
    case 'EMPTY':
      return [];
    case 'SUBQUERY':
      return isTreeNode(from.subquery) ? aliased(queryNames(from.subquery.node, ctes, depth)) : [UNKNOWN_RUN];
    case 'BASE_TABLE': {
      const cte = !from.schema_name && !from.catalog_name && cteNamed(ctes, String(from.table_name));
      return cte ? aliased(renamed(queryNames(cte.query.node, ctes, depth), cte.aliases)) : [UNKNOWN_RUN];
    }
    case 'JOIN':
      // USING and NATURAL merge the columns they join on: their number is not the two sides'.
      if (
        (from.ref_type !== 'REGULAR' && from.ref_type !== 'CROSS') ||
        (Array.isArray(from.using_columns) && from.using_columns.length > 0)
      )
        return [UNKNOWN_RUN];
      return [...relationNames(from.left, ctes, depth), ...relationNames(from.right, ctes, depth)];
    default:
      return [UNKNOWN_RUN];
  }
}

function cteMap(select: TreeNode): Map<string, Cte> {
  const map = new Map<string, Cte>();
  const entries = isTreeNode(select.cte_map) && Array.isArray(select.cte_map.map) ? select.cte_map.map : [];
  for (const entry of entries.filter(isTreeNode)) {
    const value = entry.value;
    if (typeof entry.key === 'string' && isTreeNode(value) && isTreeNode(value.query))
      map.set(entry.key.toLowerCase(), {
        query: value.query,
        aliases: Array.isArray(value.aliases) ? value.aliases : [],
      });
  }
  return map;
}

/** The CTE a table name stands for, innermost first (a CTE hides a table of its name). */
function cteNamed(ctes: Ctes, name: string): Cte | undefined {
  for (const map of ctes) {
    const cte = map.get(name.toLowerCase());
    if (cte) return cte;
  }
  return undefined;
}
