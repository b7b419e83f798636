/**
 * How many copies of an argument a statement holds once DuckDB expands its macro calls. A macro's body names its
 * parameters several times (a strict cast, trino_cast_<type>(x), names x nine times: one check per way Trino reads a
 * value), and DuckDB binds the expanded expression: a cast of a cast multiplies. Eight nested casts of one literal
 * (`CAST(CAST(… '1' AS BIGINT) … AS BIGINT)`, 9^8 copies of '1') did not bind in minutes, held a connection no cancel
 * freed, blocked every later query and grew the lake's memory by gigabytes; six took 9 s, five 1.6 s. Athena answers
 * such a statement at once; the local engine refuses it by name (LocalDialectError), as it refuses divisions nested
 * too deep (./division.ts). The measure is the copies, not the time: other nestings of macros that repeat less (a
 * regular expression inside three casts: ~42,000 copies) can still take long to plan.
 */
import { LocalDialectError } from './local-error';
import type { MacroDef } from './macros';

/** The most copies of one argument a statement may expand to (six nested casts: 531,441; five: 59,049). */
export const MAX_ARGUMENT_COPIES = 300_000;

/** Strings, quoted names and comments as single tokens; words; any other character. */
const TOKEN = /'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n\r]*|\/\*[\s\S]*?\*\/|[A-Za-z_][A-Za-z0-9_]*|\S/g;

/** How many times a macro's body names each parameter, nested macros expanded. */
type Repeats = (name: string) => number[] | undefined;

/**
 * Over the tokens of `sql`, with macro calls expanded: the sum of `count(token)` times the copies the token becomes
 * (the product of the repetitions of the macro arguments it stands in, each argument by its own parameter's), and
 * the most copies any token becomes.
 */
function copies(
  sql: string,
  repeats: Repeats,
  count: (token: string) => number,
): { sum: number; most: number } {
  const frames: { base: number; repeats?: number[]; arg: number }[] = [];
  let product = 1;
  let sum = 0;
  let most = 1;
  let call: number[] | undefined;
  for (const [token] of sql.matchAll(TOKEN)) {
    if (token.startsWith('--') || token.startsWith('/*')) continue;
    const frame = frames.at(-1);
    if (token === '(') {
      frames.push({ base: product, ...(call ? { repeats: call } : {}), arg: 0 });
      product *= call?.[0] ?? 1;
    } else if (token === ')') {
      product = frames.pop()?.base ?? 1;
    } else if (token === ',' && frame?.repeats) {
      frame.arg++;
      product = frame.base * (frame.repeats[frame.arg] ?? 1);
    } else {
      sum += product * count(token);
      most = Math.max(most, product);
    }
    call = token === '(' ? undefined : repeats(token.toLowerCase());
  }
  return { sum, most };
}

/** Each macro's repetitions by parameter, from its bodies (the most over its overloads). */
function macroRepeats(macros: MacroDef[]): Repeats {
  const defs = new Map(macros.map((d) => [d.name.toLowerCase(), d]));
  const known = new Map<string, number[]>();
  const repeats: Repeats = (name) => {
    const def = defs.get(name);
    if (!def) return undefined;
    let r = known.get(name);
    if (!r) {
      known.set(name, []); // no macro calls itself; a guard against a cycle all the same
      r = [];
      for (const { params, body } of def.overloads)
        params.forEach((p, i) => {
          const named = copies(body, repeats, (t) => (t.toLowerCase() === p.toLowerCase() ? 1 : 0)).sum;
          r![i] = Math.max(r![i] ?? 1, named);
        });
      known.set(name, r);
    }
    return r;
  };
  return repeats;
}

/** Refuses a statement that expands an argument to more than MAX_ARGUMENT_COPIES copies; returns the most copies. */
export function guardMacroExpansion(sql: string, macros: MacroDef[]): number {
  const { most } = copies(sql, macroRepeats(macros), () => 1);
  if (most > MAX_ARGUMENT_COPIES)
    throw new LocalDialectError(
      `casts or functions nested so deep that the statement repeats a value ${most.toLocaleString('en')} times ` +
        `(at most ${MAX_ARGUMENT_COPIES.toLocaleString('en')})`,
      "the local engine's casts and several Trino functions are macros that repeat their argument, so each level of " +
        'nesting multiplies what it plans (Athena has no such limit); nest fewer, or compute a level in a subquery',
    );
  return most;
}
