/**
 * Loading and compiling the lake's JSON Schemas (schemas/), shared by the event and dataset registries.
 * The schemas are checked against the 2020-12 meta-schema by the tests (tests/unit/schemas.test.ts), not at every
 * cold start: compiling the meta-schema was a third of the ingest function's init time.
 */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/** An ajv instance for the lake's schemas (2020-12, formats, strict, all errors). */
export function schemaAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, validateSchema: false });
  addFormats(ajv);
  // The lake's own settings beside a schema and its properties (keys, formats, retired columns, renames): not a
  // validation keyword (lib/catalog/tables.ts reads them).
  ajv.addVocabulary(['x-lake']);
  return ajv;
}

/**
 * A schema from schemas/<kind>/<name>.json, or null if there is none. `name` must already be a checked identifier
 * (it is part of a path). One templated `require`: esbuild bundles every schema in schemas/<kind>/ as a glob.
 */
export function loadSchema(kind: 'events' | 'datasets', name: string): object | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(`../schemas/${kind}/${name}.json`) as object;
  } catch (e) {
    if (e instanceof SyntaxError)
      throw new Error(`schemas/${kind}/${name}.json is not valid JSON: ${e.message}`);
    return null; // not registered (MODULE_NOT_FOUND, or "not found in bundle" once bundled)
  }
}
