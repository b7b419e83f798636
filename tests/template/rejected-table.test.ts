/**
 * The rejected store's Glue table (lib/catalog/rejected-table.ts via resources/rejected-table.cjs) in the packaged
 * template: lake_rejected in the stage's database, JSON lines through the OpenX SerDe, partition projection over every
 * lake table and the run dates, and the query API allowed to name it.
 */
import { lakeTables } from '../../lib/catalog/tables';
import { REJECTED_COLUMNS, REJECTED_TABLE } from '../../lib/etl/rejected';
import { asArray, packageService, resourcesOfType, roleStatements, type Template } from '../support/template';

let t: Template;
beforeAll(async () => {
  t = (await packageService('prod')).template;
}, 300_000);

const sub = (v: unknown) => (v as { 'Fn::Sub': string })['Fn::Sub'];

describe('lake_rejected in the packaged prod template', () => {
  it('is a Glue table of the stage database over rejected/, read as JSON lines', () => {
    const found = resourcesOfType(t, 'AWS::Glue::Table').filter(
      ([, r]) => r.Properties.TableInput.Name === REJECTED_TABLE,
    );
    expect(found.map(([id]) => id)).toEqual(['GlueTableLakeRejected']);
    const { Properties } = found[0]![1];
    expect(Properties.DatabaseName).toEqual({ Ref: 'GlueDatabase' });
    expect(Properties.CatalogId).toEqual({ Ref: 'AWS::AccountId' });
    const input = Properties.TableInput;
    expect(input.TableType).toBe('EXTERNAL_TABLE');
    expect(
      input.StorageDescriptor.Columns.map((c: { Name: string; Type: string }) => [c.Name, c.Type]),
    ).toEqual(REJECTED_COLUMNS.map((c) => [c.name, c.type]));
    expect(input.PartitionKeys.map((k: { Name: string; Type: string }) => [k.Name, k.Type])).toEqual([
      ['table_name', 'string'],
      ['run_date', 'string'],
    ]);
    expect(input.StorageDescriptor).toMatchObject({
      InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
      SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
    });
    expect(sub(input.StorageDescriptor.Location)).toBe('s3://${CuratedBucket}/rejected/');
  });

  it('projects its partitions: every lake table by name, the run dates as the curated tables’ dates', () => {
    const [, r] = resourcesOfType(t, 'AWS::Glue::Table').find(
      ([, x]) => x.Properties.TableInput.Name === REJECTED_TABLE,
    )!;
    const p = r.Properties.TableInput.Parameters;
    expect(p).toMatchObject({
      classification: 'json',
      'projection.enabled': 'true',
      'projection.table_name.type': 'enum',
      'projection.run_date.type': 'date',
      'projection.run_date.format': 'yyyy-MM-dd',
      'projection.run_date.interval': '1',
      'projection.run_date.interval.unit': 'DAYS',
    });
    expect(p['projection.table_name.values'].split(',')).toEqual(
      lakeTables()
        .map((x) => x.name)
        .sort(),
    );
    // The same range as the event tables' partitions: run dates are days up to today (a dataset's reach further).
    const pageView = resourcesOfType(t, 'AWS::Glue::Table').find(
      ([, x]) => x.Properties.TableInput.Name === 'page_view',
    )!;
    expect(p['projection.run_date.range']).toBe(
      pageView[1].Properties.TableInput.Parameters['projection.event_date.range'],
    );
    expect(sub(p['storage.location.template'])).toBe(
      's3://${CuratedBucket}/rejected/table_name=${!table_name}/run_date=${!run_date}/',
    );
  });

  it('is a table the query API allows (LAKE_TABLES of the queries function)', () => {
    const env = t.Resources.QueriesLambdaFunction!.Properties.Environment.Variables;
    expect(env.LAKE_TABLES.split(',')).toEqual(
      expect.arrayContaining([REJECTED_TABLE, 'orders', 'page_view']),
    );
  });

  it('lets the queries role read it: the table in Glue, the rejected/ prefix in the curated bucket', () => {
    const statements = roleStatements(t.Resources.QueriesRole!) as {
      Sid?: string;
      Action: string | string[];
      Resource: unknown;
      Condition?: { StringLike: Record<string, string[]> };
    }[];
    const glue = statements.filter((s) => asArray(s.Action).includes('glue:GetPartitions'));
    expect(glue.flatMap((s) => asArray(s.Resource).map(sub))).toContain(
      'arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:table/data_lake_prod/lake_rejected',
    );
    const read = statements.find((s) => s.Sid === 'CuratedTablesRead')!;
    expect(asArray(read.Resource).map(sub)).toContain(
      'arn:${AWS::Partition}:s3:::${AWS::StackName}-curated-${AWS::AccountId}-${AWS::Region}/rejected/*',
    );
    const list = statements.find((s) => s.Sid === 'CuratedTablesList')!;
    expect(asArray(list.Action)).toEqual(['s3:ListBucket']);
    expect(list.Condition!.StringLike['s3:prefix']).toEqual(['tables/*', 'rejected/*']);
    // No condition on the bucket's location: the request carries no s3:prefix (under one it is never granted).
    const location = statements.find(
      (s) => asArray(s.Action).includes('s3:GetBucketLocation') && s.Sid !== 'QueryResultsBucket',
    )!;
    expect(location.Condition).toBeUndefined();
    expect(sub(asArray(location.Resource)[0])).toBe(
      'arn:${AWS::Partition}:s3:::${AWS::StackName}-curated-${AWS::AccountId}-${AWS::Region}',
    );
  });
});
