/**
 * A select item's alias written without AS (`SELECT date_trunc('day', ts) day, count(*) value FROM …`) gets its AS.
 * Trino takes any non-reserved word as a bare alias; DuckDB's grammar takes no keyword there — `day`, `value`,
 * `name`, `year`, `type`, `data`, `dec`, … (some 400 of its keywords) — and failed such a query with its parser's
 * error, showing the rewritten statement. With AS, both read any of them; an alias that is no keyword reads the same
 * either way.
 *
 * A bare alias is a word right after the end of an expression (a `)`, a literal, a name, END, NULL, TRUE, FALSE) in a
 * SELECT's own list, right before `,`, FROM, or the end of the list. An INTERVAL literal's unit (INTERVAL '1' DAY)
 * is none.
 */
import { tokenize, type Token } from '../sql-guard/lexer';
import { applyEdits, isSymbol, isWord, type Edit } from './tokens';

/** Words after which no alias stands: they continue an expression or a clause. */
const CONTINUES = new Set(
  (
    'select distinct all and or not is in like ilike between as case when then else by on over filter within escape ' +
    'at time zone interval array row map exists from where having group order limit offset union intersect except ' +
    'with join left right full inner cross outer using lateral unnest values cast try_cast extract collate similar ' +
    'date timestamp decimal double real bigint integer int smallint tinyint boolean varchar char json varbinary ' +
    'ipaddress uuid partition rows range preceding following unbounded current first last nulls asc desc'
  ).split(' '),
);

/** Words that end the select list. */
const ENDS_LIST = new Set(
  'from where group having order limit offset union intersect except window fetch'.split(' '),
);

/** Whether the token can end an expression. */
function endsExpression(t: Token | undefined): boolean {
  if (!t) return false;
  if (t.kind === 'string' || t.kind === 'number' || t.kind === 'quoted') return true;
  if (t.kind === 'symbol') return t.text === ')' || t.text === ']';
  return t.kind === 'word' && !CONTINUES.has(t.text.toLowerCase());
}

export function aliasesWithAs(sql: string): string {
  const { tokens } = tokenize(sql);
  const edits: Edit[] = [];
  // Per parenthesis depth: whether a SELECT's list is being read there.
  const inList: boolean[] = [false];
  let depth = 0;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (isSymbol(t, '(')) {
      inList[++depth] = false;
      continue;
    }
    if (isSymbol(t, ')')) {
      depth = Math.max(0, depth - 1);
      continue;
    }
    if (t.kind !== 'word') continue;
    const word = t.text.toLowerCase();
    if (word === 'select') {
      inList[depth] = true;
      continue;
    }
    if (ENDS_LIST.has(word)) {
      inList[depth] = false;
      continue;
    }
    // A word of the syntax itself (CASE … END, IS NULL, a type) is no alias.
    if (!inList[depth] || CONTINUES.has(word) || word === 'end') continue;
    const before = tokens[k - 1];
    const after = tokens[k + 1];
    const listGoesOn = !after || isSymbol(after, ',', ')') || isWord(after, ...ENDS_LIST);
    if (!listGoesOn || !endsExpression(before)) continue;
    // INTERVAL '1' DAY: the literal's unit.
    if (before!.kind === 'string' && isWord(tokens[k - 2], 'interval')) continue;
    edits.push({ start: t.start, end: t.start, text: 'AS ' });
  }
  return applyEdits(sql, edits);
}
