/**
 * A checked statement as the local engine runs it on DuckDB, in passes (each re-reads the text the previous one
 * wrote, so a rewrite never hides another): division and remainder with Athena's answers for a zero divisor
 * (division.ts), typed literals (typed-literals.ts), subscripts with Athena's errors (subscripts.ts), decimal results (decimals.ts), zoned timestamps (time-zone.ts), call-level rewrites (calls.ts), Java's format() (java-format.ts),
 * plain decimal literals with Trino's precision (typed-literals.ts), and a bare VALUES named as Trino names its columns (_col0, _col1, …).
 * What the local engine cannot answer as Athena does fails with a LocalDialectError naming it.
 */
import { tokenize } from '../sql-guard/lexer';
import { aliasesWithAs } from './bare-aliases';
import { rewriteCalls } from './calls';
import { rewriteDecimals } from './decimals';
import { guardDivisions } from './division';
import { integerOperands } from './integer-operands';
import { guardSubscripts } from './subscripts';
import { guardMacroExpansion } from './macro-expansion';
import { DIALECT_MACROS } from './macros';
import { javaFormatSql } from './java-format';
import { guardLikeEscapes } from './like-escape';
import { LocalDialectError } from './local-error';
import { expandRecursiveCtes } from './recursive-ctes';
import { rewriteTimeZones } from './time-zone';
import { decimalLiteralsAsTrino, rewriteTypedLiterals } from './typed-literals';
import { applyEdits, callAt, isWord, spanText, type Edit } from './tokens';

function rewriteFormat(sql: string): string {
  if (!/\bformat\s*\(/i.test(sql)) return sql;
  const { tokens } = tokenize(sql);
  const edits: Edit[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const call = callAt(tokens, k);
    if (!call || call.name !== 'format' || call.args.length === 0) continue;
    const f = call.args[0]!;
    const t = tokens[f.first]!;
    if (f.first !== f.last || t.kind !== 'string') {
      throw new LocalDialectError(
        'format() with a format that is not a string literal',
        "Java's format strings are translated from a literal only",
      );
    }
    const args = call.args.slice(1).map((a) => spanText(sql, tokens, a));
    edits.push({
      start: tokens[k]!.start,
      end: tokens[call.close]!.end,
      text: javaFormatSql(t.text.slice(1, -1).replace(/''/g, "'"), args),
    });
  }
  return applyEdits(sql, edits);
}

/** `VALUES (…), (…)` as a SELECT whose columns are named _col0, _col1, … as in Trino. */
function bareValues(sql: string): string {
  const { tokens } = tokenize(sql);
  if (!isWord(tokens[0], 'values')) return sql;
  const row = callAt([{ kind: 'word', text: 'row', start: 0, end: 0 }, ...tokens.slice(1)], 0);
  const width = row && tokens[1]?.text === '(' ? row.args.length : 1;
  const names = Array.from({ length: width }, (_, i) => `_col${i}`).join(', ');
  return `SELECT * FROM (${sql}) AS t(${names})`;
}

/**
 * EXTRACT(TIMEZONE_HOUR | TIMEZONE_MINUTE FROM x) as timezone_hour(x) / timezone_minute(x), which Trino answers
 * alike: so the time-zone pass reads the zone's offset, not the wall clock EXTRACT's other fields read.
 */
function extractZoneFields(sql: string): string {
  if (!/timezone_(hour|minute)/i.test(sql)) return sql;
  const { tokens } = tokenize(sql);
  const edits: Edit[] = [];
  tokens.forEach((t, k) => {
    const field = tokens[k + 2];
    if (
      isWord(t, 'extract') &&
      tokens[k + 1]?.text === '(' &&
      isWord(field, 'timezone_hour', 'timezone_minute') &&
      isWord(tokens[k + 3], 'from')
    )
      edits.push({ start: t.start, end: tokens[k + 3]!.end, text: `${field!.text.toLowerCase()}(` });
  });
  return applyEdits(sql, edits);
}

/** Rewrites a checked statement for DuckDB (see the module comment). */
export function toDuckDbSql(sql: string): string {
  const duckdb = decimalLiteralsAsTrino(
    rewriteFormat(
      rewriteCalls(
        rewriteTimeZones(
          extractZoneFields(
            rewriteDecimals(
              integerOperands(
                guardSubscripts(
                  guardDivisions(
                    rewriteTypedLiterals(
                      aliasesWithAs(bareValues(guardLikeEscapes(expandRecursiveCtes(sql)))),
                    ),
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
    ),
  );
  guardMacroExpansion(duckdb, DIALECT_MACROS);
  return duckdb;
}
