/**
 * The lake's tables as DuckDB views. Every table of lib/catalog/tables.ts is a view in schema
 * awsdatacatalog.<database> over its curated Parquet, <LAKE_DIR>/curated/<prefix><partition key>=<value>/*.parquet
 * (names starting with _ or . skipped, as Athena does), read with hive_partitioning (partition filters prune
 * files) through a link to the table's folder (partition-paths.ts: only the partition folders below it count);
 * union_by_name only when the files' columns differ (older files may lack newer columns) — it makes DuckDB read
 * every file's footer before pruning, so each file's schema is read once (cached by path, size and mtime) and
 * compared. A table without data is an empty view with the right columns. A view is rebuilt when the files under
 * its prefix change (checked before each query that reads the table). The rejected store is the view lake_rejected
 * over its JSON-lines files (rejected-view.ts), kept up to date the same way.
 */
import { duckdbType, millisRoundedSql, NO_HIVE_PARTITIONS, sqlIdent, sqlString } from '../../duckdb-sql';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DuckDBConnection } from '@duckdb/node-api';
import { localGlueTables } from '../../catalog/describe';
import { betweenSwaps, swapsSettled } from '../../curated-swaps';
import type { TableDef } from '../../catalog/tables';
import type { LakeType } from '../../catalog/lake-types';
import { REJECTED_TABLE } from '../../etl/rejected';
import { CATALOG } from '../duckdb-sandbox';
import { informationSchemaViews } from '../metadata/information-schema';
import { rejectedDir, rejectedFiles, rejectedViewSql } from '../rejected-view';
import type { Mutex } from './mutex';
import type { PartitionPaths } from './partition-paths';

/** No lake table may take the rejected store's name. */
export function checkTableNames(tables: readonly TableDef[]): void {
  if (tables.some((t) => t.name === REJECTED_TABLE)) {
    throw new Error(`a lake table is named ${REJECTED_TABLE}, the rejected store's name`);
  }
}

/** The views of the lake's tables and of the rejected store, made on the setup connection. */
export class LakeViews {
  private readonly viewSignatures = new Map<string, string>();
  /** Each data file's columns (names and types, in order), by path, for the stamp (path, size, mtime) read. */
  private readonly fileSchemas = new Map<string, { stamp: string; columns: string }>();
  /** The lake's tables (replaced by useTables when schemas/ changes). */
  private tables: readonly TableDef[];

  constructor(
    private readonly setup: DuckDBConnection,
    /** Serialises the use of the setup connection. */
    private readonly setupLock: Mutex,
    /** <LAKE_DIR>/curated, its real path. */
    private readonly curatedDir: string,
    /** The links the views read the files through (partition-paths.ts). */
    private readonly paths: PartitionPaths,
    /** The schema the views live in (the Glue database name). */
    private readonly database: string,
    tables: readonly TableDef[],
  ) {
    this.tables = tables;
  }

  /** Makes every view, empty (the first query that reads a table fills its view). */
  async createEmpty(): Promise<void> {
    for (const t of this.tables) {
      await this.createView(t, []);
      this.viewSignatures.set(t.name, '');
    }
    await this.setup.run(rejectedViewSql(this.viewName(REJECTED_TABLE), []));
    this.viewSignatures.set(REJECTED_TABLE, '');
    await this.catalogViews();
  }

  /** information_schema.tables/columns of the lake's tables (lib/query/metadata/information-schema.ts). */
  private async catalogViews(): Promise<void> {
    const inputs = localGlueTables([...this.tables], pathToFileURL(this.curatedDir).href + '/');
    for (const sql of informationSchemaViews((v) => this.viewName(v), this.database, inputs)) {
      await this.setup.run(sql);
    }
  }

  /** The lake's tables changed: each changed table's view is made again before the next query that reads it. */
  useTables(tables: TableDef[]): void {
    checkTableNames(tables);
    void this.setupLock.run(async () => {
      const before = new Map(this.tables.map((t) => [t.name, JSON.stringify(t)]));
      this.tables = tables;
      for (const t of tables) {
        if (before.get(t.name) !== JSON.stringify(t)) this.viewSignatures.delete(t.name);
      }
      await this.catalogViews();
    });
  }

  private tableDir(t: TableDef): string {
    return path.join(this.curatedDir, ...t.prefix.split('/').filter(Boolean));
  }

  /**
   * The table's data files, <prefix><key>=<value>/*.parquet, skipping names that start with '_' or '.' as Athena
   * (and the ETL) do. Each with its size and mtime, which make the view's signature.
   */
  private async tableFiles(t: TableDef): Promise<{ file: string; stamp: string }[]> {
    const dir = this.tableDir(t);
    const key = t.partitionKeys[0]?.name;
    const out: { file: string; stamp: string }[] = [];
    const hidden = (name: string) => name.startsWith('_') || name.startsWith('.');
    let parts: import('node:fs').Dirent[];
    try {
      parts = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return out;
    }
    for (const p of parts) {
      if (!p.isDirectory() || (key && !p.name.startsWith(`${key}=`))) continue;
      for (const f of await fs.readdir(path.join(dir, p.name), { withFileTypes: true }).catch(() => [])) {
        if (f.isFile() && f.name.endsWith('.parquet') && !hidden(f.name)) {
          const file = path.join(dir, p.name, f.name);
          const st = await fs.stat(file).catch(() => undefined);
          if (st) out.push({ file, stamp: `${file}:${st.size}:${st.mtimeMs}` });
        }
      }
    }
    return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  }

  /** The file's columns (names and types, in order), read from its Parquet footer once per stamp. */
  private async fileColumns(f: { file: string; stamp: string }): Promise<string> {
    const cached = this.fileSchemas.get(f.file);
    if (cached?.stamp === f.stamp) return cached.columns;
    const described = await this.setup.runAndReadAll(
      `DESCRIBE SELECT * FROM read_parquet(${sqlString(f.file)}, ${NO_HIVE_PARTITIONS})`,
    );
    const columns = JSON.stringify(
      described.getRowObjectsJS().map((r) => [String(r.column_name), String(r.column_type)]),
    );
    this.fileSchemas.set(f.file, { stamp: f.stamp, columns });
    return columns;
  }

  private viewName(table: string): string {
    return `${CATALOG}.${sqlIdent(this.database)}.${sqlIdent(table)}`;
  }

  /**
   * (Re)creates the table's view over exactly these files (hive partitioning prunes them by partition filters),
   * with union_by_name only if their columns differ.
   */
  private async createView(t: TableDef, entries: { file: string; stamp: string }[]): Promise<void> {
    const files = await this.paths.through(
      t.name,
      this.tableDir(t),
      entries.map((f) => f.file),
    );
    const view = this.viewName(t.name);
    const keys = t.partitionKeys.map((k) => k.name);
    let sql: string;
    if (files.length === 0) {
      const cols = [
        ...t.columns.map((c) => `CAST(NULL AS ${duckdbType(c.type)}) AS ${sqlIdent(c.name)}`),
        ...keys.map((k) => `CAST(NULL AS VARCHAR) AS ${sqlIdent(k)}`),
      ];
      sql = `CREATE OR REPLACE VIEW ${view} AS SELECT ${cols.join(', ')} WHERE false`;
    } else {
      const hiveTypes = keys.map((k) => `${sqlString(k)}: VARCHAR`).join(', ');
      const schemas = new Set<string>();
      for (const f of entries) schemas.add(await this.fileColumns(f));
      const unionByName = schemas.size > 1 ? ', union_by_name = true' : '';
      const source =
        `read_parquet([${files.map(sqlString).join(', ')}], hive_partitioning = true${unionByName}` +
        (hiveTypes ? `, hive_types = {${hiveTypes}})` : ')');
      const present = new Set(
        (await (await this.setup.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`)).getRowObjectsJS()).map(
          (r) => String(r.column_name),
        ),
      );
      const cols = [
        ...t.columns.map((c) =>
          present.has(c.name)
            ? `${storedValueSql(sqlIdent(c.name), c.type)} AS ${sqlIdent(c.name)}`
            : `CAST(NULL AS ${duckdbType(c.type)}) AS ${sqlIdent(c.name)}`,
        ),
        ...keys.map((k) => sqlIdent(k)),
      ];
      sql = `CREATE OR REPLACE VIEW ${view} AS SELECT ${cols.join(', ')} FROM ${source}`;
    }
    await this.setup.run(sql);
  }

  /** Resolves when no ETL run of this process is swapping partitions of these tables in. */
  async swapsSettled(tables: readonly string[]): Promise<void> {
    for (const name of tables) await swapsSettled(this.curatedDir, name);
  }

  /** Rebuilds the views of these tables whose files changed since their view was made. */
  sync(tables: readonly string[]): Promise<void> {
    return this.setupLock.run(async () => {
      for (const name of tables) {
        if (name === REJECTED_TABLE) {
          const files = await rejectedFiles(this.curatedDir);
          const signature = files.map((f) => f.stamp).join('\n');
          if (this.viewSignatures.get(name) === signature) continue;
          const through = await this.paths.through(
            REJECTED_TABLE,
            rejectedDir(this.curatedDir),
            files.map((f) => f.file),
          );
          await this.setup.run(rejectedViewSql(this.viewName(name), through));
          this.viewSignatures.set(name, signature);
          continue;
        }
        const t = this.tables.find((x) => x.name === name);
        if (!t) continue;
        // Between the ETL's swaps: a listing during one would hold part of a run's partitions (lib/curated-swaps.ts).
        const files = await betweenSwaps(this.curatedDir, t.name, () => this.tableFiles(t));
        const signature = files.map((f) => f.stamp).join('\n');
        if (this.viewSignatures.get(name) === signature) continue;
        // Forget the schemas of the table's files that are gone.
        const inTable = this.tableDir(t) + path.sep;
        const current = new Set(files.map((f) => f.file));
        for (const file of this.fileSchemas.keys()) {
          if (file.startsWith(inTable) && !current.has(file)) this.fileSchemas.delete(file);
        }
        await this.createView(t, files);
        this.viewSignatures.set(name, signature);
      }
    });
  }
}

/**
 * A stored column's value as Athena reads it: a timestamp (stored with microseconds) is a timestamp(3) there — the
 * Hive connector's default precision, rounded half up — so compared, computed and shown with milliseconds; the
 * other types as stored.
 */
function storedValueSql(column: string, type: LakeType): string {
  return type === 'timestamp'
    ? millisRoundedSql(`CAST(${column} AS TIMESTAMP)`)
    : `CAST(${column} AS ${duckdbType(type)})`;
}
