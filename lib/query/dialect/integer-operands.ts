/**
 * An integer literal in arithmetic is Trino's integer (a bigint beyond it): `tiny * 1000` of a tinyint or smallint
 * column is an integer on Athena (300000), where DuckDB binds the literal to the column's narrow type and fails
 * ("Overflow in multiplication of INT16") or answers a tinyint. Each literal of digits that is an operand of
 * `+ - * / %` (after ./division.ts, an argument of trino_div or trino_mod) is written INTEGER '<n>', which DuckDB
 * widens the other operand to, as Trino does. A typed literal rather than a CAST: the CAST rewrite would make it a
 * macro call, which DuckDB does not fold where it needs a constant. Literals beyond an integer are DuckDB's bigint
 * already; a literal after a sign alone (round(x, -2)), positions (ORDER BY 1), LIMIT and comparisons are not
 * arithmetic and stay as written.
 */
import { tokenize, type Token } from '../sql-guard/lexer';
import { applyEdits, callAt, isSymbol, isWord, type Edit } from './tokens';

const INTEGER_MAX = 2 ** 31 - 1;
const ARITHMETIC = ['+', '-', '*', '/', '%'];
const DIVISIONS = ['trino_div', 'trino_mod'];

/** Keywords an operand follows (a `-` after them is a sign). */
const BEFORE_OPERAND = [
  'select',
  'where',
  'and',
  'or',
  'not',
  'when',
  'then',
  'else',
  'by',
  'between',
  'like',
  'rows', // ROWS -1 PRECEDING: a frame offset's sign
];

/** Whether the `+` or `-` at k is a sign: nothing before it but an opening, a separator, an operator or a keyword. */
const isSign = (tokens: Token[], k: number) =>
  isSymbol(tokens[k], '+', '-') &&
  (!tokens[k - 1] ||
    isWord(tokens[k - 1], ...BEFORE_OPERAND) ||
    (tokens[k - 1]!.kind === 'symbol' && !isSymbol(tokens[k - 1], ')', ']')));

/** Whether the literal at k is an operand of a binary arithmetic operator (through a sign before it). */
function inArithmetic(tokens: Token[], k: number): boolean {
  if (isSymbol(tokens[k + 1], ...ARITHMETIC)) return true;
  let before = k - 1;
  while (isSign(tokens, before)) before--;
  if (before === k - 1) return isSymbol(tokens[before], ...ARITHMETIC);
  return isSymbol(tokens[before], ...ARITHMETIC) && !isSign(tokens, before);
}

export function integerOperands(sql: string): string {
  if (!/[-+*/%]|trino_(div|mod)/i.test(sql)) return sql;
  const { tokens } = tokenize(sql);
  const operands = new Set<number>();
  tokens.forEach((t, k) => {
    if (!isWord(t, ...DIVISIONS) || isSymbol(tokens[k - 1], '.')) return;
    for (const arg of callAt(tokens, k)?.args ?? []) if (arg.first === arg.last) operands.add(arg.first);
  });
  const edits: Edit[] = [];
  tokens.forEach((t, k) => {
    if (t.kind !== 'number' || !/^[0-9]+$/.test(t.text) || Number(t.text) > INTEGER_MAX) return;
    // `.` before or after: a part of a name or of a number, not a number on its own.
    if (isSymbol(tokens[k - 1], '.') || isSymbol(tokens[k + 1], '.')) return;
    if (operands.has(k) || inArithmetic(tokens, k))
      edits.push({ start: t.start, end: t.end, text: `INTEGER '${t.text}'` });
  });
  return applyEdits(sql, edits);
}
