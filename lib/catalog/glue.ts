/**
 * The Glue Data Catalog of the lake, as CloudFormation generated from the table definitions (lib/catalog/tables.ts):
 * one database per stage and one external Parquet table per table, partitioned as the ETL writes them, with
 * partition projection so that Athena finds new partitions without a crawler or partition registration.
 *
 * Each table also records what the lake knows of it (kind, version, keys, column flags: LAKE_PARAMETER), so that
 * the catalog alone answers GET /tables (lib/catalog/describe.ts), on AWS and, from the same TableInputs, locally.
 *
 * serverless.yml includes it through resources/catalog.cjs; the Glue job (resources/glue.yml) writes the data.
 */
import { curated } from '../lake-layout.json';
import { glueTableLogicalId } from './logical-id';
import { lakeTables, schemasDir, type ColumnDef, type TableDef } from './tables';

export { glueTableLogicalId };

type Cfn = Record<string, unknown>;

export interface GlueCatalogOptions {
  /** The Serverless service name (data-lake). */
  service: string;
  stage: string;
  tables?: TableDef[];
  /** Logical id of the curated bucket resource. */
  bucketLogicalId?: string;
}

/**
 * First day that partition projection generates: the lake's earliest partition (ingest and the ETL refuse older ones,
 * lib/lake-layout.json curated.earliestPartitionDate).
 */
export const PROJECTION_START = curated.earliestPartitionDate;
/**
 * Last day that partition projection generates: tomorrow, as ingest accepts occurred_at up to a day ahead (clock
 * skew) and an event's partition is the UTC date of occurred_at.
 */
export const PROJECTION_END = 'NOW+1DAYS';
/**
 * Last day that partition projection generates for a dataset, partitioned by a date of its own (a delivery date, a
 * contract's end: days ahead are data): lib/lake-layout.json curated.datasetPartitionYearsAhead years ahead. The ETL
 * rejects a row beyond it, with the reason (lib/etl/plan.ts), as it would be stored and not read until then.
 */
export const DATASET_PROJECTION_END = `NOW+${curated.datasetPartitionYearsAhead}YEARS`;

export const DATABASE_LOGICAL_ID = 'GlueDatabase';

const PARQUET = {
  InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  SerdeInfo: {
    SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
    Parameters: { 'serialization.format': '1' },
  },
};

/** The Glue database of a stage: `${service}_${stage}`, lower case, anything but [a-z0-9_] replaced by `_`. */
export function glueDatabaseName(service: string, stage: string): string {
  const name = `${service}_${stage}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (name.length > 255) throw new Error(`Glue database name '${name}' is longer than 255 characters`);
  return name;
}

/** At most `max` UTF-16 units (Glue's lengths), cut with an ellipsis between whole characters (no half surrogate pair). */
function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  const cut = /[\uD800-\uDBFF]$/.test(s.slice(0, max - 1)) ? max - 2 : max - 1;
  return s.slice(0, cut) + '…';
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A text as Glue takes it, within `max` units: a column comment matches [\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-
 * \uDBFF\uDFFF\t]* (no line break), a table description the same with \r and \n; anything else in a schema's
 * description (a line break in a column's, a control character, a lone surrogate) is a space or U+FFFD, or
 * CloudFormation would refuse the table at deploy while the local lake took it.
 */
function glueText(s: string, max: number, lineBreaks: boolean): string {
  const refused = lineBreaks
    ? /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g
    : /[\u0000-\u0008\u000A-\u001F\uFFFE\uFFFF]/g;
  return truncate(s.replace(LONE_SURROGATE, '\uFFFD').replace(refused, ' '), max);
}

/** `s3://<curated bucket>/<rest>` as a CloudFormation value (`${...}` not meant for Fn::Sub escaped). */
function s3Url(bucketLogicalId: string, rest: string): Cfn {
  return { 'Fn::Sub': `s3://\${${bucketLogicalId}}/${rest.replace(/\$\{/g, '${!')}` };
}

/**
 * What the lake records about a table in its Glue table's Parameters, beside Athena's own (classification,
 * projection.*): everything GET /tables answers (lib/catalog/describe.ts) that Glue has no field for.
 * CloudFormation's AWS::Glue::Table Column has no Parameters (only Name, Type, Comment), so the column flags are
 * table parameters too: comma-separated column names (column names never hold a comma:
 * lib/catalog/table-from-schema.ts IDENTIFIER), left out when no column has the flag.
 */
export const LAKE_PARAMETER = {
  /** events | dataset */
  kind: 'lake.kind',
  /** The schema version (schemas/history/), decimal. */
  version: 'lake.version',
  /** Comma-separated key columns. */
  primaryKey: 'lake.primaryKey',
  latestBy: 'lake.latestBy',
  supersedes: 'lake.supersedes',
  /** `lake.partition.<key>.from`: the column whose UTC date is the partition value. */
  partitionFrom: (key: string) => `lake.partition.${key}.from`,
  required: 'lake.columns.required',
  json: 'lake.columns.json',
  generated: 'lake.columns.generated',
  deprecated: 'lake.columns.deprecated',
  retired: 'lake.columns.retired',
  /** Comma-separated `<column>=<its old name>`. */
  renamedFrom: 'lake.columns.renamedFrom',
} as const;

/** The column flags recorded as lists of column names. */
export const COLUMN_FLAGS = ['required', 'json', 'generated', 'deprecated', 'retired'] as const;

/** Appended to the comment of a column that holds JSON text (objects and arrays). */
export const JSON_TEXT_NOTE = '(JSON text)';

const COMMENT_MAX = 255;

/** A column's Glue comment: its description, and the JSON note for JSON text (kept whole when truncating). */
function columnComment(c: ColumnDef): string | undefined {
  if (!c.json) return c.description ? glueText(c.description, COMMENT_MAX, false) : undefined;
  if (!c.description) return JSON_TEXT_NOTE;
  return `${glueText(c.description, COMMENT_MAX - JSON_TEXT_NOTE.length - 1, false)} ${JSON_TEXT_NOTE}`;
}

function lakeParameters(table: TableDef): Record<string, string> {
  const p: Record<string, string> = {
    [LAKE_PARAMETER.kind]: table.kind,
    [LAKE_PARAMETER.version]: String(table.version),
    [LAKE_PARAMETER.primaryKey]: table.primaryKey.join(','),
  };
  if (table.latestBy) p[LAKE_PARAMETER.latestBy] = table.latestBy;
  if (table.supersedes) p[LAKE_PARAMETER.supersedes] = table.supersedes;
  for (const k of table.partitionKeys) p[LAKE_PARAMETER.partitionFrom(k.name)] = k.fromColumn;
  for (const flag of COLUMN_FLAGS) {
    const names = table.columns.filter((c) => c[flag] === true).map((c) => c.name);
    if (names.length) p[LAKE_PARAMETER[flag]] = names.join(',');
  }
  const renames = table.columns.filter((c) => c.renamedFrom).map((c) => `${c.name}=${c.renamedFrom}`);
  if (renames.length) p[LAKE_PARAMETER.renamedFrom] = renames.join(',');
  return p;
}

export interface GlueColumnInput {
  Name: string;
  Type: string;
  Comment?: string;
}

/** A Glue TableInput; `L` is how a location is written (a CloudFormation Fn::Sub, or a plain URL). */
export interface GlueTableInput<L> {
  Name: string;
  Description: string;
  TableType: 'EXTERNAL_TABLE';
  Parameters: Record<string, string | L>;
  PartitionKeys: GlueColumnInput[];
  StorageDescriptor: {
    Columns: GlueColumnInput[];
    Location: L;
    Compressed: boolean;
    StoredAsSubDirectories: boolean;
    InputFormat: string;
    OutputFormat: string;
    SerdeInfo: { SerializationLibrary: string; Parameters: Record<string, string> };
  };
}

/**
 * The Glue TableInput of a table. `location(rest)` makes the URL of `rest`, a key prefix in the curated zone (which
 * may hold Athena's `${key}` placeholders): `s3://<curated bucket>/<rest>` on AWS (a CloudFormation Fn::Sub), the
 * local lake's folder as a file: URL locally (lib/catalog/describe.ts).
 */
export function glueTableInput<L>(table: TableDef, location: (rest: string) => L): GlueTableInput<L> {
  const parameters: Record<string, string | L> = {
    classification: 'parquet',
    EXTERNAL: 'TRUE',
    'parquet.compression': 'ZSTD',
    'projection.enabled': 'true',
  };
  for (const key of table.partitionKeys) {
    parameters[`projection.${key.name}.type`] = 'date';
    parameters[`projection.${key.name}.format`] = 'yyyy-MM-dd';
    parameters[`projection.${key.name}.range`] =
      `${PROJECTION_START},${table.kind === 'dataset' ? DATASET_PROJECTION_END : PROJECTION_END}`;
    parameters[`projection.${key.name}.interval`] = '1';
    parameters[`projection.${key.name}.interval.unit`] = 'DAYS';
  }
  const template = table.prefix + table.partitionKeys.map((k) => `${k.name}=\${${k.name}}/`).join('');
  parameters['storage.location.template'] = location(template);
  Object.assign(parameters, lakeParameters(table));

  return {
    Name: table.name,
    Description: glueText(table.description, 2048, true),
    TableType: 'EXTERNAL_TABLE',
    Parameters: parameters,
    PartitionKeys: table.partitionKeys.map((k) => ({
      Name: k.name,
      Type: k.type,
      Comment: truncate(`UTC date (yyyy-MM-dd) of ${k.fromColumn}`, COMMENT_MAX),
    })),
    StorageDescriptor: {
      Columns: table.columns.map((c) => {
        const comment = columnComment(c);
        return { Name: c.name, Type: c.type, ...(comment !== undefined ? { Comment: comment } : {}) };
      }),
      Location: location(table.prefix),
      Compressed: true,
      StoredAsSubDirectories: false,
      ...PARQUET,
    },
  };
}

export function glueTableResource(table: TableDef, bucketLogicalId = 'CuratedBucket'): Cfn {
  return {
    Type: 'AWS::Glue::Table',
    Properties: {
      CatalogId: { Ref: 'AWS::AccountId' },
      DatabaseName: { Ref: DATABASE_LOGICAL_ID },
      // The template's ${key} are Athena's, not CloudFormation's: s3Url escapes them as ${!key}.
      TableInput: glueTableInput(table, (rest) => s3Url(bucketLogicalId, rest)),
    },
  };
}

/** The database, one table per lake table, and the database name as a stack output. */
/**
 * The logical ids of the lake's Glue tables: what the Glue job depends on in the stack (resources/glue.yml), so
 * that a deploy updates the catalog before the job's plans, and the job before the functions that accept data
 * under the new schemas (resources/framework-resources.yml).
 */
export function glueTableLogicalIds(tables: TableDef[] = lakeTables(schemasDir)): string[] {
  return tables.map((t) => glueTableLogicalId(t.name));
}

export function glueCatalogResources(options: GlueCatalogOptions): { Resources: Cfn; Outputs: Cfn } {
  const tables = options.tables ?? lakeTables(schemasDir);
  const bucket = options.bucketLogicalId ?? 'CuratedBucket';
  const database = glueDatabaseName(options.service, options.stage);
  const resources: Cfn = {
    [DATABASE_LOGICAL_ID]: {
      Type: 'AWS::Glue::Database',
      Properties: {
        CatalogId: { Ref: 'AWS::AccountId' },
        DatabaseInput: {
          Name: database,
          Description: `Curated tables of the ${options.service} lake (${options.stage}), from schemas/.`,
          LocationUri: s3Url(bucket, tablesRoot(tables)),
        },
      },
    },
  };
  for (const table of tables) {
    const id = glueTableLogicalId(table.name);
    if (resources[id]) throw new Error(`tables '${table.name}' and another have the same logical id ${id}`);
    resources[id] = glueTableResource(table, bucket);
  }
  return {
    Resources: resources,
    Outputs: {
      GlueDatabaseName: {
        Description: 'Glue Data Catalog database of the curated tables',
        Value: { Ref: DATABASE_LOGICAL_ID },
      },
    },
  };
}

/** The longest folder every table's prefix starts with (tables/). */
function tablesRoot(tables: TableDef[]): string {
  if (!tables.length) return '';
  let common = tables[0]!.prefix;
  for (const t of tables) while (!t.prefix.startsWith(common)) common = common.slice(0, -1);
  return common.slice(0, common.lastIndexOf('/') + 1);
}

/** ARNs of the catalog, the database and its tables (for IAM policies), as CloudFormation values. */
export function glueCatalogArns(
  service: string,
  stage: string,
  tables: TableDef[] = lakeTables(schemasDir),
): Cfn[] {
  const database = glueDatabaseName(service, stage);
  const base = 'arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}';
  return [
    { 'Fn::Sub': `${base}:catalog` },
    { 'Fn::Sub': `${base}:database/${database}` },
    ...tables.map((t) => ({ 'Fn::Sub': `${base}:table/${database}/${t.name}` })),
  ];
}
