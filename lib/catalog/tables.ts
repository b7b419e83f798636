/**
 * The lake's tables: every schema file of schemas/ made into its table (./table-from-schema.ts) with its history —
 * the one definition that the Glue Data Catalog (resources), the ETL plans (Glue job and local runner) and the local
 * query engine all read — and the set in use, read once per process and replaced when an edit of schemas/ passes
 * the check.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readHistories, type TableHistory } from './history';
import { glueTableLogicalId } from './logical-id';
import { datasetTable, eventTable, type ObjectSchema } from './table-from-schema';
import type { TableDef } from './types';

export type { ColumnDef, LakeType, PartitionKeyDef, TableDef, UploadFormat } from './types';

/**
 * The nearest schemas/ folder (with an events/ folder) above this module: the project's when run from source, and
 * also when `sls invoke local` runs a bundle from .esbuild/.build/ (where __dirname is not lib/catalog/).
 */
function findSchemasDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'schemas');
    if (existsSync(path.join(candidate, 'events'))) return candidate;
    if (path.dirname(dir) === dir) return path.resolve(__dirname, '../../schemas');
  }
}

export const schemasDir = findSchemasDir();

/** A schema file of schemas/<kind>/: its table name and its parsed JSON (or why it could not be read). */
export interface SchemaFile {
  kind: 'events' | 'datasets';
  name: string;
  file: string;
  schema?: ObjectSchema;
  error?: string;
}

export function schemaFiles(dir = schemasDir): SchemaFile[] {
  const out: SchemaFile[] = [];
  for (const kind of ['events', 'datasets'] as const) {
    const folder = path.join(dir, kind);
    if (!existsSync(folder)) continue;
    for (const f of readdirSync(folder)
      .filter((n) => n.endsWith('.json'))
      .sort()) {
      const file = `schemas/${kind}/${f}`;
      try {
        out.push({
          kind,
          name: f.slice(0, -5),
          file,
          schema: parseSchemaText(readFileSync(path.join(folder, f), 'utf8'), file) as SchemaFile['schema'],
        });
      } catch (e) {
        if (e instanceof InexactSchemaNumber) {
          out.push({ kind, name: f.slice(0, -5), file, error: e.message });
          continue;
        }
        out.push({
          kind,
          name: f.slice(0, -5),
          file,
          error: `${file} is not valid JSON: ${(e as Error).message}`,
        });
      }
    }
  }
  return out;
}

class InexactSchemaNumber extends Error {}

/**
 * A schema file's JSON. An integer written with more digits than a double holds (a bound, an enum value or a const
 * beyond 2^53, 9223372036854775806) would be read as another number — by the validators, the ETL's rules and the
 * history alike — so that values the schema refuses pass and values it takes are refused: such a file is refused,
 * naming the number and what it would be read as.
 */
function parseSchemaText(text: string, file: string): unknown {
  return (
    JSON.parse as (t: string, r: (k: string, v: unknown, c?: { source?: string }) => unknown) => unknown
  )(text, (key, value, context) => {
    const source = context?.source;
    if (
      typeof value === 'number' &&
      source !== undefined &&
      /^-?[0-9]{16,}$/.test(source) &&
      BigInt(source) !== BigInt(value)
    )
      throw new InexactSchemaNumber(
        `${file}: the number ${source}${/^[0-9]+$/.test(key) ? '' : ` (${key})`} is not exact as a double ` +
          `(JSON Schema validators read it as ${BigInt(value)}); ` +
          'write a number a double holds exactly (an integer within ±9007199254740992), or none',
      );
    return value;
  });
}

/** A table that could not be built from its schema file, and why. */
export interface TableLoadError {
  table: string;
  file: string;
  message: string;
}

export interface LoadedLake {
  tables: TableDef[];
  /** Schemas that make no table: each one's own (one bad schema never takes another table down). */
  errors: TableLoadError[];
  histories: Map<string, TableHistory>;
}

/**
 * Every table of a schemas folder, built one by one with its history; a schema that fails is an error of its own.
 * `files`: the schema files as already read (the local lake checks and uses one reading).
 */
export function loadLake(dir = schemasDir, files = schemaFiles(dir)): LoadedLake {
  const histories = readHistories(dir);
  const tables: TableDef[] = [];
  const errors: TableLoadError[] = [];
  const seen = new Map<string, string>();
  /** By CloudFormation logical id: names that differ only in underscores would be one Glue table resource. */
  const ids = new Map<string, { name: string; file: string }>();
  for (const f of files) {
    if (f.error) {
      errors.push({ table: f.name, file: f.file, message: f.error });
      continue;
    }
    try {
      const build = f.kind === 'events' ? eventTable : datasetTable;
      const t = build(f.name, f.schema!, histories.get(f.name));
      if (seen.has(t.name)) {
        const first = seen.get(t.name)!;
        const both = `table name '${t.name}' is defined both in ${first} and ${f.file}`;
        const recorded = histories.get(t.name)?.kind;
        const holds = (file: string) =>
          `${file} is the table schemas/history/${t.name}.json records (a ${recorded} table): rename the other`;
        if (recorded !== t.kind) throw new Error(recorded ? `${both}; ${holds(first)}` : both);
        // This file is the recorded table: the one read first is the new one, refused in its place.
        tables.splice(
          tables.findIndex((x) => x.name === t.name),
          1,
        );
        ids.delete(glueTableLogicalId(t.name));
        errors.push({ table: t.name, file: first, message: `${both}; ${holds(f.file)}` });
      }
      const id = glueTableLogicalId(t.name);
      const other = ids.get(id);
      if (other) {
        throw new Error(
          `table name '${t.name}' (${f.file}) and '${other.name}' (${other.file}) would deploy as one Glue table ` +
            `resource, ${id}: CloudFormation logical ids drop the underscores; rename one of them`,
        );
      }
      seen.set(t.name, f.file);
      ids.set(id, { name: t.name, file: f.file });
      tables.push(t);
    } catch (e) {
      errors.push({ table: f.name, file: f.file, message: (e as Error).message });
    }
  }
  // A new major version names a table the lake has (a schema, or a history: one whose schema is gone), not itself.
  for (const t of [...tables]) {
    if (t.supersedes === undefined) continue;
    const file = seen.get(t.name)!;
    const problem =
      t.supersedes === t.name
        ? 'names the table itself'
        : !seen.has(t.supersedes) && !histories.has(t.supersedes)
          ? `names '${t.supersedes}', a table the lake never had (no schema, no schemas/history/${t.supersedes}.json)`
          : undefined;
    if (problem) {
      tables.splice(tables.indexOf(t), 1);
      errors.push({
        table: t.name,
        file,
        message: `${file} x-lake.supersedes ${problem}: it names the table this one is the new major version of`,
      });
    }
  }
  return { tables, errors, histories };
}

/**
 * Every table of the lake (package time and the local runtime; a Lambda function looks up single schemas through
 * lib/schema-registry and lib/dataset-registry instead). Read once per process and folder; the local lake replaces
 * the set when an edit of schemas/ passes the check (useLakeTables), and keeps the last good one otherwise. A schema
 * that cannot make a table is left out (the check refuses it before the lake starts or deploys).
 */
const tablesByDir = new Map<string, readonly TableDef[]>();

export function lakeTables(dir = schemasDir): TableDef[] {
  let tables = tablesByDir.get(dir);
  if (!tables) {
    tables = Object.freeze(loadLake(dir).tables);
    tablesByDir.set(dir, tables);
  }
  return [...tables];
}

/** Makes `tables` the lake's tables for `dir` (an edit of schemas/ that passed the check). */
export function useLakeTables(tables: TableDef[], dir = schemasDir): void {
  tablesByDir.set(dir, Object.freeze([...tables]));
}

export function lakeTable(name: string, dir = schemasDir): TableDef | undefined {
  return lakeTables(dir).find((t) => t.name === name);
}
