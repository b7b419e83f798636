/**
 * Unicode text checks shared by the event envelope and the upload checks. A UTF-16 surrogate without its pair (JSON's
 * "\ud800") is not Unicode text: it cannot be stored as UTF-8 and the engines refuse it (DuckDB: "no low surrogate").
 */

/** String.prototype.isWellFormed (ES2024, native in Node >= 20): false when `s` holds a lone surrogate. */
export const isWellFormed = (s: string): boolean =>
  (s as string & { isWellFormed(): boolean }).isWellFormed();

/**
 * Where a parsed JSON row holds a lone surrogate in a string or a property name ("a string", "property 'x'", ...),
 * or undefined. Iterative: a row may be nested arbitrarily deep.
 */
export function loneSurrogateIn(value: unknown): string | undefined {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [v, top] = stack.pop()!;
    if (typeof v === 'string') {
      if (!isWellFormed(v)) return top ? `the value of '${top}'` : 'a string';
    } else if (Array.isArray(v)) {
      for (const x of v) stack.push([x, top]);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (!isWellFormed(k)) return 'a property name';
        stack.push([x, top || k]);
      }
    }
  }
  return undefined;
}
