/**
 * UNNEST in FROM as Trino reads it where DuckDB reads it otherwise. Trino gives an array of rows one column per field
 * (`CROSS JOIN UNNEST(CAST(json_parse(items) AS ARRAY(ROW(sku VARCHAR, quantity INTEGER)))) AS t(sku, quantity)`),
 * a map its keys and values as two columns, and several arguments side by side (`UNNEST(a, b) AS t(x, y)`, the
 * shorter padded with NULLs); DuckDB's unnest() table function takes one list and gives its elements as one column,
 * a row staying one struct. Such an UNNEST is rewritten in the statement's tree as a lateral subquery over DuckDB's
 * select-list unnest(), which pads as Trino does (WITH ORDINALITY: the position, 1 up to the longest). An array of
 * anything else, alone and named (AS t(x)), is left to DuckDB, which agrees; unnamed, its column and the ordinal are
 * _col<n> in the results as on Athena (DuckDB names them unnest and ordinality).
 *
 * The argument types come from DuckDB's binder: the FROM items left of the UNNEST (all it may refer to) with the
 * arguments as the select list. An argument that refers to an outer query is not bound alone: named with more
 * columns than it gives as a value, it is read as an array of rows (unboundElements); otherwise it is left as it is.
 * An alias list that does not name every column is refused as Athena refuses it (DuckDB would name the first ones).
 */
import { DuckDBTypeId, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import { UNNAMED_COLUMN } from './column-names';
import {
  bindTree,
  copyTree,
  isTreeNode,
  replaceNode,
  EMPTY_FROM,
  listOver,
  selectAlone,
  selectNodes,
  statementTree,
  treeNodes,
  type StatementTree,
  type TreeNode,
} from './statement-tree';

/** Athena's refusal of an alias list whose length is not the number of columns the UNNEST gives. */
export class UnnestAliasError extends Error {
  constructor(alias: string, names: number, columns: number) {
    super(
      `Column alias list has ${names} entries but '${alias}' has ${columns} columns available: Athena (Trino) ` +
        'gives an UNNEST one column per argument, per field of an array of rows, two for a map (key, value) and ' +
        `one more WITH ORDINALITY; name them all: AS ${alias}(${Array.from({ length: columns }, (_, i) => `c${i + 1}`).join(', ')})`,
    );
    this.name = 'UnnestAliasError';
  }
}

/** An argument's element: a row's fields (their names; '' where the row type names none), a map, or one value. */
type Element = { kind: 'row'; fields: string[] } | { kind: 'map' } | { kind: 'value' };

const ZONED_FIELD = /^__trino_tstz_/;

function elementOf(t: DuckDBType): Element | undefined {
  if (t.typeId === DuckDBTypeId.MAP) return { kind: 'map' };
  if (t.typeId !== DuckDBTypeId.LIST) return undefined; // DuckDB's own error stands
  const e = t.valueType;
  if (e.typeId === DuckDBTypeId.STRUCT && !e.entryNames.some((n) => ZONED_FIELD.test(n))) {
    return { kind: 'row', fields: [...e.entryNames] };
  }
  return { kind: 'value' };
}

const width = (e: Element) => (e.kind === 'row' ? e.fields.length : e.kind === 'map' ? 2 : 1);

const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * A column Trino leaves unnamed (an array's elements, a map's keys and values, the ordinal, a row's unnamed field): not an identifier, so the
 * results name it _col<position in the select list> as Athena does (column-names.ts).
 */
const unnamed = (k: number) => quoted(`${UNNAMED_COLUMN} ${k}`);

/** The UNNEST table functions of a FROM clause, each with the FROM items left of it (EMPTY when none). */
function* unnestRefs(from: unknown, left: TreeNode): Generator<{ ref: TreeNode; left: TreeNode }> {
  if (!isTreeNode(from)) return;
  if (from.type === 'JOIN') {
    yield* unnestRefs(from.left, left);
    yield* unnestRefs(from.right, from.left as TreeNode);
    return;
  }
  const fn = from.function;
  if (
    from.type === 'TABLE_FUNCTION' &&
    isTreeNode(fn) &&
    String(fn.function_name).toLowerCase() === 'unnest'
  ) {
    yield { ref: from, left };
  }
}

/** The SQL of the lateral subquery that gives the UNNEST's columns; its arguments are `lake_unnest_arg_<i>`. */
function lateralSql(elements: Element[], ordinality: boolean): string {
  const inner: string[] = [];
  const outer: string[] = [];
  const lengths: string[] = [];
  elements.forEach((e, i) => {
    const arg = `lake_unnest_arg_${i}`;
    if (e.kind === 'map') {
      inner.push(`unnest(map_keys(${arg})) AS k${i}`, `unnest(map_values(${arg})) AS v${i}`);
      outer.push(`k${i} AS ${unnamed(outer.length)}`, `v${i} AS ${unnamed(outer.length + 1)}`);
      lengths.push(`coalesce(cardinality(${arg}), 0)`);
      return;
    }
    inner.push(`unnest(${arg}) AS e${i}`);
    lengths.push(`coalesce(len(${arg}), 0)`);
    if (e.kind === 'value') outer.push(`e${i} AS ${unnamed(outer.length)}`);
    else
      e.fields.forEach((f, k) =>
        outer.push(`struct_extract_at(e${i}, ${k + 1}) AS ${f ? quoted(f) : unnamed(outer.length)}`),
      );
  });
  if (ordinality) {
    inner.push(
      `unnest(range(1, 1 + ${lengths.length > 1 ? `greatest(${lengths.join(', ')})` : lengths[0]})) AS lake_unnest_ordinal`,
    );
    outer.push(`lake_unnest_ordinal AS ${unnamed(outer.length)}`);
  }
  return `SELECT * FROM (SELECT ${outer.join(', ')} FROM (SELECT ${inner.join(', ')}))`;
}

/** The lateral subquery (a FROM item) standing for the UNNEST `ref`, its arguments put in. */
async function lateral(c: DuckDBConnection, ref: TreeNode, elements: Element[]): Promise<TreeNode> {
  const ordinality = ref.with_ordinality === 'WITH_ORDINALITY';
  const tree = await statementTree(c, lateralSql(elements, ordinality));
  const subquery = (tree!.statements![0] as { node: TreeNode }).node.from_table as TreeNode;
  const args = (ref.function as TreeNode).children as TreeNode[];
  for (const n of treeNodes(subquery)) {
    const names = n.class === 'COLUMN_REF' ? (n.column_names as string[]) : [];
    const at = /^lake_unnest_arg_(\d+)$/.exec(names.length === 1 ? names[0]! : '');
    if (at) {
      replaceNode(n, { ...copyTree(args[Number(at[1])]!), alias: '' });
    }
  }
  return { ...subquery, alias: ref.alias, column_name_alias: ref.column_name_alias };
}

/**
 * The elements of an UNNEST whose argument is not bound alone (it refers to an outer query): one argument named with
 * more columns than it gives as a value is an array of rows of that many fields (Trino wants every field named), read
 * by position; anything else is left to DuckDB.
 */
function unboundElements(args: number, names: number, ordinality: boolean): Element[] | undefined {
  const fields = names - (ordinality ? 1 : 0);
  return args === 1 && fields > 1 ? [{ kind: 'row', fields: Array<string>(fields).fill('') }] : undefined;
}

/** Words without which the statement has no UNNEST to rewrite. */
export const MAY_UNNEST = /\bunnest\b/i;

/** Rewrites, in the statement's tree, every UNNEST DuckDB reads otherwise as Trino reads it; whether any was. */
export async function unnestAsTrino(c: DuckDBConnection, tree: StatementTree): Promise<boolean> {
  let changed = false;
  for (const { node, ctes } of [...selectNodes(tree.statements)]) {
    for (const { ref, left } of [...unnestRefs(node.from_table, EMPTY_FROM)]) {
      const args = (ref.function as TreeNode).children as TreeNode[];
      const alone = selectAlone(
        node,
        ctes,
        listOver(
          args.map((a, i) => ({ ...a, alias: `lake_unnest_${i}` })),
          left,
        ),
      );
      const bound = await bindTree(c, alone, (p) => args.map((_, i) => elementOf(p.columnType(i))));
      const ordinality = ref.with_ordinality === 'WITH_ORDINALITY';
      const names = (ref.column_name_alias as string[] | undefined) ?? [];
      const elements =
        'value' in bound ? bound.value : unboundElements(args.length, names.length, ordinality);
      if (!elements || elements.some((e) => !e)) continue; // left to DuckDB
      const columns = (elements as Element[]).reduce((n, e) => n + width(e), ordinality ? 1 : 0);
      if (names.length > 0 && names.length !== columns) {
        throw new UnnestAliasError(String(ref.alias || 'unnest'), names.length, columns);
      }
      // DuckDB agrees, but for the names of columns left unnamed.
      if (elements.length === 1 && elements[0]!.kind === 'value' && names.length > 0) continue;
      const replacement = await lateral(c, ref, elements as Element[]);
      replaceNode(ref, replacement);
      changed = true;
    }
  }
  return changed;
}
