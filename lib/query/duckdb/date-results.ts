/**
 * Date arithmetic that gives a date on Athena and a timestamp in DuckDB: `date_trunc('month', d)`,
 * `date_add('day', 1, d)` and `d + INTERVAL '1' DAY` (or `-`) of a date d. Trino answers a date (`2024-01-01`),
 * DuckDB a timestamp at midnight (`2024-01-01 00:00:00.000`), so grouping, joining or showing such a value would differ.
 * Each such call or operator, its unit a literal of a day or longer, is wrapped as CAST(… AS DATE) in the statement's
 * tree; with a unit shorter than a day it fails as on Athena ("'hour' is not a valid DATE field", "Cannot add hour,
 * minutes or seconds to a date"). Whether the operand is a date is DuckDB's binder's answer: the operands as the
 * select list of their SELECT alone (statement-tree.ts); one that is not bound alone (it refers to an outer query) is
 * left as it is, and so is a unit that is not a literal.
 */
import { DuckDBTypeId, type DuckDBConnection } from '@duckdb/node-api';
import {
  bindTree,
  isTreeNode,
  ownNodes,
  replaceNode,
  selectAlone,
  selectNodes,
  statementTree,
  treeSql,
  type StatementTree,
  type TreeNode,
} from './statement-tree';

const DATE_UNITS = new Set(['day', 'week', 'month', 'quarter', 'year']);
const TIME_UNITS = new Set(['hour', 'minute', 'second', 'millisecond']);

/** DuckDB's functions for an interval literal (INTERVAL '1' DAY is to_days(…)), by the unit they stand for. */
const INTERVAL_UNITS: Record<string, string> = {
  to_days: 'day',
  to_weeks: 'week',
  to_months: 'month',
  to_years: 'year',
  to_hours: 'hour',
  to_minutes: 'minute',
  to_seconds: 'second',
  to_milliseconds: 'millisecond',
  to_microseconds: 'millisecond',
};

/** A call or operator that gives a timestamp where Athena gives a date, when `operand` is a date. */
interface Candidate {
  node: TreeNode;
  operand: unknown;
  unit: string;
  kind: 'function' | 'interval';
}

const isFunction = (n: TreeNode, name: string) =>
  n.class === 'FUNCTION' && String(n.function_name).toLowerCase() === name;

/** The unit of a VARCHAR constant, or undefined. */
function literalUnit(v: unknown): string | undefined {
  if (!isTreeNode(v) || v.class !== 'CONSTANT' || !isTreeNode(v.value)) return undefined;
  const value = v.value as { is_null?: boolean; value?: unknown };
  return value.is_null || typeof value.value !== 'string' ? undefined : value.value.toLowerCase();
}

function candidateOf(n: TreeNode): Candidate | undefined {
  const args = Array.isArray(n.children) ? (n.children as unknown[]) : [];
  if (isFunction(n, 'date_trunc') && args.length === 2) {
    const unit = literalUnit(args[0]);
    return unit ? { node: n, operand: args[1], unit, kind: 'function' } : undefined;
  }
  if (isFunction(n, 'date_add') && args.length === 3) {
    const unit = literalUnit(args[0]);
    return unit ? { node: n, operand: args[2], unit, kind: 'function' } : undefined;
  }
  if ((isFunction(n, '+') || isFunction(n, '-')) && n.is_operator === true && args.length === 2) {
    const intervalAt = args.findIndex(
      (a, i) =>
        isTreeNode(a) &&
        a.class === 'FUNCTION' &&
        (i === 1 || isFunction(n, '+')) &&
        Object.hasOwn(INTERVAL_UNITS, String(a.function_name).toLowerCase()),
    );
    if (intervalAt < 0) return undefined;
    const unit = INTERVAL_UNITS[String((args[intervalAt] as TreeNode).function_name).toLowerCase()]!;
    return { node: n, operand: args[1 - intervalAt], unit, kind: 'interval' };
  }
  return undefined;
}

/** Which operands are dates, bound as the select list of the SELECT alone (rows, then groups), or undefined. */
async function dateOperands(
  c: DuckDBConnection,
  node: TreeNode,
  ctes: unknown[],
  operands: unknown[],
): Promise<boolean[] | undefined> {
  const select_list = operands.map((o, i) => ({ ...(o as TreeNode), alias: `lake_date_probe_${i}` }));
  const variants: TreeNode[] = [
    {
      select_list,
      group_expressions: [],
      group_sets: [],
      having: null,
      qualify: null,
      aggregate_handling: 'STANDARD_HANDLING',
    },
    { select_list, qualify: null },
  ];
  for (const changes of variants) {
    const alone: StatementTree = selectAlone(node, ctes, changes);
    const bound = await bindTree(c, alone, (p) =>
      operands.map((_, i) => p.columnTypeId(i) === DuckDBTypeId.DATE),
    );
    if ('value' in bound) return bound.value;
  }
  return undefined;
}

/** Athena's refusal of a unit shorter than a day on a date. */
export class DateUnitError extends Error {
  constructor(unit: string, kind: Candidate['kind']) {
    super(
      kind === 'function'
        ? `'${unit}' is not a valid DATE field: Athena (Trino) fails date_trunc and date_add of a date with a unit ` +
            `shorter than a day; DuckDB would answer a timestamp. Cast the date first: CAST(d AS timestamp)`
        : 'Cannot add hour, minutes or seconds to a date: Athena (Trino) fails it; DuckDB would answer a timestamp. ' +
            'Cast the date first: CAST(d AS timestamp) + INTERVAL …',
    );
    this.name = 'DateUnitError';
  }
}

/** The candidates of a SELECT's own expressions (not those of the queries nested in it). */
function ownCandidates(node: TreeNode): Candidate[] {
  const own = Object.entries(node)
    .filter(([k]) => k !== 'cte_map')
    .map(([, v]) => v);
  return [...ownNodes(own)].map(candidateOf).filter((x): x is Candidate => x !== undefined);
}

/** Most rounds: a round wraps the calls whose operand is a date, the next those whose operand was just wrapped. */
const MAX_ROUNDS = 8;

/** The statement (DuckDB's SQL) with date arithmetic on dates giving dates, as on Athena. */
export async function datesAsTrino(c: DuckDBConnection, sql: string): Promise<string> {
  if (!/date_trunc|date_add|interval/i.test(sql)) return sql;
  const tree = await statementTree(c, sql);
  if (!tree) return sql;
  const wrapped = new WeakSet<object>();
  let changed = false;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let more = false;
    for (const { node, ctes } of [...selectNodes(tree.statements)]) {
      const candidates = ownCandidates(node).filter((x) => !wrapped.has(x.node));
      if (candidates.length === 0) continue;
      const dates = await dateOperands(
        c,
        node,
        ctes,
        candidates.map((x) => x.operand),
      );
      if (!dates) continue; // not bound alone: left as it is
      candidates.forEach((x, i) => {
        if (!dates[i]) return;
        if (TIME_UNITS.has(x.unit)) throw new DateUnitError(x.unit, x.kind);
        if (!DATE_UNITS.has(x.unit)) return; // DuckDB's own error for an unknown unit
        const call: TreeNode = { ...x.node, alias: '' };
        const alias = x.node.alias;
        replaceNode(x.node, {
          class: 'CAST',
          type: 'OPERATOR_CAST',
          alias,
          child: call,
          cast_type: { id: 'DATE', type_info: null },
          try_cast: false,
        });
        wrapped.add(call);
        more = true;
      });
    }
    if (!more) break;
    changed = true;
  }
  return changed ? treeSql(c, tree) : sql;
}
