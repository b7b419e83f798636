/**
 * DuckDB syntax the guard lets through (Athena fails it, or reads it otherwise) that the local engine would answer:
 * refused, naming what to write instead. On AWS the statement goes to Athena as written, which answers it its way.
 *  - ANTI, SEMI, POSITIONAL, ASOF before JOIN: DuckDB's joins; Athena reads ANTI and SEMI as the alias of the table
 *    before them (an inner join follows) and fails the others;
 *  - NATURAL JOIN, SIMILAR TO, the ~ operators (~~ is LIKE), INTERVAL 1 DAY with an unquoted quantity.
 * Those four words used as names (a table, an alias, a CTE), which Trino allows and DuckDB reserves, are quoted.
 */
import type { Token } from '../sql-guard/lexer';
import { LocalDialectError } from './local-error';
import { isSymbol, isWord, type Edit } from './tokens';

export function readOtherDialects(tokens: Token[], edits: Edit[]): void {
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    // Only where the word can be DuckDB's join type: after a relation (not a table's name after FROM or JOIN, nor
    // an alias after AS).
    const join = ['anti', 'semi', 'positional', 'asof'].find((w) => isWord(t, w));
    const before = tokens[k - 1];
    const aName = !before || isWord(before, 'as', 'from', 'join') || isSymbol(before, ',', '(');
    // Elsewhere the word is a name, as in Trino; DuckDB reserves it: quoted.
    if (join && (aName || !isWord(tokens[k + 1], 'join'))) {
      edits.push({ start: t.start, end: t.end, text: `"${join}"` });
      continue;
    }
    if (join)
      throw new LocalDialectError(
        `${join.toUpperCase()} JOIN`,
        `Athena reads ${join.toUpperCase()} as an alias of the table before it (an inner join), or fails; DuckDB ` +
          `joins otherwise. Write WHERE [NOT] EXISTS (SELECT 1 FROM … WHERE …) for a semi or anti join, or AS ${join} ` +
          'for an alias',
      );
    if (isWord(t, 'natural') && [1, 2, 3].some((d) => isWord(tokens[k + d], 'join')))
      throw new LocalDialectError(
        'NATURAL JOIN',
        'Athena does not support it: name the columns, JOIN … USING (…)',
      );
    if (isWord(t, 'similar') && isWord(tokens[k + 1], 'to'))
      throw new LocalDialectError('SIMILAR TO', "Athena has no such operator: write regexp_like(s, '^(…)$')");
    if (isWord(t, 'interval') && tokens[k + 1]?.kind === 'number')
      throw new LocalDialectError(
        `INTERVAL ${tokens[k + 1]!.text} …`,
        `Athena writes the quantity as a string: INTERVAL '${tokens[k + 1]!.text}' DAY`,
      );
    if (isSymbol(t, '~'))
      throw new LocalDialectError(
        "the '~' operators (~~ LIKE, ~ regular expressions, bitwise not)",
        'Athena has none: write LIKE, regexp_like(s, pattern) or bitwise_not(x)',
      );
  }
}
