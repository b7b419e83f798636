/**
 * Text read from DuckDB as it is stored. DuckDB's node API decodes every VARCHAR with one shared `new TextDecoder()`
 * (@duckdb/node-api lib/vectors/dataAccessors.js), whose WHATWG default drops a leading byte order mark: a stored
 * '\uFEFFbom' was read back as 'bom' — by query results, among others. The API reads that decoder from its module's
 * exports at each call, so importing this module replaces it with one that keeps the mark (ignoreBOM).
 * tests/unit/duckdb-text.test.ts reads such a value back, and fails if a DuckDB release moves the decoder.
 */
import { TextDecoder } from 'node:util';

const accessors = require('@duckdb/node-api/lib/vectors/dataAccessors') as { textDecoder?: TextDecoder };
if (!(accessors.textDecoder instanceof TextDecoder)) {
  throw new Error(
    '@duckdb/node-api no longer exports its text decoder: lib/duckdb-text.ts needs another way',
  );
}
accessors.textDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

export {};
