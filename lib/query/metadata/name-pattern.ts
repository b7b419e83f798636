/**
 * A table-name pattern as Hive (SHOW TABLES) and Glue (GetTables' Expression, behind Athena's ListTableMetadata) read
 * it: a regular expression with `*` for any characters, matched case-insensitively over the whole name. JavaScript's
 * engine backtracks, as Java's does on AWS: a pattern that repeats a repetition or an alternation ((.*){18}!) or
 * holds many unbounded repetitions takes hours over a name of a few dozen characters, on the local lake's only
 * thread. Such a pattern is refused, naming why, before it runs.
 */

/** Unbounded repetitions (*, +, {n,}) a pattern may hold: over a 63-character name their work grows as 63^n/n!. */
const MAX_UNBOUNDED = 6;

/** Why the regular expression could backtrack without bound, or undefined. */
export function unboundedBacktracking(source: string): string | undefined {
  const groups: { repeats: boolean; alternates: boolean }[] = [{ repeats: false, alternates: false }];
  let unbounded = 0;
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
      afterAtom = false;
    } else if ((c === '*' || c === '+' || c === '?' || c === '{') && afterAtom) {
      const q = c === '{' ? /^\{\d+(,\d*)?\}/.exec(source.slice(i)) : undefined;
      if (c === '{' && !q) continue; // a literal brace
      top.repeats = true;
      if (c === '*' || c === '+' || (q && q[1] === ',')) unbounded++;
      if (q) i += q[0].length - 1;
      if (source[i + 1] === '?' || source[i + 1] === '+') i++; // lazy or possessive
      afterAtom = false;
    } else afterAtom = true;
  }
  return unbounded > MAX_UNBOUNDED
    ? `it holds more than ${MAX_UNBOUNDED} unbounded repetitions (* or +)`
    : undefined;
}
