/**
 * A table-name pattern as Hive (SHOW TABLES) and Glue (GetTables' Expression, behind Athena's ListTableMetadata) read
 * it: a regular expression with `*` for any characters, matched case-insensitively over the whole name. JavaScript's
 * engine backtracks, as Java's does on AWS: a pattern that repeats a repetition or an alternation ((.*){18}!) or
 * holds many unbounded repetitions takes hours over a name of a few dozen characters, on the local lake's only
 * thread. Such a pattern is refused, naming why, before it runs.
 */

/**
 * Repetitions of variable length (*, +, ?, {n,m}, {n,}) one alternative of a pattern may hold: over a 63-character
 * name their work grows as 63^n/n! (`.?` repeated 34 times took 56 s over a table's name).
 */
const MAX_VARIABLE = 6;

/**
 * Why the regular expression could backtrack without bound, or undefined. Given the whole expression the engine
 * compiles: `|` inside a group counts as that group's alternation (a repeated group holding one is refused), and
 * the repetitions are counted per alternative of the whole, which the engine tries one after the other.
 */
export function unboundedBacktracking(source: string): string | undefined {
  const groups: { repeats: boolean; alternates: boolean }[] = [{ repeats: false, alternates: false }];
  let variable = 0;
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
        most = Math.max(most, variable);
        variable = 0;
      }
      afterAtom = false;
    } else if ((c === '*' || c === '+' || c === '?' || c === '{') && afterAtom) {
      const q = c === '{' ? /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i)) : undefined;
      if (c === '{' && !q) continue; // a literal brace
      top.repeats = true;
      // {n} and {n,n} repeat a fixed count; every other quantifier lets the engine try several lengths.
      if (!q || (q[2] !== undefined && (q[3] === '' || Number(q[3]) !== Number(q[1])))) variable++;
      if (q) i += q[0].length - 1;
      if (source[i + 1] === '?' || source[i + 1] === '+') i++; // lazy or possessive
      afterAtom = false;
    } else afterAtom = true;
  }
  return Math.max(most, variable) > MAX_VARIABLE
    ? `it holds more than ${MAX_VARIABLE} repetitions of variable length (*, +, ?, {n,m}) in one alternative`
    : undefined;
}
