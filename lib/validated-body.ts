/**
 * Request bodies already parsed by the local API Gateway's request validator (local/http-routes.ts), by event:
 * parseJsonBody (lib/http.ts) takes the value from here instead of parsing the same text a second time. The value
 * is JSON.parse of exactly the event's body text (ajv's validation of it changes nothing), so the handler sees
 * what its own parse would give. Nothing records bodies on AWS, where every handler parses its body itself.
 */
const parsed = new WeakMap<object, { text: string; value: unknown }>();

/** Records that `text`, the body of `event`, parses to `value`. */
export function recordParsedBody(event: object, text: string, value: unknown): void {
  parsed.set(event, { text, value });
}

/**
 * The parse of `text` recorded for `event`, if its body is still that text. Handed over once: the record is
 * forgotten, so that the parsed tree lives only as long as the handler holds it (not while the invocation waits on
 * the write-ahead log, which would carry it into the old generation of the garbage collector).
 */
export function recordedParse(event: object, text: string): { value: unknown } | undefined {
  const p = parsed.get(event);
  if (p === undefined) return undefined;
  parsed.delete(event);
  return p.text === text ? p : undefined;
}
