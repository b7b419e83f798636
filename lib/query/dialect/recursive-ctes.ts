/**
 * WITH RECURSIVE as Athena (Trino) runs it. Trino does not iterate a recursive CTE to a fixpoint as DuckDB does: it
 * expands `anchor UNION [ALL] step` into the anchor and 10 copies of the step, each reading the one before, and fails
 * the query when an 11th step would still give rows ("Recursion depth limit exceeded (10)"; Athena has no session
 * property to raise it). DuckDB answered such a query — a 20-level hierarchy, a cycle under UNION — where Athena fails
 * it. So the local engine expands it the same way: `<cte>(cols) AS (anchor UNION ALL step)` becomes
 *
 *   lake_recursion_<i>_0(cols) AS (anchor), lake_recursion_<i>_1(cols) AS (step reading _0), … _10,
 *   <cte>(cols) AS (SELECT * FROM _0 UNION ALL … _10 UNION ALL SELECT * FROM (step reading _10) WHERE error(…) IS NULL)
 *
 * (UNION for UNION DISTINCT: Trino's step reads the step before, not the distinct rows so far). What Trino refuses
 * is refused with its message: a CTE of a WITH RECURSIVE without column aliases, a reference in the anchor, two in
 * the step, a nested WITH RECURSIVE. A shape whose expansion this token-level rewrite cannot be sure of fails with a
 * LocalDialectError instead of another answer.
 */
import { tokenize, type Token } from '../sql-guard/lexer';
import { NOT_A_TABLE_ALIAS } from '../sql-guard/token';
import { coercibleSql } from '../trino-coercion';
import { LocalDialectError } from './local-error';
import { applyEdits, closing, isSymbol, isWord, type Edit } from './tokens';

/** Athena's (Trino's) maximum recursion depth (its max_recursion_depth, which Athena does not let one set). */
export const MAX_RECURSION_DEPTH = 10;

const DEPTH_EXCEEDED =
  `Recursion depth limit exceeded (${MAX_RECURSION_DEPTH}). Use 'max_recursion_depth' session property to modify ` +
  `the limit.`;

/** Trino's refusal of a recursive query, with what to write instead. */
export class RecursiveQueryError extends Error {
  constructor(trinoMessage: string, instead: string) {
    super(`${trinoMessage}: Athena (Trino) fails this query, so the local engine fails it too. ${instead}`);
    this.name = 'RecursiveQueryError';
  }
}

const nameOf = (t: Token | undefined): string | undefined =>
  t?.kind === 'word'
    ? t.text.toLowerCase()
    : t?.kind === 'quoted' && t.text.startsWith('"')
      ? t.text.slice(1, -1).replace(/""/g, '"').toLowerCase()
      : undefined;

/** The statement with each WITH RECURSIVE expanded as Trino expands it (module comment). */
export function expandRecursiveCtes(sql: string): string {
  if (!/\brecursive\b/i.test(sql)) return sql;
  for (let n = 0; ; n++) {
    const { tokens } = tokenize(sql);
    const at = tokens.findIndex((t, k) => isWord(t, 'with') && isWord(tokens[k + 1], 'recursive'));
    if (at < 0) return sql;
    sql = expandWith(sql, tokens, at, n);
  }
}

/** One WITH RECURSIVE (its WITH at token `at`) expanded: the statement's new text. */
function expandWith(sql: string, tokens: Token[], at: number, n: number): string {
  const edits: Edit[] = [{ start: tokens[at]!.start, end: tokens[at + 1]!.end, text: 'WITH' }];
  let j = at + 2;
  for (let i = 0; ; i++) {
    // name [(columns)] AS ( body ) [, …]
    const name = nameOf(tokens[j]);
    if (name === undefined) break;
    const head = j;
    const written = tokens[j]!.text;
    j++;
    if (!isSymbol(tokens[j], '(')) {
      throw new RecursiveQueryError(
        'missing column aliases in recursive WITH query',
        `Name the columns of '${written}': WITH RECURSIVE ${written}(col1, col2, …) AS (…)`,
      );
    }
    const columnsEnd = closing(tokens, j);
    if (columnsEnd < 0) break;
    const columns = sql.slice(tokens[j]!.start, tokens[columnsEnd]!.end);
    const names = tokens.slice(j + 1, columnsEnd).filter((t) => !isSymbol(t, ','));
    j = columnsEnd + 1;
    if (!isWord(tokens[j], 'as') || !isSymbol(tokens[j + 1], '(')) break;
    const open = j + 1;
    const close = closing(tokens, open);
    if (close < 0) break;
    const body = tokens.slice(open + 1, close);
    if (body.some((t, k) => isWord(t, 'with') && isWord(body[k + 1], 'recursive')))
      throw new RecursiveQueryError(
        'nested recursive WITH query',
        'Define every recursive query in the outermost WITH RECURSIVE',
      );
    const steps = expandCte(sql, body, name, written, columns, names, `lake_recursion_${n}_${i}`);
    if (steps)
      edits.push({
        start: tokens[head]!.start,
        end: tokens[close]!.end,
        text: `${steps.defs.join(',\n')},\n${written}${columns} AS ${steps.body}`,
      });
    j = close + 1;
    if (!isSymbol(tokens[j], ',')) break;
    j++;
  }
  return applyEdits(sql, edits);
}

/**
 * A CTE that reads itself as its steps' definitions (CTEs that go before it) and its new body (the union of their
 * rows, and the check that the recursion ended); undefined when it does not read itself.
 */
function expandCte(
  sql: string,
  body: Token[],
  name: string,
  written: string,
  columns: string,
  names: Token[],
  prefix: string,
): { defs: string[]; body: string } | undefined {
  const references = tableReferences(body, name, written);
  if (references.length === 0) return undefined;
  // The top level of the body: anchor UNION [ALL | DISTINCT] step, nothing else (an immediate WITH is one at its
  // start; WITH ORDINALITY is none).
  const top: number[] = isWord(body[0], 'with') ? [0] : [];
  for (let k = 0; k < body.length; k++) {
    if (isSymbol(body[k], '(')) k = closing(body, k);
    else if (isWord(body[k], 'union', 'intersect', 'except', 'order', 'limit', 'offset', 'fetch'))
      top.push(k);
  }
  const union = top[0];
  if (top.length !== 1 || union === undefined || !isWord(body[union], 'union') || union === 0) {
    throw new LocalDialectError(
      `WITH RECURSIVE ${written} whose body is not one 'anchor UNION [ALL] step'`,
      'Athena expands only that shape (a recursive reference elsewhere is no recursion there); rewrite the query ' +
        'in that shape',
    );
  }
  const distinct = !isWord(body[union + 1], 'all');
  const stepFrom = union + (isWord(body[union + 1], 'all', 'distinct') ? 2 : 1);
  if (references.some((k) => k < union))
    throw new RecursiveQueryError(
      'WITH table name is referenced in the base relation of recursion',
      `Read '${written}' in the step after UNION only`,
    );
  if (references.length > 1)
    throw new RecursiveQueryError(
      'multiple recursive references in the step relation of recursion',
      `Read '${written}' once in the step`,
    );
  const ref = references[0]!;
  // A parenthesized step is a query of its own: Trino refuses its LIMIT (the step's rows would depend on an order).
  for (let k = stepFrom; isSymbol(body[k], '(') && closing(body, k) === body.length - 1; k++) {
    const inner = body.slice(k + 1, body.length - 1);
    for (let j = 0; j < inner.length; j++) {
      if (isSymbol(inner[j], '(')) j = closing(inner, j);
      else if (isWord(inner[j], 'limit', 'fetch'))
        throw new RecursiveQueryError(
          'FETCH FIRST / LIMIT clause in the step relation of recursion',
          'Filter the step with WHERE instead',
        );
    }
  }
  const text = (from: number, to: number) => (from > to ? '' : sql.slice(body[from]!.start, body[to]!.end));
  const gap = (k: number) => sql.slice(body[k]!.end, body[k + 1]!.start);
  // The step reading `source` in place of the CTE: under the CTE's name as its alias, unless it has one.
  const next = body[ref + 1];
  const keepsAlias =
    isWord(body[ref - 1], 'table') ||
    (next !== undefined &&
      (isWord(next, 'as') ||
        next.kind === 'quoted' ||
        (next.kind === 'word' && !NOT_A_TABLE_ALIAS.has(next.text.toLowerCase()))));
  const step = (source: string) =>
    text(stepFrom, ref - 1) +
    gap(ref - 1) +
    (keepsAlias ? source : `${source} AS ${written}`) +
    (next ? gap(ref) + text(ref + 1, body.length - 1) : '');
  const stepName = (k: number) => `${prefix}_${k}`;
  const defs = [`${stepName(0)}${columns} AS (${text(0, union - 1)})`];
  for (let k = 1; k <= MAX_RECURSION_DEPTH; k++)
    defs.push(`${stepName(k)}${columns} AS (${step(stepName(k - 1))})`);
  // The checks, in one row computed whole before any row of the CTE is read (MATERIALIZED: a filter of the outer
  // query on the CTE does not reach them, as it cannot pass Trino's window over the 11th step): each column of the
  // step coercible to the anchor's type (Trino's analyzer), then an 11th step without rows.
  const checks = `${prefix}_check`;
  const typeChecks = names.map((t, c) => {
    const of = (k: number) => `typeof((SELECT ${t.text} FROM ${stepName(k)} LIMIT 1))`;
    return (
      `WHEN NOT ${coercibleSql(of(1), of(0))} THEN error('recursion step relation output type (' || ` +
      `lower(${of(1)}) || ') is not coercible to recursion base relation output type (' || lower(${of(0)}) || ` +
      `') at column ${c + 1}')`
    );
  });
  defs.push(
    `${checks} AS MATERIALIZED (SELECT CASE ${typeChecks.join(' ')} ` +
      `WHEN (SELECT count(*) FROM (${step(stepName(MAX_RECURSION_DEPTH))})) > 0 ` +
      `THEN error('${DEPTH_EXCEEDED.replace(/'/g, "''")}') END AS failed)`,
  );
  const glue = distinct ? ' UNION ' : ' UNION ALL ';
  const all = Array.from({ length: MAX_RECURSION_DEPTH + 1 }, (_, k) => `SELECT * FROM ${stepName(k)}`);
  return { defs, body: `(SELECT * FROM (${all.join(glue)}) WHERE (SELECT failed FROM ${checks}) IS NULL)` };
}

/**
 * Where a body reads the CTE as a table (token indexes): its unqualified name after FROM, JOIN, TABLE, or a comma of a
 * FROM list. The name defined again inside (a nested WITH shadows it there) is refused: this rewrite cannot tell the
 * two apart.
 */
function tableReferences(body: Token[], name: string, written: string): number[] {
  const out: number[] = [];
  let unclear: number | undefined;
  for (let k = 0; k < body.length; k++) {
    if (nameOf(body[k]) !== name || isSymbol(body[k - 1], '.') || isSymbol(body[k + 1], '.')) continue;
    const before = body[k - 1];
    if (isWord(before, 'with') || (isSymbol(before, ',') && definesCte(body, k)))
      throw new LocalDialectError(
        `a WITH inside the recursive query ${written} that defines '${written}' again`,
        'the local engine cannot tell its own reads from the recursive ones; give it another name',
      );
    if (isWord(before, 'from', 'join', 'table') || (isSymbol(before, ',') && inFromList(body, k - 1)))
      out.push(k);
    else if (
      !isWord(before, 'as') &&
      !isSymbol(before, ')') &&
      !isSymbol(body[k + 1], '(') &&
      before?.kind !== 'word'
    )
      unclear ??= k;
  }
  // Read nowhere as a table, but named where this rewrite cannot tell a column from a table: refused rather than
  // leave the name to the engine, which would read a lake table of the same name.
  if (out.length === 0 && unclear !== undefined)
    throw new LocalDialectError(
      `'${written}' in the body of WITH RECURSIVE ${written}, where the local engine cannot tell whether it reads the ` +
        'recursive query',
      'read it after FROM or JOIN (Athena takes any unqualified table of that name in the step as the recursion)',
    );
  return out;
}

/** Whether the name at `k` starts a CTE's definition: name [(columns)] AS (. */
function definesCte(body: Token[], k: number): boolean {
  let j = k + 1;
  if (isSymbol(body[j], '(')) j = closing(body, j) + 1;
  return j > 0 && isWord(body[j], 'as') && isSymbol(body[j + 1], '(');
}

/** Whether the comma at `comma` separates the relations of a FROM list (the nearest clause word before it is FROM). */
function inFromList(body: Token[], comma: number): boolean {
  for (let k = comma - 1; k >= 0; k--) {
    const t = body[k]!;
    if (isSymbol(t, ')')) {
      // Skip the parenthesized group back to its opening.
      let depth = 0;
      for (; k >= 0; k--) {
        if (isSymbol(body[k], ')')) depth++;
        else if (isSymbol(body[k], '(') && --depth === 0) break;
      }
      continue;
    }
    if (isSymbol(t, '(')) return false;
    if (isWord(t, 'from', 'join')) return true;
    // ON and USING conditions are part of the FROM clause: a comma after one still separates its relations.
    if (isWord(t, 'select', 'where', 'group', 'having', 'order', 'window', 'limit', 'values')) return false;
  }
  return false;
}
