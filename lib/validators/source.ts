/**
 * Build time: the JSON Schemas of schemas/ compiled by ajv into one standalone CommonJS module per kind (ajv
 * standalone code, https://ajv.js.org/standalone.html). The module needs only ajv's small runtime helpers and
 * lib/validators/formats.ts — never ajv's compiler — so the function bundles leave the compiler out and a cold start
 * compiles nothing. Options are the lake's (2020-12, strict, all errors, formats, the `x-lake` vocabulary).
 *
 * Each validator is exported under `<kind>/<name>` (the envelope as `envelope`), beside `fingerprints`: the
 * fingerprint of the schema each was compiled from (lib/validators/fingerprint.ts).
 */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { _, type Format, Name } from 'ajv';
import { fullFormats } from 'ajv-formats/dist/formats';
import standaloneCode from 'ajv/dist/standalone';
import { schemaFingerprint } from './fingerprint';
import { datasetFormats, eventFormats, FORMATS_EXPORT } from './formats';
import { ENVELOPE_EXPORT, exportName } from './lookup';
import { withPatternLengths } from './pattern-lengths';
import type { ValidatorKind } from './types';

/** What a generated module `require`s the formats from: lib/validators/formats.ts, seen from generated/. */
export const FORMATS_MODULE = '../formats';

/** An ajv instance for the lake's schemas of one kind, set to generate standalone code. */
function lakeAjv(kind: ValidatorKind): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    allowUnionTypes: true,
    validateSchema: false,
    // multipleOf as JSON Schema means it (0.07 is a multiple of 0.01), not as a double division leaves it
    // (7.000000000000001): within 1e-12 of a whole quotient.
    multipleOfPrecision: 12,
    code: {
      source: true,
      esm: false,
      lines: false,
      formats: _`require(${FORMATS_MODULE}).${new Name(FORMATS_EXPORT[kind])}`,
    },
  });
  addFormats(ajv);
  // The formats this module defines over ajv-formats' own, so that the code ajv generates calls them as they are.
  const formats: Record<string, unknown> = kind === 'events' ? eventFormats : datasetFormats;
  for (const [name, format] of Object.entries(formats)) {
    if (format !== (fullFormats as Record<string, unknown>)[name]) ajv.addFormat(name, format as Format);
  }
  // The lake's own settings beside a schema and its properties (keys, formats, retired columns, renames): not a
  // validation keyword (lib/catalog/table-from-schema.ts reads them).
  ajv.addVocabulary(['x-lake']);
  return ajv;
}

/**
 * Why the lake's ajv cannot compile `schema` (strict mode: an unknown keyword such as a misspelt "maxlength", a
 * keyword that does not apply to the property's type, an unknown format), or undefined when it compiles.
 */
export function schemaCompileProblem(kind: ValidatorKind, schema: object): string | undefined {
  try {
    lakeAjv(kind).compile(schema);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * The standalone module for `schemas` (name → schema) of `kind`; `envelope`, for events, is compiled into the same
 * module. Deterministic: the same schemas give the same text.
 */
export function validatorSource(
  kind: ValidatorKind,
  schemas: ReadonlyMap<string, object>,
  envelope?: object,
): string {
  const ajv = lakeAjv(kind);
  const refs: Record<string, string> = {};
  const fingerprints: Record<string, string> = {};
  const add = (key: string, schema: object) => {
    ajv.addSchema(withPatternLengths(schema), key);
    refs[key] = key;
    fingerprints[key] = schemaFingerprint(schema);
  };
  if (envelope) add(ENVELOPE_EXPORT, envelope);
  for (const name of [...schemas.keys()].sort()) add(exportName(kind, name), schemas.get(name)!);
  const code = standaloneCode(ajv, refs);
  return (
    `// Generated from schemas/ by lib/validators/build.ts (npm run validators): do not edit.\n` +
    `${code}\nexports.fingerprints = ${JSON.stringify(fingerprints)};\n`
  );
}
