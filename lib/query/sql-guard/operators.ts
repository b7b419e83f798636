/**
 * Operators of other dialects that Trino's grammar lacks, so Athena fails the statement, while DuckDB answers it:
 * PostgreSQL's and DuckDB's JSON extraction (`j->>'a'`, `j->'a'`), array containment and overlap (`@>`, `<@`,
 * `&&`), `@` (absolute value), `!` (not). `->` is Trino's only between a lambda's parameters and its body, inside
 * a function's arguments (`transform(a, x -> x + 1)`, `reduce(a, 0, (s, x) -> s + x, s -> s)`). Refused on both
 * runtimes, as the parser's grammar would let some of them through, with what to write instead.
 */
import { refuse, type Token } from './lexer';

/** Words after which `(` opens no function's arguments. */
const NOT_A_FUNCTION = new Set([
  'select',
  'in',
  'values',
  'exists',
  'from',
  'join',
  'on',
  'where',
  'and',
  'or',
  'not',
]);

/** Whether the `->` at tokens[k] (its `-`) follows a lambda's parameters: `x`, `(x)`, `(x, y)` as an argument. */
function followsLambdaParameters(tokens: Token[], k: number): boolean {
  const name = (t: Token | undefined) => t?.kind === 'word' || t?.kind === 'quoted';
  let start = k - 1;
  if (tokens[start]?.text === ')') {
    start--;
    while (name(tokens[start]) || tokens[start]?.text === ',') start--;
    if (tokens[start]?.text !== '(') return false;
  } else if (!name(tokens[start])) return false;
  if (tokens[start - 1]?.text !== '(' && tokens[start - 1]?.text !== ',') return false;
  // Back to the `(` that opens the arguments the lambda is one of, past the (bracketed) arguments before it.
  let depth = 0;
  for (let j = start - 1; j >= 0; j--) {
    const t = tokens[j]!;
    if (t.kind !== 'symbol') continue;
    if (t.text === ')' || t.text === ']') depth++;
    else if ((t.text === '(' || t.text === '[') && depth > 0) depth--;
    else if (t.text === '(' || t.text === '[') {
      const before = tokens[j - 1];
      return t.text === '(' && before?.kind === 'word' && !NOT_A_FUNCTION.has(before.text.toLowerCase());
    }
  }
  return false;
}

export function refuseOtherOperators(sql: string, tokens: Token[]): void {
  const touching = (k: number, text: string) =>
    tokens[k + 1]?.text === text && tokens[k + 1]!.start === tokens[k]!.end;
  tokens.forEach((t, k) => {
    if (t.kind !== 'symbol') return;
    if (t.text === '-' && touching(k, '>')) {
      if (touching(k + 1, '>'))
        refuse(
          sql,
          t.start,
          "'->>' is not an operator in Athena SQL (Athena fails the query; DuckDB would extract JSON text): write " +
            "json_extract_scalar(j, '$.a')",
        );
      if (!followsLambdaParameters(tokens, k))
        refuse(
          sql,
          t.start,
          "'->' outside a lambda is not an operator in Athena SQL (Athena fails the query; DuckDB would extract " +
            "JSON): write json_extract(j, '$.a'), or x -> … as a lambda argument of transform, filter, reduce, …",
        );
    }
    if (t.text === '@')
      refuse(
        sql,
        t.start,
        "'@' is not an operator in Athena SQL (Athena fails the query; DuckDB reads @> and <@ as array " +
          'containment, @ as an absolute value): write contains(a, x), cardinality(array_except(b, a)) = 0 or abs(x)',
      );
    // U&'…': a Unicode string literal of Trino's grammar, read as the word U and '&' by the guard's lexer.
    if (t.text === '&' && /^u$/i.test(tokens[k - 1]?.text ?? '') && tokens[k - 1]!.end === t.start)
      if (tokens[k + 1]?.kind === 'string' && tokens[k + 1]!.start === t.end)
        refuse(
          sql,
          tokens[k - 1]!.start,
          "a Unicode string literal (U&'…') is Athena SQL the local engine does not read: write the characters in " +
            "a plain literal, or join chr(n) of their code points (U&'\\0301' is chr(769))",
        );
    if (t.text === '&')
      refuse(
        sql,
        t.start,
        "'&' is not an operator in Athena SQL (Athena fails the query; DuckDB reads && as arrays overlapping): " +
          'write arrays_overlap(a, b) or bitwise_and(x, y)',
      );
    if (t.text === '!' && !touching(k, '='))
      refuse(
        sql,
        t.start,
        "'!' is not an operator in Athena SQL (Athena fails the query): write NOT x, or != for not equal",
      );
  });
}
