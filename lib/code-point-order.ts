/**
 * Strings in code point order: Python's `sorted()` of str (the Glue job), S3's listing order (UTF-8 bytes) and
 * DuckDB's default collation, where `localeCompare` follows the ICU locale (`a_1` before `a1`, case folded).
 * UTF-16 code units give the same order but between a character over U+FFFF (a surrogate pair) and one in
 * U+E000–U+FFFF, which code points put the other way.
 */
export function byCodePoint(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
