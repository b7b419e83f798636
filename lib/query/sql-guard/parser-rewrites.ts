/**
 * The parser's copy of a statement: constructs Athena accepts that the parser's grammars do not, rewritten to the
 * same length (lexer.ts tokenize applies them; the engine still gets the statement as written).
 */
import { closing, isWordAt, type Token } from './token';

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
/** Words that start or join a query: a subscript holding one is not read as a plain expression. */
const QUERY_WORDS = new Set([
  'select',
  'with',
  'from',
  'values',
  'where',
  'union',
  'join',
  'case',
  'when',
  'then',
]);
/** Operators a plain subscript expression may hold. */
const SUBSCRIPT_OPERATORS = new Set(['.', '+', '-', '*', '/', '%', '|']);

/** Trino's one-word types the grammar does not read in a CAST (each at least as long as VARCHAR, which replaces it). */
const TYPES_THE_GRAMMAR_LACKS = new Set([
  'varbinary',
  'ipaddress',
  'hyperloglog',
  'p4hyperloglog',
  'tdigest',
  'qdigest',
  'setdigest',
]);

const PARSER_LACKS_TYPED_LITERAL =
  /^(decimal|double|real|bigint|int|integer|smallint|tinyint|boolean|varchar|json)$/i;

/**
 * Same-length rewrites of constructs Athena accepts but the parser's grammars do not, in the copy the parser
 * reads (the engine still gets the statement as written). Neither can hide a table or function reference:
 *  - the target type of CAST/TRY_CAST (e.g. ARRAY(VARCHAR), ROW(a BIGINT), MAP(VARCHAR, DOUBLE), or a one-word
 *    type the grammar lacks: VARBINARY) becomes VARCHAR, if it consists only of type words, numbers, commas and
 *    parentheses;
 *  - the AT TIME ZONE operator becomes ||;
 *  - a subscript of names, literals and operators (m[k], a[i + 1]) becomes [0] (the grammar reads a literal there);
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
export function rewriteForParser(
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
    // UNNEST(…) [WITH ORDINALITY] t(a, b): the grammar takes the column names only after AS. They name columns,
    // which the guard does not resolve: the parser's copy goes without them (t stays the alias).
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
    // A subscript of a column or an expression (m[k], a[i + 1], m[t.key]): the grammar reads a literal there only.
    // Read as 0 when it holds names, literals and operators alone (no call or subquery, which it could hide).
    if (tokens[k]!.kind === 'symbol' && tokens[k]!.text === '[' && k > 0 && !word(k - 1, 'array')) {
      const close = closing(tokens, k);
      const inner = close > k + 1 ? tokens.slice(k + 1, close) : [];
      const plain = inner.every(
        (t) =>
          (t.kind === 'word' && !QUERY_WORDS.has(t.text.toLowerCase())) ||
          t.kind === 'number' ||
          t.kind === 'quoted' ||
          t.kind === 'string' ||
          (t.kind === 'symbol' && SUBSCRIPT_OPERATORS.has(t.text)),
      );
      if (
        (plain && inner.length > 1) ||
        (plain && inner.length === 1 && inner[0]!.kind !== 'number' && inner[0]!.kind !== 'string')
      )
        put(k + 1, close - 1, '0');
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
      // Read as VARCHAR, a type of one word the grammar reads: the guard checks the statement, not the cast's type
      // (the grammar reads no row or array type, and lacks some of Trino's one-word types).
      if (plain && (typeTokens.length > 1 || TYPES_THE_GRAMMAR_LACKS.has(typeTokens[0]!.text.toLowerCase())))
        put(as + 1, close - 1, 'VARCHAR');
    }
  }
}
