/**
 * Operands of mixed types that DuckDB casts to text and Athena (Trino) refuses:
 *  - concatenation of text with another type: `'order-' || 42`, `concat('day ', d)` ("Unexpected parameters
 *    (varchar, integer) for function concat");
 *  - text and another type where Trino wants one type: `coalesce(amount, 'n/a')`, `CASE WHEN … THEN 1 ELSE 'x'
 *    END`, `if(c, 1, 'x')`, `greatest`, `least`, `nullif` ("All COALESCE operands must be the same type").
 * DuckDB casts the other operands to text and answers; the local engine fails such a query as Athena does.
 *
 * How: for each SELECT of the statement's tree (DuckDB's parser) that has such operands, they are bound as the select
 * list of that SELECT alone (its FROM, WHERE, GROUP BY and CTEs kept; nothing runs), and DuckDB's binder gives their
 * types. A SELECT that cannot be bound alone (it refers to an outer query) is left as it is.
 */
import { DuckDBTypeId, type DuckDBConnection } from '@duckdb/node-api';
import {
  isNullConstant,
  isTreeNode,
  ownNodes,
  selectAlone,
  selectNodes,
  treeSql,
  type StatementTree,
  type TreeNode,
} from './statement-tree';
import { castFromTextOnlyExplicitly, trinoType } from './values';

/** Operands that must all be text (concat), or all of one type (the others), by what holds them. */
interface Group {
  kind: 'concat' | 'COALESCE' | 'CASE' | 'greatest' | 'least' | 'nullif';
  operands: unknown[];
}

const SAME_TYPE_FUNCTIONS = new Set(['greatest', 'least', 'nullif']);

/** The groups of a SELECT's own expressions (not those of its nested SELECTs, each looked at on its own). */
function groupsOf(node: TreeNode): Group[] {
  const groups: Group[] = [];
  for (const [key, v] of Object.entries(node)) {
    if (key === 'from_table' || key === 'cte_map') continue; // a FROM's subqueries are SELECTs of their own
    for (const n of ownNodes(v)) {
      if (n.class === 'FUNCTION' && Array.isArray(n.children)) {
        const name = String(n.function_name).toLowerCase();
        if (name === '||' || name === 'concat') groups.push({ kind: 'concat', operands: n.children });
        else if (SAME_TYPE_FUNCTIONS.has(name))
          groups.push({ kind: name as Group['kind'], operands: n.children });
      } else if (n.type === 'OPERATOR_COALESCE' && Array.isArray(n.children)) {
        groups.push({ kind: 'COALESCE', operands: n.children });
      } else if (n.class === 'CASE' && Array.isArray(n.case_checks)) {
        const results = (n.case_checks as TreeNode[]).map((check) => check.then_expr);
        groups.push({ kind: 'CASE', operands: [...results, n.else_expr] });
      }
    }
  }
  return groups;
}

/**
 * An operand with no value of its own type: a NULL literal (Trino types it by the others; DuckDB's select list makes
 * it an integer), or error(…), which the local engine's rewrites put where Athena would fail.
 */
const hasNoType = (v: unknown) =>
  isTreeNode(v) && (isNullConstant(v) || (v.class === 'FUNCTION' && v.function_name === 'error'));

/** Athena's refusal of operands of mixed types. */
export class MixedOperandsError extends Error {
  constructor(kind: Group['kind'], types: string[]) {
    const listed = types.join(', ');
    super(
      kind === 'concat'
        ? `Unexpected parameters (${listed}) for function concat: Athena (Trino) concatenates text with text only ` +
            `and fails this query (FUNCTION_NOT_FOUND); DuckDB would cast the others to text, so the local engine ` +
            `fails it too. Cast them: CAST(x AS varchar) (or format('%s', x))`
        : `All ${kind === 'CASE' ? 'CASE results' : `${kind} operands`} must be the same type (here ${listed}): ` +
            `Athena (Trino) casts no other type to text implicitly and fails this query (TYPE_MISMATCH); DuckDB ` +
            `would cast them to text, so the local engine fails it too. Cast them to one type: CAST(x AS varchar)`,
    );
    this.name = 'MixedOperandsError';
  }
}

/** Throws a MixedOperandsError when a SELECT of the statement (its tree) mixes text with another type so. */
export async function refuseMixedOperands(c: DuckDBConnection, tree: StatementTree): Promise<void> {
  for (const { node, ctes } of selectNodes(tree.statements)) {
    const groups = groupsOf(node);
    if (groups.length === 0) continue;
    const operands = groups.flatMap((g) => g.operands);
    const select_list = operands.map((e, i) => ({ ...(e as TreeNode), alias: `lake_probe_${i}` }));
    let types: string[];
    let lists: boolean[];
    try {
      const prepared = await c.prepare(await treeSql(c, selectAlone(node, ctes, { select_list })));
      try {
        types = operands.map((_, i) => trinoType(prepared.columnType(i)));
        lists = operands.map((_, i) => prepared.columnTypeId(i) === DuckDBTypeId.LIST);
      } finally {
        prepared.destroySync();
      }
    } catch {
      continue; // not bound alone (it refers to an outer query): left as it is
    }
    let at = 0;
    for (const group of groups) {
      const n = group.operands.length;
      const named = types.slice(at, at + n).map((t, i) => (hasNoType(group.operands[i]) ? 'unknown' : t));
      const anyList = lists.slice(at, at + n).some(Boolean);
      at += n;
      if (group.kind === 'concat') {
        if (!anyList && named.some((t) => t !== 'varchar' && t !== 'unknown'))
          throw new MixedOperandsError(group.kind, named);
      } else if (named.includes('varchar') && named.some((t) => castFromTextOnlyExplicitly(t))) {
        throw new MixedOperandsError(group.kind, named);
      }
    }
  }
}
