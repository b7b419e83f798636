/**
 * A result chunk's rows as the JSON cells the API returns. DuckDB's value API keys a struct's entries by name, and an
 * anonymous ROW(1, 'a') is a struct whose entries are all named '': read as values, its fields collapse into one
 * ({field0=a, field1=a} where Athena answers {field0=1, field1=a}); a field named __proto__ is lost. A column whose type holds such a struct (itself, or
 * as a list's element) is read from its vectors instead, field by position; every other column through toCell.
 */
import {
  DuckDBTypeId,
  type DuckDBDataChunk,
  type DuckDBListVector,
  type DuckDBStructVector,
  type DuckDBType,
  type DuckDBValue,
  type DuckDBVector,
} from '@duckdb/node-api';
import type { Cell } from '../types';
import { toCell } from './values';

/**
 * A struct whose entries cannot all be told apart by name (anonymous fields, or one name twice), or that the value
 * API loses: a field named __proto__ (its plain object takes the assignment as its prototype).
 */
const hasAmbiguousNames = (t: DuckDBType): boolean =>
  t.typeId === DuckDBTypeId.STRUCT &&
  (t.entryNames.some((n) => n === '' || n === '__proto__') ||
    new Set(t.entryNames).size < t.entryNames.length);

/** Whether a value of this type, read through the value API, would lose a struct's fields. */
function losesFields(t: DuckDBType): boolean {
  switch (t.typeId) {
    case DuckDBTypeId.STRUCT:
      return hasAmbiguousNames(t) || t.entryTypes.some(losesFields);
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return losesFields(t.valueType);
    case DuckDBTypeId.MAP:
      return losesFields(t.keyType) || losesFields(t.valueType);
    default:
      return false;
  }
}

/** One cell of a vector whose type loses fields as a value: structs by position, lists element by element. */
function cellAt(vector: DuckDBVector, index: number, t: DuckDBType): Cell {
  if (!losesFields(t)) return toCell(vector.getItem(index), t);
  switch (t.typeId) {
    case DuckDBTypeId.STRUCT: {
      const struct = vector as DuckDBStructVector;
      if (!struct.isItemValid(index)) return null;
      const out = Object.create(null) as Record<string, Cell>;
      // Anonymous fields (ROW(1, 'x')) are field0, field1, … as Athena renders them.
      t.entryTypes.forEach((type, i) => {
        out[t.entryNames[i] || `field${i}`] = cellAt(struct.entryVectorAt(i), index, type);
      });
      return out;
    }
    case DuckDBTypeId.LIST: {
      const items = (vector as DuckDBListVector).getItemVector(index);
      if (!items) return null;
      return Array.from({ length: items.itemCount }, (_, k) => cellAt(items, k, t.valueType));
    }
    default:
      // DuckDB's own map and fixed-size array vectors do not expose their elements' vectors.
      throw new Error(
        `the local engine cannot render a ${t.typeId === DuckDBTypeId.MAP ? 'map' : 'fixed-size array'} whose ` +
          `elements are rows with unnamed fields (${t.toString()}); Athena can: name the fields with ` +
          'CAST(ROW(…) AS ROW(name type, …))',
      );
  }
}

/** A json column (DuckDB's JSON, a VARCHAR alias). */
const isJson = (t: DuckDBType) => t.typeId === DuckDBTypeId.VARCHAR && t.alias?.toUpperCase() === 'JSON';

/**
 * The chunk's rows as cells, in the order of the columns' types. A json column's value is kept as its JSON text
 * (the results file's form; results.ts parses it for the query API): its JSON null ('null') is not SQL NULL, and
 * its numbers keep every digit, as the Athena API gives them.
 */
export function chunkCells(chunk: DuckDBDataChunk, types: readonly DuckDBType[]): Cell[][] {
  const cell = (v: DuckDBValue, t: DuckDBType): Cell => (isJson(t) ? (v as string | null) : toCell(v, t));
  if (!types.some(losesFields)) return chunk.getRows().map((r) => r.map((v, i) => cell(v, types[i]!)));
  const vectors = types.map((_, i) => chunk.getColumnVector(i));
  return Array.from({ length: chunk.rowCount }, (_, row) =>
    types.map((t, i) => (isJson(t) ? cell(vectors[i]!.getItem(row), t) : cellAt(vectors[i]!, row, t))),
  );
}
