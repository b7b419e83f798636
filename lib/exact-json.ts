/**
 * JSON without rounding: JSON.parse reads every number into a double, which holds integers exactly only up to 2^53
 * (9223372036854775807 becomes 9223372036854775808) and decimals to about 15 digits. parseJsonExact remembers the
 * source text of each number whose value the double does not hold (JSON.parse's source text access, Node ≥ 21), so
 * that checks can judge the value as written (numberText) and stringifyJsonExact writes it back as it was sent
 * (JSON.rawJSON) — an event's 19-digit id lands in the raw zone digit for digit.
 */
import { NONZERO_MANTISSA_PATTERN } from './etl/value-patterns';

/** Source texts of numbers a double does not hold, by the object or array that holds them and the key. */
const sources = new WeakMap<object, Map<string, string>>();

/** A JSON number text as sign, significant digits and power of ten (value = ±digits × 10^exponent), or undefined. */
function decimalParts(text: string): { negative: boolean; digits: string; exponent: number } | undefined {
  const m = /^(-?)([0-9]+)(?:\.([0-9]+))?(?:[eE]([-+]?[0-9]+))?$/.exec(text);
  if (!m) return undefined;
  const fraction = m[3] ?? '';
  let digits = (m[2]! + fraction).replace(/^0+/, '');
  let exponent = Number(m[4] ?? 0) - fraction.length;
  const trailing = /0*$/.exec(digits)![0].length;
  digits = digits.slice(0, digits.length - trailing);
  exponent += trailing;
  return digits === ''
    ? { negative: false, digits: '0', exponent: 0 }
    : { negative: m[1] === '-', digits, exponent };
}

/** Whether two JSON number texts denote the same value exactly ("1.50" and "1.5" do; "1e2" and "100" do). */
export function sameNumber(a: string, b: string): boolean {
  const x = decimalParts(a);
  const y = decimalParts(b);
  return !!x && !!y && x.negative === y.negative && x.digits === y.digits && x.exponent === y.exponent;
}

/**
 * The exact integer a JSON number text denotes ("9223372036854775807", "1e2" → "100", "1.0" → "1"), or undefined
 * when it has a fraction (or an exponent too large to write out).
 */
export function integerTextOf(text: string): string | undefined {
  const p = decimalParts(text);
  if (!p || p.exponent < 0 || p.exponent > 400) return undefined;
  return `${p.negative ? '-' : ''}${p.digits}${'0'.repeat(p.exponent)}`.replace(/^(-?)0+(?=[0-9])/, '$1');
}

type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;

/**
 * Objects and arrays alive that hold a remembered number (none: stringifyJsonExact has nothing to look for). Counted
 * down as a full collection frees them: one body with a 19-digit id no longer makes a warm process walk every later
 * tree for sources for as long as it lives (only until the next full collection).
 */
let remembered = 0;
const forgotten = new FinalizationRegistry<undefined>(() => {
  remembered--;
});

/** How many objects and arrays alive hold a remembered number (as far as collection has told; for tests). */
export const rememberedHolders = (): number => remembered;

function remember(this: unknown, key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value !== 'number') return value;
  const source = context?.source;
  // At most 15 characters and no exponent: at most 15 significant digits, which a double holds (the common case,
  // decided without the exact comparison).
  if (source === undefined || (source.length <= 15 && !source.includes('e') && !source.includes('E')))
    return value;
  const written = String(value);
  // The same number — unless JSON.stringify would write an integer's digits with an exponent: the text as it was
  // sent is kept, every digit.
  if ((source === written || sameNumber(source, written)) && !digitsWrittenAsExponent(source, value))
    return value;
  keep(this as object, key, source);
  return value;
}

/** Remembers the source text of holder[key]. */
function keep(holder: object, key: string, source: string): void {
  let m = sources.get(holder);
  if (!m) {
    sources.set(holder, (m = new Map()));
    forgotten.register(holder, undefined);
    remembered++;
  }
  m.set(key, source);
}

/**
 * Runs of 16 or more characters that could be a number token with more than 15 significant digits: a number token
 * stands at the start or after `:`, `,`, `[` or white space and before `,`, `]`, `}`, white space or the end (a run inside a word of
 * a string, e.g. an id, is none; one inside a string between blanks is a false alarm that only costs the slower
 * parse).
 */
const LONG_NUMBER = /(?<=^|[:,[\s])-?[0-9][0-9.eE+-]{15,}(?=[,\]}\s]|$)/g;

/** Number tokens with an exponent of three digits or more (1e-400, 1e400: short, yet a double may not hold it at all). */
const BIG_EXPONENT_NUMBER = /(?<=^|[:,[\s])-?[0-9][0-9.]*[eE][+-]?[0-9]{3,}(?=[,\]}\s]|$)/g;

/**
 * The quick test before LONG_NUMBER and BIG_EXPONENT_NUMBER, one pass over the text: a number token follows `:`,
 * `,` or `[` (and any white space) where it does not begin the text (startsWithNumber), with 16 characters in a row
 * or an exponent of three digits — a superset of their matches in an object or array, without the lookbehind that
 * makes them slow to scan the whole text with. Only in a number token's place: "Mobile/15E148" in an iPhone's user
 * agent, or a hex id such as "a3e456", is text, which must not send every such body to the slow parse.
 */
const NUMBER_TO_CHECK_AFTER_DELIMITER = /[:,[]\s*-?[0-9](?:[0-9.eE+-]{15}|[0-9.]*[eE][+-]?[0-9]{3})/;

/** Whether the first character after leading JSON white space could begin a number (`-` or a digit). */
function startsWithNumber(text: string): boolean {
  let i = 0;
  while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  const c = text.charCodeAt(i);
  return c === 45 || (c >= 48 && c <= 57);
}

/**
 * Whether the text may hold a number a double does not hold as written: a long number that does not read back the
 * same (a 19-digit id, a decimal of 20 digits), or one whose exponent takes it beyond a double's range (1e400). The
 * shortest form of a double — what JavaScript, Python and Java write — reads back the same, so their long fractions
 * need no source. A run that is no number at all is text.
 */
export function mayNeedSource(text: string): boolean {
  if (!startsWithNumber(text) && !NUMBER_TO_CHECK_AFTER_DELIMITER.test(text)) return false;
  for (const [run] of text.matchAll(BIG_EXPONENT_NUMBER)) if (!readsBack(run)) return true;
  for (const [run] of text.matchAll(LONG_NUMBER)) if (!readsBack(run)) return true;
  return false;
}

/** Whether a number-like run is no number (text: a false alarm), or a number its double writes back as the same value. */
function readsBack(run: string): boolean {
  const n = Number(run);
  return (
    Number.isNaN(n) || (Number.isFinite(n) && sameNumber(run, String(n)) && !digitsWrittenAsExponent(run, n))
  );
}

/** An integer written with its digits that JSON.stringify would write with an exponent (1e+21, from 10^21 on). */
const digitsWrittenAsExponent = (source: string, n: number) =>
  Math.abs(n) >= 1e21 && /^-?[0-9]+$/.test(source);

/**
 * JSON.parse, remembering the source of every number whose value a double does not hold. Texts without such a
 * number (mayNeedSource) are parsed without a reviver (at full speed).
 * Throws JSON.parse's SyntaxError.
 */
export function parseJsonExact(text: string): unknown {
  if (!mayNeedSource(text)) return JSON.parse(text);
  return parseWithReviver(text, remember);
}

/**
 * JSON.parse with a reviver. The reviver walks the value recursively: one nested beyond the stack (far beyond what
 * any check takes, lib/json-limits.ts) is read without it (JSON.parse itself is not recursive), to be refused for
 * its depth rather than called not JSON.
 */
function parseWithReviver(text: string, reviver: Reviver): unknown {
  try {
    return (JSON.parse as (text: string, reviver: Reviver) => unknown)(text, reviver);
  } catch (e) {
    if (e instanceof RangeError) return JSON.parse(text);
    throw e;
  }
}

/**
 * JSON.parse remembering the source of every number not written as JavaScript writes its value (1.0, 1e2, 100.50,
 * and the numbers parseJsonExact remembers): for a check that judges a number's form, as the ETL does (an integer
 * column takes digits only: 1.0 is not an integer there). Slower than parseJsonExact: for samples, not bodies.
 */
export function parseJsonKeepingNumberForms(text: string): unknown {
  if (!FRACTION_OR_EXPONENT.test(text) && !mayNeedSource(text)) return JSON.parse(text);
  return parseWithReviver(text, function (key, value, context) {
    if (typeof value !== 'number' || context?.source === undefined || context.source === String(value))
      return value;
    keep(this as object, key, context.source);
    return value;
  });
}

/** A number token with a fraction or an exponent, where a number token stands (JavaScript writes 1.0 as 1). */
const FRACTION_OR_EXPONENT = /[:,[]\s*-?[0-9]+[.eE]/;

/** The text of the number at holder[key] as it was written (when a double does not hold it), else its rendering. */
export function numberText(holder: object, key: string | number, value: number): string {
  return sources.get(holder)?.get(String(key)) ?? String(value);
}

/**
 * Replaces the remembered text of holder[key] (a number whose value a double does not hold) with another text of the
 * same value: stringifyJsonExact writes that one.
 */
export function keepNumberText(holder: object, key: string, text: string): void {
  const m = sources.get(holder);
  if (!m?.has(key) || !sameNumber(m.get(key)!, text))
    throw new Error(`keepNumberText: ${text} is not ${key}'s value`);
  m.set(key, text);
}

/** Whether holder[key] is a number whose value a double does not hold (its source text is remembered). */
export const isInexactNumber = (holder: object, key: string | number) =>
  sources.get(holder)?.has(String(key)) ?? false;

/**
 * Whether two parsed JSON values are the same value: objects with the same keys in any order, arrays element by
 * element, numbers by the value they were written with (a number parseJsonExact remembered is compared as written:
 * 12345678901234567890 and 12345678901234567891 are one double but two values).
 */
export function sameJsonValue(a: unknown, b: unknown): boolean {
  return sameAt(a, b, undefined, undefined, '');
}

function sameAt(
  a: unknown,
  b: unknown,
  holderA: object | undefined,
  holderB: object | undefined,
  key: string,
): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    const inexact = (holderA && isInexactNumber(holderA, key)) || (holderB && isInexactNumber(holderB, key));
    if (!inexact) return a === b;
    const text = (h: object | undefined, v: number) => (h ? numberText(h, key, v) : String(v));
    return sameNumber(text(holderA, a), text(holderB, b));
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  if (keysA.length !== Object.keys(b).length) return false;
  for (const k of keysA) {
    if (!Object.hasOwn(b, k)) return false;
    const va = (a as Record<string, unknown>)[k];
    const vb = (b as Record<string, unknown>)[k];
    if (!sameAt(va, vb, a, b, k)) return false;
  }
  return true;
}

const { rawJSON, isRawJSON } = JSON as unknown as {
  rawJSON: (text: string) => unknown;
  isRawJSON: (value: unknown) => boolean;
};

/** Whether a value is a number parseJsonWithNumberTexts kept as its text (a JSON.rawJSON value). */
export const isNumberText = (value: unknown): boolean => isRawJSON(value);

/**
 * JSON.parse with every number kept as its source text (a JSON.rawJSON value, which JSON.stringify writes as it was
 * written): JSON.stringify of the result is the text again, white space removed, string escapes in JSON.stringify's
 * form, and a key named twice in an object once, with its last value (as JSON.parse reads it). Slower than
 * parseJsonExact; for texts that are re-written rather than judged. Throws JSON.parse's SyntaxError.
 */
export function parseJsonWithNumberTexts(text: string): unknown {
  return (JSON.parse as (text: string, reviver: Reviver) => unknown)(text, (_key, value, context) =>
    typeof value === 'number' ? rawJSON(context!.source!) : value,
  );
}

/**
 * How deep the walks for remembered numbers go: deeper data is refused by its nesting check anyway (an event's data:
 * 100 levels, lib/json-limits.ts), and a walk without a bound overflows the stack on data nested 50,000 deep.
 */
const MAX_WALK_DEPTH = 1000;

/** Whether `value`'s tree holds a number whose source parseJsonExact remembered (to MAX_WALK_DEPTH). */
function holdsRemembered(value: unknown, depth = 0): boolean {
  if (value === null || typeof value !== 'object' || depth > MAX_WALK_DEPTH) return false;
  if (sources.has(value)) return true;
  for (const v of Object.values(value)) if (holdsRemembered(v, depth + 1)) return true;
  return false;
}

/** Whether `value`'s tree holds a number whose source parseJsonExact remembered (a double does not hold its value). */
export const holdsRememberedNumber = (value: unknown): boolean => remembered > 0 && holdsRemembered(value);

/** JSON.stringify that writes the numbers parseJsonExact read as they were written. */
export function stringifyJsonExact(value: unknown): string {
  // Nothing remembered in an object alive, or nothing in this value's tree (e.g. an envelope around parsed data, or
  // a copy of it): JSON.stringify at full speed.
  if (remembered === 0 || !holdsRemembered(value)) return JSON.stringify(value);
  return JSON.stringify(value, function (this: unknown, key: string, v: unknown) {
    if (typeof v !== 'number' || this === null || typeof this !== 'object') return v;
    const source = sources.get(this)?.get(key);
    return source === undefined ? v : rawJSON(source);
  });
}

/**
 * The path (property names and array indexes) of the first number in `value` that a double does not hold at all:
 * written beyond a double's range, it was read as Infinity or as 0 (1e400, 1e-400, -1e-400) — stored, it would be
 * another value. Undefined when there is none. Only values parseJsonExact read carry what this needs.
 */
export function doubleOutOfRangeAt(value: unknown): (string | number)[] | undefined {
  return rememberedNumberAt(
    value,
    (text, v) => !Number.isFinite(v) || (v === 0 && NONZERO_MANTISSA.test(text)),
  );
}

/**
 * The path of the first number in `value` whose source parseJsonExact remembered (a double does not hold its value)
 * and that `test` picks, given its text and its double; undefined when there is none.
 */
export function rememberedNumberAt(
  value: unknown,
  test: (text: string, value: number) => boolean,
): (string | number)[] | undefined {
  if (remembered === 0 || !holdsRemembered(value)) return undefined;
  return rememberedIn(value as object, test);
}

function rememberedIn(
  holder: object,
  test: (text: string, value: number) => boolean,
  depth = 0,
): (string | number)[] | undefined {
  if (depth > MAX_WALK_DEPTH) return undefined;
  const texts = sources.get(holder);
  for (const [k, v] of Object.entries(holder)) {
    const key = Array.isArray(holder) ? Number(k) : k;
    if (typeof v === 'number') {
      const text = texts?.get(k);
      if (text !== undefined && test(text, v)) return [key];
    } else if (v !== null && typeof v === 'object') {
      const inner = rememberedIn(v, test, depth + 1);
      if (inner) return [key, ...inner];
    }
  }
  return undefined;
}

/** A number text with a digit other than 0 before its exponent: not zero (the ETL's rule). */
const NONZERO_MANTISSA = new RegExp(NONZERO_MANTISSA_PATTERN);
