/**
 * Decimal results as Athena gives them. Trino computes with decimals where DuckDB turns to a double or another
 * scale; the local engine gives Athena's answer or refuses by name:
 *  - `a / b` with a decimal and no double or real (`7.5 / 2`, `x * 1.0 / n`): Trino's quotient is a decimal rounded
 *    half up to the larger of the two scales (3.8; `1.0 / 3` is 0.3), DuckDB's a double (3.75). Refused
 *    (trino_div, ./macros.ts, after ./division.ts rewrote the operator): a macro cannot choose its result type by
 *    its operands' types.
 *  - `avg(x)` of a decimal(p,s): Trino's is a decimal(p,s) rounded half up (1.67), DuckDB's a double
 *    (1.6666666666666667). Refused: the argument is wrapped in trino_avg_arg, which fails for a decimal.
 *  - `round(x, n)` of a decimal(p,s): Trino keeps the scale s (`round(1.25, 1)` is 1.30), DuckDB's result has scale n
 *    (1.3). Renamed trino_round, which gives the same value with Athena's scale.
 */
import { tokenize } from '../sql-guard/lexer';
import { applyEdits, callAt, isSymbol, isWord, type Edit } from './tokens';

/** The reason a decimal quotient fails locally (trino_div). */
export const DECIMAL_QUOTIENT_REFUSAL =
  'not supported by the local engine: a decimal divided by a decimal or an integer (7.5 / 2, x * 1.0 / n): ' +
  'Athena answers a decimal rounded half up to the larger of the two scales (3.8; 1.0 / 3 is 0.3), DuckDB a ' +
  'double (3.75); make an operand a double (CAST(x AS DOUBLE), or 1e0 for 1.0) for the same double on both';

/** The reason avg of a decimal fails locally (trino_avg_arg). */
export const DECIMAL_AVERAGE_REFUSAL =
  'not supported by the local engine: avg of a decimal: Athena answers a decimal of the same scale, rounded ' +
  'half up (avg of 1.00, 2.00, 2.00 is 1.67), DuckDB a double (1.6666666666666667); avg(CAST(x AS DOUBLE)) ' +
  'answers the same double on both';

/** avg(x) → avg(trino_avg_arg(x)) (DISTINCT and ALL kept in front), round( → trino_round( (the module comment). */
export function rewriteDecimals(sql: string): string {
  if (!/\b(avg|round)\s*\(/i.test(sql)) return sql;
  const { tokens } = tokenize(sql);
  const edits: Edit[] = [];
  for (let k = 0; k < tokens.length; k++) {
    // A qualified name (x.avg(…)) is not the function.
    if (isSymbol(tokens[k - 1], '.')) continue;
    const call = callAt(tokens, k);
    if (!call) continue;
    if (call.name === 'round') {
      edits.push({ start: tokens[k]!.start, end: tokens[k]!.end, text: 'trino_round' });
    } else if (call.name === 'avg' && call.args.length === 1) {
      // Each edit replaces a token of its own (the `(` or the quantifier, and the `)`), so that a rewrite inside
      // the argument that starts at its first token (round) is not taken for one inside this edit.
      const quantifier = isWord(tokens[call.open + 1], 'distinct', 'all') ? call.open + 1 : call.open;
      const opening = tokens[quantifier]!;
      const space = quantifier === call.open ? '' : ' ';
      edits.push({ start: opening.start, end: opening.end, text: `${opening.text}${space}trino_avg_arg(` });
      const close = tokens[call.close]!;
      edits.push({ start: close.start, end: close.end, text: '))' });
    }
  }
  return applyEdits(sql, edits);
}
