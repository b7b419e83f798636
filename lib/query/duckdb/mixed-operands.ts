/**
 * Operands of mixed types that DuckDB casts and Athena (Trino) refuses:
 *  - concatenation of text with another type: `'order-' || 42`, `concat('day ', d)` ("Unexpected parameters
 *    (varchar, integer) for function concat");
 *  - text and another type where Trino wants one type: `coalesce(amount, 'n/a')`, `CASE WHEN … THEN 1 ELSE 'x'
 *    END`, `if(c, 1, 'x')`, `greatest`, `least`, `nullif` ("All COALESCE operands must be the same type");
 *  - arithmetic of text and a number, or of a date and a number: `amount + '1'`, `order_date + 1` ("Cannot apply
 *    operator: date + integer"), where DuckDB casts the text or adds days;
 *  - lag and lead with a default of a type the value's does not hold: `lag(x, 1, 0.5)` of an integer, which Trino
 *    answers in their common type (decimal) or refuses (`lag(name, 1, 0)`), where DuckDB casts the default to the
 *    value's type (0.5 to 1);
 *  - an element, key or index of text where the array's or map's type is another: `contains(ARRAY[1, 2], '1')`,
 *    `element_at(m, '1')` of a map(integer, …), `a['1']` ("Unexpected parameters (array(integer), varchar(1)) for
 *    function contains"), where DuckDB casts the text to the element's type and answers.
 * DuckDB answers; the local engine fails such a query as Athena does.
 *
 * How: for each SELECT of the statement's tree (DuckDB's parser) that has such operands, they are bound as the select
 * list of that SELECT alone (its FROM, WHERE, GROUP BY and CTEs kept; nothing runs), and DuckDB's binder gives their
 * types. A SELECT that cannot be bound alone (it refers to an outer query) is left as it is.
 */
import { DuckDBTypeId, type DuckDBConnection } from '@duckdb/node-api';
import {
  bindTree,
  isNullConstant,
  isTreeNode,
  ownNodes,
  selectAlone,
  selectNodes,
  statementTree,
  type StatementTree,
  type TreeNode,
} from './statement-tree';
import { castFromTextOnlyExplicitly, trinoType } from './values';
import { coercesTo, decimalOf, INTEGER_TYPES } from '../trino-coercion';
import { isNumberText } from '../../exact-json';
import { LocalDialectError } from '../dialect/local-error';

/** Operands that must all be text (concat), or all of one type (the others), by what holds them. */
interface Group {
  kind:
    | 'concat'
    | 'arithmetic'
    | 'COALESCE'
    | 'CASE'
    | 'ARRAY'
    | 'greatest'
    | 'least'
    | 'nullif'
    | 'lag'
    | 'lead'
    | 'element';
  /** The node that holds the operands (a function, COALESCE or CASE). */
  node: TreeNode;
  operands: unknown[];
  /** The operator, for arithmetic; for concatenation, `||` or `concat`. */
  symbol?: string;
  /** In WHERE: bound without the SELECT's GROUP BY, where its columns need not be grouped. */
  rowLevel: boolean;
}

const SAME_TYPE_FUNCTIONS = new Set(['greatest', 'least', 'nullif']);

/**
 * Calls of an array or map and an element, key or index (by their names in DuckDB's tree; x[i] is trino_subscript):
 * their Athena names.
 */
const ELEMENT_FUNCTIONS: Record<string, string> = {
  contains: 'contains',
  array_position: 'array_position',
  array_remove: 'array_remove',
  element_at: 'element_at',
  trino_subscript: 'subscript',
  trino_try_subscript: 'subscript',
};

/**
 * An array or map of no element type of its own (ARRAY[], ARRAY[NULL], MAP()): Trino's array(unknown), which takes
 * an element of any type; DuckDB's binder calls it an array of integers.
 */
function untyped(v: unknown): boolean {
  if (!isTreeNode(v) || !Array.isArray(v.children)) return false;
  if (v.class === 'OPERATOR' && v.type === 'ARRAY_CONSTRUCTOR') return v.children.every(isNullConstant);
  return (
    v.class === 'FUNCTION' && String(v.function_name).toLowerCase() === 'map' && v.children.every(untyped)
  );
}

/** Arithmetic as DuckDB's tree holds it (the local rewrites make `/` and `%` trino_div and trino_mod calls). */
const ARITHMETIC: Record<string, string> = { '+': '+', '-': '-', '*': '*', trino_div: '/', trino_mod: '%' };

/** The groups of a SELECT's own expressions (not those of its nested SELECTs, each looked at on its own). */
function groupsOf(node: TreeNode): Group[] {
  const groups: Group[] = [];
  for (const [key, v] of Object.entries(node)) {
    if (key === 'from_table' || key === 'cte_map') continue; // a FROM's subqueries are SELECTs of their own
    const rowLevel = key === 'where_clause';
    for (const n of ownNodes(v)) {
      if (n.class === 'FUNCTION' && Array.isArray(n.children)) {
        const name = String(n.function_name).toLowerCase();
        if (name === '||' || name === 'concat' || name === 'concat_ws')
          groups.push({ kind: 'concat', node: n, operands: n.children, symbol: name, rowLevel });
        else if (Object.hasOwn(ELEMENT_FUNCTIONS, name) && n.children.length === 2 && !untyped(n.children[0]))
          groups.push({
            kind: 'element',
            node: n,
            operands: n.children,
            symbol: ELEMENT_FUNCTIONS[name],
            rowLevel,
          });
        else if (SAME_TYPE_FUNCTIONS.has(name))
          groups.push({ kind: name as Group['kind'], node: n, operands: n.children, rowLevel });
        else if (name in ARITHMETIC && n.children.length === 2)
          groups.push({
            kind: 'arithmetic',
            node: n,
            operands: n.children,
            symbol: ARITHMETIC[name],
            rowLevel,
          });
      } else if (
        n.class === 'OPERATOR' &&
        n.type === 'ARRAY_CONSTRUCTOR' &&
        Array.isArray(n.children) &&
        n.children.length > 1
      ) {
        // ARRAY[1, '2']: Trino's elements have one type ("All ARRAY elements must be the same type").
        groups.push({ kind: 'ARRAY', node: n, operands: n.children, rowLevel });
      } else if (
        n.class === 'WINDOW' &&
        (n.type === 'WINDOW_LAG' || n.type === 'WINDOW_LEAD') &&
        Array.isArray(n.children) &&
        n.children.length > 0 &&
        isTreeNode(n.default_expr)
      ) {
        // The value and its default (a window's operands bind as plain expressions of the SELECT's rows).
        const kind = n.type === 'WINDOW_LAG' ? 'lag' : 'lead';
        groups.push({ kind, node: n, operands: [n.children[0], n.default_expr], rowLevel });
      } else if (n.type === 'OPERATOR_COALESCE' && Array.isArray(n.children)) {
        groups.push({ kind: 'COALESCE', node: n, operands: n.children, rowLevel });
      } else if (n.class === 'CASE' && Array.isArray(n.case_checks)) {
        const results = (n.case_checks as TreeNode[]).map((check) => check.then_expr);
        groups.push({ kind: 'CASE', node: n, operands: [...results, n.else_expr], rowLevel });
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

/** Why Athena refuses a group of operands of mixed types (MixedOperandsError's message). */
function mixedOperandsMessage(kind: Group['kind'], types: string[], symbol: string): string {
  const listed = types.join(', ');
  if (kind === 'lag' || kind === 'lead')
    return (
      `${kind}(${types[0]}, …, ${types[1]}): its default is of a type the value's does not hold: Athena (Trino) ` +
      `gives the value and the default their common type, or fails the query where they have none (text and a ` +
      `number); DuckDB would cast the default to the value's type (0.5 to an integer is 1), so the local engine ` +
      `fails it. Cast the default to the value's type, or the value to the wider one`
    );
  if (kind === 'element') {
    const wanted = elementType(types[0]!, symbol)!;
    const what =
      symbol === 'subscript' || symbol === 'element_at'
        ? types[0]!.startsWith('map(')
          ? "the map's keys are"
          : 'the index is'
        : "the array's elements are";
    const example = NUMBER.test(wanted) ? " (1, not '1')" : wanted === 'date' ? " (DATE '2024-03-01')" : '';
    return (
      `Unexpected parameters (${listed}) for function ${symbol}: Athena (Trino) casts no text to another type ` +
      `implicitly and fails this query (FUNCTION_NOT_FOUND); ${what} ${wanted}, and DuckDB would cast the ` +
      `${types[1]} to that, so the local engine fails it too. Give a value of type ${wanted} there${example}: CAST(x AS ${wanted})`
    );
  }
  if (kind === 'arithmetic' && symbol === '-' && types.every((t) => t === 'date'))
    return (
      'Cannot apply operator: date - date: DuckDB would give the days between the dates as a number; Athena ' +
      "(Trino) does not subtract dates so, and the local engine fails it: write date_diff('day', b, a)"
    );
  if (kind === 'arithmetic')
    return (
      `Cannot apply operator: ${types.join(` ${symbol} `)}: Athena (Trino) has no such arithmetic and fails this ` +
      `query (TYPE_MISMATCH); DuckDB would cast the text to a number or add days to a date, so the local ` +
      `engine fails it too. Write a number (1, not '1'), or an interval for dates and timestamps ` +
      `(d + INTERVAL '1' DAY, date_add('day', 1, d))`
    );
  if (kind === 'concat')
    return (
      `Unexpected parameters (${listed}) for function ${symbol === 'concat_ws' ? 'concat_ws' : 'concat'}: Athena ` +
      `(Trino) concatenates text with text${symbol === 'concat_ws' ? ' only (or its separator with one array of text)' : ' (or varbinary with varbinary) only'} ` +
      `and fails this query (FUNCTION_NOT_FOUND); DuckDB would cast the others to text, so the local engine ` +
      `fails it too. Cast them: CAST(x AS varchar) (or format('%s', x))`
    );
  return (
    `All ${kind === 'CASE' ? 'CASE results' : kind === 'ARRAY' ? 'ARRAY elements' : `${kind} operands`} must be the same type (here ${listed}): ` +
    `Athena (Trino) casts no other type to text implicitly and fails this query (TYPE_MISMATCH); DuckDB ` +
    `would cast them to text, so the local engine fails it too. Cast them to one type: CAST(x AS varchar)`
  );
}

/** Athena's refusal of operands of mixed types. */
export class MixedOperandsError extends Error {
  constructor(kind: Group['kind'], types: string[], symbol = '') {
    super(mixedOperandsMessage(kind, types, symbol));
    this.name = 'MixedOperandsError';
  }
}

/** Throws a MixedOperandsError when a SELECT of the statement (its tree) mixes text with another type so. */
export async function refuseMixedOperands(c: DuckDBConnection, tree: StatementTree): Promise<void> {
  for (const { node, ctes } of selectNodes(tree.statements)) {
    const all = groupsOf(node);
    for (const rowLevel of [true, false]) {
      const groups = all.filter((g) => g.rowLevel === rowLevel);
      if (groups.length === 0) continue;
      // WHERE is row-level: its operands are bound without GROUP BY and HAVING, where they need not be grouped.
      const grouping = rowLevel
        ? { group_expressions: [], having: null, aggregate_handling: 'STANDARD_HANDLING' }
        : {};
      const typed = await operandTypes(c, selectAlone(node, ctes, grouping), groups);
      if (!typed) continue; // not bound alone (it refers to an outer query): left as it is
      let at = 0;
      for (const group of groups) {
        const n = group.operands.length;
        const named = typed.types
          .slice(at, at + n)
          .map((t, i) => (hasNoType(group.operands[i]) ? 'unknown' : t));
        const lists = typed.lists.slice(at, at + n).map(Boolean);
        at += n;
        if (
          mixes(group.kind, named, lists, group.symbol) &&
          !((group.kind === 'lag' || group.kind === 'lead') && holdsLiteral(named[0]!, group.operands[1]))
        )
          throw new MixedOperandsError(group.kind, named, group.symbol);
        if (group.symbol === 'concat' && named.includes('varbinary') && !mixes(group.kind, named, lists))
          throw new LocalDialectError(
            'concat() of varbinary',
            "Athena (Trino) answers the bytes joined, as a varbinary; DuckDB's concat answers text. Write a || b",
          );
      }
    }
  }
}

/**
 * What a call of an array or map takes beside it (Trino's names): an array's element type, or bigint for its index
 * (element_at and subscripts of an array); a map's key type. Undefined for another type.
 */
function elementType(container: string, symbol = ''): string | undefined {
  const m = /^(array|map)\((.*)\)$/.exec(container);
  if (!m) return undefined;
  if (m[1] === 'array') return symbol === 'element_at' || symbol === 'subscript' ? 'bigint' : m[2];
  // The key type: the map's first parameter, up to its comma at the top level (row and map types hold commas).
  let depth = 0;
  for (let i = 0; i < m[2]!.length; i++) {
    const ch = m[2]![i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) return m[2]!.slice(0, i);
  }
  return undefined;
}

const NUMBER = /^(tinyint|smallint|integer|bigint|real|double|decimal\(\d+,\d+\))$/;

/** Whether a group's operand types are a mix Athena refuses. */
function mixes(kind: Group['kind'], types: string[], lists: boolean[], symbol?: string): boolean {
  if (kind === 'lag' || kind === 'lead') {
    const [value, fallback] = types as [string, string];
    return fallback !== 'unknown' && !coercesTo(fallback, value);
  }
  if (kind === 'element') {
    const [container, x] = types as [string, string];
    const wanted = elementType(container, symbol);
    if (wanted === undefined || x === 'unknown') return false;
    return (
      (x === 'varchar' && castFromTextOnlyExplicitly(wanted)) ||
      (wanted === 'varchar' && castFromTextOnlyExplicitly(x))
    );
  }
  if (kind === 'concat') {
    // Text with text, or bytes with bytes (Trino's concat and || of varbinary answer varbinary); concat_ws text only
    // (its separator and strings, or its separator and an array, which result-casts.ts joins).
    const all = (type: string) => types.every((t) => t === type || t === 'unknown');
    // concat_ws(separator, array) is its one form with an array: an array beside other strings, or a second one,
    // Trino has no signature for (DuckDB joins the array's printed text).
    if (symbol === 'concat_ws' && lists.some(Boolean)) return !(lists.length === 2 && !lists[0] && lists[1]);
    return !lists.some(Boolean) && !all('varchar') && (symbol === 'concat_ws' || !all('varbinary'));
  }
  if (kind === 'arithmetic') {
    const [a, b] = types as [string, string];
    if (a === 'date' && b === 'date' && symbol === '-') return true;
    const text = (t: string) => t === 'varchar';
    const dated = (t: string) => t === 'date' || t.startsWith('timestamp');
    return (
      (text(a) && castFromTextOnlyExplicitly(b)) ||
      (text(b) && castFromTextOnlyExplicitly(a)) ||
      (dated(a) && NUMBER.test(b)) ||
      (dated(b) && NUMBER.test(a))
    );
  }
  return types.includes('varchar') && types.some((t) => castFromTextOnlyExplicitly(t));
}

/** A number literal's text (`0`, `-2`, `0.50`; also as the dialect's typed literal, CAST('1' AS INTEGER)), or undefined. */
function numberLiteral(v: unknown): string | undefined {
  if (!isTreeNode(v)) return undefined;
  if (
    v.class === 'FUNCTION' &&
    v.function_name === '-' &&
    Array.isArray(v.children) &&
    v.children.length === 1
  ) {
    const inner = numberLiteral(v.children[0]);
    return inner === undefined || inner.startsWith('-') ? undefined : `-${inner}`;
  }
  if (v.class === 'CAST' && isTreeNode(v.child)) return numberLiteral(v.child);
  if (v.class !== 'CONSTANT' || !isTreeNode(v.value)) return undefined;
  const c = v.value as { is_null?: boolean; value?: unknown; type?: { type_info?: { scale?: number } } };
  if (c.is_null) return undefined;
  // The tree keeps numbers as their JSON text (JSON.rawJSON objects: no primitive value of their own).
  const plain = (x: unknown) => (isNumberText(x) ? JSON.stringify(x) : x);
  const value = plain(c.value);
  const raw =
    typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string' ? String(value) : '';
  const scale = Number(plain(c.type?.type_info?.scale) ?? 0);
  // A DECIMAL constant is held as its unscaled integer (0.50 as 50, scale 2).
  const m = scale > 0 ? /^(-?)(\d+)$/.exec(raw) : null;
  const digits = m
    ? `${m[1]}${m[2]!.padStart(scale + 1, '0').slice(0, -scale)}.${m[2]!.padStart(scale + 1, '0').slice(-scale)}`
    : raw;
  return /^-?\d+(\.\d+)?$/.test(digits) ? digits : undefined;
}

/**
 * Whether lag's or lead's default is a number literal a decimal or integer value's type holds exactly
 * (`lag(amount, 1, 0)` of a decimal(10,2) or a smallint): Athena's answer is in their common type (decimal(12,2),
 * integer), with the same values as DuckDB's cast of the default to the value's type — only the column's type is
 * wider on Athena (docs/sql-dialect.md).
 */
function holdsLiteral(valueType: string, fallback: unknown): boolean {
  const d = decimalOf(valueType);
  const integer = INTEGER_TYPES.indexOf(valueType);
  const text = d || integer >= 0 ? numberLiteral(fallback) : undefined;
  if (text === undefined) return false;
  // An integer literal in an integer type's range (lag(n, 1, 0) of a smallint): Athena's common type is integer.
  if (integer >= 0) return /^-?\d+$/.test(text) && Math.abs(Number(text)) < 2 ** (8 * 2 ** integer - 1);
  if (!d) return false;
  const [whole, fraction = ''] = text.replace(/^-/, '').split('.');
  return whole!.replace(/^0+/, '').length <= d[0] - d[1] && fraction.replace(/0+$/, '').length <= d[1];
}

/** Group levels bound together: a chain's operands deeper than this are bound through a placeholder of their type. */
const LEVELS_PER_BIND = 8;

/**
 * The types (Trino's names) of the groups' operands, bound as the select list of a SELECT alone, or undefined when
 * it does not bind. Binding every operand whole bound a chain of n operators (a + b + …, a || b || …, CASE … ELSE
 * CASE …) n times over, and DuckDB's binder takes time quadratic in an expression's depth: minutes for 300, the lake's
 * query connection held meanwhile. So groups are bound in bands of LEVELS_PER_BIND levels, from the innermost: a
 * group that is another's operand at the top of a band is bound once for its type, and the bands above bind a
 * placeholder of that type in its place (nullOfType). A query without such chains is bound once, as a whole.
 */
async function operandTypes(
  c: DuckDBConnection,
  alone: StatementTree,
  groups: Group[],
): Promise<{ types: string[]; lists: boolean[] } | undefined> {
  const index = new Map<unknown, number>(groups.map((g, i) => [g.node, i]));
  const height = groupHeights(groups, index);
  const inner = new Set(groups.flatMap((g) => g.operands.map((o) => index.get(o))));
  const band = (i: number) => Math.floor(height[i]! / LEVELS_PER_BIND);
  const bands = Math.max(0, ...groups.map((_, i) => band(i)));
  const offsets: number[] = [];
  groups.reduce((at, g, i) => ((offsets[i] = at), at + g.operands.length), 0);
  const types: string[] = [];
  const lists: boolean[] = [];
  const placeholders = new Map<unknown, TreeNode>();
  const select = (alone.statements![0] as { node: TreeNode }).node;
  for (let b = 0; b <= bands; b++) {
    const members = groups.map((_, i) => i).filter((i) => band(i) === b);
    const tops = members.filter((i) => inner.has(i) && height[i]! % LEVELS_PER_BIND === LEVELS_PER_BIND - 1);
    const operands = members.flatMap((i) => groups[i]!.operands);
    const items = [...operands, ...tops.map((i) => groups[i]!.node)].map((e) =>
      withPlaceholders(e, placeholders),
    );
    select.select_list = items.map((e, i) => ({ ...(e as TreeNode), alias: `lake_probe_${i}` }));
    const bound = await bindTree(c, alone, (prepared) => ({
      types: items.map((_, i) => trinoType(prepared.columnType(i))),
      lists: items.map((_, i) => prepared.columnTypeId(i) === DuckDBTypeId.LIST),
      duckdb: tops.map((_, i) => prepared.columnType(operands.length + i).toString()),
    }));
    if (!('value' in bound)) return undefined;
    let at = 0;
    for (const i of members)
      for (let k = 0; k < groups[i]!.operands.length; k++, at++) {
        types[offsets[i]! + k] = bound.value.types[at]!;
        lists[offsets[i]! + k] = bound.value.lists[at]!;
      }
    for (const [k, i] of tops.entries()) {
      const placeholder = await nullOfType(c, bound.value.duckdb[k]!);
      if (!placeholder) return undefined;
      placeholders.set(groups[i]!.node, placeholder);
    }
  }
  return { types, lists };
}

/** Each group's height: 0 when none of its operands is a group, else one more than its highest operand group's. */
function groupHeights(groups: Group[], index: Map<unknown, number>): number[] {
  const height: number[] = [];
  for (let start = 0; start < groups.length; start++) {
    const stack: number[] = [start];
    while (stack.length > 0) {
      const g = stack[stack.length - 1]!;
      if (height[g] !== undefined) {
        stack.pop();
        continue;
      }
      const below = groups[g]!.operands.map((o) => index.get(o)).filter((i) => i !== undefined);
      const pending = below.filter((i) => height[i] === undefined);
      if (pending.length > 0) {
        stack.push(...pending);
        continue;
      }
      height[g] = below.length === 0 ? 0 : 1 + Math.max(...below.map((i) => height[i]!));
      stack.pop();
    }
  }
  return height;
}

/** A copy of an expression with each node that has a placeholder replaced by it (nodes without are shared). */
function withPlaceholders(e: unknown, placeholders: Map<unknown, TreeNode>): unknown {
  if (placeholders.size === 0) return e;
  const at = placeholders.get(e);
  if (at) return { ...at, query_location: (e as TreeNode).query_location };
  if (Array.isArray(e)) return e.map((x) => withPlaceholders(x, placeholders));
  // A number kept as its text (JSON.rawJSON: the tree's 64-bit positions) is a value, not a node.
  if (!isTreeNode(e) || isNumberText(e) || e.type === 'SELECT_NODE') return e;
  return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, withPlaceholders(v, placeholders)]));
}

/**
 * The tree of a value of a DuckDB type (its SQL name) that is no constant, or undefined when DuckDB does not read it
 * back: CASE WHEN random() < 0 THEN CAST(NULL AS <type>) END. A bare CAST(NULL AS DECIMAL(18,2)) is a NULL constant
 * to DuckDB's binder, which types `CAST(NULL AS DECIMAL(18,2)) + x` as an integer.
 */
async function nullOfType(c: DuckDBConnection, duckdbType: string): Promise<TreeNode | undefined> {
  const tree = await statementTree(c, `SELECT CASE WHEN random() < 0 THEN CAST(NULL AS ${duckdbType}) END`);
  const node = (tree?.statements?.[0] as { node?: TreeNode } | undefined)?.node;
  const item = Array.isArray(node?.select_list) ? node.select_list[0] : undefined;
  return isTreeNode(item) ? { ...item, alias: '' } : undefined;
}
