/**
 * What the guard's Trino grammar cannot parse though Athena runs it, read as an equivalent it parses: `INTERSECT`
 * and `EXCEPT` as `UNION` (the same SELECTs over the same tables: the guard's verdict is the same), `IS [NOT]
 * DISTINCT FROM` as `=`. Same length, so that positions in messages stay the statement's; the engines run the
 * statement as written.
 */
import { tokenize } from './lexer';

export function parsableEquivalent(text: string): string | undefined {
  const { tokens } = tokenize(text);
  let out = text;
  const put = (start: number, end: number, word: string) =>
    (out = out.slice(0, start) + word.padEnd(end - start) + out.slice(end));
  tokens.forEach((t, i) => {
    const w = (k: number) => (tokens[k]?.kind === 'word' ? tokens[k]!.text.toUpperCase() : '');
    if (w(i) === 'INTERSECT' || w(i) === 'EXCEPT') {
      put(t.start, t.end, 'UNION');
      if (w(i + 1) === 'DISTINCT') put(tokens[i + 1]!.start, tokens[i + 1]!.end, ''); // UNION is distinct
    }
    const not = w(i + 1) === 'NOT' ? 1 : 0;
    if (w(i) === 'IS' && w(i + 1 + not) === 'DISTINCT' && w(i + 2 + not) === 'FROM')
      put(t.start, tokens[i + 2 + not]!.end, '=');
  });
  return out === text ? undefined : out;
}
