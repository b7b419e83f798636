/**
 * The generated lake against the real ETL's output: runEtlJob writes a small sample of every table, and each table's
 * Parquet schema, codec and layout are compared with the generated files.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { lakeTables, type TableDef } from '../../lib/catalog/tables';
import { prepareEvents } from '../../lib/envelope';
import { runEtlJob } from '../../lib/etl/duckdb-runner';
import { LocalFirehose } from '../../lib/firehose/local';
import layout from '../../lib/lake-layout.json';
import { generateBodies } from '../events';
import { type BenchContext } from '../report';
import { DatasetTable, sqlString } from './shape';
import { Manifest, listFiles } from './kept-lake';

export interface FileShape {
  /** Parquet schema: name, physical type, converted type, logical type; in order. */
  schema: string[];
  codecs: string[];
}

export async function fileShape(conn: DuckDBConnection, file: string): Promise<FileShape> {
  const schema = (
    await (
      await conn.runAndReadAll(
        `SELECT name, type, converted_type, logical_type FROM parquet_schema(${sqlString(file)})`,
      )
    ).getRowsJS()
  )
    .slice(1) // the root
    .map((r) => r.map((v) => String(v ?? '')).join(' '));
  const codecs = (
    await (
      await conn.runAndReadAll(
        `SELECT DISTINCT compression FROM parquet_metadata(${sqlString(file)}) ORDER BY ALL`,
      )
    ).getRowsJS()
  ).map((r) => String(r[0]));
  return { schema, codecs };
}

/** Runs the real ETL on a few rows of every table into a scratch lake; returns one curated file per table. */
export async function etlReference(ctx: BenchContext, workDir: string): Promise<Map<string, string>> {
  const lake = path.join(workDir, 'reference');
  const stream = await LocalFirehose.open({
    lakeDir: lake,
    streamName: 'events',
    bufferBytes: 16 * 1024 * 1024,
    bufferIntervalMs: 3_600_000,
  });
  for (const body of generateBodies(2, 300, 7).bodies) {
    const records = prepareEvents(JSON.parse(body.toString('utf8')), {
      maxEvents: 500,
      maxFutureSkewSeconds: 86_400,
    });
    await stream.putRecords(records);
  }
  await stream.close();
  const opts = { lakeDir: lake, threads: 1, memoryLimit: '256MB' };
  await runEtlJob({ '--etl_mode': 'events', '--run_id': 'ref-events' }, opts);
  const uploads: [DatasetTable, string, string][] = [
    [
      'orders',
      'uploads/orders/orders.csv',
      'order_id,customer_id,order_date,status,amount,currency,item_count,coupon,updated_at\n' +
        'ord-1,user-1,2026-01-02,paid,12.50,EUR,2,,2026-01-02T10:00:00Z\n',
    ],
    [
      'customers',
      'uploads/customers/customers.jsonl',
      JSON.stringify({
        customer_id: 'user-1',
        email: 'anna.meyer1@example.com',
        name: 'Anna Meyer',
        country: 'DE',
        segment: 'vip',
        marketing_opt_in: true,
        lifetime_value: 12.5,
        created_at: '2026-01-01T00:00:00Z',
        updated_at: '2026-01-02T00:00:00Z',
      }) + '\n',
    ],
  ];
  for (const [table, key, text] of uploads) {
    await fs.mkdir(path.dirname(path.join(lake, 'raw', key)), { recursive: true });
    await fs.writeFile(path.join(lake, 'raw', key), text);
    await runEtlJob(
      {
        '--etl_mode': 'file',
        '--table': table,
        '--inputs': JSON.stringify([key]),
        '--run_id': `ref-${table}`,
      },
      opts,
    );
  }
  const out = new Map<string, string>();
  const curated = path.join(lake, 'curated');
  for (const f of await listFiles(curated)) {
    if (!f.path.endsWith('.parquet') || !f.path.startsWith(layout.curated.tablesPrefix)) continue;
    const table = lakeTables().find((t) => f.path.startsWith(t.prefix));
    if (table && !out.has(table.name)) out.set(table.name, path.join(curated, f.path));
  }
  ctx.progress(`query: the ETL wrote reference files for ${[...out.keys()].join(', ')}`);
  return out;
}

/** Layout problems of the generated lake, compared with the ETL's reference files. */
export async function layoutProblems(
  lakeDir: string,
  manifest: Manifest,
  tables: TableDef[],
  reference: Map<string, string>,
): Promise<string[]> {
  const problems: string[] = [];
  const curated = path.join(lakeDir, 'curated');
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await instance.connect();
  try {
    for (const table of tables) {
      const key = table.partitionKeys[0]!.name;
      const mine = manifest.files.filter((f) => f.path.startsWith(table.prefix));
      const byPartition = new Map<string, number>();
      for (const f of mine) {
        const rel = f.path.slice(table.prefix.length);
        const m = new RegExp(`^${key}=(\\d{4}-\\d{2}-\\d{2})/part-0-[A-Za-z0-9._-]+\\.parquet$`).exec(rel);
        if (!m) problems.push(`${table.name}: unexpected file ${f.path}`);
        const part = rel.split('/')[0]!;
        byPartition.set(part, (byPartition.get(part) ?? 0) + 1);
      }
      if (mine.length === 0) problems.push(`${table.name}: no files`);
      for (const [part, n] of byPartition) if (n !== 1) problems.push(`${table.name}/${part}: ${n} files`);
      const ref = reference.get(table.name);
      if (!ref) {
        problems.push(`${table.name}: the ETL wrote no reference file`);
        continue;
      }
      const refRel = path.relative(path.join(path.dirname(ref), '..'), ref);
      if (!new RegExp(`^${key}=[^/]+/part-0-[A-Za-z0-9._-]+\\.parquet$`).test(refRel)) {
        problems.push(`${table.name}: the ETL's file is laid out as ${refRel}; the generator's differ`);
      }
      const want = await fileShape(conn, ref);
      const sample = mine[Math.floor(mine.length / 2)];
      if (!sample) continue;
      const got = await fileShape(conn, path.join(curated, sample.path));
      if (want.schema.join('\n') !== got.schema.join('\n')) {
        problems.push(
          `${table.name}: Parquet schema differs from the ETL's — ETL [${want.schema.join('; ')}], ` +
            `generated [${got.schema.join('; ')}]`,
        );
      }
      if (want.codecs.join() !== got.codecs.join()) {
        problems.push(`${table.name}: codecs ${got.codecs.join(', ')}, the ETL's ${want.codecs.join(', ')}`);
      }
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  return problems;
}
