/**
 * Pass 1 of the guard: a lexer with the string, identifier and comment rules Athena (Trino) and DuckDB share. It
 * finds statement boundaries itself and refuses the constructs on which engines and the parser could disagree about
 * where a string or comment ends (index.ts has the whole picture).
 */
import { isWellFormed } from '../../unicode';
import { QueryNotAllowedError } from './errors';

/** `backquoted`: a Hive DDL name in backticks, read only where asked (the metadata statements, tokenize's option). */
export type TokenKind = 'word' | 'quoted' | 'backquoted' | 'string' | 'number' | 'symbol';

export interface Token {
  kind: TokenKind;
  /** Source text (for words: as written; quoted identifiers and strings: with their quotes). */
  text: string;
  start: number;
  end: number;
}

export interface Lexed {
  tokens: Token[];
  /** The statement without a trailing semicolon (and what follows it: whitespace and comments). */
  body: string;
  /** `body` with backslashes inside string literals replaced, for the parser (which reads \' as an escape). */
  forParser: string;
  /** Where each block comment (/* … *\/) starts, in `sql`. */
  blockComments: number[];
}

/** The backtick's refusal outside the metadata statements (Athena's SELECT reads double-quoted names). */
export const BACKTICK_REFUSAL = 'backtick-quoted identifiers are not Athena SQL; use double quotes';

export const MAX_NESTING = 64;

export function positionOf(sql: string, offset: number): { line: number; column: number } {
  const before = sql.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** Refuses the query at `offset`; `syntax`: Athena fails it as a syntax error too (its lexer or grammar). */
export function refuse(sql: string, offset: number, reason: string, syntax = true): never {
  const pos = positionOf(sql, offset);
  throw new QueryNotAllowedError(`${reason} (line ${pos.line}, column ${pos.column})`, pos, syntax);
}

const CONTROL_CHARACTERS = 'control characters are not allowed';
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const isSpace = (c: string) =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
const isWordStart = (c: string) => /[A-Za-z_\u00c0-\uffff]/.test(c);
const isWordPart = (c: string) => /[A-Za-z0-9_\u00c0-\uffff]/.test(c);

/** Whether the token at k is the word w (any case). */
const isWordAt = (tokens: Token[], k: number, w: string) =>
  tokens[k]?.kind === 'word' && tokens[k]!.text.toLowerCase() === w;

/**
 * Words of other dialects that the parser's PostgreSQL grammar (its fallback) reads and DuckDB answers, but Athena
 * does not have: refused on both runtimes with what to write instead, as Athena would fail them.
 */
function refuseOtherDialects(sql: string, tokens: Token[]): void {
  const word = (k: number, w: string) => isWordAt(tokens, k, w);
  // ILIKE as an operator: between an operand and a pattern (a column named ilike is left to the parser).
  const operand = (t: Token | undefined) =>
    !!t &&
    t.text !== ',' &&
    t.text !== '(' &&
    !['select', 'distinct', 'from', 'as', 'by'].includes(t.text.toLowerCase());
  for (let k = 0; k < tokens.length; k++) {
    if (word(k, 'ilike') && operand(tokens[k - 1]) && operand(tokens[k + 1]) && tokens[k + 1]!.text !== ')')
      refuse(sql, tokens[k]!.start, 'ILIKE is not Athena SQL: write lower(x) LIKE lower(pattern)');
    // Trino's grammar: ORDER BY … [OFFSET n [ROW|ROWS]] [LIMIT …|FETCH …], OFFSET first.
    if (word(k, 'limit') && (tokens[k + 1]?.kind === 'number' || word(k + 1, 'all')) && word(k + 2, 'offset'))
      refuse(
        sql,
        tokens[k + 2]!.start,
        `LIMIT … OFFSET is not Athena SQL (Athena fails it; DuckDB answers): write OFFSET ${tokens[k + 3]?.text ?? 'n'} ` +
          `LIMIT ${tokens[k + 1]!.text}, OFFSET before LIMIT`,
      );
    if (word(k, 'distinct') && word(k + 1, 'on') && tokens[k + 2]?.text === '(')
      refuse(
        sql,
        tokens[k]!.start,
        'DISTINCT ON is not Athena SQL: keep the first row of each group with row_number() OVER (PARTITION BY … ' +
          'ORDER BY …) = 1 in a subquery',
      );
  }
}

/** EXTRACT fields of Trino's that the parser's grammar does not know. */
const PARSER_LACKS_EXTRACT_FIELD =
  /^(day_of_week|yow|year_of_week|day_of_month|day_of_year|timezone_hour|timezone_minute)$/i;

/** Words after which a name is no alias (it starts an operand, a table reference or a clause). */
const BEFORE_OPERAND = new Set(
  (
    'select distinct all from join with where and or not on by as in is like between when then else case union ' +
    'intersect except using lateral unnest cross inner left right full outer natural having limit offset over ' +
    'partition order group escape exists values table recursive filter within rows range preceding following ' +
    'current row array map cast try_cast interval at time zone similar some any if grouping sets rollup cube'
  ).split(' '),
);

/** Whether a token ends an operand or a table reference, after which a name is an alias. */
const endsOperand = (t: Token | undefined): boolean =>
  !!t &&
  (t.kind === 'quoted' ||
    t.kind === 'number' ||
    t.kind === 'string' ||
    t.text === ')' ||
    (t.kind === 'word' && !BEFORE_OPERAND.has(t.text.toLowerCase())));

/** Types of Trino's typed literals (<type> '<text>') the parser's grammar lacks (it reads DATE, TIMESTAMP). */
const PARSER_LACKS_TYPED_LITERAL =
  /^(decimal|double|real|bigint|int|integer|smallint|tinyint|boolean|varchar|json)$/i;

/**
 * Same-length rewrites of constructs Athena accepts but the parser's grammars do not, in the copy the parser
 * reads (the engine still gets the statement as written). Neither can hide a table or function reference:
 *  - the target type of CAST/TRY_CAST (e.g. ARRAY(VARCHAR), ROW(a BIGINT), MAP(VARCHAR, DOUBLE)) becomes VARCHAR,
 *    if it consists only of type words, numbers, commas and parentheses;
 *  - the AT TIME ZONE operator becomes ||;
 *  - an EXTRACT field of Trino's the grammar lacks (YOW, DAY_OF_MONTH, TIMEZONE_HOUR, …) becomes YEAR (YOW: DOW);
 *  - TABLESAMPLE <method> (<percent>) is dropped (the grammar takes it after a table's name only);
 *  - the column names of an UNNEST's alias written without AS (UNNEST(a) t(x)) are dropped (the grammar takes them
 *    after AS only; the guard resolves no column);
 *  - DISTINCT or ALL at the start of a call's arguments (sum(DISTINCT x)) is dropped: the grammar takes it in
 *    count, array_agg and string_agg only (it decides which values are aggregated, never what is read).
 *  - variance( is read as var_samp( (Trino's alias; the grammar lacks the name);
 *  - an alias of "as" and digits (as1, which the grammar reads as AS 1) is read as _s1;
 *  - a quoted name that starts a select item before an operator ("a" || 'x', a column there: not before `(` or `.`)
 *    is read as an unquoted one of the same length, and "" in an alias as __ (the grammar reads neither; the guard
 *    resolves no column);
 *  - a typed literal the grammar lacks (DECIMAL '1.5', DOUBLE '1.5', BIGINT '5', JSON '[1]', X'00ff') is read as
 *    its string (the type word blanked): a literal never names a table or a function (the local engine reads it
 *    as Athena does, lib/query/dialect/typed-literals.ts).
 */
function rewriteForParser(
  tokens: Token[],
  replace: (start: number, end: number, text: string) => void,
): void {
  const word = (k: number, w: string) => isWordAt(tokens, k, w);
  /** Tokens from..to (one by default) replaced by `text` (blank by default). */
  const put = (from: number, to = from, text = '') => replace(tokens[from]!.start, tokens[to]!.end, text);
  /** The index of the `(` the `)` at `close` closes (-1 if none). */
  const openingOf = (close: number): number => {
    for (let j = close, depth = 0; j >= 0; j--) {
      if (tokens[j]!.kind !== 'symbol') continue;
      if (tokens[j]!.text === ')') depth++;
      else if (tokens[j]!.text === '(' && --depth === 0) return j;
    }
    return -1;
  };
  for (let k = 0; k < tokens.length; k++) {
    if (word(k, 'at') && word(k + 1, 'time') && word(k + 2, 'zone')) {
      put(k, k + 2, '||');
      continue;
    }
    if (
      (word(k, 'distinct') || word(k, 'all')) &&
      tokens[k - 1]?.text === '(' &&
      tokens[k - 2]?.kind === 'word'
    ) {
      put(k);
      continue;
    }
    // EXTRACT(<field> FROM …) with a field of Trino's the grammar lacks: read as YEAR (DOW for YOW, which is
    // shorter). A field is never a table or a function; the local engine maps or refuses it (dialect/calls.ts).
    if (
      word(k, 'extract') &&
      tokens[k + 1]?.text === '(' &&
      tokens[k + 2]?.kind === 'word' &&
      word(k + 3, 'from') &&
      PARSER_LACKS_EXTRACT_FIELD.test(tokens[k + 2]!.text)
    ) {
      put(k + 2, k + 2, tokens[k + 2]!.text.length >= 4 ? 'year' : 'dow');
      continue;
    }
    // UNNEST(…) [WITH ORDINALITY] t(a, b): the grammar takes the column names only after AS. They name columns, which
    // the guard does not resolve: the parser's copy goes without them (t stays the alias).
    if (
      tokens[k]?.kind === 'word' &&
      !BEFORE_OPERAND.has(tokens[k]!.text.toLowerCase()) &&
      tokens[k + 1]?.text === '(' &&
      (word(k - 1, 'ordinality') || (tokens[k - 1]?.text === ')' && word(openingOf(k - 1) - 1, 'unnest')))
    ) {
      let close = k + 2;
      while (
        tokens[close]?.kind === 'word' ||
        tokens[close]?.kind === 'quoted' ||
        tokens[close]?.text === ','
      )
        close++;
      if (tokens[close]?.text === ')' && close > k + 2) {
        put(k + 1, close);
        k = close;
        continue;
      }
    }
    // TABLESAMPLE BERNOULLI|SYSTEM (p) after an aliased relation: the grammar takes it only right after a table's
    // name; it samples rows, never names a table or a function, so the parser's copy goes without it.
    if (
      word(k, 'tablesample') &&
      tokens[k + 2]?.text === '(' &&
      tokens[k + 3]?.kind === 'number' &&
      tokens[k + 4]?.text === ')'
    ) {
      put(k, k + 4);
      continue;
    }
    const t = tokens[k]!;
    if (t.kind === 'quoted') {
      const next = tokens[k + 1];
      // SELECT "a" || 'x': the grammar takes no operator after a quoted name that starts a select item. The name is
      // a column there (not a call, nor a qualifier): read as one of the same length that the grammar takes.
      if (
        (word(k - 1, 'select') || word(k - 1, 'distinct') || tokens[k - 1]?.text === ',') &&
        next?.kind === 'symbol' &&
        !',).;('.includes(next.text)
      )
        put(k, k, 'q'.padEnd(t.text.length, '_'));
      // AS "a""b": the grammar takes no doubled quote in an alias, which names nothing the guard checks.
      else if (word(k - 1, 'as') && t.text.includes('""')) put(k, k, t.text.replaceAll('""', '__'));
      continue;
    }
    // A typed literal the grammar lacks; X'00ff' is one token to Trino (the letter and the quote touch).
    const literal = tokens[k + 1];
    if (
      literal?.kind === 'string' &&
      (PARSER_LACKS_TYPED_LITERAL.test(tokens[k]!.text) || (word(k, 'x') && tokens[k]!.end === literal.start))
    ) {
      put(k);
      continue;
    }
    // An alias of "as" and digits (as1) after an expression or a table: the grammar reads AS and a number (SELECT 1
    // as2, FROM orders as1 fail). Read as _s1 there: an alias names no table the guard checks (its uses as a
    // qualifier, as1.x, the grammar reads as they are).
    if (
      t.kind === 'word' &&
      /^as[0-9]/i.test(t.text) &&
      endsOperand(tokens[k - 1]) &&
      tokens[k + 1]?.text !== '.'
    ) {
      put(k, k, `_${t.text.slice(1)}`);
      continue;
    }
    // variance(x): the grammar has no such call; read as var_samp (the same length), which it is in Trino.
    if (word(k, 'variance') && tokens[k + 1]?.text === '(') {
      put(k, k, 'var_samp');
      continue;
    }
    // UNNEST(…) WITH ORDINALITY: the grammar lacks the clause (it adds a column, never a table or function).
    if (word(k, 'with') && word(k + 1, 'ordinality') && tokens[k - 1]?.text === ')') {
      put(k, k + 1);
      continue;
    }
    // OFFSET n ROWS: the grammar knows OFFSET n.
    if (
      word(k, 'offset') &&
      tokens[k + 1]?.kind === 'number' &&
      (word(k + 2, 'rows') || word(k + 2, 'row'))
    ) {
      put(k + 2);
      continue;
    }
    // FETCH {FIRST|NEXT} [n] {ROW|ROWS} ONLY is LIMIT n (WITH TIES is left for the parser to refuse).
    if (word(k, 'fetch') && (word(k + 1, 'first') || word(k + 1, 'next'))) {
      const n = tokens[k + 2]?.kind === 'number' ? tokens[k + 2]!.text : undefined;
      const rows = n === undefined ? k + 2 : k + 3;
      if ((word(rows, 'rows') || word(rows, 'row')) && word(rows + 1, 'only')) {
        put(k, rows + 1, `LIMIT ${n ?? '1'}`);
        continue;
      }
    }
    if ((word(k, 'cast') || word(k, 'try_cast')) && tokens[k + 1]?.text === '(') {
      // Find AS at depth 1 of this call, then the call's closing parenthesis.
      let depth = 0;
      let as = -1;
      let close = -1;
      for (let j = k + 1; j < tokens.length; j++) {
        const t = tokens[j]!;
        if (t.text === '(') depth++;
        else if (t.text === ')') {
          depth--;
          if (depth === 0) {
            close = j;
            break;
          }
        } else if (depth === 1 && as < 0 && t.kind === 'word' && t.text.toLowerCase() === 'as') as = j;
      }
      if (as < 0 || close < 0 || close === as + 1) continue;
      const typeTokens = tokens.slice(as + 1, close);
      const plain = typeTokens.every(
        (t) =>
          (t.kind === 'word' && !['select', 'with', 'from', 'values'].includes(t.text.toLowerCase())) ||
          t.kind === 'number' ||
          t.kind === 'quoted' ||
          t.text === ',' ||
          t.text === '(' ||
          t.text === ')',
      );
      // A type of one word (VARCHAR, BIGINT) the grammar reads.
      if (plain && typeTokens.length > 1) put(as + 1, close - 1, 'VARCHAR');
    }
  }
}

/** Where the quoted text opened at `i` ends (after its closing quote; a doubled quote is one inside), or refuses. */
function quotedEnd(sql: string, i: number, unterminated: string): number {
  const quote = sql[i]!;
  for (let j = i + 1; ;) {
    const q = sql.indexOf(quote, j);
    if (q < 0) refuse(sql, i, unterminated);
    if (sql[q + 1] !== quote) return q + 1;
    j = q + 2;
  }
}

/** Splits SQL into tokens with the rules Athena and DuckDB share; refuses what they could read differently. */
export function tokenize(sql: string, opts: { backquotes?: boolean } = {}): Lexed {
  const tokens: Token[] = [];
  const blockComments: number[] = [];
  let forParser = '';
  let depth = 0;
  let end = sql.length; // end of the (single) statement
  let ended = false;
  let i = 0;
  const n = sql.length;
  // The parser's copy; comments are blanked in it, so that it sees no text the guard did not read.
  const chars = sql.split('');
  // The engines read SQL as a C string: a NUL would end it early (mid-string, mid-comment).
  const nul = sql.indexOf('\0');
  if (nul >= 0) refuse(sql, nul, CONTROL_CHARACTERS);
  // A UTF-16 surrogate without its pair is no Unicode text: the engines would read another character (U+FFFD).
  if (!isWellFormed(sql))
    refuse(
      sql,
      sql.search(LONE_SURROGATE),
      'a lone UTF-16 surrogate (such as \\ud800) is not Unicode text',
      false,
    );
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (isSpace(c)) {
      if (c === '\f' || c === '\v')
        refuse(
          sql,
          i,
          `a ${c === '\f' ? 'form feed' : 'vertical tab'} outside a string or comment: Athena (Trino) reads spaces, tabs and ` +
            'line ends only there and fails this query (DuckDB would answer): write a space',
        );
      i++;
      continue;
    }
    if (c === '-' && next === '-') {
      // Ends at a line end, \r as much as \n (Trino, DuckDB and the parser all end it there).
      let e = i + 2;
      while (e < n && sql[e] !== '\n' && sql[e] !== '\r') e++;
      chars.fill(' ', i, (i = e));
      continue;
    }
    if (c === '/' && next === '*') {
      const close = sql.indexOf('*/', i + 2);
      if (close < 0) refuse(sql, i, 'unterminated comment');
      if (sql.slice(i + 2, close).includes('/*')) {
        refuse(sql, i, 'nested comments are not allowed (engines disagree about where they end)');
      }
      blockComments.push(i);
      chars.fill(' ', i, (i = close + 2));
      continue;
    }
    if (ended) {
      refuse(sql, i, 'only one statement per query is allowed (found more after a semicolon)', false);
    }
    if (c === "'") {
      const j = quotedEnd(sql, i, 'unterminated string literal');
      tokens.push({ kind: 'string', text: sql.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    if (c === '"') {
      const j = quotedEnd(sql, i, 'unterminated quoted identifier');
      const text = sql.slice(i, j);
      if (text.includes('\\')) refuse(sql, i, 'backslashes are not allowed in quoted identifiers', false);
      tokens.push({ kind: 'quoted', text, start: i, end: j });
      i = j;
      continue;
    }
    if (c === '`' && opts.backquotes) {
      // Hive's rule: `` inside is one backtick.
      const j = quotedEnd(sql, i, 'unterminated quoted identifier');
      tokens.push({ kind: 'backquoted', text: sql.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    if (isWordStart(c)) {
      let j = i + 1;
      while (j < n && isWordPart(sql[j]!)) j++;
      const text = sql.slice(i, j);
      if (sql[j] === "'" && text.toLowerCase() === 'e') {
        refuse(
          sql,
          i,
          "E'...' escape strings are not allowed (not Athena SQL; DuckDB reads backslash escapes in them)",
        );
      }
      // Trino's grammar: an unquoted name is ASCII letters, digits and _ (its LETTER is [A-Z]); DuckDB reads any.
      const other = text.search(/[^A-Za-z0-9_]/);
      if (other >= 0)
        refuse(
          sql,
          i + other,
          `${text}: an unquoted name of Athena (Trino) holds ASCII letters, digits and _ only, and Athena fails ` +
            `this query (DuckDB would answer): quote it ("${text}")`,
        );
      tokens.push({ kind: 'word', text, start: i, end: j });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && next !== undefined && /[0-9]/.test(next))) {
      let j = i + 1;
      while (j < n && /[0-9A-Za-z_.]/.test(sql[j]!)) {
        // exponent sign: 1e-5
        if ((sql[j] === 'e' || sql[j] === 'E') && (sql[j + 1] === '-' || sql[j + 1] === '+')) j++;
        j++;
      }
      tokens.push({ kind: 'number', text: sql.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    if (c === ';') {
      // The statement ends here; only whitespace and comments may follow.
      end = i;
      ended = true;
      i++;
      continue;
    }
    if (c === '/' && next === '/') refuse(sql, i, "'//' is not an operator in Athena SQL");
    if (c === ':' && next === ':')
      refuse(
        sql,
        i,
        "'::' casts are not Athena SQL (DuckDB and PostgreSQL read them): write CAST(x AS type)",
      );
    if (c === '$') refuse(sql, i, "'$' (dollar quoting or parameters) is not allowed");
    if (c === '?')
      refuse(sql, i, 'parameter placeholders (?) are not allowed; put the values in the query', false);
    if (c === '`') refuse(sql, i, BACKTICK_REFUSAL);
    if (c === '\\') refuse(sql, i, 'a backslash outside a string literal is not allowed');
    if (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f) refuse(sql, i, CONTROL_CHARACTERS);
    if (c === '(') {
      depth++;
      if (depth > MAX_NESTING)
        refuse(sql, i, `parentheses are nested deeper than ${MAX_NESTING} levels`, false);
    } else if (c === ')') {
      depth--;
    }
    tokens.push({ kind: 'symbol', text: c, start: i, end: i + 1 });
    i++;
  }
  const body = sql.slice(0, end).trim();
  const offset = sql.slice(0, end).length - sql.slice(0, end).trimStart().length;
  const replace = (start: number, stop: number, text: string) => {
    for (let k = start; k < stop; k++) chars[k] = k - start < text.length ? text[k - start]! : ' ';
  };
  refuseOtherDialects(sql, tokens);
  for (const t of tokens) {
    // Backslashes inside string literals are plain characters in Athena and DuckDB (but escapes to the parser).
    if (t.kind === 'string' && t.text.includes('\\')) replace(t.start, t.end, t.text.replace(/\\/g, '_'));
  }
  rewriteForParser(tokens, replace);
  forParser = chars.slice(offset, offset + body.length).join('');
  return { tokens, body, forParser, blockComments };
}
