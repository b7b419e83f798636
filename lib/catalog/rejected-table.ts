/**
 * The rejected store as a table of the stage's Glue database (lake_rejected, lib/etl/rejected.ts), so that Athena
 * reads it as the local lake reads its view (lib/query/rejected-view.ts): the JSON-lines files under
 * rejected/table_name=<table>/run_date=<yyyy-MM-dd>/ of the curated bucket, through the OpenX JSON SerDe, with
 * partition projection — table_name an enum of every lake table, run_date a date range as the curated tables'.
 *
 * serverless.yml includes it through resources/rejected-table.cjs (beside resources/catalog.cjs, which makes the
 * database and the curated tables).
 */
import {
  DATABASE_LOGICAL_ID,
  LAKE_PARAMETER,
  PROJECTION_END,
  PROJECTION_START,
  glueDatabaseName,
  glueTableLogicalId,
  type GlueTableInput,
} from './glue';
import { lakeTables, schemasDir, type TableDef } from './tables';
import { curated } from '../lake-layout.json';
import { REJECTED_COLUMNS, REJECTED_PARTITION_KEYS, REJECTED_TABLE } from '../etl/rejected';

type Cfn = Record<string, unknown>;

export const REJECTED_TABLE_LOGICAL_ID = glueTableLogicalId(REJECTED_TABLE);

const JSON_LINES = {
  InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
  OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
  SerdeInfo: {
    SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
    Parameters: { 'serialization.format': '1' },
  },
};

/** `s3://<curated bucket>/<rest>` as a CloudFormation value (Athena's `${key}` escaped as `${!key}` for Fn::Sub). */
const s3Url = (bucketLogicalId: string, rest: string): Cfn => ({
  'Fn::Sub': `s3://\${${bucketLogicalId}}/${rest.replace(/\$\{/g, '${!')}`,
});

/** The rejected store's layout version (lake.version of its Glue table): its columns and folders as in REJECTED_COLUMNS. */
export const REJECTED_TABLE_VERSION = 1;

/**
 * The Glue TableInput of lake_rejected; `location(rest)` makes the URL of `rest` in the curated zone (see
 * glueTableInput). Its lake parameters (kind rejected, version, required columns, run_date from rejected_at) let
 * GET /tables describe it with the lake's tables.
 */
export function rejectedTableInput<L>(tables: TableDef[], location: (rest: string) => L): GlueTableInput<L> {
  if (tables.some((t) => t.name === REJECTED_TABLE)) {
    throw new Error(`a lake table is named ${REJECTED_TABLE}, the rejected store's name`);
  }
  if (tables.length === 0)
    throw new Error('the rejected store needs at least one lake table (projection enum)');
  const [tableKey, dateKey] = REJECTED_PARTITION_KEYS;
  const prefix = curated.rejectedPrefix;
  return {
    Name: REJECTED_TABLE,
    Description:
      'Rows the ETL rejected, one record each: the run, the raw object, the reason, the raw values as read ' +
      '(JSON text) and the schema version that judged them.',
    TableType: 'EXTERNAL_TABLE',
    Parameters: {
      classification: 'json',
      EXTERNAL: 'TRUE',
      'projection.enabled': 'true',
      [`projection.${tableKey}.type`]: 'enum',
      [`projection.${tableKey}.values`]: tables
        .map((t) => t.name)
        .sort()
        .join(','),
      [`projection.${dateKey}.type`]: 'date',
      [`projection.${dateKey}.format`]: 'yyyy-MM-dd',
      [`projection.${dateKey}.range`]: `${PROJECTION_START},${PROJECTION_END}`,
      [`projection.${dateKey}.interval`]: '1',
      [`projection.${dateKey}.interval.unit`]: 'DAYS',
      'storage.location.template': location(
        `${prefix}${tableKey}=\${${tableKey}}/${dateKey}=\${${dateKey}}/`,
      ),
      [LAKE_PARAMETER.kind]: 'rejected',
      [LAKE_PARAMETER.version]: String(REJECTED_TABLE_VERSION),
      [LAKE_PARAMETER.partitionFrom(dateKey)]: 'rejected_at',
      [LAKE_PARAMETER.required]: REJECTED_COLUMNS.map((c) => c.name).join(','),
    },
    PartitionKeys: [
      { Name: tableKey, Type: 'string', Comment: 'The lake table the rows were meant for.' },
      { Name: dateKey, Type: 'string', Comment: 'UTC date (yyyy-MM-dd) the rejecting run started.' },
    ],
    StorageDescriptor: {
      Columns: REJECTED_COLUMNS.map((c) => ({ Name: c.name, Type: c.type, Comment: c.description })),
      Location: location(prefix),
      Compressed: false,
      StoredAsSubDirectories: false,
      ...JSON_LINES,
    },
  };
}

export function rejectedTableResource(
  tables: TableDef[] = lakeTables(schemasDir),
  bucketLogicalId = 'CuratedBucket',
): Cfn {
  return {
    Type: 'AWS::Glue::Table',
    Properties: {
      CatalogId: { Ref: 'AWS::AccountId' },
      DatabaseName: { Ref: DATABASE_LOGICAL_ID },
      TableInput: rejectedTableInput(tables, (rest) => s3Url(bucketLogicalId, rest)),
    },
  };
}

/** The rejected store's table in the stage's database. */
export function rejectedTableResources(tables?: TableDef[]): { Resources: Cfn } {
  return { Resources: { [REJECTED_TABLE_LOGICAL_ID]: rejectedTableResource(tables) } };
}

/** Its ARN (IAM: the queries role reads it with glue:GetTable and glue:GetPartitions), as a CloudFormation value. */
export function rejectedTableArn(service: string, stage: string): Cfn {
  return {
    'Fn::Sub': `arn:\${AWS::Partition}:glue:\${AWS::Region}:\${AWS::AccountId}:table/${glueDatabaseName(service, stage)}/${REJECTED_TABLE}`,
  };
}
