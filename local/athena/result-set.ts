/**
 * Query results in Athena's ResultSet shape: `ResultSetMetadata.ColumnInfo` (the type's base name, with the
 * Precision, Scale and CaseSensitive Athena reports for it; CatalogName `hive`; Nullable `UNKNOWN`) and rows of
 * `Data[].VarCharValue`, every value as the text Athena renders (NULL: no VarCharValue). The engine's JSON cells
 * (lib/query/types.ts Cell) are turned back into that text:
 *   double / real   Java's notation (1.5, 1.0E20, 1.0E-7, NaN, Infinity): Trino renders them with Java
 *   decimal(p,s)    with its s digits (1.50)
 *   json            the JSON text; array, map and row: Athena's notation ([1, 2], {k=v}, {a=1, b=x}), a map's
 *                   entries in the order of the java.util.HashMap Trino prints (./java-hash-map.ts)
 *   the rest        as the engine has it (varchar, bigint, boolean, date, timestamp 'yyyy-MM-dd HH:mm:ss.SSS', …)
 * Precision/Scale per type as Athena reports them (measured on the service by the athena-local project).
 */
import type { ColumnInfo, Datum, Row } from '@aws-sdk/client-athena';
import { javaNotation, shortestFloat } from '../../lib/query/duckdb/values';
import { javaHashMapOrder } from './java-hash-map';
import { rowFieldTypeTexts, splitTopLevel } from '../../lib/query/row-type-text';
import type { Cell, ResultColumn } from '../../lib/query/types';

/** A parsed type name: `array(map(varchar, bigint))`, `row(a bigint, b varchar)`, `decimal(10,2)`. */
export interface TypeNode {
  /** The base name, e.g. `array`, `decimal`, `timestamp with time zone`. */
  base: string;
  /** Type arguments (array, map, row); for a row, each field with its name. */
  args: { name?: string; type: TypeNode }[];
  /** Numeric parameters (decimal's precision and scale, varchar's length). */
  params: number[];
  /** A row's text between its parentheses, as the engine wrote it (field names unquoted, as Trino writes them). */
  inner?: string;
}

export function parseType(text: string): TypeNode {
  const t = text.trim();
  const open = t.indexOf('(');
  if (open < 0 || !t.endsWith(')')) return { base: t.toLowerCase(), args: [], params: [] };
  const base = t.slice(0, open).trim().toLowerCase();
  const inner = splitTopLevel(t.slice(open + 1, -1)).filter(Boolean);
  if (inner.every((p) => /^\d+$/.test(p))) return { base, args: [], params: inner.map(Number) };
  const args = inner.map((part) => {
    if (base !== 'row') return { type: parseType(part) };
    // A row field is `name type` (the engine names every field).
    const space = part.search(/\s/);
    return space > 0 && !part.slice(0, space).includes('(')
      ? { name: part.slice(0, space).replace(/^"|"$/g, ''), type: parseType(part.slice(space + 1)) }
      : { type: parseType(part) };
  });
  return { base, args, params: [], ...(base === 'row' ? { inner: t.slice(open + 1, -1) } : {}) };
}

/** Athena's fixed precisions by type (0 for the others); decimal, varchar and char carry their own. */
const PRECISION: Record<string, number> = {
  tinyint: 3,
  smallint: 5,
  integer: 10,
  bigint: 19,
  double: 17,
  float: 17,
  varchar: 2147483647,
  varbinary: 1073741824,
  timestamp: 3,
  time: 3,
  'timestamp with time zone': 3,
  'time with time zone': 3,
};

export function columnInfo(column: ResultColumn): ColumnInfo {
  const type = parseType(column.type);
  // Athena reports real as float.
  const base = type.base === 'real' ? 'float' : type.base;
  const precision =
    base === 'decimal' || base === 'char' || (base === 'varchar' && type.params.length)
      ? (type.params[0] ?? 0)
      : (PRECISION[base] ?? 0);
  return {
    CatalogName: 'hive',
    SchemaName: '',
    TableName: '',
    Name: column.name,
    Label: column.name,
    Type: base,
    Precision: precision,
    Scale: base === 'decimal' ? (type.params[1] ?? 0) : 0,
    Nullable: 'UNKNOWN',
    CaseSensitive: base === 'varchar' || base === 'char',
  };
}

/**
 * A SHOW's or DESCRIBE's columns (UTILITY statements) as Athena describes them, measured: Hive strings (type string,
 * precision 0, not case sensitive), whatever the engine's columns are; DESCRIBE three (col_name, data_type, comment)
 * though each of its rows is one value, its fields tab-separated.
 */
export function utilityColumnInfo(columns: ResultColumn[], substatementType: string): ColumnInfo[] {
  const names =
    substatementType === 'DESCRIBE_TABLE' ? ['col_name', 'data_type', 'comment'] : columns.map((c) => c.name);
  return names.map((name) => ({
    ...columnInfo({ name, type: 'varchar' }),
    Type: 'string',
    Precision: 0,
    CaseSensitive: false,
  }));
}

function floatingText(cell: Cell, real: boolean): string {
  if (typeof cell === 'number') return javaNotation(real ? shortestFloat(cell) : cell);
  return String(cell); // NaN, Infinity, -Infinity come as text
}

/** A cell as Athena's text for a value of `type` inside an array, map or row (NULL reads `null` there). */
function render(cell: Cell, type: TypeNode): string {
  if (cell === null) return 'null';
  switch (type.base) {
    case 'double':
      return floatingText(cell, false);
    case 'real':
    case 'float':
      return floatingText(cell, true);
    case 'decimal':
      return typeof cell === 'number' ? cell.toFixed(type.params[1] ?? 0) : String(cell);
    case 'json':
      return JSON.stringify(cell);
    case 'array': {
      const element = type.args[0]?.type ?? parseType('varchar');
      return `[${(Array.isArray(cell) ? cell : [cell]).map((c) => render(c, element)).join(', ')}]`;
    }
    case 'map': {
      const value = type.args[1]?.type ?? parseType('varchar');
      // In the order of the java.util.HashMap Trino renders it from.
      const entries = javaHashMapOrder(
        Object.entries(cell as Record<string, Cell>),
        type.args[0]?.type.base ?? 'varchar',
      );
      return `{${entries.map(([k, v]) => `${k}=${render(v, value)}`).join(', ')}}`;
    }
    case 'row': {
      // In the row type's order (an object lists fields named like integers, "10", first).
      const fields = cell as Record<string, Cell>;
      const names = Object.keys(fields);
      // A name holding a space or a comma: the fields are read from the text by the value's names.
      const byName =
        type.inner !== undefined && names.some((n) => /[\s,]/.test(n))
          ? rowFieldTypeTexts(type.inner, names)
          : undefined;
      if (byName && byName.size === names.length)
        return `{${[...byName].map(([name, t]) => `${name}=${render(fields[name] ?? null, parseType(t))}`).join(', ')}}`;
      const named = type.args.length > 0 && type.args.every((a) => a.name !== undefined && a.name in fields);
      if (named)
        return `{${type.args.map((a) => `${a.name!}=${render(fields[a.name!] ?? null, a.type)}`).join(', ')}}`;
      return `{${Object.entries(fields)
        .map(([k, v], i) => `${k}=${render(v, type.args[i]?.type ?? parseType('varchar'))}`)
        .join(', ')}}`;
    }
    default:
      return typeof cell === 'object' ? JSON.stringify(cell) : String(cell);
  }
}

/** One result value as Athena's Datum (a json value comes as its JSON text: PageRequest.jsonAsText). */
export function datum(cell: Cell, type: TypeNode): Datum {
  if (cell === null) return {};
  return { VarCharValue: type.base === 'json' && typeof cell === 'string' ? cell : render(cell, type) };
}

/** The header row Athena puts first on the first page of a DML statement's results: the column names. */
export function headerRow(columns: ResultColumn[]): Row {
  return { Data: columns.map((c) => ({ VarCharValue: c.name })) };
}

export function dataRows(columns: ResultColumn[], rows: Cell[][]): Row[] {
  const types = columns.map((c) => parseType(c.type));
  return rows.map((r) => ({ Data: types.map((t, i) => datum(r[i] ?? null, t)) }));
}
