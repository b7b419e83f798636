/** The Glue Data Catalog generated from the table definitions (lib/catalog/glue.ts) and the plans file (lib/etl/plans.ts). */
import layout from '../../lib/lake-layout.json';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  glueCatalogArns,
  glueCatalogResources,
  glueDatabaseName,
  glueTableLogicalId,
  glueTableResource,
} from '../../lib/catalog/glue';
import { datasetTable, eventTable } from '../../lib/catalog/table-from-schema';
import { lakeTables, type TableDef } from '../../lib/catalog/tables';
import { arrivalDateOf, etlPlansFile, rawEventsPrefix } from '../../lib/etl/plans';
import { buildPlan } from '../../lib/etl/plan';

/* eslint-disable @typescript-eslint/no-explicit-any */
const props = (r: any) => r.Properties.TableInput;

const sample: TableDef = datasetTable('sales_lines', {
  description: 'Lines',
  required: ['line_id', 'sold_on'],
  properties: {
    line_id: { type: 'string', description: 'Line key' },
    sold_on: { type: 'string', format: 'date' },
    qty: { type: 'integer' },
    price: { type: ['number', 'null'] },
    paid: { type: 'boolean' },
    at: { type: 'string', format: 'date-time' },
    tags: { type: 'array' },
  },
  'x-lake': { primaryKey: ['line_id'], partitionBy: 'sold_on', formats: ['csv'] },
} as any);

describe('Glue catalog from the table definitions', () => {
  it('names the database after service and stage, in lower snake case', () => {
    expect(glueDatabaseName('data-lake', 'prod')).toBe('data_lake_prod');
    expect(glueDatabaseName('data-lake', 'Feature-X.1')).toBe('data_lake_feature_x_1');
  });

  it('gives each table a PascalCase logical id', () => {
    expect(glueTableLogicalId('page_view')).toBe('GlueTablePageView');
    expect(glueTableLogicalId('orders')).toBe('GlueTableOrders');
  });

  it('describes a table as external Parquet with Hive types, its partition key and its location', () => {
    const t = props(glueTableResource(sample));
    expect(t.Name).toBe('sales_lines');
    expect(t.TableType).toBe('EXTERNAL_TABLE');
    expect(t.StorageDescriptor.Columns.map((c: any) => [c.Name, c.Type])).toEqual([
      ['line_id', 'string'],
      ['sold_on', 'date'],
      ['qty', 'bigint'],
      ['price', 'double'],
      ['paid', 'boolean'],
      ['at', 'timestamp'],
      ['tags', 'string'],
      ['lake_source_file', 'string'],
      ['lake_ingested_at', 'timestamp'],
      ['lake_schema_version', 'bigint'],
    ]);
    expect(t.StorageDescriptor.Columns[0].Comment).toBe('Line key');
    expect(t.StorageDescriptor.Columns[6].Comment).toMatch(/JSON text/);
    expect(t.PartitionKeys).toEqual([expect.objectContaining({ Name: 'dt', Type: 'string' })]);
    expect(t.StorageDescriptor.Location).toEqual({
      'Fn::Sub': 's3://${CuratedBucket}/tables/datasets/sales_lines/',
    });
    expect(t.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe(
      'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
    );
    expect(t.StorageDescriptor.InputFormat).toBe(
      'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
    );
    expect(t.StorageDescriptor.OutputFormat).toBe(
      'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
    );
  });

  it("writes descriptions as Glue's patterns take them: no line break in a comment, no control character, whole characters at the cut", () => {
    // AWS::Glue::Table Column Comment: [\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\t]*, at most 255;
    // TableInput Description the same with \r\n, at most 2048. Outside them CloudFormation refuses the table at deploy.
    const COMMENT = /^(?:[\u0020-\uD7FF\uE000-\uFFFD\t]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/;
    const DESCRIPTION = /^(?:[\u0020-\uD7FF\uE000-\uFFFD\t\r\n]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/;
    const t = props(
      glueTableResource(
        datasetTable('notes', {
          description: 'Notes.\r\nOne per line\u0001, \ud800 lone.',
          required: ['id', 'day'],
          properties: {
            id: { type: 'string', description: 'Unique order number.\nAssigned by the shop system.' },
            day: { type: 'string', format: 'date' },
            coupon: { type: 'string', description: `${'x'.repeat(253)}😀 coupon code` },
            extra: { type: 'object', description: `tab\there\u007f, ${'y'.repeat(240)}😀😀` },
          },
          'x-lake': { primaryKey: ['id'], partitionBy: 'day', formats: ['csv'] },
        } as any),
      ),
    );
    const comments = ['id', 'coupon', 'extra'].map(
      (name) => t.StorageDescriptor.Columns.find((c: any) => c.Name === name).Comment as string,
    );
    for (const c of comments) {
      expect(c).toMatch(COMMENT);
      expect(c.length).toBeLessThanOrEqual(255);
    }
    expect(comments[0]).toBe('Unique order number. Assigned by the shop system.');
    expect(comments[1]).toBe(`${'x'.repeat(253)}…`);
    expect(comments[2]).toMatch(/^tab\there\u007f, y+… \(JSON text\)$/);
    expect(t.Description).toMatch(DESCRIPTION);
    expect(t.Description).toBe('Notes.\r\nOne per line , \ufffd lone.');
  });

  it('configures date partition projection, with Athena placeholders escaped from Fn::Sub', () => {
    const t = props(
      glueTableResource(eventTable('page_view', { properties: { url: { type: 'string' } } } as any)),
    );
    expect(t.Parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.event_date.type': 'date',
      'projection.event_date.format': 'yyyy-MM-dd',
      // Athena projects from the first day ingest and the ETL accept (lib/lake-layout.json).
      'projection.event_date.range': `${layout.curated.earliestPartitionDate},NOW+1DAYS`,
      'projection.event_date.interval': '1',
      'projection.event_date.interval.unit': 'DAYS',
    });
    expect(t.Parameters['storage.location.template']).toEqual({
      'Fn::Sub': 's3://${CuratedBucket}/tables/events/type=page_view/event_date=${!event_date}/',
    });
  });

  it('creates one database and one table per lake table, referencing the database, and outputs its name', () => {
    const tables = lakeTables();
    const cfn = glueCatalogResources({ service: 'data-lake', stage: 'prod', tables });
    const db = (cfn.Resources as any).GlueDatabase;
    expect(db.Type).toBe('AWS::Glue::Database');
    expect(db.Properties.DatabaseInput.Name).toBe('data_lake_prod');
    const glueTables = Object.entries(cfn.Resources).filter(([, r]: any) => r.Type === 'AWS::Glue::Table');
    expect(glueTables.map(([id]) => id).sort()).toEqual(tables.map((t) => glueTableLogicalId(t.name)).sort());
    for (const [, r] of glueTables as [string, any][]) {
      expect(r.Properties.DatabaseName).toEqual({ Ref: 'GlueDatabase' });
      expect(r.Properties.CatalogId).toEqual({ Ref: 'AWS::AccountId' });
    }
    expect(cfn.Outputs).toEqual({
      GlueDatabaseName: expect.objectContaining({ Value: { Ref: 'GlueDatabase' } }),
    });
  });

  it('refuses two tables whose logical ids collide', () => {
    const a = datasetTable('a_1', {
      required: ['k', 'd'],
      properties: { k: { type: 'string' }, d: { type: 'string', format: 'date' } },
      'x-lake': { primaryKey: ['k'], partitionBy: 'd', formats: ['csv'] },
    } as any);
    expect(() =>
      glueCatalogResources({ service: 's', stage: 'dev', tables: [a, { ...a, name: 'a1' }] }),
    ).toThrow(/same logical id/);
  });

  it('lists the catalog, database and table ARNs for IAM', () => {
    const arns = glueCatalogArns('data-lake', 'prod', [sample]).map((a: any) => a['Fn::Sub']);
    expect(arns).toEqual([
      'arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:catalog',
      'arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:database/data_lake_prod',
      'arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:table/data_lake_prod/sales_lines',
    ]);
  });
});

describe('ETL plans file', () => {
  it('has the plan of every table of schemas/ and the raw prefix of every event table', () => {
    const tables = lakeTables();
    const file = etlPlansFile(tables);
    expect(file.version).toBe(4);
    expect(Object.keys(file.tables).sort()).toEqual(tables.map((t) => t.name).sort());
    for (const t of tables) expect(file.tables[t.name]).toEqual(buildPlan(t));
    expect(Object.keys(file.events).sort()).toEqual(
      tables
        .filter((t) => t.kind === 'events')
        .map((t) => t.name)
        .sort(),
    );
    expect(file.events.page_view).toEqual({ rawPrefix: 'events/type=page_view/' });
    expect(file.layout).toEqual({
      rejectedPrefix: 'rejected/',
      rejected: {
        table: 'lake_rejected',
        columns: ['run_id', 'source_file', 'reason', 'raw_record', 'rejected_at', 'schema_version'],
      },
      replayedPrefix: '_state/replayed/',
      replayingPrefix: '_state/replaying/',
      rebuildingPrefix: '_state/rebuilding/',
      tmpPrefix: '_state/tmp/',
      swapsPrefix: '_state/swaps/',
      uploads: { prefix: 'uploads/', temporarySuffixes: expect.arrayContaining(['.tmp', '.part', '~']) },
      runsPrefix: '_state/runs/',
      compactionPrefix: '_state/compaction/',
      rawEvents: { format: 'jsonl', gzip: true, extension: '.gz' },
      arrivalDatePattern: expect.any(String),
      pendingUploadsPrefix: '_state/uploads/pending/',
      uploadResultsPrefix: '_state/uploads/done/',
      restoredUploadsPrefix: '_state/uploads/restored/',
      maxUploadAttempts: 3,
      partitionsListed: 20,
    });
  });

  it('follows the schemas directory it is given', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'schemas-'));
    mkdirSync(path.join(dir, 'events'));
    mkdirSync(path.join(dir, 'datasets'));
    writeFileSync(
      path.join(dir, 'events', 'click.json'),
      JSON.stringify({ required: ['x'], properties: { x: { type: 'string' } } }),
    );
    const file = etlPlansFile(lakeTables(dir));
    expect(Object.keys(file.tables)).toEqual(['click']);
    expect(file.events).toEqual({ click: { rawPrefix: 'events/type=click/' } });
  });

  it('finds the arrival date in the keys the delivery stream writes', () => {
    expect(rawEventsPrefix('signup')).toBe('events/type=signup/');
    expect(
      arrivalDateOf(
        'events/type=signup/arrival_date=2026-01-05/arrival_hour=07/data-lake-prod-events-1-x.gz',
      ),
    ).toBe('2026-01-05');
    expect(arrivalDateOf('uploads/orders/arrival_date.csv')).toBeUndefined();
  });
});
