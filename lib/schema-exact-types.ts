/**
 * The exact types of a row's or an event's top-level properties, beside JSON Schema: an integer width (tinyint,
 * smallint, int, bigint — every "integer" property is a bigint unless x-lake.type says otherwise) or a decimal(p,s),
 * checked exactly with the ETL's reasons (lib/catalog/value-checks.ts). JSON Schema cannot say this: ajv compares
 * doubles, and JSON.parse reads 9223372036854775808 as the same double as 9223372036854775807. A JSON number is
 * judged by the value it was written with (lib/exact-json.ts). Ingest refuses such an event (400) and validateUpload
 * counts such a row as failing, as the ETL would reject it. An event's integer kept as written is written with its
 * digits (exactTypeProblem).
 */
import {
  decimalOf,
  declaredType,
  INTEGER_RANGES,
  isIntegerType,
  type DecimalType,
  type IntegerType,
} from './catalog/lake-types';
import { decimalProblem, integerProblem, NOT_AN_INTEGER } from './catalog/value-checks';
import { integerTextOf, isInexactNumber, keepNumberText, numberText } from './exact-json';
import { formerNamesOf, type RecordedRenames } from './catalog/former-names';
import { datasetFormats } from './validators/formats';

type PropertySchema = {
  type?: string | string[];
  format?: string;
  'x-lake'?: { type?: string; renamedFrom?: string };
};

/**
 * An event's date and date-time properties, judged by the ETL's rules at the door (as a dataset's are by its
 * validators, lib/validators/formats.ts): the event validators take JSON Schema's date-time with any offset and up
 * to nine fraction digits (the envelope's occurred_at is one, stored in UTC), which the compaction rejected after a
 * 202 — an event that no schema change could bring back.
 */
const TEMPORAL: Record<'date' | 'timestamp', { check: (s: string) => boolean; rule: string }> = {
  date: {
    check: datasetFormats.date.validate,
    rule: 'not a date the lake stores (yyyy-MM-dd, a day of the calendar, years 1000 to 9999)',
  },
  timestamp: {
    check: datasetFormats['date-time'].validate,
    rule:
      // (An event's date-time has an offset: JSON Schema's format asks for one before this check.)
      'not a UTC timestamp the lake stores (yyyy-MM-ddTHH:mm:ss[.ffffff], T or a space, with Z or +00:00, years 1000 ' +
      'to 9999, seconds 00 to 59, at most 6 fraction digits): convert other offsets to UTC',
  },
};

type Temporal = keyof typeof TEMPORAL;

/** A property's date or timestamp column type (format date or date-time, no x-lake.type), else undefined. */
const temporalTypeOf = (p: PropertySchema): Temporal | undefined =>
  p['x-lake']?.type !== undefined || jsonTypeOf(p) !== 'string'
    ? undefined
    : p.format === 'date'
      ? 'date'
      : p.format === 'date-time'
        ? 'timestamp'
        : undefined;

const jsonTypeOf = (p: PropertySchema) =>
  String((Array.isArray(p.type) ? p.type.filter((t) => t !== 'null') : [p.type])[0]);

/** A property's exact type: its x-lake.type, or bigint for a plain "integer"; undefined for the other types. */
export function exactTypeOf(p: PropertySchema): IntegerType | DecimalType | undefined {
  const declared = p['x-lake']?.type;
  if (declared === undefined) return jsonTypeOf(p) === 'integer' ? 'bigint' : undefined;
  try {
    return declaredType(declared, jsonTypeOf(p), '');
  } catch {
    return undefined; // a schema the catalog refuses (lib/catalog/table-from-schema.ts); the schema check reports it
  }
}

/**
 * Why holder[key] is not a value of type t, or undefined (also when JSON Schema's "type" is what it fails: a
 * string for an integer, a number for a decimal). A number is judged by its source text when a double does not
 * hold it, else by its value (an integer beyond 2^53 that reads back as written, such as 1e19, is that value).
 */
export function exactValueProblemAt(
  holder: object,
  key: string,
  t: IntegerType | DecimalType,
): string | undefined {
  const value = (holder as Record<string, unknown>)[key];
  if (isIntegerType(t)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
    if (isInexactNumber(holder, key)) {
      const text = integerTextOf(numberText(holder, key, value));
      return text === undefined ? NOT_AN_INTEGER : integerProblem(text, t);
    }
    if (!Number.isInteger(value)) return undefined; // "type": "integer" says so
    // Beyond 2^53 and not remembered: written as its double reads back (1e19, 9.3e18), which is its value exactly.
    if (!Number.isSafeInteger(value)) return integerProblem(integerTextOf(String(value))!, t);
    // Every safe integer is a bigint; the narrower widths' bounds are doubles exactly.
    if (t === 'bigint') return undefined;
    const [min, max] = INTEGER_RANGES[t];
    return value < Number(min) || value > Number(max) ? integerProblem(String(value), t) : undefined;
  }
  return decimalOf(t) && typeof value === 'string' ? decimalProblem(value, t) : undefined;
}

type CheckedType = IntegerType | DecimalType | Temporal;

/**
 * Per schema object (schemas are loaded once and not changed: a new version is a new object), with the history
 * they were read with.
 */
const typesBySchema = new WeakMap<
  object,
  { history: RecordedRenames | null | undefined; types: Map<string, CheckedType> }
>();

/**
 * The exact and temporal types of a schema's properties by name, and by every former name of a renamed one
 * (x-lake.renamedFrom, then the names the history records before it: as ingest accepts them).
 */
function exactTypesOf(schema: object, history: RecordedRenames | null | undefined): Map<string, CheckedType> {
  const cached = typesBySchema.get(schema);
  if (cached && cached.history === history) return cached.types;
  const types = new Map<string, CheckedType>();
  const properties = (schema as { properties?: Record<string, PropertySchema> }).properties ?? {};
  for (const [name, p] of Object.entries(properties)) {
    const t = p && typeof p === 'object' ? (exactTypeOf(p) ?? temporalTypeOf(p)) : undefined;
    if (!t) continue;
    types.set(name, t);
    const from = p['x-lake']?.renamedFrom;
    if (!from) continue;
    for (const old of formerNamesOf(name, from, history))
      if (!Object.hasOwn(properties, old)) types.set(old, t);
  }
  typesBySchema.set(schema, { history, types });
  return types;
}

/**
 * The first property of `data` (an object) whose value is not of its exact type, with the reason; properties are
 * looked up by name, or by a former name of a renamed one (x-lake.renamedFrom and what `history` records before it).
 */
export function exactTypeProblem(
  schema: object,
  data: unknown,
  history?: RecordedRenames | null,
): { field: string; message: string } | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const types = exactTypesOf(schema, history);
  if (types.size === 0) return undefined;
  for (const key of Object.keys(data)) {
    const t = types.get(key);
    if (!t) continue;
    if (t === 'date' || t === 'timestamp') {
      const value = (data as Record<string, unknown>)[key];
      if (typeof value === 'string' && !TEMPORAL[t].check(value))
        return { field: key, message: `is ${TEMPORAL[t].rule}` };
      continue;
    }
    const problem = exactValueProblemAt(data, key, t);
    if (problem) return { field: key, message: `is ${problem}` };
    if (isIntegerType(t) && isInexactNumber(data, key)) writeIntegerWithDigits(data, key);
  }
  return undefined;
}

/**
 * An integer whose source text is kept, written with a fraction of zeros or an exponent (9223372036854775807.0,
 * 1.2345678901234567e16), is written back with its digits — as JSON.stringify writes a short one (1.0 as 1), and as
 * the ETL's integer rule reads it (digits only): the same value, which the raw line would otherwise hold in a form
 * the compaction rejects.
 */
function writeIntegerWithDigits(data: object, key: string): void {
  const value = (data as Record<string, number>)[key]!;
  const text = numberText(data, key, value);
  const digits = integerTextOf(text);
  if (digits !== undefined && digits !== text) keepNumberText(data, key, digits);
}
