/**
 * Expression subqueries in the read-only guard (lib/query/sql-guard/subqueries.ts): the Trino grammar throws on a
 * parenthesised SELECT inside an expression, so the guard parses such subqueries as statements of their own. Generated
 * queries nest scalar, EXISTS, NOT EXISTS and quantified (ANY/SOME/ALL) subqueries in every clause; properties:
 *  - over lake tables they are allowed, and the tables reported are those node-sql-parser's PostgreSQL grammar (an
 *    independent reading that parses these forms whole) finds in the same text;
 *  - one table outside the lake, table function or engine function anywhere in them, at any depth, is refused;
 *  - the pieces are as long as the text, and every character of it is in one piece (nothing is dropped unchecked).
 */
import fc from 'fast-check';
import { Parser as PostgresParser } from 'node-sql-parser/build/postgresql';
import { checkQuery, QueryNotAllowedError } from '../../lib/query/sql-guard';
import { expressionSubqueryDepth, liftSubqueries } from '../../lib/query/sql-guard/subqueries';

const DATABASE = 'data_lake_prod';
const OPTS = { database: DATABASE, tables: ['orders', 'customers', 'page_view'], maxBytes: 64 * 1024 };
const SEED = 20261203;
const RUNS = 120;

const postgres = new PostgresParser();

/**
 * The lake tables the PostgreSQL grammar reads in the text, sorted; undefined when it cannot read it (it takes
 * `(SELECT (x) …)` for a call of a function named SELECT, as the Trino grammar does in an IN list).
 */
function tablesByPostgres(sql: string): string[] | undefined {
  let tableList: string[];
  try {
    tableList = postgres.parse(sql, { database: 'postgresql' }).tableList;
  } catch {
    return undefined;
  }
  return [...new Set(tableList.map((e) => String(e.split('::')[2]).toLowerCase()))]
    .filter((t) => OPTS.tables.includes(t))
    .sort();
}

type Verdict = { allowed: string[] } | { refused: string };
function verdict(sql: string): Verdict {
  try {
    return { allowed: (checkQuery(sql, OPTS) as unknown as { tables: string[] }).tables };
  } catch (e) {
    if (e instanceof QueryNotAllowedError) return { refused: e.reason };
    throw new Error(`the guard threw ${String(e)} for ${JSON.stringify(sql)}`);
  }
}

/**
 * A SELECT over `table` whose expressions hold subqueries to `depth` levels; `single`: one column (a scalar
 * subquery's), whose select list does not start with a parenthesis (see tablesByPostgres).
 */
function query(depth: number, table: fc.Arbitrary<string>, single = false): fc.Arbitrary<string> {
  const leaf = fc.constantFrom('1', 'a', "'x'", 'o.amount', 'count(*)');
  const scalar = depth <= 0 ? undefined : query(depth - 1, table, true);
  const any = depth <= 0 ? undefined : query(depth - 1, table);
  const sub: fc.Arbitrary<string> =
    !scalar || !any
      ? leaf
      : fc.oneof(
          leaf,
          scalar.map((q) => `(${q})`),
          scalar.map((q) => `coalesce((${q}), 0)`),
          any.map((q) => `CASE WHEN EXISTS (${q}) THEN 1 ELSE 0 END`),
        );
  const condition =
    !scalar || !any
      ? leaf.map((l) => `a = ${l}`)
      : fc.oneof(
          sub.map((s) => `a = ${s}`),
          any.map((q) => `EXISTS (${q})`),
          any.map((q) => `NOT EXISTS(${q})`),
          fc
            .tuple(fc.constantFrom('= ANY', '> ALL', '<> SOME', '>= ALL'), scalar)
            .map(([op, q]) => `a ${op} (${q})`),
          scalar.map((q) => `a IN (${q})`),
        );
  return fc
    .tuple(
      table,
      sub,
      fc.option(condition, { nil: undefined }),
      fc.option(condition, { nil: undefined }),
      fc.constantFrom('where', 'having', 'join', 'from-subquery', 'cte', 'lead'),
    )
    .map(([t, s, c1, c2, shape]) => {
      const cond = [c1, c2].filter(Boolean).join(' AND ') || '1 = 1';
      const list = single ? `0 + ${s} AS v` : shape === 'lead' ? `${s} AS v, a` : `a, ${s} AS v`;
      switch (shape) {
        case 'having':
          return `SELECT ${list} FROM ${t} o GROUP BY a HAVING ${cond}`;
        case 'join':
          return `SELECT ${list} FROM ${t} o JOIN customers c ON c.a = o.a AND ${cond}`;
        case 'from-subquery':
          return `SELECT d.v FROM (SELECT ${list} FROM ${t} o WHERE ${cond}) AS d, customers c`;
        case 'cte':
          return `WITH w AS (SELECT ${list} FROM ${t} o) SELECT v FROM w WHERE ${cond}`;
        default:
          return `SELECT ${list} FROM ${t} o WHERE ${cond}`;
      }
    });
}

const lakeTable = fc.constantFrom('orders', 'page_view', `${DATABASE}.customers`);
const OUTSIDE = [
  'secrets',
  'other_db.orders',
  "read_csv('/etc/passwd')",
  "'/etc/passwd'",
  'information_schema.views',
  'hive.data_lake_prod.orders',
];

describe('expression subqueries in the guard', () => {
  it('over lake tables: allowed, with the tables the PostgreSQL grammar reads in the text', () => {
    let compared = 0;
    fc.assert(
      fc.property(query(2, lakeTable), (sql) => {
        const v = verdict(sql);
        if ('refused' in v) throw new Error(`refused ${sql}: ${v.refused}`);
        const expected = tablesByPostgres(sql);
        if (expected === undefined) return;
        compared++;
        expect(v.allowed).toEqual(expected);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // Most generated queries are compared (not those whose select list starts with a subquery).
    expect(compared).toBeGreaterThan(RUNS / 2);
  });

  it('one table, table function or engine function outside the lake, at any depth: refused for it', () => {
    fc.assert(
      fc.property(
        query(2, lakeTable),
        fc.nat(),
        fc.constantFrom(...OUTSIDE, 'getenv'),
        (sql, at, outside) => {
          // The outsider replaces the n-th table reference (or joins the n-th select list), wherever it is nested.
          const pattern =
            outside === 'getenv' ? /SELECT /g : /FROM (orders|page_view|data_lake_prod\.customers)/g;
          const found = [...sql.matchAll(pattern)];
          const m = found[at % found.length]!;
          const replacement = outside === 'getenv' ? "SELECT getenv('HOME') AS h, " : `FROM ${outside}`;
          const bad = sql.slice(0, m.index) + replacement + sql.slice(m.index + m[0].length);
          const v = verdict(bad);
          if ('allowed' in v) throw new Error(`allowed: ${bad}`);
          // Refused for what was put in, not because the guard could not read the query.
          expect(v.refused).not.toMatch(/could not be checked/);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('pieces: as long as the text, inventing nothing but (0); every character in one piece, or lifted', () => {
    fc.assert(
      fc.property(query(2, lakeTable), (sql) => {
        const pieces = liftSubqueries(sql);
        for (const p of pieces) {
          expect(p).toHaveLength(sql.length);
          for (let i = 0; i < sql.length; i++) {
            if (p[i] !== sql[i] && p[i] !== ' ') expect('(0)').toContain(p[i]);
          }
        }
        for (let i = 0; i < sql.length; i++) {
          if (sql[i] === ' ') continue;
          const holders = pieces.filter((p) => p[i] === sql[i]).length;
          if (holders === 1) continue;
          // In no piece: only the letters of an EXISTS, ANY, SOME or ALL before a lifted subquery.
          expect(holders).toBe(0);
          const wordAt = /\w+$/.exec(sql.slice(0, i + 1))![0] + /^\w*/.exec(sql.slice(i + 1))![0];
          expect(['EXISTS', 'ANY', 'SOME', 'ALL']).toContain(wordAt.toUpperCase());
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('leaves the subqueries the grammar reads itself in place: FROM items, CTE bodies, set operands', () => {
    for (const sql of [
      'SELECT * FROM (SELECT 1) AS t',
      'SELECT * FROM orders o, (SELECT 1) AS t',
      'SELECT * FROM orders o JOIN (SELECT 1 AS a) t ON t.a = 1',
      'WITH w AS (SELECT 1) SELECT * FROM w',
      '(SELECT 1) UNION ALL (SELECT 2)',
      'SELECT * FROM orders WHERE a IS DISTINCT FROM b',
    ]) {
      expect(liftSubqueries(sql)).toEqual([sql]);
    }
    expect(liftSubqueries('SELECT a IS DISTINCT FROM b, (SELECT 1) FROM t')).toHaveLength(2);
    // The grammar takes `IN (SELECT (x) …)` for a call of a function named SELECT: IN subqueries are lifted too.
    expect(liftSubqueries('SELECT 1 FROM t WHERE a IN (SELECT (b) FROM u)')).toEqual([
      'SELECT 1 FROM t WHERE a IN (0                )',
      '                            SELECT (b) FROM u ',
    ]);
    expect(verdict('SELECT 1 FROM orders WHERE a IN (SELECT (b) + 1 FROM customers)')).toEqual({
      allowed: ['customers', 'orders'],
    });
  });

  it('measures how deep expression subqueries nest (FROM items, CTE bodies and set operands do not count)', () => {
    expect(expressionSubqueryDepth('SELECT 1 FROM (SELECT * FROM (SELECT 1) a) b')).toBe(0);
    expect(expressionSubqueryDepth('WITH w AS (SELECT (SELECT 1)) SELECT * FROM w')).toBe(1);
    // Siblings: one level; nested through IN, EXISTS, ALL and a FROM item inside a subquery: one level each.
    expect(expressionSubqueryDepth('SELECT (SELECT 1), (SELECT 2) FROM t WHERE EXISTS (SELECT 3)')).toBe(1);
    expect(
      expressionSubqueryDepth(
        'SELECT 1 FROM t WHERE a IN (SELECT b FROM (SELECT b FROM u WHERE EXISTS (SELECT 1 WHERE c > ALL (SELECT 2))))',
      ),
    ).toBe(3);
    expect(expressionSubqueryDepth(`SELECT ${'(SELECT '.repeat(40)}1${')'.repeat(40)}`)).toBe(40);
  });
});
