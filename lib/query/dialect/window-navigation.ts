/**
 * lag, lead and nth_value over a window, as Trino's analyzer and functions judge them (DuckDB answers each of these
 * otherwise, without an error):
 *  - lag and lead need an ORDER BY in their window and take no frame ("lag function requires an ORDER BY window
 *    clause", "Cannot specify window frame for lag function": StatementAnalyzer); DuckDB answers in no defined order;
 *  - an offset below 0 (lag, lead) or below 1 (nth_value) fails the query ("Offset must be at least 0": LagFunction,
 *    LeadFunction; "Offset must be at least 1": NthValueFunction); DuckDB reads lag(x, -1) as lead(x, 1) and gives
 *    nth_value(x, 0) NULL. An offset that is no integer literal is refused by name: the local engine cannot check it
 *    row by row.
 * A window named in a WINDOW clause (OVER w) is not looked into.
 */
import type { Token } from '../sql-guard/lexer';
import { LocalDialectError } from './local-error';
import { callAt, closing, isSymbol, isWord, spanText } from './tokens';

/** The least offset of each function (Trino's). */
const LEAST_OFFSET: Record<string, number> = { lag: 0, lead: 0, nth_value: 1 };

/** The integer an argument's tokens write (`2`, `-1`, `+3`), or undefined when they write anything else. */
export function integerLiteral(tokens: Token[], first: number, last: number): number | undefined {
  const sign = isSymbol(tokens[first], '-') ? -1 : isSymbol(tokens[first], '+') ? 1 : 0;
  const digits = tokens[sign === 0 ? first : first + 1];
  if ((sign === 0 ? first : first + 1) !== last || digits?.kind !== 'number' || !/^\d+$/.test(digits.text))
    return undefined;
  return (sign || 1) * Number(digits.text);
}

/** Throws Athena's failure (or the local engine's refusal) of a lag/lead/nth_value call at token k, if it has one. */
export function refuseWindowNavigation(sql: string, tokens: Token[], k: number): void {
  const name = tokens[k]?.kind === 'word' ? tokens[k]!.text.toLowerCase() : '';
  if (!Object.hasOwn(LEAST_OFFSET, name) || isSymbol(tokens[k - 1], '.')) return;
  const call = callAt(tokens, k);
  if (!call || !isWord(tokens[call.close + 1], 'over')) return;
  const offset = call.args[1];
  if (offset) {
    const value = integerLiteral(tokens, offset.first, offset.last);
    if (value === undefined)
      throw new LocalDialectError(
        `${name}(x, ${spanText(sql, tokens, offset)}) OVER (…)`,
        `Athena fails the query where the offset is below ${LEAST_OFFSET[name]}, where DuckDB reads ` +
          `${name === 'nth_value' ? 'it as no row' : 'a negative one as the other direction'}; the local engine ` +
          'takes an integer literal only',
      );
    if (value < LEAST_OFFSET[name]!) throw new Error(`Offset must be at least ${LEAST_OFFSET[name]}`);
  }
  if (name === 'nth_value' || !isSymbol(tokens[call.close + 2], '(')) return;
  const open = call.close + 2;
  const close = closing(tokens, open);
  let depth = 0;
  let ordered = false;
  for (let j = open + 1; j < close; j++) {
    const t = tokens[j]!;
    if (isSymbol(t, '(', '[')) depth++;
    else if (isSymbol(t, ')', ']')) depth--;
    else if (depth === 0 && isWord(t, 'order') && isWord(tokens[j + 1], 'by')) ordered = true;
    else if (
      depth === 0 &&
      isWord(t, 'rows', 'range', 'groups') &&
      // A frame (ROWS BETWEEN …, ROWS UNBOUNDED PRECEDING, ROWS 2 PRECEDING, …), not a column of that name.
      (isWord(tokens[j + 1], 'between', 'unbounded', 'current') || tokens[j + 1]?.kind === 'number')
    )
      throw new Error(`Cannot specify window frame for ${name} function`);
  }
  if (!ordered) throw new Error(`${name} function requires an ORDER BY window clause`);
}
