/**
 * try(x) around what the local engine checks with DuckDB's error(): Athena's try() answers NULL where x fails, and
 * DuckDB's TRY refuses to hold a volatile function such as error() ("TRY can not be used in combination with a
 * volatile function"). Casts and subscripts inside try() take their NULL-answering forms (calls.ts, subscripts.ts);
 * anything else that can raise error() (a division, a CAST to VARCHAR, split_part, …) is refused by name here,
 * before DuckDB's binder gives its own message.
 */
import { tokenize } from '../sql-guard/lexer';
import { LocalDialectError } from './local-error';
import { callAt, isSymbol } from './tokens';

/** What a user wrote, for the internal macros a rewrite puts in its place. */
const WRITTEN_AS: Record<string, string> = {
  trino_div: 'a / b',
  trino_mod: 'a % b',
  trino_cast_varchar: 'CAST(… AS VARCHAR)',
  trino_avg_arg: 'avg(…)',
  error: 'a date format Trino refuses',
};

/**
 * The names of the macros whose expansion can raise error(): those whose body calls error(), or one of them, as
 * `name(`. `bodies` maps each macro's name to its bodies.
 */
export function erroringMacros(bodies: Map<string, string[]>): Set<string> {
  const erroring = new Set(['error']);
  for (let grew = true; grew;) {
    grew = false;
    for (const [name, texts] of bodies) {
      if (erroring.has(name)) continue;
      const calls = (n: string) => texts.some((t) => new RegExp(`\\b${n}\\s*\\(`, 'i').test(t));
      if ([...erroring].some(calls)) {
        erroring.add(name);
        grew = true;
      }
    }
  }
  return erroring;
}

/** Throws a LocalDialectError when a try(…) of the rewritten statement holds a call that can raise error(). */
export function refuseErrorsInsideTry(sql: string, erroring: Set<string>): string {
  if (!/\btry\s*\(/i.test(sql)) return sql;
  const { tokens } = tokenize(sql);
  for (let k = 0; k < tokens.length; k++) {
    const call = callAt(tokens, k);
    if (!call || call.name !== 'try') continue;
    for (let j = call.open + 1; j < call.close; j++) {
      const inner = callAt(tokens, j);
      if (!inner || !erroring.has(inner.name) || isSymbol(tokens[j - 1], '.')) continue;
      const written =
        WRITTEN_AS[inner.name] ?? (inner.name.startsWith('trino_') ? undefined : `${inner.name}(…)`);
      throw new LocalDialectError(
        `try() around ${written ?? 'an expression the local engine checks'}`,
        "the local engine raises Athena's errors there with DuckDB's error(), which DuckDB's TRY cannot hold; " +
          "Athena's try() would answer NULL where it fails — compute it without try(), or filter out the rows " +
          'that would fail',
      );
    }
  }
  return sql;
}
