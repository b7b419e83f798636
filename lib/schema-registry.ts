/**
 * Event schemas: schemas/events/<type>.json (JSON Schema 2020-12), compiled with ajv once per cold start
 * (on first use of each type) and cached for the life of the execution environment.
 *
 * The schemas are `require`d with a template path, which esbuild bundles as a glob (every file in
 * schemas/events/ goes into the handler bundle) and jest/tsx resolve from disk — one code path for both.
 */
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import { loadSchema, schemaAjv, schemaGeneration } from './schema-loader';
import envelopeSchema from '../schemas/envelope.json';

export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

const ajv = schemaAjv();

export const validateEnvelope: ValidateFunction = ajv.compile(envelopeSchema);

const validators = new Map<string, ValidateFunction | null>();
let compiledFor = schemaGeneration();

/** The compiled validator of an event type's data, or null if the type is not registered. */
export function eventValidator(type: string): ValidateFunction | null {
  if (!EVENT_TYPE_PATTERN.test(type)) return null;
  if (compiledFor !== schemaGeneration()) {
    validators.clear();
    compiledFor = schemaGeneration();
  }
  let v = validators.get(type);
  if (v === undefined) {
    const schema = loadSchema('events', type);
    v = schema ? ajv.compile(schema) : null;
    validators.set(type, v);
  }
  return v;
}

export interface FieldError {
  /** JSON pointer of the offending field, relative to the event. */
  pointer: string;
  keyword: string;
  message: string;
}

/** Turns ajv errors into pointer/message pairs; `base` is the pointer of the validated value within the event. */
export function fieldErrors(errors: ErrorObject[] | null | undefined, base = ''): FieldError[] {
  return (errors ?? []).map((e) => {
    let pointer = base + e.instancePath;
    const p = e.params as Record<string, unknown>;
    if (e.keyword === 'required' && typeof p.missingProperty === 'string') {
      pointer += '/' + escapePointer(p.missingProperty);
    } else if (e.keyword === 'additionalProperties' && typeof p.additionalProperty === 'string') {
      pointer += '/' + escapePointer(p.additionalProperty);
    }
    let message = e.message ?? e.keyword;
    if (e.keyword === 'additionalProperties') message = 'is not an allowed property';
    if (e.keyword === 'required') message = 'is required';
    if (e.keyword === 'enum' && Array.isArray(p.allowedValues)) message += `: ${p.allowedValues.join(', ')}`;
    return { pointer: pointer || '/', keyword: e.keyword, message };
  });
}

const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
