/**
 * A column's otherRules: the validation keywords of its property that the compatibility check (./compat.ts) does
 * not compare rule by rule, recorded together as canonical JSON, so that adding or changing one is seen (and
 * refused: whether it narrows is not known) and removing one relaxes.
 *
 * Which keywords are recorded grew with the lake (RULES_LEVEL): a history states the level it was recorded at
 * (./history.ts), and a column is compared with it on that level's keywords only — a history written before a
 * keyword was recorded is neither judged nor given a version for it; `schemas:accept` records it (no new version).
 *  1. the keywords of one value: exclusiveMinimum, const, multipleOf, the array and object counts, the applicators
 *     (not, allOf, anyOf, oneOf, if/then/else), …
 *  2. also `format` (email, uri, uuid, …; date and date-time make the column's type and are judged as types), the
 *     rules inside a JSON column (properties, required, items, additionalProperties, …) and a JSON column's own
 *     JSON type (object or array: both are stored as JSON text). And, compared rule by rule (not here), whether the
 *     column takes an explicit null (`"type": [..., "null"]`).
 *  3. also a property's `$ref` (the rules it names live in the schema's `$defs`), and the table's own rules: the
 *     keywords about the whole record (tableRulesOf), `$defs` among them.
 *  4. also, beside each local `$ref` of a column's rules (`#/$defs/<name>`), the rules it names (`$refTarget`, their
 *     own `$ref`s resolved the same way): a retired column keeps the rules of its definition when the definition
 *     is removed, so that one added again narrower is seen when the column comes back.
 */
import { refPointerSegments } from '../json-pointer';

export const RULES_LEVEL = 4;

/** The key recorded beside a local `$ref` (level 4): the rules of the definition it names. */
export const REF_TARGET = '$refTarget';

/** The level that records REF_TARGET: a column is judged on the rules its `$ref` names. */
export const REF_TARGET_LEVEL = 4;

/** The keywords of a JSON column's structure recorded at level 2 (object keys and array items). */
const JSON_STRUCTURE_KEYWORDS = [
  'properties',
  'required',
  'additionalProperties',
  'patternProperties',
  'unevaluatedProperties',
  'items',
  'prefixItems',
  'unevaluatedItems',
  'dependencies',
] as const;

const KEYWORDS_BY_LEVEL: Record<number, readonly string[]> = {
  1: [
    'exclusiveMinimum',
    'exclusiveMaximum',
    'const',
    'multipleOf',
    'minItems',
    'maxItems',
    'uniqueItems',
    'contains',
    'minContains',
    'maxContains',
    'minProperties',
    'maxProperties',
    'propertyNames',
    'dependentRequired',
    'dependentSchemas',
    'not',
    'allOf',
    'anyOf',
    'oneOf',
    'if',
    'then',
    'else',
  ],
  2: ['format', 'type', ...JSON_STRUCTURE_KEYWORDS, 'contentEncoding', 'contentMediaType', 'contentSchema'],
  3: ['$ref', '$dynamicRef'],
  [REF_TARGET_LEVEL]: [REF_TARGET],
};

/** The level that records a table's own rules (tableRulesOf). */
export const TABLE_RULES_LEVEL = 3;

/**
 * A schema's top-level keywords the check judges otherwise (the columns, their presence, the lake's settings,
 * whether undeclared keys are taken) or that only annotate. An additionalProperties or unevaluatedProperties that is
 * a schema holds rules: recorded as table rules.
 */
const JUDGED_TOP_LEVEL = new Set([
  'type',
  'properties',
  'required',
  'x-lake',
  '$schema',
  '$id',
  '$comment',
  'title',
  'description',
  'examples',
  'default',
  'deprecated',
  'readOnly',
  'writeOnly',
]);

/**
 * The table's own rules: every top-level keyword of its schema the check does not judge rule by rule ($defs, which
 * a property's $ref reads, allOf, if/then/else, dependentRequired, minProperties, patternProperties, …), as
 * canonical JSON; undefined when there is none.
 */
export function tableRulesOf(schema: object): string | undefined {
  const rules: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (JUDGED_TOP_LEVEL.has(k)) continue;
    if ((k === 'additionalProperties' || k === 'unevaluatedProperties') && typeof v === 'boolean') continue;
    rules[k] = v;
  }
  return Object.keys(rules).length ? canonicalJson(rules) : undefined;
}

/** Keywords that hold rules for the values inside a JSON column (object keys, array items). */
export const NESTED_KEYWORDS: ReadonlySet<string> = new Set([
  ...JSON_STRUCTURE_KEYWORDS,
  'dependentRequired',
  'dependentSchemas',
  'propertyNames',
]);

/** The keywords recorded at a level (0: none). */
function keywordsAt(level: number): string[] {
  const out: string[] = [];
  for (let l = 1; l <= level; l++) out.push(...(KEYWORDS_BY_LEVEL[l] ?? []));
  return out;
}

/** Canonical JSON (object keys sorted) of a value. */
export const canonicalJson = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(canonicalJson).join(',')}]`
    : v !== null && typeof v === 'object'
      ? `{${Object.keys(v)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
          .join(',')}}`
      : JSON.stringify(v);

/** What a property's keywords say about a column beyond its lake type. */
export interface PropertyFacts {
  /** The format makes the column's type (date, date-time): judged as a type, not recorded here. */
  formatIsType: boolean;
  /** The JSON type (without "null") of a column kept as JSON text: object or array. */
  jsonType?: string;
  /** The schema's `$defs`, which its local `$ref`s name. */
  defs?: unknown;
}

/** The property's otherRules (every keyword of RULES_LEVEL) as canonical JSON, or undefined when it has none. */
export function otherRulesOf(prop: object, facts: PropertyFacts): string | undefined {
  const p = prop as Record<string, unknown>;
  const rules: Record<string, unknown> = {};
  for (const k of keywordsAt(RULES_LEVEL)) {
    if (k === REF_TARGET) continue; // beside each $ref, below
    if (k === 'type') {
      if (facts.jsonType !== undefined) rules.type = facts.jsonType;
    } else if (k === 'format') {
      if (p.format !== undefined && !facts.formatIsType) rules.format = p.format;
    } else if (p[k] !== undefined) rules[k] = p[k];
  }
  return Object.keys(rules).length
    ? canonicalJson(
        withRefTargets(rules, isObject(facts.defs) ? facts.defs : {}, [], { left: REF_TARGET_BUDGET }),
      )
    : undefined;
}

/**
 * Where a local `$ref` into the schema's `$defs` points (`#/$defs/<name>`, or a JSON Pointer further into that
 * definition, `#/$defs/<name>/properties/code`; each segment's URI and JSON Pointer escapes read): the definition's
 * name and the path inside it. Undefined for any other `$ref`.
 */
export function localDefinitionPointer(ref: unknown): { name: string; path: string[] } | undefined {
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return undefined;
  let segments: string[];
  try {
    segments = refPointerSegments(ref);
  } catch {
    return undefined;
  }
  if (segments[0] !== '$defs' || segments.length < 2) return undefined;
  return { name: segments[1]!, path: segments.slice(2) };
}

/** The definition name of a local `$ref` into `$defs` (at the definition or further inside it), or undefined. */
export const localDefinitionName = (ref: unknown): string | undefined => localDefinitionPointer(ref)?.name;

/**
 * The rules a local `$ref` names (a definition, or a part of one), with the `$ref`s inside them resolved too;
 * undefined for another `$ref`, a name or path not defined, or one that refers back to itself.
 */
function refTarget(ref: unknown, defs: Record<string, unknown>, seen: string[], budget: Budget): unknown {
  const pointer = localDefinitionPointer(ref);
  // A definition once on the way, however its $ref is spelled: a recursive one stops there.
  if (!pointer || !Object.hasOwn(defs, pointer.name) || seen.includes(pointer.name)) return undefined;
  let at: unknown = defs[pointer.name];
  for (const key of pointer.path) {
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return withRefTargets(at, defs, [...seen, pointer.name], budget);
}

/**
 * How many objects the rules recorded beside a column's $refs may hold in all: definitions that refer to each other
 * many times over would be written out exponentially. Past it a $ref is left without them, which the check takes as
 * one it cannot read (it names every definition).
 */
const REF_TARGET_BUDGET = 5000;
interface Budget {
  left: number;
}

/**
 * The `$defs` definitions a value's `$ref`s name (and those the definitions name in turn), skipping a `$ref` that has
 * its rules recorded beside it (REF_TARGET) when `skipResolved`; a `$ref` this cannot read names every definition.
 */
export function definitionsReferred(
  roots: unknown[],
  defs: Record<string, unknown>,
  skipResolved: boolean,
): Set<string> {
  const used = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (!isObject(v)) return;
    // Inside the rules recorded beside a $ref too: one there that could not be read names every definition.
    for (const [k, x] of Object.entries(v)) if (k !== '$ref') visit(x);
    if (typeof v.$ref !== 'string' || (skipResolved && REF_TARGET in v)) return;
    const name = localDefinitionName(v.$ref);
    if (name === undefined) {
      for (const d of Object.keys(defs)) used.add(d);
    } else if (!used.has(name) && Object.hasOwn(defs, name)) {
      used.add(name);
      visit(defs[name]);
    }
  };
  roots.forEach(visit);
  return used;
}

/** A value with REF_TARGET beside each local `$ref` in it (at any depth), within the budget. */
function withRefTargets(v: unknown, defs: Record<string, unknown>, seen: string[], budget: Budget): unknown {
  if (Array.isArray(v)) return v.map((x) => withRefTargets(x, defs, seen, budget));
  if (!isObject(v)) return v;
  budget.left--;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v))
    if (k !== REF_TARGET || !('$ref' in v)) out[k] = withRefTargets(x, defs, seen, budget);
  if (budget.left <= 0) return out;
  const target = refTarget(v.$ref, defs, seen, budget);
  if (target !== undefined && budget.left > 0) out[REF_TARGET] = target;
  return out;
}

/**
 * A value without the REF_TARGET beside each `$ref` (at any depth; a property of that name is kept): rules as a
 * history of level 3 or less records them.
 */
function withoutRefTargets(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutRefTargets);
  if (!isObject(v)) return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([k]) => k !== REF_TARGET || !('$ref' in v))
      .map(([k, x]) => [k, withoutRefTargets(x)]),
  );
}

/** otherRules as a history of `level` records them: only that level's keywords (undefined when none is left). */
export function otherRulesAtLevel(otherRules: string | undefined, level: number): string | undefined {
  if (otherRules === undefined || level >= RULES_LEVEL) return otherRules;
  const kept = new Set(keywordsAt(level));
  const parsed = JSON.parse(otherRules) as Record<string, unknown>;
  const rules = (kept.has(REF_TARGET) ? parsed : withoutRefTargets(parsed)) as Record<string, unknown>;
  const left = Object.keys(rules).filter((k) => kept.has(k));
  return left.length ? canonicalJson(Object.fromEntries(left.map((k) => [k, rules[k]]))) : undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

const patternsOf = (schema: Record<string, unknown>): string[] =>
  isObject(schema.patternProperties) ? Object.keys(schema.patternProperties) : [];

/** Whether a patternProperties pattern (ECMA-262, as ajv compiles it) matches a key; one that does not compile does. */
export function patternMatches(pattern: string, key: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(key);
  } catch {
    return true;
  }
}

/**
 * The keys inside a JSON column that `after` accepts and `before` refused, when that is all the two differ in:
 * optional properties added to an object that takes no undeclared key (additionalProperties false), at any depth
 * through properties and items ([] in a path). Undefined when anything else differs (the check cannot judge it).
 */
export function nestedKeysOnlyAdded(before: unknown, after: unknown, path: string): string[] | undefined {
  if (canonicalJson(before) === canonicalJson(after)) return [];
  if (!isObject(before) || !isObject(after)) return undefined;
  const added: string[] = [];
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (canonicalJson(before[k]) === canonicalJson(after[k])) continue;
    if (k === 'items') {
      const inner = nestedKeysOnlyAdded(before.items, after.items, `${path}[]`);
      if (!inner) return undefined;
      added.push(...inner);
      continue;
    }
    if (k !== 'properties' || !isObject(before.properties) || !isObject(after.properties)) return undefined;
    for (const p of new Set([...Object.keys(before.properties), ...Object.keys(after.properties)])) {
      if (!(p in after.properties)) return undefined;
      if (!(p in before.properties)) {
        // A new key narrows where undeclared keys were taken (any value was accepted under it before), and where a
        // patternProperties took it: JSON Schema applies both, so its new rules are added to the pattern's. A
        // pattern that does not compile is taken as matching (the check cannot judge it).
        if (before.additionalProperties !== false) return undefined;
        if (patternsOf(before).some((re) => patternMatches(re, p))) return undefined;
        added.push(`${path}.${p}`);
        continue;
      }
      const inner = nestedKeysOnlyAdded(before.properties[p], after.properties[p], `${path}.${p}`);
      if (!inner) return undefined;
      added.push(...inner);
    }
  }
  return added;
}
