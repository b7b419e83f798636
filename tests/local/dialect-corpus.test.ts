/**
 * The differential dialect corpus (./dialect-corpus.data.ts) and the metadata statements, on one local engine over
 * an empty lake, through the path POST /queries takes: the read-only guard, then the engine.
 */
import { promises as fs } from 'node:fs';
import { lakeTables } from '../../lib/catalog/tables';
import { DuckDbQueryEngine } from '../../lib/query/duckdb';
import { checkQuery } from '../../lib/query/sql-guard';
import type { QueryStatus, ResultPage } from '../../lib/query/types';
import { openTestQueryEngine, TEST_DATABASE } from '../support/query-engine';
import { tempLake } from '../support/raw-zone';
import { CORPUS } from './dialect-corpus.data';

const DATABASE = TEST_DATABASE;
const tables = lakeTables();
let lake: string;
let engine: DuckDbQueryEngine;

beforeAll(async () => {
  lake = await tempLake('dialect-corpus');
  engine = await openTestQueryEngine(lake, tables, { maxQueued: 100 });
}, 60_000);

afterAll(async () => {
  await engine?.close();
  await fs.rm(lake, { recursive: true, force: true });
});

async function run(sql: string): Promise<{ status: QueryStatus; page?: ResultPage }> {
  const checked = checkQuery(sql, {
    database: DATABASE,
    tables: [...tables.map((t) => t.name), 'lake_rejected'],
    maxBytes: 65536,
  });
  const started = await engine.start(checked);
  const status = (await engine.wait(started.id, 30_000))!;
  if (status.state !== 'SUCCEEDED') return { status };
  return { status, page: await engine.results(status.id, { maxRows: 1000 }) };
}

describe('dialect corpus: Athena/Trino documented answers on the local engine', () => {
  it.each(CORPUS.map((e) => [e.sql, e] as const))('%s', async (_sql, entry) => {
    const { status, page } = await run(entry.sql);
    if (entry.refused) {
      expect(status.state).toBe('FAILED');
      expect(status.reason).toMatch(entry.refused);
      return;
    }
    expect([status.state, status.reason]).toEqual(['SUCCEEDED', undefined]);
    expect(page!.rows).toEqual(entry.rows);
    if (entry.types) expect(page!.columns.map((c) => c.type)).toEqual(entry.types);
  });
});

/** Athena's pages for the metadata statements (each answers one varchar column, one row per line). */
const DOCS = {
  showTables: 'https://docs.aws.amazon.com/athena/latest/ug/show-tables.html',
  showColumns: 'https://docs.aws.amazon.com/athena/latest/ug/show-columns.html',
  describe: 'https://docs.aws.amazon.com/athena/latest/ug/describe-table.html',
  showPartitions: 'https://docs.aws.amazon.com/athena/latest/ug/show-partitions.html',
  showCreateTable: 'https://docs.aws.amazon.com/athena/latest/ug/show-create-table.html',
  informationSchema: 'https://docs.aws.amazon.com/athena/latest/ug/querying-glue-catalog.html',
};

const column = async (sql: string) => {
  const { status, page } = await run(sql);
  expect([status.state, status.reason]).toEqual(['SUCCEEDED', undefined]);
  expect(page!.columns).toHaveLength(1);
  return { name: page!.columns[0]!.name, lines: page!.rows.map((r) => r[0]) };
};

describe('metadata statements: Athena result shapes on the local engine', () => {
  const names = [...tables.map((t) => t.name), 'lake_rejected'].sort();

  it(`SHOW TABLES [IN db] ['pattern']: tab_name, sorted; * and | as Hive reads them (${DOCS.showTables})`, async () => {
    expect(await column('SHOW TABLES')).toEqual({ name: 'tab_name', lines: names });
    expect(await column(`SHOW TABLES IN ${DATABASE} '*order*'`)).toEqual({
      name: 'tab_name',
      lines: ['order_placed', 'orders'],
    });
    expect((await column("SHOW TABLES LIKE 'PAGE_VIEW|signup'")).lines).toEqual(['page_view', 'signup']);
    expect((await column("SHOW TABLES 'nothing*'")).lines).toEqual([]);
    // A pattern that is no regular expression: a reason in words, not JavaScript's.
    const bad = await run("SHOW TABLES LIKE '['");
    expect([bad.status.state, bad.status.reason]).toEqual([
      'FAILED',
      expect.stringMatching(/^SHOW TABLES LIKE '\[': '\[' is not a pattern Hive reads/),
    ]);
    // One that would backtrack for hours over a name (the lake's only thread): refused before it runs.
    const slow = await run("SHOW TABLES LIKE '(*){18}!'");
    expect([slow.status.state, slow.status.reason]).toEqual([
      'FAILED',
      expect.stringMatching(
        /not matched locally: a repeated group holds a repetition .*write a simpler pattern/,
      ),
    ]);
    const optional = await run(`SHOW TABLES LIKE '${'.?'.repeat(31)}x'`);
    expect([optional.status.state, optional.status.reason]).toEqual([
      'FAILED',
      expect.stringMatching(/not matched locally: it holds more than 6 repetitions of variable length/),
    ]);
  });

  it(`SHOW COLUMNS: field, data columns then partition keys (${DOCS.showColumns})`, async () => {
    const pv = tables.find((t) => t.name === 'page_view')!;
    const { name, lines } = await column(`SHOW COLUMNS FROM ${DATABASE}.page_view`);
    expect(name).toBe('field');
    expect(lines.map((l) => String(l).trimEnd())).toEqual([...pv.columns.map((c) => c.name), 'event_date']);
  });

  it(`DESCRIBE: col_name, Hive's name/type/comment lines and the partition section (${DOCS.describe})`, async () => {
    const { name, lines } = await column('DESCRIBE orders');
    expect(name).toBe('col_name');
    const split = lines.map((l) =>
      String(l)
        .split('\t')
        .map((f) => f.trim()),
    );
    expect(split[0]!.slice(0, 2)).toEqual(['order_id', 'string']);
    const section = split.findIndex((f) => f[0] === '# Partition Information');
    expect(section).toBeGreaterThan(0);
    expect(split[section + 1]).toEqual(['# col_name', 'data_type', 'comment']);
    expect(split[split.length - 1]!.slice(0, 2)).toEqual(['dt', 'string']);
  });

  it(`SHOW PARTITIONS: none, as Athena lists only partitions registered in Glue, not projected ones (${DOCS.showPartitions})`, async () => {
    expect(await column('SHOW PARTITIONS page_view')).toEqual({ name: 'partition', lines: [] });
  });

  it(`SHOW CREATE TABLE: createtab_stmt, the Hive DDL of the Glue TableInput (${DOCS.showCreateTable})`, async () => {
    const { name, lines } = await column('SHOW CREATE TABLE orders');
    expect(name).toBe('createtab_stmt');
    expect(lines[0]).toBe(`CREATE EXTERNAL TABLE \`${DATABASE}.orders\`(`);
    expect(lines).toContain('PARTITIONED BY ( ');
    expect(lines).toContain("  'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' ");
    const location = lines[lines.indexOf('LOCATION') + 1];
    expect(location).toMatch(/^ {2}'file:\/\/.*\/curated\/tables\/datasets\/orders\/'$/);
    expect(lines).toContain("  'projection.enabled'='true', ");
    expect(lines[lines.length - 1]).toMatch(/^ {2}'.*'='.*'\)$/);
  });

  it(`information_schema.tables and .columns: the lake's database only, Trino's type names (${DOCS.informationSchema})`, async () => {
    const t = await run(
      `SELECT table_catalog, table_schema, table_name, table_type FROM information_schema.tables ORDER BY table_name`,
    );
    expect(t.page!.rows).toEqual(names.map((n) => ['awsdatacatalog', DATABASE, n, 'BASE TABLE']));
    const c = await run(
      `SELECT column_name, ordinal_position, data_type, extra_info FROM AwsDataCatalog.information_schema.columns
       WHERE table_schema = '${DATABASE}' AND table_name = 'orders' AND column_name IN ('order_id', 'amount', 'updated_at', 'dt')
       ORDER BY ordinal_position`,
    );
    expect(c.page!.rows).toEqual([
      ['order_id', 1, 'varchar', null],
      ['amount', expect.any(Number), 'double', null],
      ['updated_at', expect.any(Number), 'timestamp(3)', null],
      ['dt', 13, 'varchar', 'partition key'],
    ]);
  });
});
