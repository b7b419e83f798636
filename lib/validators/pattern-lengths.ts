/**
 * The length limit of a pattern that repeats a group (lib/etl/portable-regex.ts REPEATED_GROUP_MAX_CHARS), as the
 * validators apply it: a schema's string with such a `pattern`, or the `email` format (whose pattern does), takes
 * at most that many characters at ingest and in the upload check's sample, as the ETL takes them (Java's regular
 * expressions on Glue overflow their stack on longer text). The validator is compiled from a copy of the schema with
 * that `maxLength` added (a smaller one of the schema's own stays); the schema itself, its fingerprint and its
 * history are unchanged.
 */
import { REPEATED_GROUP_MAX_CHARS, repeatsGroup } from '../etl/portable-regex';

/** Keywords whose values are data, not schemas: never read as rules. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples', 'x-lake']);

const limited = (node: Record<string, unknown>): boolean =>
  (typeof node.pattern === 'string' && repeatsGroup(node.pattern)) || node.format === 'email';

/** `schema` with the limit added where it applies, or `schema` itself when nothing in it needs it. */
export function withPatternLengths<T>(schema: T): T {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) {
      const items = node.map(walk);
      return items.some((x, i) => x !== node[i]) ? items : node;
    }
    if (node === null || typeof node !== 'object') return node;
    const obj = node as Record<string, unknown>;
    let out: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(obj)) {
      if (DATA_KEYWORDS.has(k)) continue;
      const w = walk(v);
      if (w !== v) (out ??= { ...obj })[k] = w;
    }
    if (limited(obj) && !(typeof obj.maxLength === 'number' && obj.maxLength <= REPEATED_GROUP_MAX_CHARS))
      (out ??= { ...obj }).maxLength = REPEATED_GROUP_MAX_CHARS;
    return out ?? obj;
  };
  return walk(schema) as T;
}
