/**
 * One schema's validator, compiled now by the build step's generator and loaded from its text: for a schema that
 * is not a file of schemas/ (a test's edited copy). The registries never use this; they use generated validators.
 */
import { evaluateValidatorSource } from './evaluate';
import { exportName } from './lookup';
import { validatorSource } from './source';
import type { Validator, ValidatorKind } from './types';

export function compileValidator(kind: ValidatorKind, name: string, schema: object): Validator {
  const mod = evaluateValidatorSource(validatorSource(kind, new Map([[name, schema]])));
  return mod[exportName(kind, name)] as Validator;
}
