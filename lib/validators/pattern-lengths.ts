/**
 * The length limit of a pattern that repeats a group (lib/etl/portable-regex.ts REPEATED_GROUP_MAX_CHARS), as the
 * validators apply it: a column (a top-level property of type string) whose `pattern` repeats a group, or whose
 * format is `email` (its pattern does), takes at most that many characters at ingest and in the upload check's
 * sample, as the ETL takes it (Java's regular expressions on Glue overflow their stack on longer text). The validator
 * is compiled from a copy of the schema with that `maxLength` beside the column's own rules (a smaller one of the
 * schema's stays); the schema itself, its fingerprint and its history are unchanged. Rules the ETL does not test —
 * inside a JSON column, under `not`/`if`/`anyOf`, in `$defs` — are left as they are.
 */
import { REPEATED_GROUP_MAX_CHARS, repeatsGroup } from '../etl/portable-regex';

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** Whether a property is a column the ETL tests such a pattern on, without a maxLength within the limit. */
function needsLimit(p: Record<string, unknown>): boolean {
  const string = p.type === 'string' || (Array.isArray(p.type) && p.type.includes('string'));
  const tested = (typeof p.pattern === 'string' && repeatsGroup(p.pattern)) || p.format === 'email';
  const within = typeof p.maxLength === 'number' && p.maxLength <= REPEATED_GROUP_MAX_CHARS;
  return string && tested && !within;
}

/** `schema` with the limit added to the columns it applies to, or `schema` itself when none needs it. */
export function withPatternLengths<T>(schema: T): T {
  if (!isObject(schema) || !isObject(schema.properties)) return schema;
  const properties = schema.properties;
  const limited = Object.entries(properties).filter(([, p]) => isObject(p) && needsLimit(p));
  if (limited.length === 0) return schema;
  const copy = { ...properties };
  for (const [name, p] of limited) copy[name] = { ...(p as object), maxLength: REPEATED_GROUP_MAX_CHARS };
  return { ...schema, properties: copy } as T;
}
