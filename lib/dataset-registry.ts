/**
 * Dataset schemas: schemas/datasets/<name>.json (JSON Schema 2020-12 with an `x-lake` section), looked up one at a
 * time the way lib/schema-registry.ts looks up event schemas — a `require` with a template path, which esbuild
 * bundles as a glob (every file in schemas/datasets/ goes into the handler bundle) and jest/tsx resolve from disk.
 * Each dataset's table definition and row validator are built once per cold start, on first use.
 */
import type { ValidateFunction } from 'ajv/dist/2020';
import { datasetTable, IDENTIFIER, type TableDef } from './catalog/tables';
import { DATE_PATTERN, UTC_TIMESTAMP_RE } from './etl/value-patterns';
import { loadSchema, schemaAjv, schemaGeneration } from './schema-loader';

/**
 * The dataset schemas' compiler, new for each generation of schemas (ajv keeps schemas by $id, and an edited schema
 * keeps its $id), with the lake's formats.
 */
function datasetAjv() {
  const ajv = schemaAjv();
  // Dataset timestamps follow the ETL's rule (lib/etl/value-patterns.ts): UTC with Z, +00:00 or no offset — so a file
  // that passes this sample check is typed the same way by the Glue job and the local runner.
  ajv.addFormat('date-time', {
    type: 'string',
    validate: (s: string) => utcTimestamp.test(s) && isCalendarDay(s),
  });
  // Dates likewise: the ETL's DATE_PATTERN takes years 1000-9999 only (year 0 is 1 BC in DuckDB), so the sample
  // check refuses what the ETL would reject row by row.
  ajv.addFormat('date', {
    type: 'string',
    validate: (s: string) => LAKE_DATE_RE.test(s) && isCalendarDay(s),
  });
  return ajv;
}

const utcTimestamp = new RegExp(UTC_TIMESTAMP_RE);
const LAKE_DATE_RE = new RegExp(DATE_PATTERN);
const isCalendarDay = (s: string) => {
  const [y, m, d] = s.slice(0, 10).split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
};
let ajv = datasetAjv();

export interface Dataset {
  name: string;
  schema: object;
  table: TableDef;
  /** Validates one row (an object of column values; absent = missing). */
  validate: ValidateFunction;
}

const cache = new Map<string, Dataset | null>();
let compiledFor = schemaGeneration();

/** The JSON Schema of a dataset, or null if no such dataset is registered. */
export function datasetSchema(name: string): object | null {
  if (!IDENTIFIER.test(name)) return null; // also keeps the path inside schemas/datasets/
  return loadSchema('datasets', name);
}

/** A dataset's schema, table definition and compiled row validator, or null if it is not registered. */
export function dataset(name: string): Dataset | null {
  if (compiledFor !== schemaGeneration()) {
    cache.clear();
    ajv = datasetAjv();
    compiledFor = schemaGeneration();
  }
  let d = cache.get(name);
  if (d === undefined) {
    const schema = datasetSchema(name);
    d = schema
      ? {
          name,
          schema,
          table: datasetTable(name, schema as Parameters<typeof datasetTable>[1]),
          validate: ajv.compile(schema),
        }
      : null;
    cache.set(name, d);
  }
  return d;
}
