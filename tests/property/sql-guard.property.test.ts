/**
 * Property-based tests of the query API's read-only guard (lib/query/sql-guard/): generated SELECTs over the
 * lake's tables (lib/catalog/tables.ts) are allowed; the same SELECTs followed by a forbidden statement, wrapped in
 * a write, or reading a table outside the lake are refused with QueryNotAllowedError (the API's 400
 * QUERY_NOT_ALLOWED); and arbitrary text never makes the guard throw anything else, nor hang.
 */
import fc from 'fast-check';
import { lakeTables } from '../../lib/catalog/tables';
import { checkQuery, QueryNotAllowedError } from '../../lib/query/sql-guard';

const DATABASE = 'data_lake_prod';
const TABLES = lakeTables();
const OPTS = { database: DATABASE, tables: TABLES.map((t) => t.name), maxBytes: 64 * 1024 };
const SEED = 20261124;
const RUNS = 150;

/** The guard's verdict: the checked query, or its refusal; anything else thrown fails the test. */
function verdict(sql: string): { allowed: { sql: string; tables: string[] } } | { refused: string } {
  try {
    return { allowed: checkQuery(sql, OPTS) as unknown as { sql: string; tables: string[] } };
  } catch (e) {
    if (e instanceof QueryNotAllowedError) {
      expect(e.reason.length).toBeGreaterThan(0);
      return { refused: e.reason };
    }
    throw new Error(`the guard threw ${String(e)} for ${JSON.stringify(sql)}`);
  }
}

const expectRefused = (sql: string) => {
  const v = verdict(sql);
  if ('allowed' in v) throw new Error(`allowed: ${sql}`);
};

// --- generated SELECTs over the lake's tables

const ident = (name: string) => fc.constantFrom(name, `"${name}"`);
const stringLiteral = fc.string({ maxLength: 12 }).map((s) => `'${s.replace(/'/g, "''")}'`);
const numberLiteral = fc.oneof(
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
  fc.double({ min: 0, max: 1e6, noNaN: true }).map((x) => x.toFixed(2)),
);

interface Generated {
  sql: string;
  table: string;
}

const select: fc.Arbitrary<Generated> = fc.constantFrom(...TABLES).chain((t) => {
  const columns = [...t.columns.map((c) => c.name), ...t.partitionKeys.map((p) => p.name)];
  const column = fc.constantFrom(...columns).chain(ident);
  const tableRef = fc.constantFrom(
    t.name,
    `"${t.name}"`,
    `${DATABASE}.${t.name}`,
    `"${DATABASE}"."${t.name}"`,
    `AwsDataCatalog.${DATABASE}.${t.name}`,
  );
  /** The select list, and what it needs: a GROUP BY column, or none (an aggregate-only list cannot be ORDERed). */
  const projection = fc.oneof(
    fc.constant({ list: '*', group: null as string | null, aggregate: false }),
    fc
      .uniqueArray(column, { minLength: 1, maxLength: 4 })
      .map((cs) => ({ list: cs.join(', '), group: null, aggregate: false })),
    column.map((c) => ({ list: `count(*) AS n, max(${c}) AS m`, group: null, aggregate: true })),
    column.map((c) => ({ list: `${c}, count(*) AS n`, group: c, aggregate: true })),
  );
  const condition = fc.oneof(
    fc
      .tuple(column, fc.constantFrom('=', '<>', '<', '>=', 'LIKE'), stringLiteral)
      .map(([c, op, v]) => `${c} ${op} ${v}`),
    fc.tuple(column, fc.constantFrom('=', '>', '<='), numberLiteral).map(([c, op, v]) => `${c} ${op} ${v}`),
    column.map((c) => `${c} IS NOT NULL`),
    fc
      .tuple(column, fc.array(stringLiteral, { minLength: 1, maxLength: 3 }))
      .map(([c, vs]) => `${c} IN (${vs.join(', ')})`),
  );
  const where = fc.option(
    fc.array(condition, { minLength: 1, maxLength: 3 }).map((cs) => ` WHERE ${cs.join(' AND ')}`),
    { nil: '' },
  );
  const limit = fc.option(
    fc.integer({ min: 1, max: 100_000 }).map((n) => ` LIMIT ${n}`),
    { nil: '' },
  );
  return fc
    .tuple(projection, tableRef, where, limit, column, fc.boolean(), fc.boolean())
    .map(([p, ref, w, l, c, order, cte]) => {
      const grouped = p.group ? ` GROUP BY ${p.group}` : '';
      const ordered = order && !p.aggregate ? ` ORDER BY ${c}` : '';
      const core = `SELECT ${p.list} FROM ${ref}${w}${grouped}${ordered}${l}`;
      return { sql: cte ? `WITH q AS (${core}) SELECT * FROM q` : core, table: t.name };
    });
});

const FORBIDDEN = [
  'DROP TABLE orders',
  'DELETE FROM orders',
  "INSERT INTO orders (order_id) VALUES ('x')",
  'UPDATE orders SET amount = 0',
  'CREATE TABLE t AS SELECT 1',
  "COPY orders TO '/tmp/x.csv'",
  "ATTACH '/tmp/x.db' AS x",
  'INSTALL httpfs',
  'LOAD httpfs',
  'PRAGMA database_list',
  'SET enable_external_access = true',
  'SELECT 1',
  "SELECT * FROM read_csv('/etc/passwd')",
  'CALL pragma_version()',
  'ALTER TABLE orders RENAME TO x',
];

const OUTSIDE = [
  'otherdb.orders',
  'information_schema.views',
  '"information_schema"."schemata"',
  'pg_catalog.pg_tables',
  'system.runtime.nodes',
  '"awsdatacatalog"."x"."y"',
  'AwsDataCatalog.otherdb.orders',
  'memory.main.orders',
  'main.orders',
  'sqlite_master',
  'duckdb_settings()',
  "read_csv('/etc/passwd')",
  "read_parquet('curated/**/*.parquet')",
  "'/etc/passwd'",
  "glob('/*')",
  'not_a_lake_table',
];

describe('the SQL guard (property-based)', () => {
  it('generated SELECTs over lake tables are allowed and report the table they read', () => {
    fc.assert(
      fc.property(select, ({ sql, table }) => {
        const v = verdict(sql);
        if ('refused' in v) throw new Error(`refused ${sql}: ${v.refused}`);
        expect(v.allowed.tables).toEqual([table]);
        expect(v.allowed.sql).toBe(sql);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('the same SELECTs with a statement after ";" are refused (also behind comments and newlines)', () => {
    fc.assert(
      fc.property(
        select,
        fc.constantFrom(...FORBIDDEN),
        fc.constantFrom(';', ';\n', ' ; ', '; -- x\n', ';/* a */', '/* ; */;'),
        ({ sql }, stmt, sep) => {
          expectRefused(`${sql}${sep}${stmt}`);
          expectRefused(`${sql}${sep}${stmt};`);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('the same SELECTs wrapped in a write are refused', () => {
    fc.assert(
      fc.property(
        select,
        fc.constantFrom(
          (s: string) => `INSERT INTO orders ${s}`,
          (s: string) => `INSERT INTO new_table ${s}`,
          (s: string) => `CREATE TABLE copy AS ${s}`,
          (s: string) => `CREATE OR REPLACE TABLE copy AS ${s}`,
          (s: string) => `CREATE VIEW v AS ${s}`,
          (s: string) => `CREATE TEMP TABLE t AS ${s}`,
          (s: string) => `COPY (${s}) TO '/tmp/out.parquet' (FORMAT parquet)`,
          (s: string) => `UNLOAD (${s}) TO 's3://bucket/prefix/' WITH (format = 'PARQUET')`,
          (s: string) => `EXPLAIN ANALYZE ${s}`,
          (s: string) => `PREPARE p AS ${s}`,
          (s: string) => `EXPORT DATABASE '/tmp/x'; ${s}`,
        ),
        ({ sql }, wrap) => expectRefused(wrap(sql)),
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('the same SELECTs reading a table or catalog outside the lake are refused', () => {
    fc.assert(
      fc.property(
        select,
        fc.constantFrom(...OUTSIDE),
        fc.constantFrom('replace', 'join', 'union', 'subquery'),
        ({ sql, table }, outside, how) => {
          const from = new RegExp(`FROM (AwsDataCatalog\\.)?("?${DATABASE}"?\\.)?"?${table}"?`);
          let bad: string;
          switch (how) {
            case 'replace':
              bad = sql.replace(from, `FROM ${outside}`);
              break;
            case 'join':
              bad = sql.replace(from, (m) => `${m} CROSS JOIN ${outside}`);
              break;
            case 'union':
              bad = `${sql.replace(/ LIMIT \d+$/, '')} UNION ALL SELECT * FROM ${outside}`;
              break;
            default:
              bad = `SELECT * FROM (SELECT * FROM ${outside}) AS s WHERE EXISTS (${sql})`;
          }
          expect(bad).not.toBe(sql);
          expectRefused(bad);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('arbitrary text never makes the guard throw anything but its refusal, and it answers quickly', () => {
    const sqlish = fc
      .array(
        fc.oneof(
          fc.constantFrom(
            'SELECT',
            '*',
            'FROM',
            'orders',
            'page_view',
            ';',
            'DROP',
            'TABLE',
            '--',
            '/*',
            '*/',
            "'",
            '"',
            '(',
            ')',
            'read_csv',
            "'/etc/passwd'",
            '\n',
            ',',
            'WITH',
            'x',
            'AS',
            'UNION',
            'ALL',
            'INSERT',
            'INTO',
            'main',
            '.',
            'getenv',
            'E',
            '$$',
            '?',
            '\\',
            '`',
            'U&',
            'CAST',
            'AT',
            'TIME',
            'ZONE',
            'ARRAY',
            '[',
            ']',
            '->',
            'LIMIT',
            '1',
            'WHERE',
            '=',
            'ATTACH',
            'COPY',
            'TO',
            'information_schema',
            'data_lake_prod',
            '\u0000',
            '；',
            'ｓｅｌｅｃｔ',
          ),
          fc.string({ maxLength: 6 }),
        ),
        { maxLength: 40 },
      )
      .map((parts) => parts.join(' '));
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ maxLength: 200 }), sqlish),
        (text) => {
          const started = Date.now();
          const v = verdict(text);
          expect(Date.now() - started).toBeLessThan(2000);
          if ('allowed' in v) {
            // Whatever passes is one SELECT/WITH statement over lake tables only.
            expect(
              /^\(*\s*(select|with)\b/i.test(v.allowed.sql.replace(/^(\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*/, '')),
            ).toBe(true);
            for (const t of v.allowed.tables) expect(OPTS.tables).toContain(t);
          }
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('deeply nested or very long text is refused, not a crash', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 65, max: 5000 }),
        fc.constantFrom('(', '((SELECT ', 'SELECT (', 'SELECT * FROM ('),
        (n, unit) => {
          expectRefused(unit.repeat(n) + '1' + ')'.repeat(n));
        },
      ),
      { seed: SEED, numRuns: 30 },
    );
    expectRefused(`SELECT '${'x'.repeat(70 * 1024)}'`);
    // Long operator chains: an AST deeper than the checker's stack.
    fc.assert(
      fc.property(
        fc.integer({ min: 15_000, max: 25_000 }),
        fc.constantFrom('1+', "'a'||", '1*', 'x OR '),
        (n, op) => {
          expectRefused('SELECT ' + op.repeat(n) + '1');
        },
      ),
      { seed: SEED, numRuns: 8 },
    );
  });
});
