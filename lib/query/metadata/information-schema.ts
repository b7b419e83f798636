/**
 * information_schema.tables and information_schema.columns on the local engine, limited to the lake's database:
 * two views in the lake's schema ("$information_schema_tables", "$information_schema_columns": names no lake table
 * can have), made from the same Glue TableInputs AWS holds, with Trino's column names and type names (Hive's
 * string is varchar, timestamp is timestamp(3)). Statements name them as Athena does; the rewrite
 * (../dialect/calls.ts) points the names at the views.
 */
import type { GlueTableInput } from '../../catalog/glue';
import { sqlIdent, sqlString } from '../../duckdb-sql';
import type { Token } from '../sql-guard/lexer';
import { isSymbol } from '../dialect/tokens';
import type { Edit } from '../dialect/tokens';

export const INFORMATION_SCHEMA_TABLES = ['tables', 'columns'] as const;

export const viewName = (table: string) => `$information_schema_${table}`;

const name = (t: Token | undefined) =>
  t?.kind === 'word'
    ? t.text.toLowerCase()
    : t?.kind === 'quoted'
      ? t.text.slice(1, -1).toLowerCase()
      : undefined;

/** `[awsdatacatalog.]information_schema.(tables|columns)` starting at token k, as the view's name. */
export function information_schema_view(tokens: Token[], k: number): Edit | undefined {
  let at = k;
  if (name(tokens[k]) === 'awsdatacatalog' && isSymbol(tokens[k + 1], '.')) at = k + 2;
  else if (isSymbol(tokens[k - 1], '.')) return undefined;
  if (name(tokens[at]) !== 'information_schema' || !isSymbol(tokens[at + 1], '.')) return undefined;
  const table = name(tokens[at + 2]);
  if (!INFORMATION_SCHEMA_TABLES.includes(table as never) || isSymbol(tokens[at + 3], '.')) return undefined;
  return { start: tokens[k]!.start, end: tokens[at + 2]!.end, text: sqlIdent(viewName(table!)) };
}

/** Hive's type names (Glue) as Trino names them. */
export function trinoTypeName(hive: string): string {
  const t = hive.toLowerCase();
  if (t === 'string') return 'varchar';
  if (t === 'timestamp') return 'timestamp(3)';
  if (t === 'int') return 'integer';
  if (t === 'float') return 'real';
  return t;
}

const values = (rows: (string | number | null)[][]) =>
  rows
    .map(
      (r) =>
        `(${r.map((v) => (v === null ? 'CAST(NULL AS VARCHAR)' : typeof v === 'number' ? `CAST(${v} AS BIGINT)` : sqlString(v))).join(', ')})`,
    )
    .join(', ');

/** CREATE OR REPLACE VIEW statements for the two views (run on the setup connection, in the lake's schema). */
export function informationSchemaViews(
  qualify: (view: string) => string,
  database: string,
  inputs: GlueTableInput<string>[],
): string[] {
  const tables = inputs.map((t) => ['awsdatacatalog', database, t.Name, 'BASE TABLE']);
  const columns = inputs.flatMap((t) =>
    [...t.StorageDescriptor.Columns, ...t.PartitionKeys].map((c, i) => [
      'awsdatacatalog',
      database,
      t.Name,
      c.Name,
      i + 1,
      null,
      'YES',
      trinoTypeName(c.Type),
      c.Comment ?? null,
      i >= t.StorageDescriptor.Columns.length ? 'partition key' : null,
    ]),
  );
  const view = (v: string, cols: string[], rows: (string | number | null)[][]) =>
    rows.length === 0
      ? `CREATE OR REPLACE VIEW ${qualify(viewName(v))} AS SELECT ${cols.map((c) => `CAST(NULL AS VARCHAR) AS ${c}`).join(', ')} WHERE false`
      : `CREATE OR REPLACE VIEW ${qualify(viewName(v))} AS SELECT * FROM (VALUES ${values(rows)}) AS t(${cols.join(', ')})`;
  return [
    view('tables', ['table_catalog', 'table_schema', 'table_name', 'table_type'], tables),
    view(
      'columns',
      [
        'table_catalog',
        'table_schema',
        'table_name',
        'column_name',
        'ordinal_position',
        'column_default',
        'is_nullable',
        'data_type',
        'comment',
        'extra_info',
      ],
      columns,
    ),
  ];
}
