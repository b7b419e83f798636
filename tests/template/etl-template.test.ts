/** The CloudFormation that `sls package --stage prod` writes, offline: curated bucket, Glue job, catalog, ETL assets. */
import layout from '../../lib/lake-layout.json';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REJECTED_TABLE_LOGICAL_ID } from '../../lib/catalog/rejected-table';
import { lakeTables } from '../../lib/catalog/tables';
import type { EtlPlansFile } from '../../lib/etl/plans';
import {
  asArray,
  packageService,
  resourcesOfType,
  roleStatements,
  type Packaged,
  type Template,
} from '../support/template';
import { resolveConditions } from '../support/cfn-spec';

/* eslint-disable @typescript-eslint/no-explicit-any */
let packaged: Packaged;
let t: Template;
let manifest: { prefix: string; files: { name: string; key: string; sha256: string }[] };

beforeAll(async () => {
  packaged = await packageService('prod');
  // What the prod stack contains: conditions (encryption: kms) resolved.
  t = resolveConditions(packaged.template);
  manifest = JSON.parse(readFileSync(path.join(packaged.dir, 'glue-assets', 'manifest.json'), 'utf8'));
}, 180_000);

const sub = (v: unknown) => (typeof v === 'object' && v && 'Fn::Sub' in v ? (v as any)['Fn::Sub'] : v);
const tables = lakeTables();

describe('packaged template: curated zone and ETL', () => {
  it('deploys a schema change in order: the catalog tables, then the Glue job (its plans), then the functions that accept data', () => {
    const job = t.Resources.EtlGlueJob!;
    const glueTables = Object.entries(t.Resources)
      .filter(([, r]) => r.Type === 'AWS::Glue::Table')
      .map(([id]) => id);
    const schemaTables = glueTables.filter((id) => id !== REJECTED_TABLE_LOGICAL_ID);
    expect(schemaTables).toHaveLength(tables.length);
    expect(asArray(job.DependsOn)).toEqual(expect.arrayContaining(schemaTables));
    for (const fn of ['IngestLambdaFunction', 'ValidateUploadLambdaFunction'])
      expect([fn, asArray(t.Resources[fn]!.DependsOn)]).toEqual([fn, expect.arrayContaining(['EtlGlueJob'])]);
  });

  it('encrypts the curated bucket, blocks public access, enforces ownership, versions and denies non-TLS requests', () => {
    const bucket = t.Resources.CuratedBucket!;
    expect(bucket.Type).toBe('AWS::S3::Bucket');
    expect(bucket.Properties.BucketName).toEqual({
      'Fn::Sub': '${AWS::StackName}-curated-${AWS::AccountId}-${AWS::Region}',
    });
    expect(
      bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault
        .SSEAlgorithm,
    ).toMatch(/AES256|aws:kms/);
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.OwnershipControls.Rules[0].ObjectOwnership).toBe('BucketOwnerEnforced');
    expect(bucket.Properties.VersioningConfiguration.Status).toBe('Enabled');
    const policy = t.Resources.CuratedBucketPolicy!.Properties;
    expect(policy.Bucket).toEqual({ Ref: 'CuratedBucket' });
    expect(policy.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('expires rejected rows after 90 days and temporary files after 2, and aborts incomplete uploads', () => {
    const rules = t.Resources.CuratedBucket!.Properties.LifecycleConfiguration.Rules as any[];
    const enabled = rules.filter((r) => r.Status === 'Enabled');
    expect(enabled).toContainEqual(expect.objectContaining({ Prefix: 'rejected/', ExpirationInDays: 90 }));
    expect(enabled).toContainEqual(expect.objectContaining({ Prefix: '_state/tmp/', ExpirationInDays: 2 }));
    expect(enabled.some((r) => r.AbortIncompleteMultipartUpload?.DaysAfterInitiation > 0)).toBe(true);
    // Nothing expires the tables or the run state.
    expect(
      enabled
        .filter((r) => r.ExpirationInDays)
        .map((r) => r.Prefix)
        .sort(),
    ).toEqual(['_state/tmp/', 'rejected/']);
  });

  it('defines the Glue 5.0 job EtlGlueJob with its arguments, no bookmarks, metrics and logs', () => {
    const job = t.Resources.EtlGlueJob!;
    expect(job.Type).toBe('AWS::Glue::Job');
    const p = job.Properties;
    expect(p.Command).toMatchObject({ Name: 'glueetl', PythonVersion: '3' });
    expect(p.GlueVersion).toBe('5.0');
    expect(p.WorkerType).toBe('G.1X');
    expect(p.NumberOfWorkers).toBe(5); // prod param
    expect(p.Timeout).toBe(120);
    // One run at a time: concurrent runs on one table would overwrite each other's partitions.
    expect(p.ExecutionProperty.MaxConcurrentRuns).toBe(1);
    expect(p.MaxRetries).toBe(0); // the state machine retries
    expect(p.Role).toEqual({ 'Fn::GetAtt': ['EtlGlueRole', 'Arn'] });
    const args = p.DefaultArguments;
    expect(args).toMatchObject({
      '--job-language': 'python',
      '--enable-metrics': 'true',
      '--enable-continuous-cloudwatch-log': 'true',
      '--job-bookmark-option': 'job-bookmark-disable',
      '--raw_bucket': { Ref: 'RawBucket' },
      '--curated_bucket': { Ref: 'CuratedBucket' },
      '--plans_bucket': { Ref: 'ServerlessDeploymentBucket' },
      '--database': { Ref: 'GlueDatabase' },
    });
    expect(args['--TempDir']).toEqual({ 'Fn::Sub': 's3://${CuratedBucket}/_state/tmp/glue/' });
    // Glue 5.0 logs to <prefix>/output and <prefix>/error: both exist, with retention.
    const prefix = args['--custom-logGroup-prefix'];
    const groups = resourcesOfType(t, 'AWS::Logs::LogGroup').map(([, r]) => r.Properties);
    for (const suffix of ['output', 'error']) {
      expect(groups).toContainEqual({
        LogGroupName: `${prefix}/${suffix}`,
        RetentionInDays: 90,
        KmsKeyId: { 'Fn::GetAtt': ['LakeKey', 'Arn'] },
      });
    }
  });

  it('runs the packaged script and plans from the deployment bucket, under a content-hashed prefix', () => {
    const p = t.Resources.EtlGlueJob!.Properties;
    expect(manifest.prefix).toMatch(/^serverless\/data-lake\/prod\/glue\/[0-9a-f]{16}\/$/);
    expect(p.Command.ScriptLocation).toEqual({
      'Fn::Sub': `s3://\${ServerlessDeploymentBucket}/${manifest.prefix}etl_job.py`,
    });
    expect(p.DefaultArguments['--plans_key']).toBe(`${manifest.prefix}plans.json`);
    expect(manifest.files.map((f) => [f.name, f.key]).sort()).toEqual([
      ['etl_job.py', `${manifest.prefix}etl_job.py`],
      ['plans.json', `${manifest.prefix}plans.json`],
    ]);
    // The packaged script is the one in the repository, and the manifest's hashes are the files'.
    const script = readFileSync(path.join(packaged.dir, 'glue-assets', 'etl_job.py'));
    expect(script.equals(readFileSync(path.resolve(__dirname, '../../resources/glue/etl_job.py')))).toBe(
      true,
    );
    for (const f of manifest.files) {
      const body = readFileSync(path.join(packaged.dir, 'glue-assets', f.name));
      expect(createHash('sha256').update(body).digest('hex')).toBe(f.sha256);
    }
  });

  it('ships plans generated from schemas/: every table, and the orders plan types every column', () => {
    const plans = JSON.parse(
      readFileSync(path.join(packaged.dir, 'glue-assets', 'plans.json'), 'utf8'),
    ) as EtlPlansFile;
    expect(Object.keys(plans.tables).sort()).toEqual(tables.map((x) => x.name).sort());
    const orders = plans.tables.orders!;
    const def = tables.find((x) => x.name === 'orders')!;
    for (const c of def.columns) expect(orders.typedSql).toContain(` AS ${c.name}`);
    expect(orders.outputColumns).toEqual([...def.columns.map((c) => c.name), 'dt']);
    expect(orders.partitionKeys).toEqual(['dt']);
    expect(orders.prefix).toBe('tables/datasets/orders/');
    expect(plans.tables.page_view!.input.columns).toContainEqual({
      name: 'session_id',
      path: ['data', 'session_id'],
    });
    expect(Object.keys(plans.events).sort()).toEqual(
      tables
        .filter((x) => x.kind === 'events')
        .map((x) => x.name)
        .sort(),
    );
  });

  it('limits the Glue role to its prefixes, its assets, its catalog tables and its logs (no wildcard actions)', () => {
    const role = t.Resources.EtlGlueRole!;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'glue.amazonaws.com' },
        Action: 'sts:AssumeRole',
      }),
    ]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const statements = roleStatements(role) as any[];
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    const actions = statements.flatMap((s) => asArray(s.Action) as string[]);
    expect(actions.every((a) => !a.includes('*'))).toBe(true);
    // Only PutMetricData (no resource-level permissions) has Resource '*', and only for the Glue and DataLake
    // (the job's row counts) namespaces.
    for (const s of statements.filter(
      (x) => JSON.stringify(x.Resource).includes('"*"') || x.Resource === '*',
    )) {
      expect(s.Action).toBe('cloudwatch:PutMetricData');
      expect(s.Condition).toEqual({ StringEquals: { 'cloudwatch:namespace': ['Glue', 'DataLake'] } });
    }
    const resourcesOf = (action: string) =>
      statements
        .filter((s) => asArray(s.Action).includes(action))
        .flatMap((s) => asArray(s.Resource).map(sub));

    expect(resourcesOf('s3:GetObject').sort()).toEqual(
      [
        '${RawBucket.Arn}/uploads/*',
        '${RawBucket.Arn}/events/*',
        '${CuratedBucket.Arn}/tables/*',
        '${CuratedBucket.Arn}/rejected/*',
        '${CuratedBucket.Arn}/_state/*',
        `\${ServerlessDeploymentBucket.Arn}/${manifest.prefix}*`,
      ].sort(),
    );
    for (const write of ['s3:PutObject', 's3:DeleteObject']) {
      expect(resourcesOf(write).sort()).toEqual(
        [
          '${CuratedBucket.Arn}/tables/*',
          '${CuratedBucket.Arn}/rejected/*',
          '${CuratedBucket.Arn}/_state/*',
        ].sort(),
      );
    }
    const rawList = statements.find(
      (s) => s.Action === 's3:ListBucket' && s.Resource['Fn::GetAtt']?.[0] === 'RawBucket',
    );
    // Not limited by prefix: a HEAD of an upload that is gone must answer 404 (a HEAD has no s3:prefix: 403).
    expect(rawList.Condition).toBeUndefined();

    const glue = statements.filter((s) => asArray(s.Action).some((a: string) => a.startsWith('glue:')));
    expect(glue.flatMap((s) => asArray(s.Action))).toEqual(['glue:GetTable']);
    const glueArns = glue.flatMap((s) => asArray(s.Resource).map(sub)) as string[];
    const base = 'arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}';
    expect(glueArns.sort()).toEqual(
      [
        `${base}:catalog`,
        `${base}:database/data_lake_prod`,
        ...tables.map((x) => `${base}:table/data_lake_prod/${x.name}`),
      ].sort(),
    );

    const logs = statements.filter((s) => asArray(s.Action).some((a: string) => a.startsWith('logs:')));
    expect(logs.flatMap((s) => asArray(s.Resource))).toEqual([
      { 'Fn::GetAtt': ['EtlGlueOutputLogGroup', 'Arn'] },
      { 'Fn::GetAtt': ['EtlGlueErrorLogGroup', 'Arn'] },
    ]);
  });

  it('catalogs one Parquet table per schema, with its columns, partition key and projection, in data_lake_prod', () => {
    const db = t.Resources.GlueDatabase!;
    expect(db.Type).toBe('AWS::Glue::Database');
    expect(db.Properties.DatabaseInput.Name).toBe('data_lake_prod');
    expect(t.Outputs?.GlueDatabaseName).toEqual(expect.objectContaining({ Value: { Ref: 'GlueDatabase' } }));

    // lake_rejected, the rejected store, is a JSON table of its own (tests/template/rejected-table.test.ts).
    const glueTables = resourcesOfType(t, 'AWS::Glue::Table')
      .map(([, r]) => r.Properties.TableInput)
      .filter((x) => x.Name !== 'lake_rejected');
    expect(glueTables.map((x) => x.Name).sort()).toEqual(tables.map((x) => x.name).sort());
    for (const def of tables) {
      const input = glueTables.find((x) => x.Name === def.name);
      expect(input.TableType).toBe('EXTERNAL_TABLE');
      expect(input.StorageDescriptor.Columns.map((c: any) => [c.Name, c.Type])).toEqual(
        def.columns.map((c) => [c.name, c.type]),
      );
      expect(input.PartitionKeys.map((k: any) => [k.Name, k.Type])).toEqual(
        def.partitionKeys.map((k) => [k.name, 'string']),
      );
      expect(input.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe(
        'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
      );
      expect(sub(input.StorageDescriptor.Location)).toBe(`s3://\${CuratedBucket}/${def.prefix}`);
      const key = def.partitionKeys[0]!.name;
      expect(input.Parameters).toMatchObject({
        'projection.enabled': 'true',
        [`projection.${key}.type`]: 'date',
        [`projection.${key}.format`]: 'yyyy-MM-dd',
        [`projection.${key}.interval`]: '1',
        [`projection.${key}.interval.unit`]: 'DAYS',
      });
      // Event tables to tomorrow (ingest refuses a later occurred_at), datasets years ahead (the ETL rejects later).
      expect(input.Parameters[`projection.${key}.range`]).toBe(
        `${layout.curated.earliestPartitionDate},` +
          (def.kind === 'dataset' ? `NOW+${layout.curated.datasetPartitionYearsAhead}YEARS` : 'NOW+1DAYS'),
      );
      expect(sub(input.Parameters['storage.location.template'])).toBe(
        `s3://\${CuratedBucket}/${def.prefix}${key}=\${!${key}}/`,
      );
    }
    const pageView = glueTables.find((x) => x.Name === 'page_view');
    expect(pageView.StorageDescriptor.Columns.slice(0, 3).map((c: any) => [c.Name, c.Type])).toEqual([
      ['event_id', 'string'],
      ['occurred_at', 'timestamp'],
      ['received_at', 'timestamp'],
    ]);
    expect(pageView.PartitionKeys[0].Name).toBe('event_date');
  });
});
