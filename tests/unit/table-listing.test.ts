/** GET /tables' mapper (lib/catalog/describe.ts) over the Glue tables lib/catalog/glue.ts generates. */
import { pathToFileURL } from 'node:url';
import {
  describeGlueTable,
  describeGlueTables,
  localGlueTables,
  localTableListing,
  type GlueTableMetadata,
} from '../../lib/catalog/describe';
import { glueTableResource, JSON_TEXT_NOTE } from '../../lib/catalog/glue';
import { datasetTable, eventTable } from '../../lib/catalog/table-from-schema';
import { lakeTables, schemaFiles } from '../../lib/catalog/tables';
import { catalogError, TableErrorCode } from '../../lib/query/tables';
import { evolvedTable } from '../support/glue-tables';

/* eslint-disable @typescript-eslint/no-explicit-any */
const ROOT = 's3://data-lake-test-curated/';
const describeOne = (t = evolvedTable()) => describeGlueTable(localGlueTables([t], ROOT)[0]!);

describe('the catalog records what the listing needs', () => {
  it('puts the lake parameters in the TableInput, and no Parameters on columns (CloudFormation has none)', () => {
    const input = (glueTableResource(evolvedTable()) as any).Properties.TableInput;
    expect(input.Parameters).toMatchObject({
      'lake.kind': 'dataset',
      'lake.version': '4',
      'lake.primaryKey': 'shipment_id',
      'lake.latestBy': 'updated_at',
      'lake.supersedes': 'shipments',
      'lake.partition.dt.from': 'shipped_on',
      'lake.columns.required': 'shipment_id,shipped_on,lake_source_file,lake_ingested_at,lake_schema_version',
      'lake.columns.json': 'parcels',
      'lake.columns.generated': 'lake_source_file,lake_ingested_at,lake_schema_version',
      'lake.columns.deprecated': 'weight_kg',
      'lake.columns.retired': 'carrier,legacy_code',
      'lake.columns.renamedFrom': 'carrier_name=carrier',
    });
    for (const c of input.StorageDescriptor.Columns)
      expect(Object.keys(c).sort()).not.toContain('Parameters');
    // Every parameter is a string, as Glue's string-to-string map requires (the location template is an Fn::Sub).
    for (const [k, v] of Object.entries(input.Parameters))
      if (k !== 'storage.location.template') expect(typeof v).toBe('string');
  });

  it('leaves out the flags no column has', () => {
    const click = eventTable('click', { properties: { x: { type: 'string' } } } as any);
    const input = (glueTableResource(click) as any).Properties.TableInput;
    expect(Object.keys(input.Parameters).filter((k) => k.startsWith('lake.'))).toEqual([
      'lake.kind',
      'lake.version',
      'lake.primaryKey',
      'lake.partition.event_date.from',
      'lake.columns.required',
      'lake.columns.generated',
    ]);
  });

  it('keeps the JSON note whole when a long description is truncated to 255 characters', () => {
    const t = datasetTable('notes', {
      required: ['k', 'd'],
      properties: {
        k: { type: 'string' },
        d: { type: 'string', format: 'date' },
        blob: { type: 'object', description: 'x'.repeat(400) },
        plain: { type: 'string', description: 'y'.repeat(400) },
      },
      'x-lake': { primaryKey: ['k'], partitionBy: 'd', formats: ['csv'] },
    } as any);
    const [input] = localGlueTables([t], ROOT);
    const blob = input!.StorageDescriptor.Columns.find((c) => c.Name === 'blob')!;
    expect(blob.Comment).toHaveLength(255);
    expect(blob.Comment!.endsWith(`… ${JSON_TEXT_NOTE}`)).toBe(true);
    expect(input!.StorageDescriptor.Columns.find((c) => c.Name === 'plain')!.Comment).toHaveLength(255);
    const described = describeGlueTable(input!).columns;
    expect(described.find((c) => c.name === 'blob')).toEqual({
      name: 'blob',
      type: 'string',
      required: false,
      json: true,
      description: 'x'.repeat(242) + '…',
    });
  });
});

describe('describeGlueTable', () => {
  it('describes a table with every kind of column evolution', () => {
    expect(describeOne()).toEqual({
      name: 'shipments_v2',
      kind: 'dataset',
      description: 'Shipments, second major version.',
      version: 4,
      supersedes: 'shipments',
      location: `${ROOT}tables/datasets/shipments_v2/`,
      partitionKeys: [{ name: 'dt', type: 'string', from: 'shipped_on' }],
      primaryKey: ['shipment_id'],
      latestBy: 'updated_at',
      columns: [
        { name: 'shipment_id', type: 'string', required: true, description: 'Shipment key.' },
        { name: 'shipped_on', type: 'date', required: true },
        { name: 'carrier_name', type: 'string', required: false, renamedFrom: 'carrier' },
        {
          name: 'weight_kg',
          type: 'double',
          required: false,
          description: 'Use weight_g.',
          deprecated: true,
        },
        { name: 'weight_g', type: 'bigint', required: false },
        {
          name: 'parcels',
          type: 'string',
          required: false,
          json: true,
          description: 'Parcels and their contents.',
        },
        { name: 'updated_at', type: 'timestamp', required: false },
        {
          name: 'carrier',
          type: 'string',
          required: false,
          description: 'Renamed to carrier_name: holds the values stored before.',
          retired: true,
        },
        {
          name: 'legacy_code',
          type: 'string',
          required: false,
          description: 'Retired: no longer in the schema; holds the values stored before.',
          retired: true,
        },
        {
          name: 'lake_source_file',
          type: 'string',
          required: true,
          description: 'Object the row came from.',
          generated: true,
        },
        {
          name: 'lake_ingested_at',
          type: 'timestamp',
          required: true,
          description: 'When the ETL run read it.',
          generated: true,
        },
        {
          name: 'lake_schema_version',
          type: 'bigint',
          required: true,
          description: 'Version of the table schema that wrote the row (schemas/history/).',
          generated: true,
        },
      ],
    });
  });

  it('agrees with the table definition it was generated from, column by column', () => {
    for (const t of [...lakeTables(), evolvedTable()]) {
      const d = describeOne(t);
      expect([d.name, d.kind, d.version, d.primaryKey, d.latestBy, d.supersedes]).toEqual([
        t.name,
        t.kind,
        t.version,
        t.primaryKey,
        t.latestBy,
        t.supersedes,
      ]);
      expect(d.partitionKeys).toEqual(
        t.partitionKeys.map((k) => ({ name: k.name, type: k.type, from: k.fromColumn })),
      );
      expect(
        d.columns.map((c) => [
          c.name,
          c.type,
          c.required,
          !!c.json,
          !!c.deprecated,
          !!c.retired,
          !!c.generated,
          c.renamedFrom,
        ]),
      ).toEqual(
        t.columns.map((c) => [
          c.name,
          c.type,
          c.required,
          !!c.json,
          !!c.deprecated,
          !!c.retired,
          !!c.generated,
          c.renamedFrom,
        ]),
      );
      expect(d.columns.map((c) => c.description)).toEqual(t.columns.map((c) => c.description));
    }
  });

  it('refuses a table the lake did not generate, or whose lake parameters are damaged', () => {
    const [good] = localGlueTables([evolvedTable()], ROOT) as GlueTableMetadata[];
    const withParams = (p: Record<string, string | undefined>) => ({
      ...good,
      Parameters: Object.fromEntries(
        Object.entries({ ...good!.Parameters, ...p }).filter(([, v]) => v !== undefined),
      ) as Record<string, string>,
    });
    expect(() => describeGlueTable(withParams({ 'lake.kind': undefined }))).toThrow(/no lake parameters/);
    expect(() => describeGlueTable(withParams({ 'lake.version': 'x' }))).toThrow(
      /lake.version 'x' is not a version/,
    );
    expect(() => describeGlueTable(withParams({ 'lake.partition.dt.from': undefined }))).toThrow(
      /lake.partition.dt.from/,
    );
    expect(() => describeGlueTable(withParams({ 'lake.columns.renamedFrom': 'a' }))).toThrow(
      /not <column>=<old name>/,
    );
    expect(() => describeGlueTable({ ...good, StorageDescriptor: { Columns: [] } })).toThrow(/Location/);
  });
});

describe('describeGlueTables', () => {
  it('sorts by name and leaves out (and names) tables that are not the lake’s', () => {
    const tables = localGlueTables([evolvedTable(), ...lakeTables()], ROOT);
    const foreign = {
      Name: 'tmp_ctas',
      Parameters: { classification: 'parquet' },
      StorageDescriptor: { Location: 's3://x/' },
    };
    const { listing, skipped } = describeGlueTables('data_lake_test', [foreign, ...tables]);
    expect(listing.database).toBe('data_lake_test');
    expect(listing.tables.map((t) => t.name)).toEqual(
      [...lakeTables().map((t) => t.name), 'lake_rejected', 'shipments_v2'].sort(),
    );
    expect(skipped).toEqual([{ table: 'tmp_ctas', reason: expect.stringMatching(/no lake parameters/) }]);
  });
});

describe('the local listing', () => {
  it('lists every table of schemas/, located under the local lake as file: URLs', () => {
    const root = pathToFileURL('/tmp/some lake/curated').href + '/';
    const listing = localTableListing('data_lake_local', lakeTables(), root);
    expect(listing.tables.map((t) => t.name)).toEqual(
      [...schemaFiles().map((f) => f.name), 'lake_rejected'].sort(),
    );
    expect(listing.tables.find((t) => t.name === 'lake_rejected')).toMatchObject({
      kind: 'rejected',
      version: 1,
      location: 'file:///tmp/some%20lake/curated/rejected/',
      columns: expect.arrayContaining([
        { name: 'raw_record', type: 'string', required: true, description: expect.any(String) },
      ]),
    });
    const orders = listing.tables.find((t) => t.name === 'orders')!;
    expect(orders.location).toBe('file:///tmp/some%20lake/curated/tables/datasets/orders/');
    expect(orders).toMatchObject({
      kind: 'dataset',
      partitionKeys: [{ name: 'dt', type: 'string', from: 'order_date' }],
      primaryKey: ['order_id'],
      latestBy: 'updated_at',
    });
    expect(() => localTableListing('d', lakeTables(), 'file:///no-slash')).toThrow(/must end with/);
  });
});

describe('Glue failures as API errors', () => {
  const err = (name: string, httpStatusCode?: number) =>
    Object.assign(new Error(name), { name, $metadata: httpStatusCode ? { httpStatusCode } : {} });
  it.each([
    ['EntityNotFoundException', 400, 500, TableErrorCode.DatabaseNotFound],
    ['ThrottlingException', 400, 503, TableErrorCode.CatalogUnavailable],
    ['OperationTimeoutException', 400, 503, TableErrorCode.CatalogUnavailable],
    ['InternalServiceException', 500, 503, TableErrorCode.CatalogUnavailable],
    ['Whatever', 429, 503, TableErrorCode.CatalogUnavailable],
    ['TimeoutError', undefined, 503, TableErrorCode.CatalogUnavailable],
    ['AccessDeniedException', 400, 502, TableErrorCode.CatalogError],
    ['InvalidInputException', 400, 502, TableErrorCode.CatalogError],
  ])('%s (%s) → %s %s', (name, http, status, code) => {
    const e = catalogError(err(name, http), 'data_lake_test');
    expect([e.status, e.code, e.details]).toEqual([status, code, { database: 'data_lake_test' }]);
    expect(e.message).toContain(name === 'EntityNotFoundException' ? 'data_lake_test' : name);
    if (status === 503) expect(e.headers['retry-after']).toMatch(/^\d+$/);
  });
});
