/**
 * Glue tables as GetTables returns them for the tables lib/catalog/glue.ts deploys (its CloudFormation resolved as
 * the stack would: the curated bucket's name in place of ${CuratedBucket}, Athena's ${key} unescaped), and a table
 * with every kind of column evolution (deprecated, renamed, retired, supersedes) to list.
 */
import type { Table } from '@aws-sdk/client-glue';
import { glueTableResource } from '../../lib/catalog/glue';
import { rejectedTableResource } from '../../lib/catalog/rejected-table';
import type { TableHistory } from '../../lib/catalog/history';
import { datasetTable } from '../../lib/catalog/table-from-schema';
import type { TableDef } from '../../lib/catalog/tables';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** Resolves the intrinsics a generated AWS::Glue::Table holds (Fn::Sub over the curated bucket, Ref). */
function resolve(value: unknown, vars: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, vars));
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o['Fn::Sub'] === 'string') {
      return o['Fn::Sub'].replace(/\$\{(!?)([^}]+)\}/g, (_, bang: string, name: string) => {
        if (bang) return '${' + name + '}';
        if (!(name in vars)) throw new Error(`unresolved \${${name}}`);
        return vars[name]!;
      });
    }
    if (typeof o.Ref === 'string') {
      if (!(o.Ref in vars)) throw new Error(`unresolved Ref ${o.Ref}`);
      return vars[o.Ref];
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolve(v, vars)]));
  }
  return value;
}

/** The Glue `Table` GetTables returns for a table the stack created from glueTableResource(table). */
export function deployedGlueTable(table: TableDef, database: string, bucket: string): Table {
  return deployed(glueTableResource(table), database, bucket);
}

/** The Glue `Table` of lake_rejected (resources/rejected-table.cjs) for a stack of these lake tables. */
export function deployedRejectedTable(tables: TableDef[], database: string, bucket: string): Table {
  return deployed(rejectedTableResource(tables), database, bucket);
}

function deployed(generated: unknown, database: string, bucket: string): Table {
  const resource = resolve(generated, {
    CuratedBucket: bucket,
    'AWS::AccountId': '123456789012',
    GlueDatabase: database,
  }) as any;
  const input = resource.Properties.TableInput;
  const created = new Date('2026-11-20T10:00:00Z');
  // What Glue adds to the TableInput it was given.
  return {
    ...input,
    DatabaseName: resource.Properties.DatabaseName,
    CatalogId: resource.Properties.CatalogId,
    CreateTime: created,
    UpdateTime: created,
    Retention: 0,
    CreatedBy: 'arn:aws:sts::123456789012:assumed-role/cfn/session',
    IsRegisteredWithLakeFormation: false,
    VersionId: '0',
    StorageDescriptor: {
      ...input.StorageDescriptor,
      NumberOfBuckets: -1,
      BucketColumns: [],
      SortColumns: [],
    },
  };
}

/** shipments_v2: a deprecated column, a renamed one, a retired one (declared), JSON text, and a table it supersedes. */
export function evolvedTable(): TableDef {
  const history: TableHistory = {
    table: 'shipments_v2',
    kind: 'dataset',
    columns: [
      { name: 'shipment_id', type: 'string', required: true },
      { name: 'shipped_on', type: 'date', required: true },
      { name: 'carrier', type: 'string', required: false },
      { name: 'legacy_code', type: 'string', required: false },
      { name: 'weight_kg', type: 'double', required: false },
      { name: 'parcels', type: 'string', json: true, required: false },
      { name: 'updated_at', type: 'timestamp', required: false },
    ],
    partitionKeys: [{ name: 'dt', type: 'string', fromColumn: 'shipped_on' }],
    primaryKey: ['shipment_id'],
    latestBy: 'updated_at',
    version: 3,
    versions: [],
  };
  return datasetTable(
    'shipments_v2',
    {
      description: 'Shipments, second major version.',
      required: ['shipment_id', 'shipped_on'],
      properties: {
        shipment_id: { type: 'string', description: 'Shipment key.' },
        shipped_on: { type: 'string', format: 'date' },
        carrier_name: { type: 'string', 'x-lake': { renamedFrom: 'carrier' } },
        weight_kg: { type: 'number', deprecated: true, description: 'Use weight_g.' },
        weight_g: { type: 'integer' },
        parcels: { type: 'array', description: 'Parcels and their contents.' },
        updated_at: { type: 'string', format: 'date-time' },
      },
      'x-lake': {
        primaryKey: ['shipment_id'],
        partitionBy: 'shipped_on',
        latestBy: 'updated_at',
        formats: ['csv'],
        retired: ['legacy_code'],
        supersedes: 'shipments',
      },
    } as any,
    history,
  );
}
