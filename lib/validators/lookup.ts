/**
 * Run time: the validator of a schema, from the validators generated at build time (lib/validators/generated/,
 * bundled into the functions) or from those the local lake compiled for the schemas it runs on (useCompiledValidators)
 * — whichever was compiled from this very schema (same fingerprint). None: the generated ones are stale, and the call
 * fails saying so rather than validate against other rules.
 */
import { schemaFingerprint } from './fingerprint';
import type { Validator, ValidatorKind } from './types';

/** A generated module as `require` returns it: validators by export name, and their schemas' fingerprints. */
export type GeneratedModule = Record<string, unknown> & { fingerprints: Record<string, string> };

export class StaleValidatorsError extends Error {
  override name = 'StaleValidatorsError';
}

/** The export name of a schema's validator in its kind's module (the envelope: ENVELOPE_EXPORT). */
export const exportName = (kind: ValidatorKind, name: string): string => `${kind}/${name}`;
export const ENVELOPE_EXPORT = 'envelope';

const compiled: Partial<Record<ValidatorKind, GeneratedModule>> = {};

/** The local lake's validators for the schemas it runs on (lib/validators/snapshot.ts); undefined drops them. */
export function useCompiledValidators(
  modules: Partial<Record<ValidatorKind, GeneratedModule>> | undefined,
): void {
  compiled.events = modules?.events;
  compiled.datasets = modules?.datasets;
}

function matching(mod: GeneratedModule | undefined, key: string, fingerprint: string): Validator | undefined {
  if (!mod || mod.fingerprints[key] !== fingerprint) return undefined;
  const v = mod[key];
  return typeof v === 'function' ? (v as Validator) : undefined;
}

/**
 * The validator compiled from `schema`, exported as `key` by the kind's module. `generated` loads the build-time
 * module (a static require, so that the bundler includes it).
 */
export function validatorFor(
  kind: ValidatorKind,
  key: string,
  schema: object,
  generated: () => GeneratedModule,
): Validator {
  const fingerprint = schemaFingerprint(schema);
  const v = matching(compiled[kind], key, fingerprint) ?? matching(generated(), key, fingerprint);
  if (v) return v;
  throw new StaleValidatorsError(
    `the validators generated from schemas/ do not match ${key === ENVELOPE_EXPORT ? 'schemas/envelope.json' : `schemas/${key}.json`}: ` +
      'it changed after they were generated; run `npm run validators` (npm start, sls package and the tests do it)',
  );
}

/** Loads a generated module, or says how to make it. */
export function loadGenerated(kind: ValidatorKind, load: () => unknown): GeneratedModule {
  try {
    return load() as GeneratedModule;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e;
    throw new StaleValidatorsError(
      `lib/validators/generated/${kind}.js is missing: run \`npm run validators\` (npm start, sls package and the tests do it)`,
    );
  }
}
