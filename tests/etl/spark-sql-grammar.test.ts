/**
 * The plans' SQL as Spark reads it. The Glue job hands every plan statement to spark.sql() (resources/glue/
 * etl_job.py), which cannot run here: each is parsed with Spark SQL's grammar (dt-sql-parser's SparkSQL, ANTLR from
 * Spark's SqlBaseLexer/SqlBaseParser), and each string literal the plans write (lib/etl/column-rules.ts literal) is
 * read back through Spark's lexer — with spark.sql.parser.escapedStringLiterals, as the job sets it, a literal's value
 * is the text between its quotes — and through DuckDB, the local engine: both must give the value written.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { SparkSQL } from 'dt-sql-parser';
import { lakeTable, lakeTables, type TableDef } from '../../lib/catalog/tables';
import { literal } from '../../lib/etl/column-rules';
import { buildPlan } from '../../lib/etl/plan';

const spark = new SparkSQL();
let db: DuckDBInstance;
let conn: DuckDBConnection;

beforeAll(async () => {
  db = await DuckDBInstance.create(':memory:', { threads: '1' });
  conn = await db.connect();
});
afterAll(() => {
  conn.closeSync();
  db.closeSync();
});

/** Every statement of a plan that the Glue job runs with spark.sql(). */
function sparkStatements(t: TableDef): [string, string][] {
  const p = buildPlan(t);
  return [
    ['typedSql', p.typedSql],
    ['rejectedSql.spark', p.rejectedSql.spark],
    ['mergeSql', p.mergeSql],
    ['reloadMergeSql', p.reloadMergeSql],
    ['existingSql', p.existingSql],
    ...(p.conflicts
      ? ([
          ['conflicts.countSql', p.conflicts.countSql],
          ['conflicts.recordsSql.spark', p.conflicts.recordsSql.spark],
        ] as [string, string][])
      : []),
  ];
}

function syntaxErrors(t: TableDef): string[] {
  return sparkStatements(t).flatMap(([name, sql]) =>
    // The first error of a statement: the parser's recovery reports the rest of it as errors too.
    spark
      .validate(sql)
      .slice(0, 1)
      .map((e) => {
        const line = sql.split('\n')[e.startLine - 1] ?? '';
        return `${t.name}.${name} ${e.startLine}:${e.startColumn}: ${e.message} | ${line.trim().slice(0, 200)}`;
      }),
  );
}

/** A literal's value as Spark reads it: its string tokens' texts (escapedStringLiterals) and chr(n)s, concatenated. */
function sparkValue(expr: string): string {
  const tokens = spark
    .getAllTokens(`SELECT ${expr}`)
    .map((t) => t.text ?? '')
    .filter((t) => t.trim() !== '')
    .slice(1); // SELECT
  let out = '';
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.startsWith("'")) {
      expect(t.endsWith("'") && t.length >= 2).toBe(true);
      out += t.slice(1, -1);
    } else if (t.toLowerCase() === 'chr') {
      expect([tokens[i + 1], tokens[i + 3]]).toEqual(['(', ')']);
      out += String.fromCharCode(Number(tokens[i + 2]));
      i += 3;
    } else expect(['(', ')', '||']).toContain(t);
  }
  return out;
}

const TRICKY = [
  'plain',
  "don't",
  "'",
  "''",
  '\\',
  'a\\',
  'a\\\\',
  'a\\\\\\',
  "\\'",
  "a\\'b",
  "^[a-zA-Z0-9\\!\\#\\$\\%\\&\\'\\*\\+\\/\\=\\?\\^\\_\\`\\{\\|\\}\\~\\-]+$",
  "o'neil\\",
  "\\\\'\\\\'",
];

describe("Spark's reading of the plans", () => {
  it('reads every string literal the plans write as the value written, as DuckDB does', async () => {
    for (const value of TRICKY) {
      const expr = literal(value, 'test');
      expect({ value, spark: sparkValue(expr) }).toEqual({ value, spark: value });
      const duck = (await conn.runAndReadAll(`SELECT ${expr} AS v`)).getRowObjectsJson()[0]!.v;
      expect({ value, duckdb: duck }).toEqual({ value, duckdb: value });
    }
  });

  it("parses every statement of every lake table's plan", () => {
    const tables = lakeTables();
    expect(tables.length).toBeGreaterThan(0);
    expect(tables.flatMap(syntaxErrors)).toEqual([]);
  });

  it('parses plans whose patterns and enum values hold quotes and backslashes', () => {
    const customers = lakeTable('customers')!;
    const quoted: TableDef = {
      ...customers,
      columns: customers.columns.map((c) =>
        c.type === 'string' && c.name !== 'customer_id'
          ? { ...c, pattern: "^[A-Za-z' \\\\-]+\\\\$", enum: ["o'neil\\", 'back\\slash\\\\', "'"] }
          : c,
      ),
    };
    expect(syntaxErrors(quoted)).toEqual([]);
  });
});
