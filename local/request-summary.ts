/** The few words of an API answer that the local lake's request line shows (`3 accepted`, `VALIDATION_FAILED`). */

/** Larger bodies are not read for it. */
const SUMMARY_MAX_BODY = 64 * 1024;

/**
 * What a JSON answer says, in a few words: the events accepted (202 /events), the error code (4xx/5xx), a query's
 * state and rows. Undefined when it says nothing of those.
 */
export function responseSummary(status: number, body: string | undefined): string | undefined {
  if (!body || body.length > SUMMARY_MAX_BODY || !body.startsWith('{')) return undefined;
  let b: Record<string, unknown>;
  try {
    b = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const parts: string[] = [];
  if (status >= 400 && typeof b.code === 'string') parts.push(b.code);
  if (typeof b.accepted === 'number') parts.push(`${b.accepted} accepted`);
  if (typeof b.state === 'string') parts.push(b.state);
  if (Array.isArray(b.rows)) parts.push(`${b.rows.length} row${b.rows.length === 1 ? '' : 's'}`);
  if (Array.isArray(b.tables)) parts.push(`${b.tables.length} table${b.tables.length === 1 ? '' : 's'}`);
  return parts.length ? parts.join(' ') : undefined;
}
