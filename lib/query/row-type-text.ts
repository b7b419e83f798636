/**
 * The text of a result column's type as the engine writes it (Trino's: `row(unit price decimal(5,2), a,b bigint)`,
 * field names unquoted), read by the two that render values by it: the local Athena API (local/athena/result-set.ts)
 * and the console (console/src/lib/format.ts, which bundles this file: no imports).
 */

/** Where the type starting at `from` ends: the next comma outside parentheses, or the end. */
export function typeEnd(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (text[i] === ',' && depth === 0) return i;
  }
  return text.length;
}

/** `a, b(c, d), e` split at the commas outside parentheses, each part trimmed. */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  for (let at = 0; at <= text.length;) {
    const end = typeEnd(text, at);
    parts.push(text.slice(at, end).trim());
    at = end + 1;
  }
  return parts;
}

/**
 * A row's field types (their text) by the names its value has, read along the row's text: a field written
 * `"a b" T` by its quoted name, one written `unit price T` or `a,b T` by the longest of the value's names the text
 * goes on with (Trino writes names unquoted); its type runs to the next comma outside parentheses. A part that
 * starts with none of the names is passed over: the map then lacks a name.
 */
export function rowFieldTypeTexts(inner: string, names: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const longestFirst = [...names].sort((a, b) => b.length - a.length);
  for (let at = 0; at < inner.length;) {
    while (/\s/.test(inner[at] ?? '')) at++;
    const quoted = /^"(?:[^"]|"")*"/.exec(inner.slice(at))?.[0];
    const name = quoted
      ? quoted.slice(1, -1).replace(/""/g, '"')
      : longestFirst.find((n) => !out.has(n) && inner.startsWith(`${n} `, at));
    const typeAt = at + (quoted ?? name ?? '').length + 1;
    const end = typeEnd(inner, name === undefined ? at : typeAt);
    if (name !== undefined) out.set(name, inner.slice(typeAt, end));
    at = end + 1;
  }
  return out;
}
