/**
 * What an event's data may hold so that every reader of the raw zone reads it as the lake did: Spark's JSON reader
 * (the Glue job; Jackson 2.15's StreamReadConstraints in Spark 3.5) refuses a number written with more than 1,000
 * characters and nesting deeper than 1,000 levels, and the delivery stream's partitioning parses each record with
 * JQ-1.6, whose parser stops at 256 levels. Such an event would be accepted, curated locally, and on AWS become a
 * rejected row or a record in the stream's errors/ prefix. Nesting this deep also overflowed JSON.stringify's stack
 * here (a 500 that depended on the thread), so the lake takes less than any of them.
 */

/** Most levels of objects and arrays in an event's data (data itself is the first). */
export const MAX_DATA_NESTING = 100;

/** Most levels of objects and arrays in one JSON record Spark 3.5's reader takes (Jackson 2.15's maxNestingDepth). */
export const MAX_DATA_NESTING_SPARK = 1000;

/**
 * Most digits of a number as written (Jackson 2.15's maxNumberLength: it counts the digits of the integer part, the
 * fraction and the exponent, not a sign, the point or the e).
 */
export const MAX_NUMBER_CHARS = 1000;

/**
 * The path (property names and array indexes) of the first object or array in `value` nested deeper than `limit`
 * levels, `value` itself being the first; undefined when there is none. Never descends further than the limit.
 */
export function nestedBeyond(value: unknown, limit: number): (string | number)[] | undefined {
  return deeperThan(value, limit - 1) ? beyond(value, limit - 1) : undefined;
}

/** The quick test (no path; Object.values is quicker than for…in over a parsed object). */
function deeperThan(value: unknown, levelsLeft: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (levelsLeft < 0) return true;
  const values: unknown[] = Array.isArray(value) ? value : Object.values(value);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && typeof v === 'object' && deeperThan(v, levelsLeft - 1)) return true;
  }
  return false;
}

/** Where: the path to the first object or array past the limit. */
function beyond(value: unknown, levelsLeft: number): (string | number)[] | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (levelsLeft < 0) return [];
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (v === null || typeof v !== 'object') continue;
      const at = beyond(v, levelsLeft - 1);
      if (at) return [i, ...at];
    }
    return undefined;
  }
  for (const k in value) {
    if (!Object.hasOwn(value, k)) continue;
    const v = (value as Record<string, unknown>)[k];
    if (v === null || typeof v !== 'object') continue;
    const at = beyond(v, levelsLeft - 1);
    if (at) return [k, ...at];
  }
  return undefined;
}

/** The digits Jackson counts of a number's text (see MAX_NUMBER_CHARS). */
export const numberDigits = (text: string): number => text.replace(/[^0-9]/g, '').length;

/** A run of characters a number of more than MAX_NUMBER_CHARS digits is written with (a quick test before a parse). */
const LONG_NUMBER_RUN = new RegExp(`[-+0-9.eE]{${MAX_NUMBER_CHARS + 1}}`);

/** Whether a JSON text holds a number of more than MAX_NUMBER_CHARS digits. Throws JSON.parse's error. */
export function holdsLongNumber(text: string): boolean {
  if (!LONG_NUMBER_RUN.test(text)) return false;
  let found = false;
  (JSON.parse as (t: string, r: (k: string, v: unknown, c: { source?: string }) => unknown) => unknown)(
    text,
    (_k, v, c) => {
      if (typeof v === 'number' && numberDigits(c.source ?? '') > MAX_NUMBER_CHARS) found = true;
      return v;
    },
  );
  return found;
}

/** Why Spark 3.5's JSON reader refuses a record (a number too long, nesting too deep), or undefined. */
export function sparkJsonLimitProblem(text: string, value: unknown): string | undefined {
  const deep = nestedBeyond(value, MAX_DATA_NESTING_SPARK);
  if (deep)
    return (
      `nested more than ${MAX_DATA_NESTING_SPARK} levels deep (at ${deep.slice(0, 5).join('.')}…): Spark's JSON ` +
      "reader (the Glue job's) refuses it"
    );
  if (holdsLongNumber(text))
    return (
      `a number written with more than ${MAX_NUMBER_CHARS} digits: Spark's JSON reader (the Glue job's) ` +
      'refuses it; write it with fewer digits, or as a string'
    );
  return undefined;
}
