/** The read-only guard of the query API (lib/query/sql-guard/): a corpus of allowed and refused statements. */
import { checkQuery, QueryNotAllowedError, tokenize } from '../../lib/query/sql-guard';

const opts = {
  database: 'data_lake_prod',
  tables: ['page_view', 'signup', 'order_placed', 'orders', 'customers'],
  maxBytes: 64 * 1024,
};

function refusal(sql: string): string {
  try {
    checkQuery(sql, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(QueryNotAllowedError);
    return (e as QueryNotAllowedError).reason;
  }
  throw new Error(`expected a refusal for: ${sql}`);
}

describe('allowed: what analysts type', () => {
  it.each([
    [
      'a quoted column starting a select item before an operator',
      `SELECT "url" || '?x', "user_id" + 1 FROM page_view`,
    ],
    ['DISTINCT and a later item too', `SELECT DISTINCT "url" || 'x', 1, "url"[1] FROM page_view`],
    ['an alias with a doubled quote', 'SELECT 1 AS "a""b"'],
    ['typed literals', "SELECT DECIMAL '1.5' AS d, DOUBLE '2' * 2, X'00ff' AS b, JSON '[1]' FROM page_view"],
    [
      'aggregate with partition filter',
      "SELECT url, count(*) AS n FROM page_view WHERE event_date >= '2024-01-01' GROUP BY 1 ORDER BY 2 DESC LIMIT 10",
    ],
    [
      'nested CTEs',
      'WITH x AS (SELECT * FROM page_view), y AS (WITH z AS (SELECT 1 AS q) SELECT * FROM z) SELECT * FROM x, y',
    ],
    [
      'window function',
      'SELECT user_id, row_number() OVER (PARTITION BY user_id ORDER BY occurred_at DESC) AS rn FROM signup',
    ],
    [
      'windows partitioned by expressions',
      "SELECT rank() OVER (PARTITION BY date_trunc('month', occurred_at), lower(url) ORDER BY duration_ms), " +
        'sum(duration_ms) OVER (PARTITION BY duration_ms / 1000, (user_id) ROWS UNBOUNDED PRECEDING) FROM page_view',
    ],
    ['UNNEST', "SELECT t.part FROM page_view CROSS JOIN UNNEST(split(url, '/')) AS t(part)"],
    ['qualified with the lake database', 'SELECT count(*) FROM data_lake_prod.page_view'],
    ['catalog-qualified', 'SELECT count(*) FROM AwsDataCatalog.data_lake_prod.page_view'],
    ['quoted identifiers', 'SELECT "url" FROM "data_lake_prod"."page_view"'],
    [
      'joins',
      'SELECT o.order_id, c.email FROM orders o LEFT JOIN customers c ON c.customer_id = o.customer_id',
    ],
    ['parenthesised join', 'SELECT * FROM (page_view a JOIN signup b ON a.user_id = b.user_id)'],
    [
      'EXISTS subquery',
      'SELECT * FROM orders o WHERE EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = o.customer_id)',
    ],
    ['scalar subquery', 'SELECT * FROM orders WHERE amount > (SELECT avg(amount) FROM orders)'],
    ['IN subquery', 'SELECT * FROM page_view WHERE user_id IN (SELECT user_id FROM signup)'],
    ['UNION ALL', 'SELECT user_id FROM signup UNION ALL SELECT user_id FROM page_view'],
    ['VALUES in FROM', "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(id, name)"],
    [
      'lambdas',
      "SELECT transform(split(url, '/'), x -> upper(x)), filter(ARRAY[1, 2], x -> x > 1) FROM page_view",
    ],
    [
      'aggregates over DISTINCT or ALL values',
      'SELECT sum(DISTINCT duration_ms), avg(ALL duration_ms), count(ALL url), max(DISTINCT url) FROM page_view',
    ],
    ['FILTER clause', 'SELECT count(*) FILTER (WHERE duration_ms > 1000) FROM page_view'],
    [
      'Trino functions',
      "SELECT approx_distinct(user_id), approx_percentile(duration_ms, 0.5), date_format(occurred_at, '%Y-%m'), json_extract_scalar(viewport, '$.w') FROM page_view",
    ],
    [
      'typed literals and intervals',
      "SELECT DATE '2024-01-01', TIMESTAMP '2024-01-01 00:00:00', INTERVAL '1' DAY",
    ],
    [
      'CAST to ARRAY(…) and ROW(…)',
      'SELECT CAST(json_parse(viewport) AS MAP(VARCHAR, BIGINT)), TRY_CAST(x AS ARRAY(ROW(a VARCHAR, b DOUBLE))) FROM page_view',
    ],
    ['AT TIME ZONE', "SELECT occurred_at AT TIME ZONE 'Europe/Paris' FROM page_view"],
    ['TABLESAMPLE', 'SELECT * FROM page_view TABLESAMPLE BERNOULLI (10)'],
    ['a trailing semicolon and comment', 'SELECT 1; -- done'],
    ['a leading comment', '-- weekly views\n/* by url */ SELECT url FROM page_view'],
    ['parenthesised SELECT', '(SELECT 1) UNION (SELECT 2)'],
    ['UNNEST … WITH ORDINALITY', "SELECT x, n FROM UNNEST(ARRAY['a']) WITH ORDINALITY AS t(x, n)"],
    [
      "UNNEST's alias and column names without AS",
      "SELECT url, s FROM page_view p CROSS JOIN UNNEST(split(p.url, '/')) t(s) CROSS JOIN UNNEST(ARRAY[1]) WITH ORDINALITY u(x, n)",
    ],
    [
      'OFFSET … ROWS FETCH FIRST … ROWS ONLY',
      'SELECT url FROM page_view OFFSET 10 ROWS FETCH FIRST 5 ROWS ONLY',
    ],
    ['FETCH NEXT ROW ONLY', 'SELECT url FROM page_view FETCH NEXT ROW ONLY'],
    ['a bare VALUES', "VALUES (1, 'a'), (2, 'b')"],
    [
      'information_schema',
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'data_lake_prod'",
    ],
    ['catalog-qualified information_schema', 'SELECT * FROM AwsDataCatalog.information_schema.columns'],
    ['SHOW TABLES', 'SHOW TABLES'],
    ['SHOW TABLES IN db pattern', "SHOW TABLES IN data_lake_prod '*view*|orders'"],
    ['SHOW TABLES LIKE', "SHOW TABLES LIKE 'page*'"],
    ['SHOW COLUMNS', 'SHOW COLUMNS FROM data_lake_prod.page_view'],
    ['SHOW COLUMNS … IN db', 'SHOW COLUMNS IN page_view IN data_lake_prod'],
    ['DESCRIBE', 'DESCRIBE page_view;'],
    ['SHOW PARTITIONS', 'SHOW PARTITIONS orders'],
    ['SHOW CREATE TABLE', 'SHOW CREATE TABLE AwsDataCatalog.data_lake_prod.orders'],
    // Hive DDL quoting: backticks (`` is one backtick); comments where Athena reads them as spaces.
    ['DESCRIBE `table`', 'DESCRIBE data_lake_prod.`Page_View`'],
    ['SHOW CREATE TABLE `table`', 'SHOW CREATE TABLE `orders`'],
    ['SHOW COLUMNS FROM `table` IN `db`', 'SHOW COLUMNS FROM `orders` IN `data_lake_prod`'],
    ['a line comment before DESCRIBE', '-- c\nDESCRIBE orders'],
    ['a block comment in SHOW COLUMNS', 'SHOW COLUMNS FROM /* c */ orders'],
    ['a block comment before SHOW TABLES', '/* c */ SHOW TABLES'],
    // The parser's grammar read as1 as AS 1 (lexer.ts rewriteForParser).
    [
      'an alias of as and digits',
      'SELECT 1 as2, o.order_id FROM orders as1 JOIN orders o ON as1.order_id = o.order_id',
    ],
  ])('%s', (_name, sql) => {
    expect(() => checkQuery(sql, opts)).not.toThrow();
  });

  it('returns the statement without the trailing semicolon and the lake tables it reads', () => {
    const q = checkQuery(
      '  SELECT * FROM signup s JOIN data_lake_prod.page_view p ON s.user_id = p.user_id ;  -- x',
      opts,
    );
    expect(q.sql).toBe('SELECT * FROM signup s JOIN data_lake_prod.page_view p ON s.user_id = p.user_id');
    expect(q.tables).toEqual(['page_view', 'signup']);
  });

  it('keeps keywords, semicolons and backslashes inside strings as data', () => {
    expect(checkQuery("SELECT 'DROP TABLE page_view; DELETE FROM x' AS s", opts).sql).toBe(
      "SELECT 'DROP TABLE page_view; DELETE FROM x' AS s",
    );
    expect(() =>
      checkQuery("SELECT * FROM page_view WHERE url LIKE '%;%' -- ; DROP TABLE x", opts),
    ).not.toThrow();
    expect(() =>
      checkQuery("SELECT regexp_like(url, '^https?://[^/]+\\.com/') FROM page_view", opts),
    ).not.toThrow();
    expect(() => checkQuery("SELECT 'it''s; fine' FROM page_view", opts)).not.toThrow();
    expect(() => checkQuery('SELECT 1 /* ; DROP TABLE x */ FROM page_view', opts)).not.toThrow();
  });

  it('lists the functions the statement calls in its expressions, not UNNEST in FROM', () => {
    expect(
      checkQuery(
        "SELECT upper(t.part), count(*), row_number() OVER (ORDER BY 1) FROM page_view CROSS JOIN UNNEST(split(url, '/')) AS t(part) GROUP BY 1",
        opts,
      ).functions,
    ).toEqual(['count', 'row_number', 'split', 'upper']);
    expect(checkQuery('SELECT unnest(ARRAY[1]) FROM page_view', opts).functions).toEqual(['unnest']);
  });

  it('treats a CTE named like nothing in the lake as a table of the query', () => {
    expect(checkQuery('WITH recent AS (SELECT * FROM page_view) SELECT * FROM recent', opts).tables).toEqual([
      'page_view',
    ]);
  });

  it.each([
    ['a later CTE reads an earlier one', 'WITH a AS (SELECT 1 AS y), b AS (SELECT * FROM a) SELECT * FROM b'],
    [
      'subqueries of the query read its CTEs',
      'WITH a AS (SELECT 1 AS y) SELECT * FROM a WHERE y IN (SELECT y FROM a) AND EXISTS (SELECT 1 FROM a)',
    ],
    [
      'every operand of a set operation',
      'WITH a AS (SELECT 1 AS y) SELECT * FROM a UNION ALL SELECT * FROM a',
    ],
    ['a quoted CTE name with columns', 'WITH "Recent"(y) AS (SELECT 1) SELECT * FROM recent'],
    [
      'a WITH inside a FROM subquery, read there',
      'SELECT * FROM (WITH x AS (SELECT * FROM page_view) SELECT * FROM x) t',
    ],
    [
      'WITH RECURSIVE reads itself',
      'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r',
    ],
    [
      'WITH ORDINALITY and WITH TIME ZONE are no CTEs',
      "SELECT CAST(occurred_at AS timestamp with time zone), i FROM page_view, UNNEST(split(url, '/')) WITH ORDINALITY AS t(p, i)",
    ],
  ])('reads a CTE where it is in scope: %s', (_what, sql) => {
    expect(() => checkQuery(sql, opts)).not.toThrow();
  });
});

describe('refused, with the reason', () => {
  it.each([
    ['INSERT INTO page_view SELECT * FROM page_view', /DML/],
    ["UPDATE orders SET status = 'x'", /DML/],
    ['DELETE FROM orders', /DML/],
    ['MERGE INTO orders USING x ON 1 = 1 WHEN MATCHED THEN DELETE', /DML/],
    ['CREATE TABLE x AS SELECT * FROM page_view', /CREATE TABLE AS SELECT/],
    ['CREATE VIEW v AS SELECT 1', /DDL/],
    ['DROP TABLE page_view', /DDL \(DROP\)/],
    ['ALTER TABLE page_view ADD COLUMNS (x string)', /DDL \(ALTER\)/],
    ["UNLOAD (SELECT * FROM page_view) TO 's3://bucket/x/' WITH (format = 'PARQUET')", /UNLOAD/],
    ['MSCK REPAIR TABLE page_view', /MSCK/],
    ["CALL system.sync_partition_metadata('data_lake_prod', 'page_view', 'ADD')", /CALL/],
    ['PREPARE q FROM SELECT * FROM page_view', /prepared statements/],
    ["EXECUTE q USING 'x'", /prepared statements/],
    ['DEALLOCATE PREPARE q', /prepared statements/],
    ["SET SESSION query_max_run_time = '1h'", /SET/],
    ['USE other', /USE/],
    ['SHOW DATABASES', /only SHOW TABLES/],
    ['SHOW TABLES IN other_db', /database 'other_db' is not allowed/],
    ['SHOW COLUMNS FROM other_table', /'other_table' is not a table of the lake/],
    ['DESCRIBE FORMATTED page_view', /only SHOW TABLES/],
    // Athena's start refusals of SELECT's quoting in Hive DDL names (MALFORMED_QUERY).
    [
      'DESCRIBE "orders"',
      /^line 1:10: no viable alternative at input 'DESCRIBE "orders"': .*backticks \(`orders`\)/,
    ],
    ['DESC data_lake_prod."orders"', /^line 1:21: no viable alternative at input 'data_lake_prod."orders"'/],
    ['SHOW CREATE TABLE "orders"', /^Queries of this type are not supported: /],
    ['SHOW COLUMNS FROM "orders"', /^mismatched input '"orders"': /],
    ['SHOW TABLES IN "data_lake_prod"', /^mismatched input '"data_lake_prod"': /],
    // Hive's ParseException of a block comment before the name of DESCRIBE and SHOW CREATE TABLE.
    ['/* c */ DESCRIBE orders', /^DESCRIBE with a block comment .* ParseException/],
    ['DESC /* c */ orders', /^DESC with a block comment/],
    ['SHOW CREATE /* c */ TABLE orders', /^SHOW CREATE TABLE with a block comment/],
    ['SHOW CREATE TABLE page_view; DROP TABLE page_view', /only one statement/],
    ['EXPLAIN ANALYZE SELECT 1', /EXPLAIN/],
    ["COPY page_view TO '/tmp/x.csv'", /COPY/],
    ["ATTACH '/tmp/x.db' AS x", /ATTACH/],
    ['INSTALL httpfs', /INSTALL/],
    ['PRAGMA enable_profiling', /PRAGMA/],
    ['FROM page_view', /FROM-first/],
    ['TRUNCATE TABLE orders', /TRUNCATE/],
    ['GRANT SELECT ON page_view TO x', /GRANT/],
  ])('%s', (sql, reason) => {
    expect(refusal(sql)).toMatch(reason);
  });

  it('checks INTERSECT, EXCEPT and IS [NOT] DISTINCT FROM as what the grammar parses: every branch a lake SELECT', () => {
    for (const sql of [
      'SELECT user_id FROM page_view INTERSECT SELECT user_id FROM signup',
      'SELECT user_id FROM page_view EXCEPT DISTINCT SELECT user_id FROM signup WHERE plan IS NOT DISTINCT FROM NULL',
      '(SELECT user_id FROM page_view) INTERSECT ALL (SELECT user_id FROM signup)',
    ])
      expect(() => checkQuery(sql, opts)).not.toThrow();
    expect(
      [...checkQuery('SELECT 1 FROM orders EXCEPT SELECT 2 FROM customers', opts).tables].sort(),
    ).toEqual(['customers', 'orders']);
    expect(refusal('SELECT user_id FROM page_view INTERSECT SELECT x FROM other_db.t')).toMatch(/other_db/);
    expect(refusal("SELECT 'EXCEPT' FROM page_view EXCEPT SELECT secret FROM hidden")).toMatch(
      /'hidden' is not a table of the lake/,
    );
    expect(refusal('SELECT 1 FROM page_view EXCEPT DELETE FROM orders')).toMatch(/could not be checked/);
  });

  it('refuses what a bare VALUES or information_schema could hide', () => {
    expect(refusal('VALUES (1), ((SELECT count(*) FROM other_db.t))')).toMatch(/other_db/);
    expect(refusal('SELECT * FROM information_schema.tables t JOIN other_db.x ON true')).toMatch(/other_db/);
    expect(refusal("VALUES (read_csv('/etc/passwd'))")).toMatch(/read_csv/);
  });

  it('reads a quoted name before ( as the call it is: a quoted table function is never taken for a column', () => {
    expect(refusal(`SELECT "read_text"('/etc/passwd') || 'x'`)).toBeDefined();
    expect(refusal(`SELECT 1, "read_csv"('/x') + 1`)).toBeDefined();
    expect(refusal(`SELECT "a" || 'x' FROM "page""view"`)).toMatch(
      /not a table of the lake|could not be checked/,
    );
  });

  it('takes 200 subqueries in expressions and refuses more, naming the limit (each is checked as a statement)', () => {
    const subqueries = (n: number) =>
      `SELECT ${Array.from({ length: n }, () => '(SELECT 1)').join(', ')} FROM page_view`;
    expect(() => checkQuery(subqueries(200), opts)).not.toThrow();
    expect(refusal(subqueries(201))).toMatch(/^more than 200 subqueries in expressions: .*WITH query/);
    // Thousands in 64 KB are refused as soon as the 201st is seen, not checked one by one.
    expect(refusal(subqueries(5400))).toMatch(/^more than 200 subqueries/);
  });

  it('refuses SELECT ... INTO', () => {
    expect(refusal('SELECT * INTO copy_of_views FROM page_view')).toMatch(/SELECT \.\.\. INTO/);
  });

  it('refuses more than one statement, however it is hidden', () => {
    expect(refusal('SELECT 1; SELECT 2')).toMatch(/only one statement/);
    expect(refusal('SELECT 1; DROP TABLE page_view')).toMatch(/only one statement/);
    expect(refusal('SELECT 1;;')).toMatch(/only one statement/);
    expect(refusal('SELECT 1 -- comment\n; DELETE FROM orders')).toMatch(/only one statement/);
    // Standard SQL: a backslash does not escape a quote, so the string ends before the semicolon.
    expect(refusal("SELECT 'a\\' ; DROP TABLE page_view; --' FROM page_view")).toMatch(/only one statement/);
  });

  it('refuses an integer literal beyond a bigint, as Trino fails it (Invalid numeric literal), where DuckDB answers', () => {
    // Trino: io.trino.sql.tree.LongLiteral (Long.parseLong of the digits; ParsingException "Invalid numeric literal").
    expect(refusal('SELECT 12345678901234567890')).toMatch(
      /^Invalid numeric literal: 12345678901234567890: .*DECIMAL '12345678901234567890' or 12345678901234567890e0 \(line 1, column 8\)$/,
    );
    expect(refusal('SELECT 9223372036854775808')).toMatch(/Invalid numeric literal: 9223372036854775808/);
    expect(refusal('SELECT 5 + 9223372036854775808')).toMatch(/Invalid numeric literal: 9223372036854775808/);
    for (const sql of [
      'SELECT 9223372036854775807, -9223372036854775808, (-9223372036854775808)',
      'SELECT * FROM page_view WHERE event_id > -9223372036854775808',
      'SELECT 12345678901234567890.5, 1e30, \'12345678901234567890\', "12345678901234567890" FROM page_view',
    ])
      expect(() => checkQuery(sql, opts)).not.toThrow();
  });

  it('refuses a decimal literal of more than 38 digits, as Trino fails it, where DuckDB reads a double', () => {
    // Trino: ExpressionAnalyzer.visitDecimalLiteral (Decimals.parse: precision = the digits less the integer part's
    // leading zeros, at most 38), "'<literal>' is not a valid DECIMAL literal".
    expect(refusal('SELECT 99999999999999999999999999999999999999.0')).toMatch(
      /^'99999999999999999999999999999999999999.0' is not a valid DECIMAL literal: 39 digits, .*at most 38.* 99999999999999999999999999999999999999.0e0 .*\(line 1, column 8\)$/,
    );
    expect(
      refusal('SELECT * FROM page_view WHERE duration_ms > .000000000000000000000000000000000000001'),
    ).toMatch(/'.000000000000000000000000000000000000001' is not a valid DECIMAL literal: 39 digits/);
    for (const sql of [
      'SELECT 9999999999999999999999999999999999999.9, 00000.12345678901234567890123456789012345678',
      'SELECT 1234567890123456789012345678901234567890e0, 1.234567890123456789012345678901234567890e5',
      "SELECT '99999999999999999999999999999999999999.0', DECIMAL '1.5'",
    ])
      expect(() => checkQuery(sql, opts)).not.toThrow();
  });

  it("gives positions in characters, as Trino's parser counts them (an emoji is one, not two UTF-16 units)", () => {
    expect(refusal("SELECT '😀', 1abc")).toMatch(/\(line 1, column 13\)$/);
    expect(refusal("SELECT 1 AS n,\n  '😀😀' AS e, 1abc")).toMatch(/\(line 2, column 14\)$/);
  });

  it('refuses a number run into letters (Trino: identifiers must not start with a digit) and two strings in a row, which DuckDB answers', () => {
    // DuckDB read 0x1F as 0 named x1F, 10d as 10 named d, and joined 'a' 'b' into 'ab'.
    expect(refusal('SELECT 1abc')).toMatch(
      /^1abc: identifiers must not start with a digit; surround the identifier with double quotes .*\(line 1, column 8\)$/,
    );
    for (const sql of ['SELECT 10d, 10f', 'SELECT 1e3x', 'SELECT amount FROM orders WHERE 2x = 2'])
      expect([sql, refusal(sql)]).toEqual([
        sql,
        expect.stringMatching(/identifiers must not start with a digit/),
      ]);
    for (const sql of ['SELECT 0x1F', 'SELECT 0b101', 'SELECT 1_000'])
      expect([sql, refusal(sql)]).toEqual([
        sql,
        expect.stringMatching(/reads no hexadecimal, octal or binary literal and no digit separator/),
      ]);
    expect(refusal("SELECT 'a'\n'b'")).toMatch(/^two string literals in a row: .*\(line 2, column 1\)$/);
    // Trino's rowCount is an INTEGER_VALUE: DuckDB would round LIMIT 1.5 to two rows.
    expect(refusal('SELECT url FROM page_view LIMIT 1.5')).toMatch(
      /^LIMIT 1\.5: Athena \(Trino\) takes an integer row count there .*\(line 1, column 33\)$/,
    );
    expect(refusal('SELECT url FROM page_view ORDER BY url OFFSET 2e0 ROWS')).toMatch(/^OFFSET 2e0: /);
    expect(refusal('SELECT url FROM page_view FETCH NEXT .5 ROWS ONLY')).toMatch(/^FETCH NEXT \.5: /);
    for (const sql of [
      'SELECT url FROM page_view ORDER BY url OFFSET 2 ROWS LIMIT 3',
      'SELECT url FROM page_view FETCH FIRST 2 ROWS ONLY',
      'SELECT url FROM page_view LIMIT ALL',
      'SELECT url, 1.5 AS "limit" FROM page_view',
    ])
      expect(() => checkQuery(sql, opts)).not.toThrow();
    for (const sql of [
      'SELECT 1e-5, 1.5E+3, .5, 1E10, 7, \'x\' AS "1abc" FROM page_view',
      "SELECT url FROM page_view WHERE url LIKE 'a!%' ESCAPE '!' AND event_date = DATE '2026-01-01'",
    ])
      expect(() => checkQuery(sql, opts)).not.toThrow();
  });

  it('refuses an unquoted name of other than ASCII letters, digits and _, and a form feed or vertical tab, as Trino fails them', () => {
    // Trino's SqlBase.g4: fragment LETTER [A-Z] (its lexer reads case-insensitively), WS [ \r\n\t]+.
    expect(refusal('SELECT 1 AS café')).toMatch(
      /^café: an unquoted name of Athena \(Trino\) holds ASCII letters, digits and _ only.*quote it \("café"\) \(line 1, column 16\)$/,
    );
    expect(refusal('SELECT 1 AS 総数')).toMatch(/quote it \("総数"\)/);
    expect(refusal('SELECT url\fFROM page_view')).toMatch(/^a form feed outside a string or comment: /);
    expect(refusal('SELECT url\vFROM page_view')).toMatch(/^a vertical tab outside a string or comment: /);
    for (const sql of [
      'SELECT 1 AS "café", \'総数\' AS x -- é\n',
      "SELECT url /* ü */ FROM page_view WHERE url <> '\f'",
      'SELECT url\tFROM\r\npage_view',
    ])
      expect(() => checkQuery(sql, opts)).not.toThrow();
  });

  it("refuses LIMIT before OFFSET, which Trino's grammar fails (OFFSET comes first)", () => {
    expect(refusal('SELECT url FROM page_view ORDER BY url LIMIT 10 OFFSET 20')).toMatch(
      /^LIMIT … OFFSET is not Athena SQL .*: write OFFSET 20 LIMIT 10, OFFSET before LIMIT \(line 1, column 49\)$/,
    );
    expect(refusal('SELECT url FROM page_view LIMIT ALL OFFSET 2')).toMatch(/write OFFSET 2 LIMIT ALL/);
    expect(() => checkQuery('SELECT url FROM page_view ORDER BY url OFFSET 20 LIMIT 10', opts)).not.toThrow();
    expect(() => checkQuery('SELECT url FROM page_view ORDER BY url OFFSET 2 ROWS', opts)).not.toThrow();
  });

  it("refuses DuckDB's and PostgreSQL's JSON, array and prefix operators, which Athena fails and DuckDB answers", () => {
    // Trino's grammar has none of ->> @> <@ && @ ! (-> only between a lambda's parameters and its body).
    const cases: [string, RegExp][] = [
      [
        "SELECT url->>'a' FROM page_view",
        /^'->>' is not an operator in Athena SQL.*json_extract_scalar\(j, '\$.a'\)/,
      ],
      [
        "SELECT 1 AS n, url->'a' FROM page_view",
        /^'->' outside a lambda is not an operator in Athena SQL.*json_extract/,
      ],
      ["SELECT '{\"a\":1}' -> 'a'", /'->' outside a lambda/],
      ['SELECT ARRAY[1,2] @> ARRAY[1]', /^'@' is not an operator in Athena SQL.*contains\(a, x\)/],
      ['SELECT ARRAY[1] <@ ARRAY[1,2]', /'@' is not an operator/],
      ['SELECT @5', /'@' is not an operator/],
      ['SELECT ARRAY[1] && ARRAY[1]', /^'&' is not an operator in Athena SQL.*arrays_overlap\(a, b\)/],
      [
        "SELECT length('e' || U&'\\0301')",
        /^a Unicode string literal \(U&'…'\) is Athena SQL the local engine does not read: .*chr\(769\)/,
      ],
      ["SELECT u&'x'", /^a Unicode string literal/],
      ['SELECT u & 1 FROM (VALUES 1) t(u)', /^'&' is not an operator/],
      ['SELECT !true', /^'!' is not an operator in Athena SQL.*NOT/],
    ];
    for (const [sql, reason] of cases)
      expect([sql, refusal(sql)]).toEqual([sql, expect.stringMatching(reason)]);
    expect(refusal("SELECT 1 AS n, url->>'a' FROM page_view")).toMatch(/\(line 1, column 19\)$/);
    for (const sql of [
      'SELECT transform(ARRAY[1, 2], x -> x + 1), transform(ARRAY[1], x->x), filter(ARRAY[1], (x) -> x > 0)',
      "SELECT reduce(ARRAY[5, 20], 0, (s, x) -> s + x, s -> s), zip_with(ARRAY[1], ARRAY[2], (a, b) -> 'a')",
      "SELECT any_match(ARRAY['a'], \"x\" -> \"x\" = 'a'), url FROM page_view WHERE 1 != 2 AND url <> '->>@&!'",
    ])
      expect(() => checkQuery(sql, opts)).not.toThrow();
  });

  it('refuses constructs engines and parser could read differently', () => {
    expect(refusal("SELECT E'\\' ; COPY (SELECT 1) TO ''/tmp/x''; --'")).toMatch(/E'\.\.\.' escape strings/);
    expect(refusal('SELECT /* outer /* inner */ 1 */ 1')).toMatch(/nested comments/);
    expect(refusal('SELECT $$a$$')).toMatch(/dollar quoting/);
    expect(refusal('SELECT 7 // 2')).toMatch(/'\/\/'/);
    // Other dialects' syntax the parser's PostgreSQL fallback reads and DuckDB answers; Athena fails it.
    expect(refusal('SELECT url::varchar FROM page_view')).toMatch(
      /'::' casts are not Athena SQL.*CAST\(x AS type\)/,
    );
    expect(refusal("SELECT * FROM page_view WHERE url ILIKE '%A%'")).toMatch(/ILIKE is not Athena SQL/);
    expect(refusal("SELECT url NOT ILIKE '%A%' FROM page_view")).toMatch(/ILIKE is not Athena SQL/);
    expect(() => checkQuery('SELECT ilike, url AS ilike FROM page_view', opts)).not.toThrow();
    expect(refusal('SELECT DISTINCT ON (url) url FROM page_view')).toMatch(/DISTINCT ON is not Athena SQL/);
    expect(() => checkQuery('SELECT \'a::b ilike\', "distinct" FROM page_view', opts)).not.toThrow();
    expect(refusal('SELECT `url` FROM page_view')).toMatch(/backtick/);
    expect(refusal('SELECT `unterminated')).toMatch(/^backtick-quoted identifiers are not Athena SQL/);
    expect(refusal('SELECT 1 FROM orders WHERE `x` = 1')).toMatch(
      /^backtick-quoted identifiers .*\(line 1, column 28\)$/,
    );
    expect(refusal('SELECT * FROM page_view WHERE url = ?')).toMatch(/placeholders/);
    expect(refusal('SELECT * FROM page_view WHERE url = $1')).toMatch(/dollar quoting or parameters/);
    expect(refusal('SELECT "a\\b" FROM page_view')).toMatch(/backslashes/);
    expect(refusal("SELECT 'unterminated")).toMatch(/unterminated string/);
    expect(refusal('SELECT 1 /* open')).toMatch(/unterminated comment/);
    expect(refusal('SELECT 1\u0000')).toMatch(/control characters/);
    // Inside a string or a comment too: the engines read SQL as a C string, a NUL would end it there.
    expect(refusal("SELECT 'a\u0000b' AS s")).toMatch(/control characters.*column 10/);
    expect(refusal('SELECT 1 -- note\u0000\nFROM page_view')).toMatch(/control characters/);
    // Not Unicode text: a lone surrogate, in a literal or anywhere (the engines would read U+FFFD).
    expect(refusal("SELECT 'a\ud800b' AS s")).toMatch(/lone UTF-16 surrogate .* column 10/);
    expect(refusal("SELECT 'a\udc00' AS s")).toMatch(/lone UTF-16 surrogate/);
    expect(() => checkQuery("SELECT '\ud83d\ude00' AS emoji", opts)).not.toThrow();
    expect(refusal(`SELECT ${'('.repeat(100)}1${')'.repeat(100)}`)).toMatch(/nested deeper/);
    // Subscripts too (each one's closing bracket is looked for: 21,000 of them took the guard 26 s).
    expect(refusal(`SELECT x${'[x'.repeat(21_000)}${']'.repeat(21_000)} FROM page_view`)).toMatch(
      /^brackets are nested deeper than 64 levels/,
    );
    expect(refusal(`SELECT x${'[x'.repeat(64)}${']'.repeat(64)} FROM page_view`)).not.toMatch(
      /brackets are nested/,
    );
    expect(() => checkQuery(`SELECT x${'[1]'.repeat(100)} FROM page_view`, opts)).not.toThrow();
  });

  it('ends a -- comment at a carriage return, as the engines and the parser do', () => {
    // The engines read `'p\'` as a string and run what follows; had the guard read all after `--` as comment, the
    // parser (which reads `\'` as an escape) would have seen one long string and nothing to refuse.
    const hidden = "SELECT 1 AS a --\r, 'p\\' AS b, (SELECT count(*) FROM duckdb_settings()) AS c --'";
    expect(refusal(hidden)).toMatch(/duckdb_settings/);
    expect(refusal('SELECT 1 AS a --\r, (SELECT count(*) FROM duckdb_settings()) AS c')).toMatch(
      /duckdb_settings/,
    );
    expect(refusal('SELECT 1 AS a --\r FROM other_db.secret_table')).toMatch(/database 'other_db'/);
    // The parser reads no comment text: a backslash or a quote in a comment changes nothing it sees.
    const comment = "-- it's a \\ ";
    expect(tokenize(`SELECT 1 ${comment}\rAS a`).forParser).toBe(
      `SELECT 1 ${' '.repeat(comment.length)}\rAS a`,
    );
    expect(() => checkQuery("SELECT url -- the page's url\r\nFROM page_view", opts)).not.toThrow();
  });

  it('refuses other databases, catalogs and schemas', () => {
    expect(refusal('SELECT * FROM other_db.page_view')).toMatch(/database 'other_db' is not allowed/);
    // information_schema.tables/columns are Athena's catalog views (the lake's database only); the rest is refused.
    expect(refusal('SELECT * FROM information_schema.views')).toMatch(
      /information_schema\.views is not supported/,
    );
    expect(refusal('SELECT * FROM hive.data_lake_prod.page_view')).toMatch(/catalog 'hive'/);
    expect(refusal('SELECT * FROM awsdatacatalog.other.page_view')).toMatch(/database 'other'/);
    expect(refusal('SELECT * FROM page_view p JOIN data_lake_dev.signup s ON true')).toMatch(/data_lake_dev/);
  });

  it('refuses tables that are not the lake’s, also inside subqueries and CTEs', () => {
    expect(refusal('SELECT * FROM secrets')).toMatch(/'secrets' is not a table of the lake/);
    expect(refusal('SELECT * FROM page_view WHERE user_id IN (SELECT id FROM users)')).toMatch(/'users'/);
    expect(refusal('WITH a AS (SELECT * FROM users) SELECT * FROM a')).toMatch(/'users'/);
    expect(refusal('SELECT * FROM duckdb_settings')).toMatch(/not a table of the lake/);
  });

  it.each([
    // The engine reads such a name as a catalog object (DuckDB's settings, its file log) or a file.
    [
      'a WITH inside a FROM subquery',
      'SELECT f.* FROM (WITH pg_settings AS (SELECT 1 AS x) SELECT x FROM pg_settings) AS s, pg_settings AS f',
      'pg_settings',
    ],
    [
      'a WITH inside an expression subquery',
      'SELECT * FROM page_view WHERE url IN (SELECT 1 FROM (WITH q AS (SELECT 1) SELECT * FROM q) z) AND EXISTS (SELECT 1 FROM q)',
      'q',
    ],
    [
      'a file path named like the CTE',
      'SELECT f.* FROM (WITH "/etc/passwd" AS (SELECT 1 AS x) SELECT x FROM "/etc/passwd") AS s, "/etc/passwd" AS f',
      '/etc/passwd',
    ],
    [
      'a CTE read before it is defined',
      'WITH a AS (SELECT * FROM duckdb_logs), duckdb_logs AS (SELECT 1 AS y) SELECT * FROM a',
      'duckdb_logs',
    ],
    [
      'a parenthesised query and the operand after it',
      '(WITH a AS (SELECT 1 AS x) SELECT * FROM a) UNION ALL SELECT * FROM a',
      'a',
    ],
    [
      'a CTE body reading itself without RECURSIVE',
      'WITH duckdb_views AS (SELECT * FROM duckdb_views) SELECT * FROM duckdb_views',
      'duckdb_views',
    ],
    // RECURSIVE makes a body read its own name only as a UNION (seed and step); DuckDB reads it otherwise as the view.
    [
      'a RECURSIVE CTE body that is no UNION',
      "WITH RECURSIVE pg_settings AS (SELECT name, setting FROM pg_settings) SELECT * FROM pg_settings WHERE name = 'x'",
      'pg_settings',
    ],
    [
      'a RECURSIVE CTE whose UNION is only inside a subquery of its body',
      'WITH RECURSIVE duckdb_logs AS (SELECT * FROM duckdb_logs WHERE 1 IN (SELECT 1 UNION SELECT 2)) SELECT * FROM duckdb_logs',
      'duckdb_logs',
    ],
  ])('refuses a CTE name outside its WITH: %s', (_what, sql, name) => {
    expect(refusal(sql)).toMatch(
      new RegExp(`'${name.replace(/[/]/g, '\\/')}' is not a table of the lake.*a WITH defines`),
    );
  });

  it('refuses table functions and file paths', () => {
    expect(refusal("SELECT * FROM read_csv('/etc/passwd')")).toMatch(/table function read_csv\(\)/);
    expect(refusal("SELECT * FROM read_parquet('/lake/curated/**/*.parquet')")).toMatch(/read_parquet/);
    expect(refusal("SELECT * FROM glob('/etc/*')")).toMatch(/glob/);
    expect(refusal("SELECT * FROM read_text('/etc/hostname')")).toMatch(/read_text/);
    expect(refusal("SELECT * FROM page_view, read_json_auto('/tmp/x.json')")).toMatch(/read_json_auto/);
    expect(refusal("SELECT * FROM page_view WHERE url IN (SELECT * FROM read_csv('/x'))")).toMatch(
      /read_csv/,
    );
    expect(refusal("SELECT * FROM query('SELECT 1')")).toMatch(/query\(\)/);
    expect(refusal("SELECT * FROM '/etc/passwd'")).toMatch(/file paths are not allowed/);
    expect(refusal("SELECT * FROM 'page_view'")).toMatch(/file paths are not allowed/);
    expect(refusal('SELECT * FROM "/etc/passwd"')).toMatch(/not a table of the lake/);
    expect(refusal("SELECT * FROM 's3://other-bucket/data.parquet'")).toMatch(/file paths/);
  });

  it('refuses functions that reach outside the data, and qualified function names', () => {
    expect(refusal("SELECT current_setting('allowed_directories')")).toMatch(/current_setting\(\)/);
    expect(refusal("SELECT getenv('HOME')")).toMatch(/getenv\(\)/);
    expect(refusal("SELECT read_blob('/etc/passwd')")).toMatch(/read_blob\(\)/);
    expect(refusal("SELECT count(*) FROM page_view WHERE length(read_text('/x')) > 0")).toMatch(/read_text/);
    // A window partitioned by an expression is checked too (lifted for the grammar: partitions.ts).
    expect(refusal("SELECT sum(duration_ms) OVER (PARTITION BY getenv('HOME')) FROM page_view")).toMatch(
      /getenv\(\)/,
    );
    expect(
      refusal("SELECT rank() OVER (PARTITION BY url, read_text('/x') ORDER BY 1) FROM page_view"),
    ).toMatch(/read_text/);
  });

  it('refuses what the parser does not understand, with the position', () => {
    const reason = refusal('SELECT FROM WHERE page_view');
    expect(reason).toMatch(/could not be checked/);
    expect(reason).toMatch(/line 1, column \d+/);
    // A typo is told as the syntax error it most often is, and where the parser stopped; the end said as such.
    expect(refusal('SELECT * FROM orders WHERE')).toBe(
      "the query could not be checked: a syntax error at line 1, column 27 (at the end of the query), as the guard's " +
        'Trino SQL parser reads it: check the query there (a reserved word such as order or from as a name needs ' +
        'double quotes). Only SELECT queries in Athena (Trino) SQL are accepted; if Athena runs this one as ' +
        'written, simplify the construct or report it.',
    );
    // The text quoted is the statement's own, not the parser's copy (a cast's type rewritten there).
    expect(refusal('SELECT 1 x y, CAST(1 AS DECIMAL(38,10)) AS d2')).toMatch(
      /column 12 \(near 'y, CAST\(1 AS DECIMAL\(38,'\)/,
    );
  });

  it('reads a subscript of a column or an expression (m[k], a[i + 1]), which its grammar reads as a literal only', () => {
    for (const sql of [
      'SELECT url_params[url] FROM page_view',
      'SELECT url_params[page_view.url] FROM page_view',
      'SELECT a[duration_ms + 1] FROM page_view',
      "SELECT a[url || 'x']['y'] FROM page_view",
    ])
      expect([sql, checkQuery(sql, opts).tables]).toEqual([sql, ['page_view']]);
    // A call or a subquery inside is not hidden from the check: still refused as the parser reads it.
    expect(refusal('SELECT a[(SELECT 1)] FROM page_view')).toMatch(/syntax error/);
  });

  it('a statement of another kind (a typo: SHOWW TABLES) is refused naming the kinds the lake answers', () => {
    expect(refusal('SHOWW TABLES')).toBe(
      'only SELECT queries (optionally WITH ...), VALUES, and SHOW TABLES, SHOW COLUMNS, SHOW CREATE TABLE, SHOW ' +
        "PARTITIONS and DESCRIBE of the lake's tables are allowed; this statement starts with 'SHOWW'",
    );
  });

  it('names a known gap of the parser where it stops on one (valid Athena SQL), with what to write instead', () => {
    const gaps: [string, RegExp, string][] = [
      ['SELECT x FROM page_view GROUP BY GROUPING SETS ((x), ())', /GROUPING SETS/, 'line 1, column 34'],
      ['VALUES 1, 2', /a VALUES row without parentheses.*VALUES \(1\), \(2\)/, 'line 1, column 1'],
      ['SELECT * FROM (VALUES 1, 2) AS t(x)', /a VALUES row without parentheses/, 'line 1, column 16'],
      // Rows of text, or typed literals: the parser reads them as a table named values, which it does not fail on.
      ["SELECT * FROM (VALUES 'a', 'b') AS t(x)", /a VALUES row without parentheses/, 'line 1, column 16'],
      ["VALUES 'a', 'b'", /a VALUES row without parentheses/, 'line 1, column 1'],
      [
        "SELECT * FROM (VALUES DECIMAL '1.5') AS t(x)",
        /a VALUES row without parentheses/,
        'line 1, column 16',
      ],
      [
        "SELECT * FROM (VALUES DATE '2020-01-01', DATE '2020-01-02') AS t(x)",
        /a VALUES row without parentheses/,
        'line 1, column 16',
      ],
      [
        'SELECT * FROM orders ORDER BY total FETCH FIRST 2 ROWS WITH TIES',
        /FETCH … WITH TIES.*rank\(\) OVER/,
        'line 1, column 37',
      ],
      [
        'SELECT lag(total) IGNORE NULLS OVER (ORDER BY order_id) FROM orders',
        /IGNORE NULLS or RESPECT NULLS.*max_by/,
        'line 1, column 19',
      ],
      [
        'SELECT lag(total)\n  RESPECT NULLS OVER (ORDER BY order_id) FROM orders',
        /RESPECT NULLS is the default/,
        'line 2, column 3',
      ],
      [
        'SELECT sum(total) OVER (ORDER BY total RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) FROM orders',
        /a RANGE or GROUPS window frame.*ROWS BETWEEN/,
        'line 1, column 40',
      ],
      [
        'SELECT sum(total) OVER (ORDER BY total GROUPS 1 PRECEDING) FROM orders',
        /GROUPS window frame/,
        'column 40',
      ],
      [
        'SELECT substring(url FROM 1 FOR 2) FROM page_view',
        /substring\(x FROM … FOR …\).*substr\(x, start, length\)/,
        'column 8',
      ],
      ['SELECT rank() OVER (PARTITION BY (SELECT 1)) FROM orders', /a subquery in PARTITION BY/, 'column 21'],
      [
        'SELECT a FROM orders o(a, b)',
        /alias with column names without AS.*FROM orders AS o\(a, b\)/,
        'column 22',
      ],
      [
        'SELECT CAST(ROW(1) AS ROW(x integer)).x',
        /a field read off an expression that is no column/,
        'column 37',
      ],
      ['SELECT json_parse(url).y FROM page_view', /a field read off an expression/, 'column 22'],
      [
        "SELECT INTERVAL '1 12:30:15' DAY TO SECOND",
        /an interval literal with two fields.*INTERVAL '1' DAY \+/,
        'column 8',
      ],
      ["SELECT INTERVAL '1-2' YEAR TO MONTH", /an interval literal with two fields/, 'column 8'],
      ['SELECT 1 UNION ALL VALUES 2, 3', /a VALUES row without parentheses/, 'column 20'],
      [
        'SELECT sum(total) OVER (ORDER BY total ROWS BETWEEN 2 PRECEDING AND 1 PRECEDING) FROM orders',
        /a ROWS frame that ends before the current row.*lag\(x\)/,
        'column 40',
      ],
      [
        'SELECT sum(total) OVER (ORDER BY total ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) FROM orders',
        /a ROWS frame that ends before the current row/,
        'column 40',
      ],
      [
        'SELECT sum(total) OVER w FROM orders WINDOW w AS (ORDER BY total RANGE 1 PRECEDING)',
        /a RANGE or GROUPS window frame/,
        'column 66',
      ],
    ];
    for (const [sql, what, where] of gaps) {
      let error: QueryNotAllowedError | undefined;
      try {
        checkQuery(sql, opts);
      } catch (e) {
        error = e as QueryNotAllowedError;
      }
      expect(error).toBeInstanceOf(QueryNotAllowedError);
      expect(error!.reason).toMatch(/^Athena runs .*, but the guard's parser does not read it: /);
      expect(error!.reason).toMatch(what);
      expect(error!.reason).toContain(where);
      // Not a syntax error of Athena SQL: the local Athena API does not call it MALFORMED_QUERY.
      expect(error!.syntax).toBe(false);
    }
    // Syntax errors near such words stay syntax errors.
    expect(refusal('SELECT * FROM orders LIMIT 2 WITH TIES')).toMatch(
      /^the query could not be checked: a syntax error/,
    );
    expect(refusal('SELECT range FROM orders WHERE')).toMatch(
      /^the query could not be checked: a syntax error/,
    );
    expect(refusal('SELECT 1 x y')).toMatch(/^the query could not be checked: a syntax error/);
    for (const sql of [
      'SELECT f()).x FROM orders',
      'SELECT substr(url FROM 1) FROM page_view',
      'SELECT substring(url, FROM) FROM page_view',
      'SELECT * FROM orders WHERE VALUES 1',
      'SELECT range 1 FROM orders',
      'SELECT x FROM orders ORDER BY range 1',
      'WITH t AS (SELECT x FROM orders ORDER BY range 1) SELECT * FROM t',
      'SELECT sum(x) OVER (ORDER BY y, range 1) FROM orders',
      'SELECT max(total) IGNORE NULLS FROM orders',
      'SELECT count(*) respect nulls FROM orders',
      'SELECT * FROM orders x (',
      'SELECT * FROM orders x (1)',
    ])
      expect([sql, refusal(sql)]).toEqual([
        sql,
        expect.stringMatching(/^the query could not be checked: a syntax error/),
      ]);
  });

  it('refuses an empty statement and limits the size', () => {
    expect(refusal('   ')).toMatch(/empty/);
    expect(refusal('-- nothing but a comment')).toMatch(/empty/);
    expect(refusal(`SELECT '${'x'.repeat(70_000)}'`)).toMatch(/at most 65536/);
  });
});

describe('tokenize', () => {
  it('finds the statement end and skips comments', () => {
    const lexed = tokenize("SELECT 'a;b' -- c;\n; /* tail */");
    expect(lexed.body).toBe("SELECT 'a;b' -- c;");
    expect(lexed.tokens.map((t) => t.text)).toEqual(['SELECT', "'a;b'"]);
  });
});
