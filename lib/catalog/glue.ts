/**
 * The Glue Data Catalog of the lake, as CloudFormation generated from the table definitions (lib/catalog/tables.ts):
 * one database per stage and one external Parquet table per table, partitioned as the ETL writes them, with
 * partition projection so that Athena finds new partitions without a crawler or partition registration.
 *
 * serverless.yml includes it through resources/catalog.cjs; the Glue job (resources/glue.yml) writes the data.
 */
import { lakeTables, schemasDir, type TableDef } from './tables';

type Cfn = Record<string, unknown>;

export interface GlueCatalogOptions {
  /** The Serverless service name (data-lake). */
  service: string;
  stage: string;
  tables?: TableDef[];
  /** Logical id of the curated bucket resource. */
  bucketLogicalId?: string;
}

/** First day that partition projection generates (no data in the lake is older). */
export const PROJECTION_START = '2020-01-01';
/**
 * Last day that partition projection generates: tomorrow, as ingest accepts occurred_at up to a day ahead (clock
 * skew) and an event's partition is the UTC date of occurred_at.
 */
export const PROJECTION_END = 'NOW+1DAYS';

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

/** Logical id of a table's AWS::Glue::Table: GlueTable + the name in PascalCase (page_view → GlueTablePageView). */
export function glueTableLogicalId(table: string): string {
  return (
    'GlueTable' +
    table
      .split('_')
      .filter(Boolean)
      .map((p) => p[0]!.toUpperCase() + p.slice(1))
      .join('')
  );
}

const truncate = (s: string, max: number) => (s.length <= max ? s : s.slice(0, max - 1) + '…');

/** `s3://<curated bucket>/<rest>` as a CloudFormation value (`${...}` not meant for Fn::Sub escaped). */
function s3Url(bucketLogicalId: string, rest: string): Cfn {
  return { 'Fn::Sub': `s3://\${${bucketLogicalId}}/${rest.replace(/\$\{/g, '${!')}` };
}

export function glueTableResource(table: TableDef, bucketLogicalId = 'CuratedBucket'): Cfn {
  const parameters: Record<string, unknown> = {
    classification: 'parquet',
    EXTERNAL: 'TRUE',
    'parquet.compression': 'ZSTD',
    'projection.enabled': 'true',
  };
  for (const key of table.partitionKeys) {
    parameters[`projection.${key.name}.type`] = 'date';
    parameters[`projection.${key.name}.format`] = 'yyyy-MM-dd';
    parameters[`projection.${key.name}.range`] = `${PROJECTION_START},${PROJECTION_END}`;
    parameters[`projection.${key.name}.interval`] = '1';
    parameters[`projection.${key.name}.interval.unit`] = 'DAYS';
  }
  // The template's ${key} are Athena's, not CloudFormation's: s3Url escapes them as ${!key}.
  const template = table.prefix + table.partitionKeys.map((k) => `${k.name}=\${${k.name}}/`).join('');
  parameters['storage.location.template'] = s3Url(bucketLogicalId, template);

  return {
    Type: 'AWS::Glue::Table',
    Properties: {
      CatalogId: { Ref: 'AWS::AccountId' },
      DatabaseName: { Ref: DATABASE_LOGICAL_ID },
      TableInput: {
        Name: table.name,
        Description: truncate(table.description, 2048),
        TableType: 'EXTERNAL_TABLE',
        Parameters: parameters,
        PartitionKeys: table.partitionKeys.map((k) => ({
          Name: k.name,
          Type: k.type,
          Comment: truncate(`UTC date (yyyy-MM-dd) of ${k.fromColumn}`, 255),
        })),
        StorageDescriptor: {
          Columns: table.columns.map((c) => ({
            Name: c.name,
            Type: c.type,
            ...(c.description || c.json
              ? {
                  Comment: truncate(
                    [c.description, c.json ? '(JSON text)' : ''].filter(Boolean).join(' '),
                    255,
                  ),
                }
              : {}),
          })),
          Location: s3Url(bucketLogicalId, table.prefix),
          Compressed: true,
          StoredAsSubDirectories: false,
          ...PARQUET,
        },
      },
    },
  };
}

/** The database, one table per lake table, and the database name as a stack output. */
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
