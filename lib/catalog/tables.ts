/**
 * The lake's tables, derived from schemas/ — the one definition that the Glue Data Catalog (resources), the ETL
 * plans (Glue job and local runner) and the local query engine all read.
 *
 *  - every schemas/events/<type>.json becomes table <type>: the envelope (event_id, occurred_at, received_at)
 *    plus one column per top-level `data` property, partitioned by event_date (the UTC date of occurred_at),
 *    stored under tables/events/type=<type>/event_date=<yyyy-MM-dd>/;
 *  - every schemas/datasets/<name>.json becomes table <name>: one column per property plus lineage columns,
 *    partitioned by dt (the date of its `x-lake.partitionBy` column), stored under tables/datasets/<name>/dt=.../.
 *
 * Types: string → string (date → date, date-time → timestamp), integer → bigint, number → double,
 * boolean → boolean; objects and arrays are kept as JSON text (string).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import layout from '../lake-layout.json';

export type LakeType = 'string' | 'bigint' | 'double' | 'boolean' | 'date' | 'timestamp';

export interface ColumnDef {
  name: string;
  type: LakeType;
  /** Where the value comes from in an input row: a top-level field, or a path (events: ['data', 'x']). */
  source: string[];
  required: boolean;
  /** The value is JSON text of an object or array. */
  json?: boolean;
  enum?: (string | number | boolean)[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  description?: string;
  /** Added by the pipeline, not read from the input (lineage). */
  generated?: boolean;
}

export interface PartitionKeyDef {
  name: string;
  type: 'string';
  /** The column whose UTC date (yyyy-MM-dd) is the partition value. */
  fromColumn: string;
}

export interface TableDef {
  name: string;
  kind: 'events' | 'dataset';
  description: string;
  columns: ColumnDef[];
  partitionKeys: PartitionKeyDef[];
  primaryKey: string[];
  /** Among rows with the same key, the one with the greatest value here wins (ties: the newest input). */
  latestBy?: string;
  /** Key prefix of the table in the curated bucket (ends with '/'). */
  prefix: string;
  /** Accepted upload formats (datasets). */
  formats: UploadFormat[];
  maxFileBytes: number;
  /** Share of rejected rows above which a run is reported as REJECTED_ROWS_ABOVE_THRESHOLD. */
  maxRejectedRatio: number;
}

export type UploadFormat = 'csv' | 'json' | 'jsonl' | 'parquet';

interface JsonSchemaProp {
  type?: string | string[];
  format?: string;
  enum?: (string | number | boolean)[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  description?: string;
}

interface ObjectSchema {
  title?: string;
  description?: string;
  required?: string[];
  properties?: Record<string, JsonSchemaProp>;
  'x-lake'?: {
    primaryKey?: string[];
    partitionBy?: string;
    latestBy?: string;
    formats?: UploadFormat[];
    maxFileBytes?: number;
    maxRejectedRatio?: number;
  };
}

/** Names usable unquoted in Spark SQL, DuckDB and Athena: lower snake case, not a reserved word. */
export const IDENTIFIER = /^[a-z][a-z0-9_]{0,62}$/;
const RESERVED = new Set(
  (
    'all alter and any array as asc between both by case cast check column constraint create cross cube current date ' +
    'default delete desc describe distinct drop else end escape except exists extract false fetch for from full group ' +
    'grouping having in inner insert intersect interval into is join leading left like limit localtime natural not ' +
    'null of on or order outer over partition range recursive right rollup row rows select set some table then time ' +
    'timestamp to trailing true union unnest update user using values when where window with'
  ).split(' '),
);

export function checkIdentifier(name: string, what: string): void {
  if (!IDENTIFIER.test(name) || RESERVED.has(name)) {
    throw new Error(`${what} '${name}' must match ${IDENTIFIER} and not be an SQL reserved word`);
  }
}

function lakeType(prop: JsonSchemaProp, where: string): { type: LakeType; json?: boolean } {
  const t = Array.isArray(prop.type) ? prop.type.filter((x) => x !== 'null') : [prop.type];
  if (t.length !== 1) throw new Error(`${where}: give exactly one JSON type (optionally with "null")`);
  switch (t[0]) {
    case 'string':
      if (prop.format === 'date') return { type: 'date' };
      if (prop.format === 'date-time') return { type: 'timestamp' };
      return { type: 'string' };
    case 'integer':
      return { type: 'bigint' };
    case 'number':
      return { type: 'double' };
    case 'boolean':
      return { type: 'boolean' };
    case 'object':
    case 'array':
      return { type: 'string', json: true };
    default:
      throw new Error(`${where}: unsupported type ${String(t[0])}`);
  }
}

function columnsOf(schema: ObjectSchema, sourcePrefix: string[], where: string): ColumnDef[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, prop]) => {
    checkIdentifier(name, `${where} property`);
    const { type, json } = lakeType(prop, `${where}.${name}`);
    return {
      name,
      type,
      source: [...sourcePrefix, name],
      required: required.has(name),
      ...(json ? { json } : {}),
      ...(prop.enum ? { enum: prop.enum } : {}),
      ...(prop.pattern ? { pattern: prop.pattern } : {}),
      ...(prop.minimum !== undefined ? { minimum: prop.minimum } : {}),
      ...(prop.maximum !== undefined ? { maximum: prop.maximum } : {}),
      ...(prop.maxLength !== undefined ? { maxLength: prop.maxLength } : {}),
      ...(prop.description ? { description: prop.description } : {}),
    };
  });
}

export const EVENT_ENVELOPE_COLUMNS = ['event_id', 'occurred_at', 'received_at'] as const;

export function eventTable(type: string, schema: ObjectSchema): TableDef {
  checkIdentifier(type, 'event type');
  const data = columnsOf(schema, ['data'], `schemas/events/${type}.json`);
  for (const c of data) {
    if ((EVENT_ENVELOPE_COLUMNS as readonly string[]).includes(c.name) || c.name === 'event_date') {
      throw new Error(`schemas/events/${type}.json: property '${c.name}' clashes with an envelope column`);
    }
  }
  return {
    name: type,
    kind: 'events',
    description: schema.description ?? `${type} events`,
    columns: [
      {
        name: 'event_id',
        type: 'string',
        source: ['id'],
        required: true,
        description: 'Event id (deduplication key).',
      },
      { name: 'occurred_at', type: 'timestamp', source: ['occurred_at'], required: true },
      { name: 'received_at', type: 'timestamp', source: ['received_at'], required: true },
      ...data,
    ],
    partitionKeys: [{ name: 'event_date', type: 'string', fromColumn: 'occurred_at' }],
    primaryKey: ['event_id'],
    prefix: `${layout.curated.eventsTablePrefix}type=${type}/`,
    formats: ['jsonl'],
    maxFileBytes: Number.MAX_SAFE_INTEGER,
    maxRejectedRatio: 0,
  };
}

export function datasetTable(name: string, schema: ObjectSchema): TableDef {
  checkIdentifier(name, 'dataset name');
  const where = `schemas/datasets/${name}.json`;
  const lake = schema['x-lake'];
  if (!lake?.primaryKey?.length || !lake.partitionBy || !lake.formats?.length) {
    throw new Error(`${where}: x-lake needs primaryKey, partitionBy and formats`);
  }
  const columns = columnsOf(schema, [], where);
  const byName = new Map(columns.map((c) => [c.name, c]));
  for (const k of lake.primaryKey) {
    if (!byName.get(k)?.required)
      throw new Error(`${where}: primary key column '${k}' must be a required property`);
  }
  const part = byName.get(lake.partitionBy);
  if (!part?.required || (part.type !== 'date' && part.type !== 'timestamp')) {
    throw new Error(
      `${where}: partitionBy '${lake.partitionBy}' must be a required date or date-time property`,
    );
  }
  if (lake.latestBy && !byName.has(lake.latestBy))
    throw new Error(`${where}: latestBy '${lake.latestBy}' is not a property`);
  for (const f of lake.formats) {
    if (!['csv', 'json', 'jsonl', 'parquet'].includes(f)) throw new Error(`${where}: unknown format '${f}'`);
  }
  return {
    name,
    kind: 'dataset',
    description: schema.description ?? name,
    columns: [
      ...columns,
      {
        name: 'lake_source_file',
        type: 'string',
        source: [],
        required: true,
        generated: true,
        description: 'Object the row came from.',
      },
      {
        name: 'lake_ingested_at',
        type: 'timestamp',
        source: [],
        required: true,
        generated: true,
        description: 'When the ETL run read it.',
      },
    ],
    partitionKeys: [{ name: 'dt', type: 'string', fromColumn: lake.partitionBy }],
    primaryKey: lake.primaryKey,
    ...(lake.latestBy ? { latestBy: lake.latestBy } : {}),
    prefix: `${layout.curated.datasetsTablePrefix}${name}/`,
    formats: lake.formats,
    maxFileBytes: lake.maxFileBytes ?? 2 * 1024 ** 3,
    maxRejectedRatio: lake.maxRejectedRatio ?? 0.05,
  };
}

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

function readSchemas(kind: 'events' | 'datasets', dir = schemasDir): [string, ObjectSchema][] {
  return readdirSync(path.join(dir, kind))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f.slice(0, -5), JSON.parse(readFileSync(path.join(dir, kind, f), 'utf8')) as ObjectSchema]);
}

/**
 * Every table of the lake, read from schemas/ on disk (package time and the local runtime; a Lambda function
 * looks up single schemas through lib/schema-registry instead).
 */
const tablesByDir = new Map<string, readonly TableDef[]>();

export function lakeTables(dir = schemasDir): TableDef[] {
  // Read once per process and folder: the local runtime asks on every query (restart it for new schemas).
  let tables = tablesByDir.get(dir);
  if (!tables) {
    const all = [
      ...readSchemas('events', dir).map(([type, s]) => eventTable(type, s)),
      ...readSchemas('datasets', dir).map(([name, s]) => datasetTable(name, s)),
    ];
    const seen = new Set<string>();
    for (const t of all) {
      if (seen.has(t.name))
        throw new Error(`table name '${t.name}' is defined both as an event type and a dataset`);
      seen.add(t.name);
    }
    tables = Object.freeze(all);
    tablesByDir.set(dir, tables);
  }
  return [...tables];
}

export function lakeTable(name: string, dir = schemasDir): TableDef | undefined {
  return lakeTables(dir).find((t) => t.name === name);
}
