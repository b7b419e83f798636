/**
 * Integers inside JSON columns (an object's or array's "type": "integer" properties and items), judged by the value
 * they were written with. ajv compares doubles: 2.0000000000000000001 reads as 2 and passed "type": "integer", and
 * 9999.99999999999999999 as 10000 passed "maximum": 10000 — then the column held 2.0 or 10000.0, neither what was
 * sent nor an integer. A top-level property is judged by lib/schema-exact-types.ts; this walks below it.
 *
 * It follows the keywords that say for certain which schema applies to a value: properties, patternProperties,
 * additionalProperties, items, prefixItems (and draft-07's items array with additionalItems), allOf and a local
 * $ref. A value under anyOf, oneOf or if/then/else is judged as ajv judged it (a double). Only numbers whose source
 * parseJsonExact remembered (a double does not hold them) are looked at: for other data this costs one walk that
 * finds nothing remembered.
 */
import { refPointerSegments } from './json-pointer';
import {
  holdsRememberedNumber,
  integerTextOf,
  isInexactNumber,
  keepNumberText,
  numberText,
} from './exact-json';
import { NOT_AN_INTEGER } from './catalog/value-checks';

type Node = Record<string, unknown>;
export type DataPath = (string | number)[];

/** How deep the walk goes: data nested deeper is refused for its depth anyway (lib/json-limits.ts). */
const MAX_DEPTH = 1000;

const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether a schema's "type" allows integers and no other number. */
function integerOnly(node: Node): boolean {
  const t = node.type;
  return t === 'integer' || (Array.isArray(t) && t.includes('integer') && !t.includes('number'));
}

/** The schema a local "$ref" ("#/$defs/x", "#/definitions/x", "#") points at in root, or undefined. */
function resolveRef(root: Node, ref: unknown): Node | undefined {
  if (typeof ref !== 'string' || !ref.startsWith('#')) return undefined;
  let at: unknown = root;
  for (const part of refPointerSegments(ref)) {
    at = isNode(at) || Array.isArray(at) ? (at as Record<string, unknown>)[part] : undefined;
  }
  return isNode(at) ? at : undefined;
}

/** The schemas that apply to holder[key] under node (node itself, what allOf and $ref add). */
function applying(root: Node, node: Node, out: Node[], depth: number): Node[] {
  if (depth > 32) return out; // a $ref cycle
  out.push(node);
  const ref = node.$ref !== undefined ? resolveRef(root, node.$ref) : undefined;
  if (ref) applying(root, ref, out, depth + 1);
  if (Array.isArray(node.allOf)) for (const s of node.allOf) if (isNode(s)) applying(root, s, out, depth + 1);
  return out;
}

/** The schemas of an object's property `key` under one schema. */
function propertySchemas(node: Node, key: string): Node[] {
  const out: Node[] = [];
  const props = isNode(node.properties) ? node.properties : undefined;
  if (props && Object.hasOwn(props, key) && isNode(props[key])) out.push(props[key]);
  let matched = out.length > 0;
  if (isNode(node.patternProperties)) {
    for (const [pattern, s] of Object.entries(node.patternProperties)) {
      let re: RegExp;
      try {
        re = new RegExp(pattern, 'u');
      } catch {
        continue;
      }
      if (re.test(key)) {
        matched = true;
        if (isNode(s)) out.push(s);
      }
    }
  }
  if (!matched && isNode(node.additionalProperties)) out.push(node.additionalProperties);
  return out;
}

/** The schemas of an array's element `i` under one schema. */
function itemSchemas(node: Node, i: number): Node[] {
  const prefix = Array.isArray(node.prefixItems)
    ? node.prefixItems
    : Array.isArray(node.items)
      ? node.items
      : [];
  if (i < prefix.length) return isNode(prefix[i]) ? [prefix[i] as Node] : [];
  const rest = Array.isArray(node.prefixItems)
    ? node.items
    : Array.isArray(node.items)
      ? node.additionalItems
      : node.items;
  return isNode(rest) ? [rest] : [];
}

/**
 * The first integer-only value below `data`'s top-level properties that was written with a fraction (its exact
 * value no integer), with its path and reason; undefined when there is none. An integer written with a fraction of
 * zeros or an exponent (3.0, 1.2345678901234567e16) is rewritten with its digits, as a top-level one is, so that
 * the JSON column holds it digit for digit.
 */
export function nestedIntegerProblem(
  schema: object,
  data: unknown,
): { path: DataPath; message: string } | undefined {
  if (!isNode(data) || !holdsRememberedNumber(data)) return undefined;
  const root = schema as Node;
  for (const s of applying(root, root, [], 0)) {
    for (const [key, value] of Object.entries(data)) {
      if (value === null || typeof value !== 'object') continue; // top level: lib/schema-exact-types.ts
      for (const p of propertySchemas(s, key)) {
        const found = walk(root, p, value, [key], 1);
        if (found) return found;
      }
    }
  }
  return undefined;
}

function walk(
  root: Node,
  node: Node,
  value: object,
  path: DataPath,
  depth: number,
): { path: DataPath; message: string } | undefined {
  if (depth > MAX_DEPTH) return undefined;
  for (const s of applying(root, node, [], 0)) {
    const entries: [string | number, unknown][] = Array.isArray(value)
      ? value.map((v, i) => [i, v])
      : Object.entries(value);
    for (const [key, v] of entries) {
      const subs = typeof key === 'number' ? itemSchemas(s, key) : propertySchemas(s, key);
      if (subs.length === 0) continue;
      if (typeof v === 'number') {
        if (!isInexactNumber(value, key) || !subs.some((n) => applying(root, n, [], 0).some(integerOnly)))
          continue;
        const text = numberText(value, key, v);
        const digits = integerTextOf(text);
        if (digits === undefined)
          return {
            path: [...path, key],
            message: `is ${NOT_AN_INTEGER} (written ${text}; a double reads it as ${v})`,
          };
        if (digits !== text) keepNumberText(value, String(key), digits);
      } else if (v !== null && typeof v === 'object') {
        for (const sub of subs) {
          const found = walk(root, sub, v, [...path, key], depth + 1);
          if (found) return found;
        }
      }
    }
  }
  return undefined;
}
