/**
 * Event schemas: schemas/events/<type>.json (JSON Schema 2020-12), validated by the validators generated from them at
 * build time (lib/validators/: ajv standalone code, nothing compiled at a cold start), looked up on first use of each
 * type and cached for the life of the execution environment.
 *
 * The schemas are `require`d with a template path, which esbuild bundles as a glob (every file in
 * schemas/events/ goes into the handler bundle) and jest/tsx resolve from disk — one code path for both.
 */
import type { ErrorObject } from 'ajv/dist/2020';
import { formerNamesOf } from './catalog/former-names';
import { loadHistory, loadSchema, schemaGeneration, schemaSnapshot } from './schema-loader';
import { envelopeValidator, eventDataValidator, generatedEventTypes } from './validators/events';
import type { Validator } from './validators/types';
import envelopeSchema from '../schemas/envelope.json';

export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

export const validateEnvelope: Validator = envelopeValidator(envelopeSchema);

/** The registered event types, sorted: the schemas the local lake runs on, else those bundled (as generated). */
export function registeredEventTypes(): string[] {
  const inUse = schemaSnapshot();
  return (inUse ? [...inUse.events.keys()] : generatedEventTypes()).sort();
}

/** Validates an event's data; `errors` as ajv's, for the last call. */
export type DataValidator = Validator;

const validators = new Map<string, DataValidator | null>();
let compiledFor = schemaGeneration();

/** The compiled validator of an event type's data, or null if the type is not registered. */
export function eventValidator(type: string): DataValidator | null {
  if (!EVENT_TYPE_PATTERN.test(type)) return null;
  if (compiledFor !== schemaGeneration()) {
    validators.clear();
    compiledFor = schemaGeneration();
  }
  let v = validators.get(type);
  if (v === undefined) {
    const schema = loadSchema('events', type);
    v = schema ? acceptingOldNames(schema, eventDataValidator(type, schema), loadHistory(type)) : null;
    validators.set(type, v);
  }
  return v;
}

type PropertySchema = { 'x-lake'?: { renamedFrom?: string } };

/**
 * Renamed and retired properties. A renamed property (x-lake.renamedFrom) under its old name is the property: producers not yet changed keep
 * sending it, and the ETL reads it into the new column (lib/etl/plan.ts). The data is checked as if the old name were
 * the new one (the new name wins when both are there, as in the ETL); errors point at the name the producer sent.
 * The event is stored as sent. A retired property (x-lake.retired) is refused as retired, not as unknown.
 */
function acceptingOldNames(
  schema: object,
  validate: Validator,
  history: ReturnType<typeof loadHistory>,
): DataValidator {
  const properties = (schema as { properties?: Record<string, PropertySchema> }).properties ?? {};
  // Every former name, newest first: after a second rename (C from B, B from A recorded), A is C too.
  const renames = Object.entries(properties).flatMap(([name, p]) => {
    const from = p?.['x-lake']?.renamedFrom;
    if (!from) return [];
    return formerNamesOf(name, from, history)
      .filter((old) => !Object.hasOwn(properties, old))
      .map((old) => [old, name] as const);
  });
  const retired = new Set((schema as { 'x-lake'?: { retired?: string[] } })['x-lake']?.retired ?? []);
  if (renames.length === 0 && retired.size === 0) return validate;
  const check: DataValidator = (data: unknown) => {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      const ok = validate(data);
      check.errors = validate.errors;
      return ok;
    }
    const record = data as Record<string, unknown>;
    let view: Record<string, unknown> | undefined;
    const sentAs = new Map<string, string>();
    /** Former names sent beside the name the value is read from: stored as sent, so checked by the same rules. */
    const shadowed: [string, string][] = [];
    /** A former name's value sent beside a null under the name read first: [former name, the one with the null]. */
    const behindNull: [string, string][] = [];
    for (const [old, name] of renames) {
      if (!Object.hasOwn(record, old)) continue;
      view ??= { ...record };
      // The new name wins, then the newest former name (as the ETL reads them).
      if (!Object.hasOwn(view, name)) {
        view[name] = record[old];
        sentAs.set(name, old);
      } else {
        shadowed.push([old, name]);
        // The ETL reads a null as a key not sent (COALESCE over the names): it would store this value, not the null.
        if (view[name] === null && record[old] !== null) behindNull.push([old, sentAs.get(name) ?? name]);
      }
      delete view[old];
    }
    let ok = validate(view ?? data);
    for (const [old, name] of ok ? shadowed : []) {
      ok = validate({ ...view, [name]: record[old] });
      if (!ok) {
        sentAs.set(name, old);
        break;
      }
    }
    const errors = (validate.errors ?? []).map((e) => {
      const extra = (e.params as { additionalProperty?: unknown }).additionalProperty;
      if (e.keyword === 'additionalProperties' && e.instancePath === '' && retired.has(extra as string)) {
        // A retired property (x-lake.retired): say so, rather than that it is unknown.
        return retiredError(extra as string, e.schemaPath);
      }
      const [, first, rest] = /^\/([^/]*)(.*)$/.exec(e.instancePath) ?? [];
      const old = first !== undefined ? sentAs.get(first) : undefined;
      return old ? { ...e, instancePath: `/${old}${rest}` } : e;
    });
    // A type that takes undeclared keys would take a retired one as any other: refused all the same, as retired.
    for (const name of retired) {
      if (!Object.hasOwn(record, name) || Object.hasOwn(properties, name)) continue;
      if (errors.some((e) => e.keyword === 'retired' && e.instancePath === `/${name}`)) continue;
      errors.push(retiredError(name, '#/x-lake/retired'));
      ok = false;
    }
    for (const [old, nulled] of behindNull) {
      errors.push(formerNameBehindNull(old, nulled));
      ok = false;
    }
    check.errors = errors.length > 0 ? errors : validate.errors;
    return ok;
  };
  return check;
}

/**
 * The error of a former name (x-lake.renamedFrom) sent with a value beside a null under the name read before it:
 * the ETL reads a null as a key not sent, so it would store the former name's value where the null was meant.
 */
const formerNameBehindNull = (old: string, nulled: string): ErrorObject => ({
  keyword: 'renamedFrom',
  instancePath: `/${old}`,
  schemaPath: '#/x-lake/renamedFrom',
  params: { formerName: old, nullUnder: nulled },
  message:
    `is a former name of ${nulled}, sent with a value beside ${nulled}: null; the lake reads a null as not sent ` +
    `and would store this value: send ${nulled} alone (its null clears it) or this name alone`,
});

/** The error of a retired property sent (x-lake.retired). */
const retiredError = (name: string, schemaPath: string): ErrorObject => ({
  keyword: 'retired',
  instancePath: `/${name}`,
  schemaPath,
  params: { retired: name },
  message: 'is retired (x-lake.retired): no longer accepted; its stored values stay in the table',
});

export interface FieldError {
  /** JSON pointer of the offending field, relative to the event. */
  pointer: string;
  keyword: string;
  message: string;
}

/** Longest pointer an error gives whole (property names are not bounded otherwise; the body is, to 4 MiB). */
export const MAX_POINTER_CHARS = 1024;

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
    if (pointer.length > MAX_POINTER_CHARS) {
      // A property name of megabytes (refused) is not sent back whole: the answer stays small (Lambda's is 6 MB).
      message += ` (the pointer is ${pointer.length} characters: cut at ${MAX_POINTER_CHARS})`;
      pointer = pointer.slice(0, MAX_POINTER_CHARS) + '…';
    }
    if (e.keyword === 'required') message = 'is required';
    if (e.keyword === 'enum' && Array.isArray(p.allowedValues)) message += `: ${p.allowedValues.join(', ')}`;
    return { pointer: pointer || '/', keyword: e.keyword, message };
  });
}

const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
