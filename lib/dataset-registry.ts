/**
 * Dataset schemas: schemas/datasets/<name>.json (JSON Schema 2020-12 with an `x-lake` section), looked up one at a
 * time the way lib/schema-registry.ts looks up event schemas — a `require` with a template path, which esbuild
 * bundles as a glob (every file in schemas/datasets/ goes into the handler bundle) and jest/tsx resolve from disk.
 * Each dataset's table definition is built once per cold start, on first use; its row validator was generated at
 * build time (lib/validators/; the dates and timestamps follow the ETL's rules: lib/validators/formats.ts).
 */
import { datasetTable, IDENTIFIER } from './catalog/table-from-schema';
import type { TableDef } from './catalog/types';
import { loadHistory, loadSchema, schemaGeneration } from './schema-loader';
import { datasetRowValidator } from './validators/datasets';
import type { Validator } from './validators/types';

export interface Dataset {
  name: string;
  schema: object;
  table: TableDef;
  /** Validates one row (an object of column values; absent = missing). */
  validate: Validator;
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
    compiledFor = schemaGeneration();
  }
  let d = cache.get(name);
  if (d === undefined) {
    const schema = datasetSchema(name);
    d = schema
      ? {
          name,
          schema,
          // With its recorded renames: a file with a column's first name loads after a second rename.
          table: datasetTable(
            name,
            schema as Parameters<typeof datasetTable>[1],
            (loadHistory(name) ?? undefined) as Parameters<typeof datasetTable>[2],
          ),
          validate: datasetRowValidator(name, schema),
        }
      : null;
    cache.set(name, d);
  }
  return d;
}
