/**
 * A table-name pattern as Hive (SHOW TABLES) and Glue (GetTables' Expression, behind Athena's ListTableMetadata) read
 * it: a regular expression with `*` for any characters, matched case-insensitively over the whole name. JavaScript's
 * engine backtracks, as Java's does on AWS: a pattern that repeats a repetition or an alternation ((.*){18}!) or
 * holds many unbounded repetitions takes hours over a name of a few dozen characters, on the local lake's only
 * thread. Such a pattern is refused, naming why, before it runs.
 */

/**
 * Repetitions of many lengths (*, +, {n,}, {n,m} with m > n + 1) one alternative of a pattern may hold: over a
 * 63-character name their work grows as 63^n/n! (six `.*` that do not match: 0.9 s). One of two lengths (?,
 * {n,n+1}) doubles it at most and counts a quarter (24 `.?`: 0.8 s, 34 took 56 s; ten, as analysts write
 * o?r?d?e?r?s?, no time).
 */
const MAX_WEIGHT = 6;
const TWO_LENGTHS_WEIGHT = 0.25;

/**
 * Why the regular expression could backtrack without bound, or undefined. Given the whole expression the engine
 * compiles: `|` inside a group counts as that group's alternation (a repeated group holding one is refused), and
 * the repetitions are counted per alternative of the whole, which the engine tries one after the other.
 */
export function unboundedBacktracking(source: string): string | undefined {
  const groups: { repeats: boolean; alternates: boolean }[] = [{ repeats: false, alternates: false }];
  let weight = 0;
  let most = 0;
  let afterAtom = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    const top = groups[groups.length - 1]!;
    if (c === '\\') {
      i++;
      afterAtom = true;
    } else if (c === '[') {
      for (i++; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++;
      afterAtom = true;
    } else if (c === '(') {
      groups.push({ repeats: false, alternates: false });
      afterAtom = false;
    } else if (c === ')' && groups.length > 1) {
      const g = groups.pop()!;
      const quantifier = /^(?:[*+?]|\{\d+(?:,\d*)?\})/.exec(source.slice(i + 1))?.[0];
      if (quantifier && (g.repeats || g.alternates))
        return 'a repeated group holds a repetition or an alternation';
      const parent = groups[groups.length - 1]!;
      parent.repeats ||= g.repeats;
      parent.alternates ||= g.alternates;
      afterAtom = true;
    } else if (c === '|') {
      top.alternates = true;
      if (groups.length === 1) {
        most = Math.max(most, weight);
        weight = 0;
      }
      afterAtom = false;
    } else if ((c === '*' || c === '+' || c === '?' || c === '{') && afterAtom) {
      const q = c === '{' ? /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i)) : undefined;
      if (c === '{' && !q) continue; // a literal brace
      top.repeats = true;
      // {n} and {n,n} repeat a fixed count; ? and {n,n+1} let the engine try two lengths; the rest, many.
      const lengths = !q
        ? c === '?'
          ? 2
          : Infinity
        : q[2] === undefined
          ? 1
          : q[3] === ''
            ? Infinity
            : Number(q[3]) - Number(q[1]) + 1;
      if (lengths === 2) weight += TWO_LENGTHS_WEIGHT;
      else if (lengths > 2) weight += 1;
      if (q) i += q[0].length - 1;
      if (source[i + 1] === '?' || source[i + 1] === '+') i++; // lazy or possessive
      afterAtom = false;
    } else afterAtom = true;
  }
  return Math.max(most, weight) > MAX_WEIGHT
    ? `it holds more than ${MAX_WEIGHT} repetitions of variable length in one alternative (*, +, {n,}, {n,m}; ` +
        'four ? count as one)'
    : undefined;
}
