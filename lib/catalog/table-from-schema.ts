/**
 * A lake table derived from its schema file (schemas/; ./tables.ts reads the folder):
 *
 *  - every schemas/events/<type>.json becomes table <type>: the envelope (event_id, occurred_at, received_at)
 *    plus one column per top-level `data` property, partitioned by event_date (the UTC date of occurred_at),
 *    stored under tables/events/type=<type>/event_date=<yyyy-MM-dd>/;
 *  - every schemas/datasets/<name>.json becomes table <name>: one column per property plus lineage columns,
 *    partitioned by dt (the date of its `x-lake.partitionBy` column), stored under tables/datasets/<name>/dt=.../.
 *
 * Types: string → string (date → date, date-time → timestamp), integer → bigint, number → double,
 * boolean → boolean; objects and arrays are kept as JSON text (string); "x-lake": {"type": …} on a property declares
 * Athena's integer widths (tinyint, smallint, int) on an integer, decimal(p,s) on a string (lib/catalog/lake-types.ts).
 */
import { formerNamesOf } from './former-names';
import { sameSnapshot, snapshotOf, type TableHistory } from './history';
import { VALUE_RULE_KEYS } from './value-rules';
import { curated } from '../lake-layout.json';
import { decimalOf, declaredType, isOfJsonType, jsonTypeOf } from './lake-types';
import { otherRulesOf, tableRulesOf } from './other-rules';
import { nearestName } from './nearest-name';
import type { ColumnDef, LakeType, TableDef, UploadFormat, ValueRules } from './types';

interface JsonSchemaProp extends ValueRules {
  type?: string | string[];
  format?: string;
  description?: string;
  deprecated?: boolean;
  'x-lake'?: { renamedFrom?: string; type?: string };
}

export interface ObjectSchema {
  title?: string;
  description?: string;
  required?: string[];
  /** false: no key the schema does not declare is taken (JSON Schema's default is to take any). */
  additionalProperties?: unknown;
  unevaluatedProperties?: unknown;
  properties?: Record<string, JsonSchemaProp>;
  'x-lake'?: {
    primaryKey?: string[];
    partitionBy?: string;
    latestBy?: string;
    formats?: UploadFormat[];
    maxFileBytes?: number;
    maxRejectedRatio?: number;
    /** Columns that left the schema: no longer accepted, kept in the table with their stored values. */
    retired?: string[];
    /** The table this one is the new major version of. */
    supersedes?: string;
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

/** The x-lake keywords a property takes, an event type's schema and a dataset's (README "Schemas"). */
const PROPERTY_KEYS = ['renamedFrom', 'type'];
const EVENT_KEYS = ['retired', 'supersedes'];
const DATASET_KEYS = [
  'primaryKey',
  'partitionBy',
  'latestBy',
  'formats',
  'maxFileBytes',
  'maxRejectedRatio',
  ...EVENT_KEYS,
];

/**
 * Refuses an `x-lake` that is no object or holds a keyword the lake does not read: a misspelt one (`Type`,
 * `renamedfrom`, `primarykey`) was ignored, and its column or table built as if it were absent — a wrong type then
 * in use for good.
 */
function checkLakeKeys(lake: unknown, known: string[], where: string): void {
  if (lake === undefined) return;
  if (lake === null || typeof lake !== 'object' || Array.isArray(lake))
    throw new Error(`${where}: x-lake must be an object`);
  for (const [k, value] of Object.entries(lake)) {
    if (!known.includes(k)) {
      const near = nearestName(k, known);
      throw new Error(
        `${where}: x-lake.${k} is not a keyword the lake reads (${near ? `did you mean ${near}? ` : ''}it takes ` +
          `${known.join(', ')})`,
      );
    }
    checkLakeKind(k, value, where);
  }
}

/** What each x-lake keyword holds: a text, or a list of texts (the numbers are checked with their bounds). */
const KEY_KINDS: Record<string, { list: boolean; of: string }> = {
  renamedFrom: { list: false, of: 'a column name' },
  type: { list: false, of: 'a type name' },
  partitionBy: { list: false, of: 'a column name' },
  latestBy: { list: false, of: 'a column name' },
  supersedes: { list: false, of: 'a table name' },
  primaryKey: { list: true, of: 'column names' },
  retired: { list: true, of: 'column names' },
  formats: { list: true, of: 'formats' },
};

/**
 * Refuses a keyword of the wrong kind: a text where a list is read (`"retired": "note"`, which ingest read as its
 * letters and the check as a substring) or a list where a text is (`"partitionBy": ["created_at"]`).
 */
function checkLakeKind(key: string, value: unknown, where: string): void {
  const kind = KEY_KINDS[key];
  if (!kind) return;
  const ok = kind.list
    ? Array.isArray(value) && value.every((v) => typeof v === 'string')
    : typeof value === 'string';
  if (!ok)
    throw new Error(
      `${where}: x-lake.${key} must be ${kind.list ? `a list of ${kind.of} (["…"])` : `${kind.of} (a text)`}, ` +
        `got ${JSON.stringify(value)}`,
    );
}

export function checkIdentifier(name: string, what: string): void {
  if (!IDENTIFIER.test(name) || RESERVED.has(name)) {
    throw new Error(`${what} '${name}' must match ${IDENTIFIER} and not be an SQL reserved word`);
  }
}

function lakeType(prop: JsonSchemaProp, where: string): { type: LakeType; json?: boolean } {
  // The column's type is read from the property itself: a $ref's definition is its rules, not its type.
  if (prop.type === undefined)
    throw new Error(
      `${where}: a property needs its own "type" (string, integer, number, boolean, object or array; optionally ` +
        `with "null")${'$ref' in prop ? ", beside its $ref: the lake does not take a column's type from a definition" : ''}`,
    );
  const t = Array.isArray(prop.type) ? prop.type.filter((x) => x !== 'null') : [prop.type];
  if (t.length !== 1) throw new Error(`${where}: give exactly one JSON type (optionally with "null")`);
  const declared = prop['x-lake']?.type;
  if (declared !== undefined) {
    const type = declaredType(declared, String(t[0]), where);
    if (
      decimalOf(type) &&
      (prop.minimum !== undefined || prop.maximum !== undefined || prop.format || prop.enum)
    )
      throw new Error(
        `${where}: a ${type} column takes no minimum, maximum, format or enum (its JSON type is a string, which ` +
          'JSON Schema would not compare as a number): bound its digits with a "pattern" (the ETL tests the ' +
          'text against it, e.g. "^[0-9]{1,4}(\\.[0-9]{1,2})?$" for 0 to 9999.99), or make it a "number" (a double) ' +
          'to bound it with minimum and maximum',
      );
    return { type };
  }
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

const aJsonType = (t: string) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);

function columnsOf(schema: ObjectSchema, sourcePrefix: string[], where: string): ColumnDef[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, prop]) => {
    checkIdentifier(name, `${where} property`);
    checkLakeKeys(prop['x-lake'], PROPERTY_KEYS, `${where}.${name}`);
    const { type, json } = lakeType(prop, `${where}.${name}`);
    const twice = Array.isArray(prop.enum)
      ? prop.enum.find((v, i) => prop.enum!.findIndex((w) => JSON.stringify(w) === JSON.stringify(v)) !== i)
      : undefined;
    if (twice !== undefined)
      throw new Error(
        `${where}.${name}: enum lists ${JSON.stringify(twice)} more than once (the same rule as listing it once, ` +
          'which a schema version would record as a change of nothing): list each value once',
      );
    const jsonTypes = Array.isArray(prop.type) ? prop.type : [prop.type];
    const foreign = (prop.enum ?? []).find((v) => !jsonTypes.some((t) => isOfJsonType(v, String(t))));
    if (foreign !== undefined)
      throw new Error(
        `${where}.${name}: enum value ${JSON.stringify(foreign)} is ${aJsonType(jsonTypeOf(foreign))}, not ` +
          `${jsonTypes.map((t) => aJsonType(String(t))).join(' or ')}: no value of the column can equal it (JSON Schema ` +
          `compares the type too, and the ETL would compare its text): list values of the column's type` +
          (foreign === null ? ', or add "null" to its type' : ''),
      );
    const otherRules = otherRulesOf(prop, {
      formatIsType: type === 'date' || type === 'timestamp',
      defs: (schema as { $defs?: unknown }).$defs,
      ...(json ? { jsonType: String(jsonTypes.find((t) => t !== 'null')) } : {}),
    });
    const renamedFrom = prop['x-lake']?.renamedFrom;
    if (renamedFrom !== undefined) {
      checkIdentifier(renamedFrom, `${where}.${name} x-lake.renamedFrom`);
      if (renamedFrom === name)
        throw new Error(`${where}.${name}: x-lake.renamedFrom names the column itself`);
    }
    return {
      name,
      type,
      source: [...sourcePrefix, name],
      ...(renamedFrom ? { alternatives: [[...sourcePrefix, renamedFrom]], renamedFrom } : {}),
      required: required.has(name),
      ...(json ? { json } : {}),
      ...(prop.enum ? { enum: prop.enum } : {}),
      ...(prop.pattern ? { pattern: prop.pattern } : {}),
      ...(prop.minimum !== undefined ? { minimum: prop.minimum } : {}),
      ...(prop.maximum !== undefined ? { maximum: prop.maximum } : {}),
      ...(prop.maxLength !== undefined ? { maxLength: prop.maxLength } : {}),
      ...(prop.minLength !== undefined ? { minLength: prop.minLength } : {}),
      ...(jsonTypes.includes('null') ? { nullable: true as const } : {}),
      ...(otherRules !== undefined ? { otherRules } : {}),
      ...(prop.description ? { description: prop.description } : {}),
      ...(prop.deprecated === true ? { deprecated: true } : {}),
    };
  });
}

/**
 * The renamed columns with every name they had before, through the history's renames (C renamed from B, and B
 * recorded as renamed from A: C reads B, then A, from an input, and takes a stored value from them), so that a
 * second rename keeps the first one's values and inputs.
 */
function withFormerNames(
  columns: ColumnDef[],
  history: TableHistory | undefined,
  prefix: string[],
): ColumnDef[] {
  return columns.map((c) => {
    if (!c.renamedFrom) return c;
    const names = formerNamesOf(c.name, c.renamedFrom, history);
    // The change line compat.ts records for the rename (lib/catalog/compat.ts): its version. (The validateUpload
    // bundle's registry gives the recorded renames only, without versions: lib/dataset-registry.ts.)
    const recorded = renameVersion(history, c.name, c.renamedFrom);
    return {
      ...c,
      formerNames: names,
      formerNameVersions: names.map(
        (n, k) => renameVersion(history, k === 0 ? c.name : names[k - 1]!, n) ?? null,
      ),
      alternatives: names.map((n) => [...prefix, n]),
      ...(recorded !== undefined ? { renamedInVersion: recorded } : {}),
    };
  });
}

/**
 * The version whose recorded changes say `to` was renamed from `from` (compat.ts writes that line), or the earlier
 * one the line says the local lake used the rename at before it was recorded (lib/catalog/schema-check.ts
 * withRenameInUseSince: `b: renamed from a (in use since version 6)`).
 */
function renameVersion(history: TableHistory | undefined, to: string, from: string): number | undefined {
  const line = `${to}: renamed from ${from}`;
  for (const v of history?.versions ?? [])
    for (const change of v.changes) {
      if (change === line) return v.version;
      const since = change.startsWith(`${line} (`)
        ? /^ \(in use since version (\d+)\)$/.exec(change.slice(line.length))
        : null;
      if (since) return Number(since[1]);
    }
  return undefined;
}

/** The schema's own rules about the whole record, where it has any (lib/catalog/other-rules.ts tableRulesOf). */
function withTableRules(schema: object): { tableRules?: string } {
  const tableRules = tableRulesOf(schema);
  return tableRules !== undefined ? { tableRules } : {};
}

/** The value rules (and the null) a recorded column carries. */
function valueRulesOf(c: ValueRules & { nullable?: true }): ValueRules & { nullable?: true } {
  const out: Record<string, unknown> = {};
  for (const k of VALUE_RULE_KEYS) if (c[k] !== undefined) out[k] = c[k];
  if (c.nullable) out.nullable = true;
  return out as ValueRules & { nullable?: true };
}

/**
 * The columns the table held (its history) that the schema no longer has: kept, as retired columns, with their
 * recorded type, so that no rewrite of a partition drops their stored values. Whether their leaving was declared
 * (x-lake.retired, or a rename) is the compatibility check's business (lib/catalog/compat.ts). A retired column
 * that was not renamed is still read from the input where it stands (`sourcePrefix`: ['data'] for events): what
 * was accepted before it was retired — events still in the stream, files replayed — keeps its value (new files and
 * events may not carry it). A renamed one's values go to its new name (that column's alternatives).
 */
function retiredColumns(
  current: ColumnDef[],
  history: TableHistory | undefined,
  declared: string[],
  sourcePrefix: string[],
): ColumnDef[] {
  const names = new Set(current.map((c) => c.name));
  const renamed = new Set(current.flatMap((c) => c.formerNames ?? []));
  return (history?.columns ?? [])
    .filter((c) => !names.has(c.name))
    .map((c) => ({
      name: c.name,
      type: c.type,
      source: renamed.has(c.name) ? [] : [...sourcePrefix, c.name],
      required: false,
      ...(c.json ? { json: true } : {}),
      // The rules its stored values were accepted under, recorded with it (a column that comes back is judged
      // against them: lib/catalog/compat.ts); the ETL stores no value read since that breaks them (lib/etl/plan.ts).
      ...valueRulesOf(c),
      // A renamed column keeps what it was renamed from when it is renamed again: the chain of names stays whole,
      // and its stored values as they are in rows written since its own rename (lib/etl/plan.ts existingSql).
      ...(c.renamedFrom ? { renamedFrom: c.renamedFrom } : {}),
      ...(c.renamedFrom && renameVersion(history, c.name, c.renamedFrom) !== undefined
        ? { renamedInVersion: renameVersion(history, c.name, c.renamedFrom) }
        : {}),
      retired: true,
      ...(declared.includes(c.name) || renamed.has(c.name) ? {} : { undeclared: true }),
      description: renamed.has(c.name)
        ? `Renamed to ${current.find((x) => x.formerNames?.includes(c.name))!.name}: holds the values stored before.`
        : 'Retired: no longer in the schema; holds the values stored before.',
    }));
}

/**
 * The table's version and its last column, lake_schema_version: the recorded version when the table is as recorded,
 * the next one while a change is not recorded yet (the first version of a table without a history is 1).
 */
function versioned(table: Omit<TableDef, 'version'>, history: TableHistory | undefined): TableDef {
  const draft = { ...table, version: 0 };
  const version = !history
    ? 1
    : sameSnapshot(snapshotOf(draft), history)
      ? history.version
      : history.version + 1;
  return {
    ...table,
    version,
    columns: [
      ...table.columns,
      {
        name: 'lake_schema_version',
        type: 'bigint',
        source: [],
        required: true,
        generated: true,
        constant: version,
        description: 'Version of the table schema that wrote the row (schemas/history/).',
      },
    ],
  };
}

export const EVENT_ENVELOPE_COLUMNS = ['event_id', 'occurred_at', 'received_at'] as const;

function tableLevel(schema: ObjectSchema, where: string): { retired: string[]; supersedes?: string } {
  const lake = schema['x-lake'] ?? {};
  for (const r of lake.retired ?? []) checkIdentifier(r, `${where} x-lake.retired`);
  if (lake.supersedes !== undefined) checkIdentifier(lake.supersedes, `${where} x-lake.supersedes`);
  const inSchema = new Set(Object.keys(schema.properties ?? {}));
  for (const r of lake.retired ?? []) {
    if (inSchema.has(r)) throw new Error(`${where}: '${r}' is in x-lake.retired and still a property`);
  }
  return { retired: lake.retired ?? [], ...(lake.supersedes ? { supersedes: lake.supersedes } : {}) };
}

export function eventTable(type: string, schema: ObjectSchema, history?: TableHistory): TableDef {
  checkIdentifier(type, 'event type');
  const where = `schemas/events/${type}.json`;
  checkLakeKeys(schema['x-lake'], EVENT_KEYS, where);
  const { supersedes, retired } = tableLevel(schema, where);
  const data = withFormerNames(columnsOf(schema, ['data'], where), history, ['data']);
  for (const c of data) {
    if ((EVENT_ENVELOPE_COLUMNS as readonly string[]).includes(c.name) || c.name === 'event_date') {
      throw new Error(`${where}: property '${c.name}' clashes with an envelope column`);
    }
    if (c.name.startsWith('lake_'))
      throw new Error(`${where}: property '${c.name}': lake_ names are the lake's own`);
  }
  const columns: ColumnDef[] = [
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
  ];
  return versioned(
    {
      name: type,
      kind: 'events',
      description: schema.description ?? `${type} events`,
      columns: [...columns, ...retiredColumns(columns, history, retired, ['data'])],
      partitionKeys: [{ name: 'event_date', type: 'string', fromColumn: 'occurred_at' }],
      primaryKey: ['event_id'],
      prefix: `${curated.eventsTablePrefix}type=${type}/`,
      formats: ['jsonl'],
      maxFileBytes: Number.MAX_SAFE_INTEGER,
      maxRejectedRatio: 0,
      ...(supersedes ? { supersedes } : {}),
      ...withTableRules(schema),
      // Closed by additionalProperties or unevaluatedProperties false (ingest refuses an undeclared key either way;
      // the keys a patternProperties pattern takes are judged by the pattern: lib/catalog/compat.ts).
      ...(schema.additionalProperties !== false && schema.unevaluatedProperties !== false
        ? { takesUndeclaredKeys: true as const }
        : {}),
    },
    history,
  );
}

/** A dataset's partition column: the UTC date of its x-lake.partitionBy column. */
const DATASET_PARTITION_KEY = 'dt';

export function datasetTable(name: string, schema: ObjectSchema, history?: TableHistory): TableDef {
  checkIdentifier(name, 'dataset name');
  const where = `schemas/datasets/${name}.json`;
  checkLakeKeys(schema['x-lake'], DATASET_KEYS, where);
  const lake = schema['x-lake'];
  if (!lake?.primaryKey?.length || !lake.partitionBy || !lake.formats?.length) {
    throw new Error(`${where}: x-lake needs primaryKey, partitionBy and formats`);
  }
  const { supersedes, retired } = tableLevel(schema, where);
  const columns = withFormerNames(columnsOf(schema, [], where), history, []);
  for (const c of columns) {
    if (c.name.startsWith('lake_'))
      throw new Error(`${where}: property '${c.name}': lake_ names are the lake's own`);
    if (c.name === DATASET_PARTITION_KEY)
      throw new Error(
        `${where}: property '${c.name}' clashes with the partition column ${DATASET_PARTITION_KEY} (the date of x-lake.partitionBy)`,
      );
  }
  const byName = new Map(columns.map((c) => [c.name, c]));
  for (const k of lake.primaryKey) {
    if (!byName.get(k)?.required)
      throw new Error(`${where}: primary key column '${k}' must be a required property`);
    // A row is merged and found by its key: a null one would be a key no row can be told by.
    if (byName.get(k)!.nullable)
      throw new Error(`${where}: primary key column '${k}' must not allow null (its type lists "null")`);
  }
  const part = byName.get(lake.partitionBy);
  if (!part?.required || part.nullable || (part.type !== 'date' && part.type !== 'timestamp')) {
    throw new Error(
      `${where}: partitionBy '${lake.partitionBy}' must be a required date or date-time property that does not allow null`,
    );
  }
  if (
    lake.maxRejectedRatio !== undefined &&
    !(typeof lake.maxRejectedRatio === 'number' && lake.maxRejectedRatio >= 0 && lake.maxRejectedRatio <= 1)
  )
    throw new Error(
      `${where}: x-lake.maxRejectedRatio must be a number from 0 to 1 (the share of a file's rows that may be ` +
        `rejected), got ${JSON.stringify(lake.maxRejectedRatio)}`,
    );
  if (
    lake.maxFileBytes !== undefined &&
    !(
      typeof lake.maxFileBytes === 'number' &&
      Number.isSafeInteger(lake.maxFileBytes) &&
      lake.maxFileBytes > 0
    )
  )
    throw new Error(
      `${where}: x-lake.maxFileBytes must be a whole number of bytes above 0, got ${JSON.stringify(lake.maxFileBytes)}`,
    );
  if (lake.latestBy && !byName.has(lake.latestBy))
    throw new Error(`${where}: latestBy '${lake.latestBy}' is not a property`);
  for (const f of lake.formats) {
    if (!['csv', 'json', 'jsonl', 'parquet'].includes(f)) throw new Error(`${where}: unknown format '${f}'`);
  }
  return versioned(
    {
      name,
      kind: 'dataset',
      description: schema.description ?? name,
      columns: [
        ...columns,
        ...retiredColumns(columns, history, retired, []),
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
      partitionKeys: [{ name: DATASET_PARTITION_KEY, type: 'string', fromColumn: lake.partitionBy }],
      primaryKey: lake.primaryKey,
      ...(lake.latestBy ? { latestBy: lake.latestBy } : {}),
      prefix: `${curated.datasetsTablePrefix}${name}/`,
      formats: lake.formats,
      maxFileBytes: lake.maxFileBytes ?? 2 * 1024 ** 3,
      maxRejectedRatio: lake.maxRejectedRatio ?? 0.05,
      ...(supersedes ? { supersedes } : {}),
      ...withTableRules(schema),
    },
    history,
  );
}
