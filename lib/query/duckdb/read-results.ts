/**
 * One reading of a local query: its statement made DuckDB's (the dialect rewrites, then the rewrites that need
 * DuckDB's binder), checked by DuckDB's own parser (exactly one statement, a SELECT) and against what Athena refuses,
 * then streamed into the query's results file (results.ts reads its pages), a JSON line of cells per row.
 * The file and the prepared statement are closed whatever happens. The engine (engine.ts) syncs the views first and
 * runs it again when an ETL run replaced a file it named.
 */
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { StatementType, type DuckDBConnection } from '@duckdb/node-api';
import type { TableDef } from '../../catalog/tables';
import type { CheckedQuery, ResultColumn } from '../types';
import { refuseFunctionsAthenaLacks, refuseWhatAthenaRefuses } from './athena-refusals';
import { chunkCells } from './cells';
import { athenaColumnNames } from './column-names';
import { IntervalColumns } from './intervals';
import { refuseDeepSubqueries } from './subquery-depth';
import { currentQueryId } from './scanned';
import { typedRewrites } from './typed-rewrites';
import { trinoType } from './values';

export interface QueryReading {
  query: CheckedQuery;
  /** The lake's current tables. */
  tables: TableDef[];
  /** The statement DuckDB runs for the query's SQL (the dialect rewrites, or a metadata statement's answer). */
  duckDbSql: (sql: string) => string;
  /** LAKE_QUERY_MAX_RESULT_ROWS. */
  maxResultRows: number;
  /** LAKE_QUERY_MAX_RESULT_BYTES: of the results file, checked row by row before anything over it is built. */
  maxResultBytes: number;
  /** True once the query is cancelled, timed out or the lake stops: the reading ends at the next chunk. */
  stopped: () => boolean;
  /** Told the statement DuckDB runs, once known (the query's record keeps it). */
  onDuckDbSql: (sql: string) => void;
}

export interface QueryRead {
  /** DuckDB's query id before this one's statement (scanned.ts counts the files read after it). */
  before: number;
  columns: ResultColumn[];
  intervals: IntervalColumns;
  rows: number;
}

/** Bytes of result lines written to the results file at once. */
const WRITE_BYTES = 16 * 1024 * 1024;

/** Reads the query into `tmpResults`. */
export async function readQueryInto(
  c: DuckDBConnection,
  r: QueryReading,
  tmpResults: string,
): Promise<QueryRead> {
  let out: FileHandle | undefined;
  let preparedStatement: { destroySync(): void } | undefined;
  try {
    refuseFunctionsAthenaLacks(r.query);
    refuseDeepSubqueries(r.query);
    // UNNEST of rows, maps or several arrays as Trino reads it; dates from date arithmetic on dates, integers
    // from floor/ceil of integers, … as on Athena (DuckDB's binder tells the operands' types).
    const sql = await typedRewrites(c, r.duckDbSql(r.query.sql));
    r.onDuckDbSql(sql);
    const before = await currentQueryId(c);
    // DuckDB's own parser must agree: exactly one statement, a SELECT.
    const extracted = await c.extractStatements(sql);
    if (extracted.count !== 1) throw new Error(`expected one statement, DuckDB found ${extracted.count}`);
    const prepared = await extracted.prepare(0).catch(async (e: unknown) => {
      // A statement DuckDB's binder refuses may be one Athena refuses too (contains(ARRAY['1'], 1)): Athena's
      // refusal, naming the difference, rather than the binder's words.
      await refuseWhatAthenaRefuses(c, sql, r.query, r.tables);
      throw e;
    });
    preparedStatement = prepared;
    if (prepared.statementType !== StatementType.SELECT) {
      throw new Error('only SELECT statements are allowed (DuckDB read another statement type)');
    }
    await refuseWhatAthenaRefuses(c, sql, r.query, r.tables);
    // Before the stream: the connection runs one statement at a time.
    const names = await athenaColumnNames(
      c,
      sql,
      Array.from({ length: prepared.columnCount }, (_, i) => prepared.columnName(i)),
    );
    const result = await prepared.stream();
    const types = result.columnTypes();
    const columns = names.map((name, i) => ({ name, type: trinoType(types[i]!) }));
    const intervals = new IntervalColumns(types);
    out = await fs.open(tmpResults, 'w');
    let rows = 0;
    let bytes = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (r.stopped()) throw new Error('stopped');
      if (!chunk || chunk.rowCount === 0) break;
      rows += chunk.rowCount;
      if (rows > r.maxResultRows) {
        throw new Error(
          `the result has more than ${r.maxResultRows} rows (LAKE_QUERY_MAX_RESULT_ROWS); add a LIMIT or aggregate`,
        );
      }
      const cells = chunkCells(chunk, types);
      intervals.observe(cells);
      // Written WRITE_BYTES at a time: a chunk of 2,048 wide rows joined into one string passed V8's longest string.
      let lines: string[] = [];
      let pending = 0;
      for (const row of cells) {
        const line = JSON.stringify(row) + '\n';
        const size = Buffer.byteLength(line);
        bytes += size;
        if (bytes > r.maxResultBytes) {
          throw new Error(
            `the result is over ${r.maxResultBytes} bytes (LAKE_QUERY_MAX_RESULT_BYTES; Athena writes any size to ` +
              'S3, the local lake keeps this much of one query on its disk); add a LIMIT, select fewer or shorter columns, or aggregate',
          );
        }
        if (pending + size > WRITE_BYTES && lines.length) {
          await out.write(lines.join(''));
          lines = [];
          pending = 0;
        }
        lines.push(line);
        pending += size;
      }
      if (lines.length) await out.write(lines.join(''));
    }
    await out.close();
    out = undefined;
    return { before, columns, intervals, rows };
  } finally {
    await out?.close().catch(() => undefined);
    preparedStatement?.destroySync();
  }
}
