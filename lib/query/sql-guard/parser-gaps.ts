/**
 * The constructs Athena (Trino) runs that the guard's parser does not read (docs/sql-dialect.md, "known gaps"). A
 * statement its parser fails on is refused either way; when the parser stops on one of these, the refusal names the
 * construct and what to write instead, rather than calling valid Athena SQL a syntax error.
 */
import { closing, isWordAt, NOT_A_TABLE_ALIAS, type Token } from './token';

export interface ParserGap {
  /** Where the construct starts in the statement (an offset into the SQL text). */
  start: number;
  /** The construct, as the message names it. */
  construct: string;
  /** What to write instead. */
  instead: string;
}

interface GapRule {
  construct: string;
  instead: string;
  /** The tokens [first, last] the construct spans when it starts at tokens[k], else undefined. */
  span(tokens: Token[], k: number): [number, number] | undefined;
}

const word = (t: Token | undefined, ...w: string[]) => t?.kind === 'word' && w.includes(t.text.toLowerCase());
const isName = (t: Token | undefined) => t?.kind === 'word' || t?.kind === 'quoted';
const INTERVAL_UNITS = ['year', 'month', 'day', 'hour', 'minute', 'second'];

/** The index of the `(` or `[` the `)` or `]` at tokens[k] closes, or -1 (unbalanced). */
function opening(tokens: Token[], k: number): number {
  let depth = 0;
  for (let j = k; j >= 0; j--) {
    const text = tokens[j]!.kind === 'symbol' ? tokens[j]!.text : '';
    if (text === ')' || text === ']') depth++;
    else if ((text === '(' || text === '[') && --depth === 0) return j;
  }
  return -1;
}

/** The index of the `(` that encloses tokens[k], or -1. */
function enclosing(tokens: Token[], k: number): number {
  let depth = 0;
  for (let j = k - 1; j >= 0; j--) {
    const text = tokens[j]!.kind === 'symbol' ? tokens[j]!.text : '';
    if (text === ')') depth++;
    else if (text === '(' && depth-- === 0) return j;
  }
  return -1;
}

/** Words after which a query may start: VALUES there is a query (a FROM subquery, a set operation's operand). */
const BEFORE_A_QUERY = ['union', 'all', 'distinct', 'except', 'intersect'];

/** Whether the `(` at tokens[k] holds names separated by commas, and is closed: a column list. */
function namesInParentheses(tokens: Token[], k: number): boolean {
  let j = k + 1;
  for (; isName(tokens[j]); j += 2) if (tokens[j + 1]?.text !== ',') return tokens[j + 1]?.text === ')';
  return false;
}

/** A VALUES row without parentheses: the parser reads `VALUES 'a'` as a table named values (no failure to name). */
const VALUES_WITHOUT_PARENTHESES: GapRule = {
  construct: 'a VALUES row without parentheses (VALUES 1, 2)',
  instead: 'put each row in parentheses: VALUES (1), (2)',
  span: (tokens, k) =>
    isWordAt(tokens, k, 'values') &&
    (k === 0 || tokens[k - 1]!.text === '(' || word(tokens[k - 1], ...BEFORE_A_QUERY)) &&
    tokens[k + 1] &&
    tokens[k + 1]!.text !== '('
      ? [k, k + 1]
      : undefined,
};

const RULES: GapRule[] = [
  {
    construct: 'GROUPING SETS',
    instead:
      'write ROLLUP or CUBE where one of them gives the sets, else a UNION ALL of one GROUP BY query per set',
    span: (tokens, k) =>
      isWordAt(tokens, k, 'grouping') && isWordAt(tokens, k + 1, 'sets') ? [k, k + 1] : undefined,
  },
  VALUES_WITHOUT_PARENTHESES,
  {
    construct: 'FETCH … WITH TIES',
    instead:
      'rank the rows in a subquery, rank() OVER (ORDER BY …) AS r, and keep WHERE r <= the count (ROWS ONLY is read)',
    span: (tokens, k) => {
      if (!isWordAt(tokens, k, 'fetch')) return undefined;
      for (let j = k + 1; j < Math.min(tokens.length - 1, k + 6); j++)
        if (isWordAt(tokens, j, 'with') && isWordAt(tokens, j + 1, 'ties')) return [k, j + 1];
      return undefined;
    },
  },
  {
    construct: "IGNORE NULLS or RESPECT NULLS after a window function's arguments",
    instead:
      'RESPECT NULLS is the default: leave it out; for the last non-NULL value up to each row, write ' +
      'max_by(x, CASE WHEN x IS NOT NULL THEN <the ORDER BY column> END) over the same window',
    span: (tokens, k) =>
      tokens[k - 1]?.text === ')' &&
      word(tokens[k], 'ignore', 'respect') &&
      isWordAt(tokens, k + 1, 'nulls') &&
      isWordAt(tokens, k + 2, 'over') // a window function's (Trino's grammar: only there)
        ? [k, k + 1]
        : undefined,
  },
  {
    construct: 'a RANGE or GROUPS window frame',
    instead:
      'write a ROWS frame (ROWS BETWEEN … AND …), or leave the frame out: with ORDER BY, the default is RANGE ' +
      'BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW',
    span: (tokens, k) => {
      if (
        !word(tokens[k], 'range', 'groups') ||
        !(word(tokens[k + 1], 'between', 'unbounded', 'current') || tokens[k + 1]?.kind === 'number')
      )
        return undefined;
      // Inside a window's parentheses (OVER (…), or WINDOW w AS (…)), after its PARTITION BY or ORDER BY list:
      // not an operand (ORDER BY range 1, a column named range).
      const open = enclosing(tokens, k);
      const inWindow = open > 0 && word(tokens[open - 1], 'over', 'as');
      const operand = word(tokens[k - 1], 'by', 'select') || tokens[k - 1]?.text === ',';
      const byList = tokens.slice(open + 1, k).some((t) => word(t, 'by'));
      return inWindow && !operand && byList ? [k, k + 1] : undefined;
    },
  },
  {
    construct: 'a ROWS frame that ends before the current row (ROWS BETWEEN … AND n PRECEDING)',
    instead:
      'end the frame at CURRENT ROW over the value of the row before: in a subquery, p = lag(x) OVER (ORDER BY …), ' +
      'then sum(p) OVER (ORDER BY … ROWS BETWEEN n-1 PRECEDING AND CURRENT ROW)',
    span: (tokens, k) => {
      if (!word(tokens[k], 'rows') || !word(tokens[k + 1], 'between')) return undefined;
      // The frame's AND, at the window's own depth (not one inside an expression of its start bound).
      let depth = 0;
      for (let j = k + 2; j < tokens.length; j++) {
        const text = tokens[j]!.kind === 'symbol' ? tokens[j]!.text : '';
        if (text === '(') depth++;
        else if (text === ')' && --depth < 0) return undefined;
        else if (depth === 0 && word(tokens[j], 'and'))
          return word(tokens[j + 2], 'preceding') ? [k, j + 2] : undefined;
      }
      return undefined;
    },
  },
  {
    construct: 'substring(x FROM … FOR …)',
    instead: 'write substr(x, start, length) or substring(x, start, length)',
    span: (tokens, k) => {
      // Trino's special form is substring's only; FROM after the string, in the call's own parentheses.
      if (!isWordAt(tokens, k, 'substring') || tokens[k + 1]?.text !== '(') return undefined;
      const end = closing(tokens, k + 1);
      for (let j = k + 3, depth = 0; j < end; j++) {
        const text = tokens[j]!.kind === 'symbol' ? tokens[j]!.text : '';
        if (text === '(') depth++;
        else if (text === ')') depth--;
        else if (depth === 0 && text === ',') return undefined;
        else if (depth === 0 && isWordAt(tokens, j, 'from')) return [k, j];
      }
      return undefined;
    },
  },
  {
    construct: 'a subquery in PARTITION BY',
    instead: 'compute the value in a subquery or a join in FROM, and partition by that column',
    span: (tokens, k) => {
      if (!isWordAt(tokens, k, 'partition') || !isWordAt(tokens, k + 1, 'by')) return undefined;
      for (let j = k + 2; j < tokens.length - 1 && !word(tokens[j], 'order', 'rows', 'range'); j++)
        if (tokens[j]!.text === '(' && isWordAt(tokens, j + 1, 'select')) return [k, j + 1];
      return undefined;
    },
  },
  {
    construct: "a table's alias with column names without AS (FROM orders o(a, b))",
    instead: 'write AS before the alias: FROM orders AS o(a, b)',
    span: (tokens, k) =>
      word(tokens[k - 1], 'from', 'join') && // a FROM item: `FROM orders o(`, `JOIN orders o(`
      isName(tokens[k]) &&
      isName(tokens[k + 1]) &&
      !NOT_A_TABLE_ALIAS.has(tokens[k + 1]!.text.toLowerCase()) &&
      tokens[k + 2]?.text === '(' &&
      namesInParentheses(tokens, k + 2)
        ? [k + 1, k + 2]
        : undefined,
  },
  {
    construct: 'a field read off an expression that is no column ((…).x, f(…).x, a[1].x)',
    instead: 'name the value in a subquery, SELECT CAST(… AS ROW(x integer)) AS r, and read t.r.x outside it',
    span: (tokens, k) =>
      (tokens[k]?.text === ')' || tokens[k]?.text === ']') &&
      tokens[k + 1]?.text === '.' &&
      isName(tokens[k + 2]) &&
      opening(tokens, k) >= 0 // a closed expression, not a stray parenthesis
        ? [k, k + 2]
        : undefined,
  },
  {
    construct: 'an interval literal with two fields (DAY TO SECOND, YEAR TO MONTH)',
    instead: "add single-field ones: INTERVAL '1' DAY + INTERVAL '12' HOUR + …",
    span: (tokens, k) =>
      isWordAt(tokens, k, 'interval') &&
      tokens[k + 1]?.kind === 'string' &&
      word(tokens[k + 2], ...INTERVAL_UNITS) &&
      isWordAt(tokens, k + 3, 'to') &&
      word(tokens[k + 4], ...INTERVAL_UNITS)
        ? [k, k + 4]
        : undefined,
  },
];

/**
 * The known gap the parser stopped on (at offset `failedAt` of the statement), if any: a construct that spans that
 * offset.
 */
export function parserGapAt(tokens: Token[], failedAt: number): ParserGap | undefined {
  for (let k = 0; k < tokens.length; k++) {
    if (tokens[k]!.start > failedAt) break;
    for (const rule of RULES) {
      const span = rule.span(tokens, k);
      if (!span) continue;
      const [first, last] = span;
      if (tokens[first]!.start <= failedAt && failedAt <= tokens[last]!.end)
        return { start: tokens[first]!.start, construct: rule.construct, instead: rule.instead };
    }
  }
  return undefined;
}

/**
 * A known gap the parser does not fail on but misreads, anywhere in the statement: a VALUES row without parentheses
 * of text (`VALUES 'a', 'b'` is read as a table named values with an alias, which the lake has not).
 */
export function misreadGap(tokens: Token[]): ParserGap | undefined {
  for (let k = 0; k < tokens.length; k++) {
    const span = VALUES_WITHOUT_PARENTHESES.span(tokens, k);
    if (span)
      return {
        start: tokens[span[0]]!.start,
        construct: VALUES_WITHOUT_PARENTHESES.construct,
        instead: VALUES_WITHOUT_PARENTHESES.instead,
      };
  }
  return undefined;
}
