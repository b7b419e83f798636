/**
 * A select-list alias used in WHERE, GROUP BY or HAVING — `SELECT status AS st, count(*) FROM orders GROUP BY st`,
 * `SELECT amount * 2 AS twice FROM orders WHERE twice > 10` — is read as its expression by DuckDB; Athena (Trino)
 * reads aliases in ORDER BY only and fails the query (`Column 'st' cannot be resolved`). The local engine fails it
 * the same way.
 *
 * How: a one-part column reference in those clauses (or in the select list itself, which DuckDB also reads aliases
 * in) that names an alias of its SELECT's list is looked at; that SELECT is bound alone as it is, then with the
 * alias renamed. If only the first binds, the name was the alias, not a column of the FROM clause (which both
 * engines would read, and which DuckDB prefers too).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import {
  bindTree,
  ownNodes,
  selectAlone,
  selectNodes,
  type StatementTree,
  type TreeNode,
} from './statement-tree';

/** The clauses where Trino reads no alias of the select list, by their key in DuckDB's tree. */
const CLAUSES: Record<string, string> = {
  where_clause: 'WHERE',
  group_expressions: 'GROUP BY',
  having: 'HAVING',
  qualify: 'QUALIFY',
};

/** Athena's answer to an alias where it reads none. */
export class AliasReferenceError extends Error {
  constructor(name: string, clause: string) {
    super(
      `Column '${name}' cannot be resolved: '${name}' is an alias of the select list, used in ${clause}. Athena ` +
        `(Trino) reads select-list aliases in ORDER BY only and fails this query (COLUMN_NOT_FOUND); DuckDB would ` +
        `read the aliased expression, so the local engine fails it too. Repeat the expression` +
        (clause === 'GROUP BY' ? `, or group by its position (GROUP BY 1)` : '') +
        `, or select from a subquery that names it`,
    );
    this.name = 'AliasReferenceError';
  }
}

const aliasOf = (item: unknown) =>
  typeof (item as TreeNode).alias === 'string' ? ((item as TreeNode).alias as string).toLowerCase() : '';

/** Whether a statement binds. */
const binds = async (c: DuckDBConnection, tree: StatementTree) =>
  'value' in (await bindTree(c, tree, () => true));

/** Throws an AliasReferenceError when a SELECT of the statement (its tree) reads an alias where Trino reads none. */
export async function refuseAliasReferences(c: DuckDBConnection, tree: StatementTree): Promise<void> {
  for (const { node, ctes } of selectNodes(tree.statements)) {
    const list = Array.isArray(node.select_list) ? (node.select_list as unknown[]) : [];
    const aliases = new Set(list.map(aliasOf).filter((a) => a !== ''));
    if (aliases.size === 0) continue;
    const used = new Map<string, string>();
    const look = (v: unknown, clause: string) => {
      for (const n of ownNodes(v)) {
        if (n.class !== 'COLUMN_REF' || !Array.isArray(n.column_names) || n.column_names.length !== 1)
          continue;
        const name = String(n.column_names[0]).toLowerCase();
        if (aliases.has(name) && !used.has(name)) used.set(name, clause);
      }
    };
    for (const [key, clause] of Object.entries(CLAUSES)) look(node[key], clause);
    look(list, 'the select list');
    if (used.size === 0 || !(await binds(c, selectAlone(node, ctes, {})))) continue; // not bound alone: left as it is
    for (const [name, clause] of used) {
      const probe = `lake_alias_probe_${Math.random().toString(36).slice(2)}`;
      const renamed = list.map((item) =>
        aliasOf(item) === name ? { ...(item as TreeNode), alias: probe } : item,
      );
      // It binds as it is; if it does not with the alias renamed, the name was the alias.
      if (!(await binds(c, selectAlone(node, ctes, { select_list: renamed }))))
        throw new AliasReferenceError(name, clause);
    }
  }
}
