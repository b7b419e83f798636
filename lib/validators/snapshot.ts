/**
 * The schemas a long-running local process serves (the local lake, and tests that stand in for an edit of
 * schemas/): the registries read them from memory (lib/schema-loader.ts useSchemaSnapshot) and validate with
 * validators compiled from them now, by the same generator as the build step — never with validators of other
 * schemas. Returns the generated sources (the lake writes them out when the schemas are the project's).
 */
import envelopeSchema from '../../schemas/envelope.json';
import { useSchemaSnapshot, type SchemaSnapshot } from '../schema-loader';
import { validatorSources } from './build';
import { evaluateValidatorSource } from './evaluate';
import { useCompiledValidators } from './lookup';
import type { ValidatorKind } from './types';

export function useSchemas(snapshot: SchemaSnapshot): Record<ValidatorKind, string> {
  const prepared = prepareSchemas(snapshot);
  prepared.use();
  return prepared.sources;
}

/**
 * The validators of `snapshot`, compiled, and `use()` to serve them: a caller that has more to do before (write what
 * it records) switches only once that has succeeded.
 */
export function prepareSchemas(snapshot: SchemaSnapshot): {
  sources: Record<ValidatorKind, string>;
  use: () => void;
} {
  const sources = validatorSources({ ...snapshot, envelope: envelopeSchema });
  const modules = {
    events: evaluateValidatorSource(sources.events),
    datasets: evaluateValidatorSource(sources.datasets),
  };
  return {
    sources,
    use: () => {
      useSchemaSnapshot(snapshot);
      useCompiledValidators(modules);
    },
  };
}
