/**
 * The local views read a table's files through a link to its folder (lib/query/duckdb/partition-paths.ts): only
 * the partition folders below a table's location are partitions, as in Athena. An event type with a property named
 * `type` — the key of the folder every event table lives in (tables/events/type=<name>/) — reads its stored values;
 * a lake under a folder named key=value is refused, naming the difference.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { lakeTables, type TableDef } from '../../lib/catalog/tables';
import { DuckDbQueryEngine, type LocalQueryEngineOptions } from '../../lib/query/duckdb';
import { checkQuery } from '../../lib/query/sql-guard';
import { tempLake } from '../support/raw-zone';

const DATABASE = 'data_lake_local';
const made: string[] = [];
afterAll(async () => {
  for (const dir of made) await fs.rm(dir, { recursive: true, force: true });
});

/** The project's tables, signup with one more column: `type` (a string), as a schema with that property makes it. */
function tablesWithSignupType(): TableDef[] {
  return lakeTables().map((t) =>
    t.name !== 'signup'
      ? t
      : {
          ...t,
          columns: [
            ...t.columns.filter((c) => c.name !== 'lake_schema_version'),
            { name: 'type', type: 'string', source: ['data', 'type'], required: false },
            ...t.columns.filter((c) => c.name === 'lake_schema_version'),
          ],
        },
  );
}

const options = (lakeDir: string, tables: TableDef[]): LocalQueryEngineOptions => ({
  lakeDir,
  database: DATABASE,
  tables,
  concurrency: 1,
  maxQueued: 10,
  timeoutMs: 60_000,
  maxResultRows: 1000,
  memoryLimit: '256MB',
  threads: 1,
});

async function rows(engine: DuckDbQueryEngine, tables: TableDef[], sql: string): Promise<unknown[][]> {
  const checked = checkQuery(sql, { database: DATABASE, tables: tables.map((t) => t.name), maxBytes: 65536 });
  const s = (await engine.wait((await engine.start(checked)).id, 30_000))!;
  expect([s.state, s.reason]).toEqual(['SUCCEEDED', undefined]);
  return (await engine.results(s.id, { maxRows: 1000 })).rows;
}

describe('local views: partitions are the folders below a table', () => {
  it("reads an event table's column named type as stored, not as its type=<table> folder", async () => {
    const lake = await tempLake('query-type-column');
    made.push(lake);
    const tables = tablesWithSignupType();
    const signup = tables.find((t) => t.name === 'signup')!;
    const db = await DuckDBInstance.create(':memory:', { threads: '1' });
    const writer = await db.connect();
    for (const day of ['2026-03-01', '2026-03-02']) {
      const dir = path.join(lake, 'curated', signup.prefix, `event_date=${day}`);
      await fs.mkdir(dir, { recursive: true });
      await writer.run(
        `COPY (SELECT 's-${day}' AS event_id, TIMESTAMP '${day} 10:00:00' AS occurred_at, ` +
          `TIMESTAMP '${day} 10:00:00' AS received_at, 'u-1' AS user_id, 'a@example.com' AS email, 'pro' AS plan, ` +
          `'referral-${day}' AS type, CAST(1 AS BIGINT) AS lake_schema_version) ` +
          `TO '${path.join(dir, 'part-0.parquet')}' (FORMAT parquet)`,
      );
    }
    writer.closeSync();
    db.closeSync();

    const engine = await DuckDbQueryEngine.open(options(lake, tables));
    try {
      expect(await rows(engine, tables, 'SELECT event_id, type, event_date FROM signup ORDER BY 1')).toEqual([
        ['s-2026-03-01', 'referral-2026-03-01', '2026-03-01'],
        ['s-2026-03-02', 'referral-2026-03-02', '2026-03-02'],
      ]);
      const one = await rows(engine, tables, "SELECT type FROM signup WHERE event_date = '2026-03-02'");
      expect(one).toEqual([['referral-2026-03-02']]);
    } finally {
      await engine.close();
    }
  });

  it('names a file it cannot read by its path in the lake (curated/tables/…), not by the link the view reads', async () => {
    const lake = await tempLake('query-damaged-file');
    made.push(lake);
    const tables = lakeTables();
    const orders = tables.find((t) => t.name === 'orders')!;
    const dir = path.join(lake, 'curated', orders.prefix, 'dt=2026-03-01');
    await fs.mkdir(dir, { recursive: true });
    const file = path.join(dir, 'part-0.parquet');
    const db = await DuckDBInstance.create(':memory:', { threads: '1' });
    const writer = await db.connect();
    await writer.run(
      `COPY (SELECT 'o-' || i AS order_id, i * 1.5 AS amount FROM range(2000) t(i)) TO '${file}' ` +
        '(FORMAT parquet, COMPRESSION zstd)',
    );
    writer.closeSync();
    db.closeSync();
    // Damaged on disk after the lake wrote it: bytes of its data pages overwritten (the footer still reads).
    const bytes = await fs.readFile(file);
    bytes.fill(0xab, 64, 1024);
    await fs.writeFile(file, bytes);

    const engine = await DuckDbQueryEngine.open(options(lake, tables));
    try {
      const checked = checkQuery('SELECT count(DISTINCT order_id), sum(amount) FROM orders', {
        database: DATABASE,
        tables: tables.map((t) => t.name),
        maxBytes: 65536,
      });
      const s = (await engine.wait((await engine.start(checked)).id, 30_000))!;
      expect(s.state).toBe('FAILED');
      expect(s.reason).toContain(await fs.realpath(file));
      expect(s.reason).not.toContain(`${path.sep}links${path.sep}`);
    } finally {
      await engine.close();
    }
  });

  it('refuses a lake under a folder named key=value, saying why', async () => {
    const root = await tempLake('query-lake-path');
    made.push(root);
    const lake = path.join(root, 'email=x', 'lake');
    await fs.mkdir(lake, { recursive: true });
    await expect(DuckDbQueryEngine.open(options(lake, lakeTables()))).rejects.toThrow(
      /under a folder named like a partition \('email=x', in .*\): DuckDB would read it as a column of every table, which Athena does not/,
    );
  });
});
