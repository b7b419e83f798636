/** The value rules a column carries (lib/catalog/types.ts ValueRules), by name. */
import type { ValueRules } from './types';

export const VALUE_RULE_KEYS = [
  'enum',
  'pattern',
  'minimum',
  'maximum',
  'maxLength',
  'minLength',
  'otherRules',
] as const satisfies readonly (keyof ValueRules)[];
