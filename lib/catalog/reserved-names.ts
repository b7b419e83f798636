/**
 * Names the lake's engines do not read bare. The plans write column names unquoted (lib/etl/plan.ts: one SQL text
 * for Spark, in the Glue job, and DuckDB, locally, which quote identifiers differently), and Athena users write them
 * so: a column named `at`, `primary` or `offset` passed table-from-schema.ts's IDENTIFIER rule, was accepted, and
 * then failed every ETL run of its table for good. A table or column that would carry such a name is refused by the
 * schema check (every entry point: schemas:check, the lake's start and hot reload, sls package) before it takes
 * effect; one an earlier version of the lake already recorded is left to its history.
 */
import { REJECTED_TABLE } from '../etl/rejected';
import type { Violation } from './compat';
import type { TableHistory } from './history';
import type { TableDef } from './types';

const words = (s: string) => s.split(/\s+/).filter(Boolean);

/** Keywords no engine of the lake takes as a bare column name, by the engine that reserves them. */
export const RESERVED_BY: Record<string, ReadonlySet<string>> = {
  // DuckDB's keywords of categories reserved and type_function (duckdb_keywords(); tests/unit/reserved-names.test.ts
  // checks the list against the engine the lake runs).
  DuckDB: new Set(
    words(`
      all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create
      default deferrable desc describe distinct do else end except false fetch for foreign from group having in
      initially intersect into lambda lateral leading limit not null offset on only or order pivot pivot_longer
      pivot_wider placing primary qualify references returning select show some summarize symmetric table then to
      trailing true union unique unpivot using variadic when where window with
      anti asof at authorization binary by collation columns concurrently cross freeze full generated glob ilike
      inner is isnull join left like map natural notnull outer overlaps positional right semi similar struct
      tablesample try_cast unpack verbose`),
  ),
  // Athena's engine, Trino (trino.io/docs/current/language/reserved.html): such a name must be quoted in every query.
  'Athena (Trino)': new Set(
    words(`
      alter and as between by case cast constraint create cross cube current_catalog current_date current_path
      current_role current_schema current_time current_timestamp current_user deallocate delete describe distinct
      drop else end escape except execute exists extract false for from full group grouping having in inner insert
      intersect into is join json_array json_exists json_object json_query json_table json_value left like listagg
      localtime localtimestamp natural normalize not null on or order outer prepare recursive right rollup select
      skip table then trim true uescape union unnest using values when where with`),
  ),
};

/** The engines that reserve `name` (none: an empty list). */
export function reservedBy(name: string): string[] {
  return Object.entries(RESERVED_BY)
    .filter(([, set]) => set.has(name))
    .map(([engine]) => engine);
}

/** The table's new names (its own, its columns') that an engine reserves, or that is the lake's own table's. */
export function reservedNameViolations(t: TableDef, history: TableHistory | undefined): Violation[] {
  const out: Violation[] = [];
  if (!history && t.name === REJECTED_TABLE)
    out.push({
      table: t.name,
      rule: 'RESERVED_NAME',
      message: `${t.name}: the name of the lake's rejected rows table (every run writes it; Athena's catalog holds it)`,
      safe: `name the ${t.kind === 'events' ? 'event type' : 'dataset'} otherwise (its file under schemas/)`,
    });
  const tableEngines = history ? [] : reservedBy(t.name);
  if (tableEngines.length)
    out.push({
      table: t.name,
      rule: 'RESERVED_NAME',
      message:
        `${t.name}: '${t.name}' is a reserved word of ${tableEngines.join(' and ')}, which the lake's ETL and ` +
        'queries cannot read as a table name',
      safe:
        `name the ${t.kind === 'events' ? 'event type' : 'dataset'} otherwise (its file under schemas/, e.g. ` +
        `${t.name}_${t.kind === 'events' ? 'events' : 'data'})`,
    });
  const recorded = new Set(history?.columns.map((c) => c.name));
  for (const c of t.columns) {
    const engines = reservedBy(c.name);
    if (engines.length === 0 || recorded.has(c.name)) continue;
    out.push({
      table: t.name,
      column: c.name,
      rule: 'RESERVED_NAME',
      message:
        `${t.name}.${c.name}: '${c.name}' is a reserved word of ${engines.join(' and ')}, which the lake's ETL ` +
        'and queries cannot read as a column name',
      safe: `name the property otherwise (e.g. ${c.name}_value or ${t.name}_${c.name}); the other tables need no change (nothing runs until it is fixed)`,
    });
  }
  return out;
}
