/**
 * The token-level rewrites of lib/query/dialect/: calls.ts on names that are also properties of every JavaScript
 * object (they are SQL names like any other: a lookup table must not answer for them), and division.ts's operands.
 */
import { MAX_NESTED_DIVISIONS } from '../../lib/query/dialect/division';
import { guardMacroExpansion, MAX_ARGUMENT_COPIES } from '../../lib/query/dialect/macro-expansion';
import { DIALECT_MACROS } from '../../lib/query/dialect/macros';
import { toDuckDbSql } from '../../lib/query/trino-compat';

/** One test per [statement, the statement toDuckDbSql writes]. */
const rewritesEach = (cases: [string, string][]) =>
  it.each(cases)('%s', (sql, expected) => {
    expect(toDuckDbSql(sql)).toBe(expected);
  });

it.each(['toString', 'constructor', 'valueOf', 'hasOwnProperty', '__proto__'])(
  'leaves a call named %s as written',
  (name) => {
    const sql = `SELECT ${name}(1, '%Y') AS x`;
    expect(toDuckDbSql(sql)).toBe(sql);
  },
);

it('still rewrites what it rewrites: date_format with a constant format, transform, CAST target types', () => {
  expect(toDuckDbSql("SELECT date_format(ts, '%Y-%m-%d %H:%i') FROM t")).toBe(
    // The value rounded half up to the millisecond, as Joda holds it, after the pattern's checks (none here).
    "SELECT trino_strftime(ts, '%Y-%m-%d %H:%M', false, false) FROM t",
  );
  expect(toDuckDbSql('SELECT transform(xs, x -> x + 1) FROM t')).toMatch(/^SELECT list_transform\(xs, /);
  expect(toDuckDbSql('SELECT CAST(x AS ARRAY(BIGINT)) FROM t')).toBe(
    'SELECT list_transform(x , lake_c1 -> trino_cast_bigint(lake_c1)) FROM t',
  );
  expect(toDuckDbSql('SELECT EXTRACT(DOW FROM ts), extract(year FROM ts) FROM t')).toBe(
    'SELECT EXTRACT(isodow FROM ts), extract(year FROM ts) FROM t',
  );
  expect(toDuckDbSql('SELECT CAST(x AS VARCHAR), TRY_CAST(f(y) AS varchar) FROM t')).toBe(
    'SELECT trino_cast_varchar(x), trino_try_cast_varchar(f(y)) FROM t',
  );
  expect(toDuckDbSql('SELECT CAST(x AS BIGINT), try_cast(CAST(y AS int) AS TinyInt) FROM t')).toBe(
    'SELECT trino_cast_bigint(x), trino_try_cast_tinyint(trino_cast_integer(y)) FROM t',
  );
  expect(
    toDuckDbSql('SELECT CAST(x AS DECIMAL(10, 2)), TRY_CAST(CAST(y AS decimal) AS DECIMAL(5)) FROM t'),
  ).toBe(
    'SELECT CAST(trino_decimal_text(x , 10, 2) AS DECIMAL(10,2)), ' +
      'TRY_CAST(trino_try_decimal_text(CAST(trino_decimal_text(y , 38, 0) AS DECIMAL(38,0)) , 5, 0) AS DECIMAL(5,0)) FROM t',
  );
  expect(toDuckDbSql('SELECT CAST(CAST(x AS ARRAY(BIGINT)) AS VARCHAR) FROM t')).toBe(
    'SELECT trino_cast_varchar(list_transform(x , lake_c1 -> trino_cast_bigint(lake_c1))) FROM t',
  );
  expect(toDuckDbSql("SELECT date_format(ts, fmt), date_format(ts, '%Y', 3) FROM t")).toBe(
    "SELECT date_format(ts, fmt), date_format(ts, '%Y', 3) FROM t",
  );
});

describe('a select item alias without AS gets its AS (bare-aliases.ts): DuckDB takes no keyword bare there', () => {
  rewritesEach([
    [
      'SELECT a day, b AS c, x.y name, f(z) value FROM t',
      'SELECT a AS day, b AS c, x.y AS name, f(z) AS value FROM t',
    ],
    ["SELECT 1 dec, 'x' type, ARRAY[1] data", "SELECT 1 AS dec, 'x' AS type, ARRAY[1] AS data"],
    [
      'SELECT CASE WHEN a THEN 1 ELSE 2 END flag, x IS NULL empty FROM t',
      'SELECT CASE WHEN a THEN 1 ELSE 2 END AS flag, x IS NULL AS empty FROM t',
    ],
    [
      'SELECT n FROM (SELECT count(*) OVER (PARTITION BY a) n FROM t) s',
      'SELECT n FROM (SELECT count(*) OVER (PARTITION BY a) AS n FROM t) s',
    ],
    // Not aliases: a column, a qualified name, CASE's END, an INTERVAL's unit, IS NULL, names in a call.
    [
      "SELECT a, t.b, CASE WHEN a THEN 1 END, INTERVAL '1' DAY, x IS NULL FROM t",
      "SELECT a, t.b, CASE WHEN a THEN 1 END, INTERVAL '1' DAY, x IS NULL FROM t",
    ],
    ['SELECT DISTINCT year FROM t WHERE a b', 'SELECT DISTINCT year FROM t WHERE a b'],
  ]);
});

describe('division and remainder (lib/query/dialect/division.ts): operands as Trino reads them', () => {
  rewritesEach([
    ['SELECT 7 / 2', "SELECT trino_div(INTEGER '7' , INTEGER '2')"],
    ['SELECT a * b / c * d FROM t', 'SELECT trino_div(a * b , c) * d FROM t'],
    ['SELECT a/b/c, a/b%c FROM t', 'SELECT trino_div(trino_div(a,b),c), trino_mod(trino_div(a,b),c) FROM t'],
    ['SELECT a / (b / c) FROM t', 'SELECT trino_div(a , (trino_div(b , c))) FROM t'],
    [
      'SELECT a / -b, -a % 3, x - a / b FROM t',
      "SELECT trino_div(a , -b), trino_mod(-a , INTEGER '3'), x - trino_div(a , b) FROM t",
    ],
    ['SELECT a * -b / c FROM t', 'SELECT trino_div(a * -b , c) FROM t'],
    [
      'SELECT x / sum(x) OVER (PARTITION BY y), sum(x) OVER w / 3, count(*) FILTER (WHERE y > 0) / 2 FROM t',
      "SELECT trino_div(x , sum(x) OVER (PARTITION BY y)), trino_div(sum(x) OVER w , INTEGER '3'), trino_div(count(*) FILTER (WHERE y > 0) , INTEGER '2') FROM t",
    ],
    [
      'SELECT a / t.b.c, f(x)[1] / 2, CASE WHEN x THEN 1 ELSE 0 END / 2, (a + b) / 2 FROM t',
      "SELECT trino_div(a , t.b.c), trino_div(trino_subscript(f(x), 1) , INTEGER '2'), trino_div(CASE WHEN x THEN 1 ELSE 0 END , INTEGER '2'), trino_div((a + b) , INTEGER '2') FROM t",
    ],
    [
      'SELECT CASE WHEN a > 0 THEN -a / 2 END FROM t',
      "SELECT CASE WHEN a > 0 THEN trino_div(-a , INTEGER '2') END FROM t",
    ],
    ["SELECT '1/2 % 3', a /* c / d */ / b FROM t", "SELECT '1/2 % 3', trino_div(a /* c / d */ , b) FROM t"],
    // An INTERVAL literal's unit follows its string: left as written.
    ["SELECT a / INTERVAL '1' DAY FROM t", "SELECT a / INTERVAL '1' DAY FROM t"],
  ]);

  it(`refuses more than ${MAX_NESTED_DIVISIONS} nested in one another, naming the limit`, () => {
    const chain = (n: number) => `SELECT x${'/2'.repeat(n)} FROM t`;
    expect(() => toDuckDbSql(chain(MAX_NESTED_DIVISIONS))).not.toThrow();
    expect(() => toDuckDbSql(chain(MAX_NESTED_DIVISIONS + 1))).toThrow(
      new RegExp(`not supported by the local engine: more than ${MAX_NESTED_DIVISIONS} divisions`),
    );
    // Side by side they do not nest.
    expect(() =>
      toDuckDbSql(`SELECT ${Array.from({ length: 20 }, (_, i) => `a${i} / b`).join(', ')} FROM t`),
    ).not.toThrow();
  });
});

describe('macros nested in one another (macro-expansion.ts)', () => {
  const casts = (n: number) => `SELECT ${'CAST('.repeat(n)}'1'${' AS BIGINT)'.repeat(n)}`;
  it(`refuses a statement that repeats a value more than ${MAX_ARGUMENT_COPIES.toLocaleString('en')} times, naming it`, () => {
    // A strict cast names its argument 9 times: 5 nested casts hold 9^5 copies of '1', 6 hold 9^6.
    expect(guardMacroExpansion(toDuckDbSql(casts(5)), DIALECT_MACROS)).toBe(9 ** 5);
    expect(() => toDuckDbSql(casts(6))).toThrow(
      /^not supported by the local engine: casts or functions nested so deep that the statement repeats a value 531,441 times \(at most 300,000\):.*compute a level in a subquery$/,
    );
    // Side by side, or a macro's other argument: no product.
    expect(() =>
      toDuckDbSql(`SELECT ${Array.from({ length: 40 }, () => 'CAST(a AS BIGINT)').join(', ')} FROM t`),
    ).not.toThrow();
    expect(
      guardMacroExpansion(
        "SELECT trino_cast_bigint(x), 'trino_cast_bigint(' -- trino_cast_bigint(\n",
        DIALECT_MACROS,
      ),
    ).toBe(9);
  });
});

describe('decimal results (decimals.ts)', () => {
  rewritesEach([
    ['SELECT avg(x) FROM t', 'SELECT avg(trino_avg_arg(x)) FROM t'],
    [
      'SELECT AVG(DISTINCT x), avg(ALL f(x)) FROM t',
      'SELECT AVG(DISTINCT trino_avg_arg( x)), avg(ALL trino_avg_arg( f(x))) FROM t',
    ],
    [
      'SELECT avg(x) FILTER (WHERE y > 0) OVER (PARTITION BY z) FROM t',
      'SELECT avg(trino_avg_arg(x)) FILTER (WHERE y > 0) OVER (PARTITION BY z) FROM t',
    ],
    // A rewrite at the first token of the argument is kept (each edit replaces a token of its own).
    ['SELECT avg(round(x, 1)) FROM t', 'SELECT avg(trino_avg_arg(trino_round(x, 1))) FROM t'],
    [
      'SELECT round(avg(x), 2), round(x) FROM t',
      'SELECT trino_round(avg(trino_avg_arg(x)), 2), trino_round(x) FROM t',
    ],
    // Not the functions: a qualified name, a column, a string.
    ["SELECT s.avg(x), avg, 'avg(x)', round FROM t", "SELECT s.avg(x), avg, 'avg(x)', round FROM t"],
  ]);
});

describe('integer literals in arithmetic (integer-operands.ts): Trino integers, which a tinyint or smallint widens to', () => {
  rewritesEach([
    [
      'SELECT tiny * 1000, 5 - small, x * -2, 1 - -3, 2147483648 + small FROM t',
      "SELECT tiny * INTEGER '1000', INTEGER '5' - small, x * -INTEGER '2', INTEGER '1' - -INTEGER '3', 2147483648 + small FROM t",
    ],
    // A literal after a sign alone, positions, LIMIT, comparisons, subscripts and names stay as written.
    [
      'SELECT -5, x[1], t.1, 1.5 * x FROM t WHERE x > 1 ORDER BY 1 LIMIT 10',
      'SELECT -5, trino_subscript(x, 1), t.1, 1.5 * x FROM t WHERE x > 1 ORDER BY 1 LIMIT 10',
    ],
  ]);
});

describe('subscripts (subscripts.ts)', () => {
  rewritesEach([
    ["SELECT a[1], t.m['k'] FROM t", "SELECT trino_subscript(a, 1), trino_subscript(t.m, 'k') FROM t"],
    [
      'SELECT a[1][2], f(x)[i + 1] FROM t',
      "SELECT trino_subscript(trino_subscript(a, 1), 2), trino_subscript(f(x), i + INTEGER '1') FROM t",
    ],
    ['SELECT m[a[1]] FROM t', 'SELECT trino_subscript(m, trino_subscript(a, 1)) FROM t'],
    // The constructor is not a subscript; its subscript is.
    [
      'SELECT ARRAY[1, 2], ARRAY[1, 2][2] FROM t',
      'SELECT ARRAY[1, 2], trino_subscript(ARRAY[1, 2], 2) FROM t',
    ],
    ["SELECT '[1]' FROM t", "SELECT '[1]' FROM t"],
  ]);
});

describe('try() (try.ts)', () => {
  rewritesEach([
    [
      'SELECT try(CAST(x AS BIGINT)), try(f(a[1])), CAST(y AS INT), b[2] FROM t',
      'SELECT try(trino_try_cast_bigint(x)), try(f(trino_try_subscript(a, 1))), trino_cast_integer(y), trino_subscript(b, 2) FROM t',
    ],
  ]);

  it('refuses what can raise error() inside try(), naming what was written', () => {
    expect(() => toDuckDbSql('SELECT try(a / b) FROM t')).toThrow(/try\(\) around a \/ b/);
    expect(() => toDuckDbSql("SELECT try(split_part(s, ',', 2)) FROM t")).toThrow(
      /try\(\) around split_part\(…\)/,
    );
    expect(() => toDuckDbSql('SELECT try(x.split_part(s)), a / b FROM t')).not.toThrow();
  });
});
