/**
 * A lake whose own path has folders named key=value (a user's /home/ann/email=x/…): the local Glue runner reads
 * every input as it is — DuckDB's readers would otherwise take such a folder for a hive partition and replace the
 * file's column of that name with its value (lib/etl/duckdb-runner/readers/select-sql.ts NO_HIVE_PARTITIONS).
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { lakeTable } from '../../lib/catalog/tables';
import type { EventRecord } from '../../lib/envelope';
import { deliver, fileJob, newLake, ordersCsv, run, useReloadLakes, writeRaw, type Row } from './reload-lake';

useReloadLakes();

/** The rows a table's Parquet files hold (read without hive partitioning: the folders above would show too). */
async function tableRows(lake: string, table: string, orderBy: string): Promise<Row[]> {
  const glob = `${path.join(lake, 'curated', lakeTable(table)!.prefix)}**/*.parquet`.replaceAll("'", "''");
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await db.connect();
  try {
    return (
      await conn.runAndReadAll(
        `SELECT * FROM read_parquet('${glob}', hive_partitioning = false, union_by_name = true) ORDER BY ${orderBy}`,
      )
    ).getRowObjectsJson() as Row[];
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

async function lakeUnderFolders(): Promise<string> {
  const lake = path.join(await newLake(), 'email=wrong', 'id=wrong', 'status=wrong', 'user_id=wrong', 'lake');
  await fs.mkdir(lake, { recursive: true });
  return lake;
}

describe('a lake under folders named key=value', () => {
  it('keeps the values of uploads (JSON lines, CSV) and of streamed events', async () => {
    const lake = await lakeUnderFolders();
    const customers = await writeRaw(
      lake,
      'uploads/customers/c.jsonl',
      '{"customer_id":"c-1","email":"ann@example.com","created_at":"2026-03-01T10:00:00Z"}\n',
    );
    expect((await run(lake, fileJob('customers', customers, 'load-c'))).tables[0]).toMatchObject({
      rowsWritten: 1,
      rowsRejected: 0,
    });
    expect((await tableRows(lake, 'customers', 'customer_id')).map((r) => r.email)).toEqual([
      'ann@example.com',
    ]);

    const orders = await writeRaw(
      lake,
      'uploads/orders/o.csv',
      ordersCsv(['o1,c1,2026-03-01,paid,10,EUR,1,,2026-03-01T10:00:00Z']),
    );
    await run(lake, fileJob('orders', orders, 'load-o'));
    expect((await tableRows(lake, 'orders', 'order_id')).map((r) => r.status)).toEqual(['paid']);

    const signup: EventRecord = {
      id: 's-1',
      type: 'signup',
      line: JSON.stringify({
        id: 's-1',
        type: 'signup',
        occurred_at: '2026-03-01T10:00:00.000Z',
        received_at: '2026-03-01T10:00:00.000Z',
        data: { user_id: 'u-1', email: 'bo@example.com', plan: 'pro' },
      }),
    };
    await deliver(lake, [signup]);
    await run(lake, { '--etl_mode': 'events', '--run_id': 'compact-1' });
    expect(
      (await tableRows(lake, 'signup', 'event_id')).map((r) => [r.event_id, r.user_id, r.email]),
    ).toEqual([['s-1', 'u-1', 'bo@example.com']]);
  });
});
