/** The validators generated from schemas/ (lib/validators/source.ts) as the registries see them. */
import type { ErrorObject } from 'ajv/dist/2020';

export type ValidatorKind = 'events' | 'datasets';

/** A compiled validator: true when valid; `errors` as ajv reports them, for the last call. */
export type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/** One generated module: a validator per schema name, and the fingerprint of the schema each was compiled from. */
export interface ValidatorModule {
  validators: Record<string, Validator>;
  fingerprints: Record<string, string>;
}
