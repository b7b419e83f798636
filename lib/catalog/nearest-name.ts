/**
 * The name a misspelt one most likely meant: the nearest of the candidates by edit distance (Levenshtein, letter case
 * ignored), when it is near enough to be a slip — at most two edits, or a quarter of the name's length for a long
 * one. `maxRejectRatio` → `maxRejectedRatio`, `renamedfrom` → `renamedFrom`; `colour` → none among unrelated names.
 */
export function nearestName(name: string, candidates: readonly string[]): string | undefined {
  const word = name.toLowerCase();
  const limit = Math.max(2, Math.floor(word.length / 4));
  let best: { name: string; distance: number } | undefined;
  for (const c of candidates) {
    const d = editDistance(word, c.toLowerCase());
    if (d <= limit && (best === undefined || d < best.distance)) best = { name: c, distance: d };
  }
  return best?.name;
}

/** Levenshtein distance of two strings, by UTF-16 code unit (the names are ASCII). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = current;
  }
  return previous[b.length]!;
}
