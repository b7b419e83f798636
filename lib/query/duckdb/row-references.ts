/**
 * A table or alias name used as a value — `SELECT o FROM orders o`, or `CROSS JOIN UNNEST(a) AS y` then `SELECT y` —
 * is the whole row as a struct in DuckDB (its "row variables"); Athena (Trino) has no such reference and fails the
 * query with `Column 'o' cannot be resolved`. The local engine fails it the same way instead of answering.
 *
 * How it tells a row variable from a column of the same name: DuckDB's own parser gives the statement's tree
 * (json_serialize_sql); only when a one-part column reference names one of its FROM items is there anything to ask.
 * Then the statement is bound again with that FROM item renamed (its qualified references too, through
 * json_deserialize_sql): if the name no longer resolves, it was the row, not a column.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../../duckdb-sql';
import { parseJsonWithNumberTexts } from '../../exact-json';

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every node of a tree (objects inside objects and arrays), depth first. */
function* nodes(v: unknown): Generator<Node> {
  if (Array.isArray(v)) for (const x of v) yield* nodes(x);
  else if (isNode(v)) {
    yield v;
    for (const x of Object.values(v)) yield* nodes(x);
  }
}

/** The name a FROM item is referred to by (its alias, or a table's name), lower case; '' for none. */
function fromItemName(ref: Node): string {
  const alias = typeof ref.alias === 'string' ? ref.alias : '';
  if (alias !== '') return alias.toLowerCase();
  return ref.type === 'BASE_TABLE' && typeof ref.table_name === 'string' ? ref.table_name.toLowerCase() : '';
}

const FROM_ITEM_TYPES = new Set(['BASE_TABLE', 'SUBQUERY', 'TABLE_FUNCTION', 'EXPRESSION_LIST']);

/** One-part column references that name a FROM item of the statement: the names to look at, lower case. */
function candidates(tree: unknown): Set<string> {
  const fromItems = new Set<string>();
  const bare = new Set<string>();
  for (const n of nodes(tree)) {
    if (typeof n.type === 'string' && FROM_ITEM_TYPES.has(n.type) && 'sample' in n) {
      const name = fromItemName(n);
      if (name !== '') fromItems.add(name);
    } else if (n.class === 'COLUMN_REF' && Array.isArray(n.column_names) && n.column_names.length === 1) {
      bare.add(String(n.column_names[0]).toLowerCase());
    }
  }
  return new Set([...bare].filter((b) => fromItems.has(b)));
}

/** The tree with every FROM item named `name` given the alias `probe`, and its qualified references with it. */
function renamed(tree: unknown, name: string, probe: string): unknown {
  const copy = parseJsonWithNumberTexts(JSON.stringify(tree));
  for (const n of nodes(copy)) {
    if (typeof n.type === 'string' && FROM_ITEM_TYPES.has(n.type) && 'sample' in n) {
      if (fromItemName(n) === name) n.alias = probe;
    } else if (n.class === 'COLUMN_REF' && Array.isArray(n.column_names) && n.column_names.length >= 2) {
      const parts = n.column_names as string[];
      const at = parts.length - 2;
      if (parts[at]!.toLowerCase() === name) parts[at] = probe;
    } else if (
      n.class === 'STAR' &&
      typeof n.relation_name === 'string' &&
      n.relation_name.toLowerCase() === name
    ) {
      n.relation_name = probe;
    }
  }
  return copy;
}

/** Athena's answer to a row reference: Column '<name>' cannot be resolved, with what to write instead. */
export class RowReferenceError extends Error {
  constructor(name: string) {
    super(
      `Column '${name}' cannot be resolved: '${name}' names a table or alias of the FROM clause, not a column. ` +
        `Athena (Trino) has no whole-row reference and fails this query (COLUMN_NOT_FOUND); DuckDB would answer ` +
        `the row as a struct, so the local engine fails it too. Name the columns (${name}.<column>); for UNNEST, ` +
        `name its column: UNNEST(…) AS t(${name})`,
    );
    this.name = 'RowReferenceError';
  }
}

/** Throws a RowReferenceError when the statement (one SELECT, DuckDB's SQL) uses a FROM item's name as a value. */
export async function refuseRowReferences(c: DuckDBConnection, sql: string): Promise<void> {
  const serialized = (
    await c.runAndReadAll(`SELECT json_serialize_sql(${sqlString(sql)})`)
  ).getRows()[0]?.[0];
  // Numbers as written: the tree holds unsigned 64-bit positions a double would round.
  const parsed = parseJsonWithNumberTexts(String(serialized)) as { error?: boolean; statements?: unknown[] };
  if (parsed.error || !parsed.statements) return; // DuckDB's own prepare reports it
  for (const name of candidates(parsed.statements)) {
    const probe = `lake_row_probe_${Math.random().toString(36).slice(2)}`;
    const text = (
      await c.runAndReadAll(
        `SELECT json_deserialize_sql(${sqlString(JSON.stringify({ ...parsed, statements: renamed(parsed.statements, name, probe) }))})`,
      )
    ).getRows()[0]?.[0];
    try {
      (await c.prepare(String(text))).destroySync();
    } catch (e) {
      if (new RegExp(`"${name}"`, 'i').test((e as Error).message) && /not found/i.test((e as Error).message))
        throw new RowReferenceError(name);
    }
  }
}
