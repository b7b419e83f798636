/**
 * The catalog and workgroup operations: ListDataCatalogs, ListDatabases, GetDatabase, ListTableMetadata,
 * GetTableMetadata and GetWorkGroup — answered from what the stage deploys: AwsDataCatalog holds one database, the
 * lake's, whose tables are the Glue TableInputs lib/catalog/glue.ts generates (located in the local lake, as GET
 * /tables reads them: lib/catalog/describe.ts localGlueTables), read per request so that edits of schemas/ show.
 *
 * TableMetadata as Athena returns it for a Glue table: Name, TableType, Columns and PartitionKeys (Hive types, the
 * catalog's comments), Parameters (the table's, with Athena's `location`, `inputformat`, `outputformat`,
 * `serde.serialization.lib` and `serde.param.*`). CreateTime and LastAccessTime are left out (the local catalog is
 * generated, never created). A database or table that does not exist: MetadataException "Entity Not Found", as
 * Athena answers it. ListTableMetadata's Expression is Glue's pattern: `*` any characters, `|` alternatives, the rest
 * a regular expression, matched against the whole name, ignoring case.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { localGlueTables } from '../../lib/catalog/describe';
import type { GlueTableInput } from '../../lib/catalog/glue';
import { lakeTables } from '../../lib/catalog/tables';
import { unboundedBacktracking } from '../../lib/query/metadata/name-pattern';
import { CATALOG, checkWorkGroup, ENGINE_VERSION, queriesUrl, type AthenaContext } from './context';
import { entityNotFound, invalidRequest } from './errors';
import type { Input, Shape } from './input';

const CATALOG_NAME = { type: 'string', required: true, min: 1, max: 256 } as const;
const NAME = { type: 'string', required: true, min: 1, max: 128 } as const;
const TOKEN = { type: 'string', min: 1, max: 1024 } as const;
const WORK_GROUP = { type: 'string', pattern: '[a-zA-Z0-9._-]{1,128}' } as const;

export const SHAPES: Record<string, Shape> = {
  ListDataCatalogs: {
    NextToken: TOKEN,
    MaxResults: { type: 'integer', min: 2, max: 50 },
    WorkGroup: WORK_GROUP,
  },
  ListDatabases: {
    CatalogName: CATALOG_NAME,
    NextToken: TOKEN,
    MaxResults: { type: 'integer', min: 1, max: 50 },
    WorkGroup: WORK_GROUP,
  },
  GetDatabase: { CatalogName: CATALOG_NAME, DatabaseName: NAME, WorkGroup: WORK_GROUP },
  ListTableMetadata: {
    CatalogName: CATALOG_NAME,
    DatabaseName: NAME,
    Expression: { type: 'string', min: 0, max: 256 },
    NextToken: TOKEN,
    MaxResults: { type: 'integer', min: 1, max: 50 },
    WorkGroup: WORK_GROUP,
  },
  GetTableMetadata: { CatalogName: CATALOG_NAME, DatabaseName: NAME, TableName: NAME, WorkGroup: WORK_GROUP },
  GetWorkGroup: { WorkGroup: { ...WORK_GROUP, required: true } },
};

function checkCatalog(name: string): void {
  if (name.toLowerCase() !== CATALOG.toLowerCase())
    throw invalidRequest(`Catalog '${name}' does not exist: the local lake has ${CATALOG} only`);
}

/** The lake's database, if `name` is it (names are case-insensitive, as in Glue). */
function checkDatabase(ctx: AthenaContext, catalog: string, name: string): void {
  checkCatalog(catalog);
  if (name.toLowerCase() !== ctx.database()) throw entityNotFound();
}

/** A single page over a short, sorted list: the token is the last name of the previous page. */
function page<T>(items: T[], name: (t: T) => string, input: Input): { items: T[]; NextToken?: string } {
  const token = input.string('NextToken');
  let start = 0;
  if (token !== undefined) {
    const after = Buffer.from(token, 'base64url').toString('utf8');
    start = items.findIndex((t) => name(t) === after) + 1;
    if (start === 0 || Buffer.from(after).toString('base64url') !== token)
      throw invalidRequest(`The nextPageToken is malformed: ${token}`);
  }
  const size = input.integer('MaxResults') ?? 50;
  const slice = items.slice(start, start + size);
  const more = start + size < items.length;
  return {
    items: slice,
    ...(more ? { NextToken: Buffer.from(name(slice[slice.length - 1]!)).toString('base64url') } : {}),
  };
}

export function listDataCatalogs(ctx: AthenaContext, input: Input): object {
  if (input.has('WorkGroup')) checkWorkGroup(ctx, input.string('WorkGroup'));
  const { items, NextToken } = page([{ CatalogName: CATALOG, Type: 'GLUE' }], (c) => c.CatalogName, input);
  return { DataCatalogsSummary: items, ...(NextToken ? { NextToken } : {}) };
}

function database(ctx: AthenaContext): Record<string, unknown> {
  return { Name: ctx.database(), Description: ctx.databaseDescription, Parameters: {} };
}

export function listDatabases(ctx: AthenaContext, input: Input): object {
  if (input.has('WorkGroup')) checkWorkGroup(ctx, input.string('WorkGroup'));
  checkCatalog(input.string('CatalogName')!);
  const { items, NextToken } = page([database(ctx)], (d) => String(d.Name), input);
  return { DatabaseList: items, ...(NextToken ? { NextToken } : {}) };
}

export function getDatabase(ctx: AthenaContext, input: Input): object {
  if (input.has('WorkGroup')) checkWorkGroup(ctx, input.string('WorkGroup'));
  checkDatabase(ctx, input.string('CatalogName')!, input.string('DatabaseName')!);
  return { Database: database(ctx) };
}

function glueTables(ctx: AthenaContext): GlueTableInput<string>[] {
  const curated = pathToFileURL(path.join(ctx.lakeDir(), 'curated')).href + '/';
  return localGlueTables(lakeTables(), curated).sort((a, b) =>
    a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0,
  );
}

/** A Glue table as Athena's TableMetadata. */
function tableMetadata(t: GlueTableInput<string>): Record<string, unknown> {
  const sd = t.StorageDescriptor;
  const column = (c: { Name: string; Type: string; Comment?: string }) => ({
    Name: c.Name,
    Type: c.Type,
    ...(c.Comment !== undefined ? { Comment: c.Comment } : {}),
  });
  const serdeParams = Object.fromEntries(
    Object.entries(sd.SerdeInfo.Parameters).map(([k, v]) => [`serde.param.${k}`, v]),
  );
  return {
    Name: t.Name,
    TableType: t.TableType,
    Columns: sd.Columns.map(column),
    PartitionKeys: t.PartitionKeys.map(column),
    Parameters: {
      ...t.Parameters,
      comment: t.Description,
      location: sd.Location,
      inputformat: sd.InputFormat,
      outputformat: sd.OutputFormat,
      'serde.serialization.lib': sd.SerdeInfo.SerializationLibrary,
      ...serdeParams,
    },
  };
}

/** Glue's table name pattern as a regular expression (undefined: every table). */
function namePattern(expression: string | undefined): RegExp | undefined {
  if (!expression) return undefined;
  const alternatives = expression.split('|').map((a) => a.replace(/\*/g, '.*'));
  // Judged as the engine compiles it, whole: a `|` inside parentheses ((.|.)+x) is a group's alternation.
  const unbounded = unboundedBacktracking(alternatives.join('|'));
  if (unbounded)
    throw invalidRequest(
      `Expression '${expression}' is not matched by the local lake: ${unbounded}, which can take hours to match a ` +
        'name; write a simpler pattern, such as order* or *_view',
    );
  try {
    return new RegExp(`^(?:${alternatives.join('|')})$`, 'i');
  } catch {
    throw invalidRequest(`Expression '${expression}' is not a valid pattern`);
  }
}

export function listTableMetadata(ctx: AthenaContext, input: Input): object {
  if (input.has('WorkGroup')) checkWorkGroup(ctx, input.string('WorkGroup'));
  checkDatabase(ctx, input.string('CatalogName')!, input.string('DatabaseName')!);
  const pattern = namePattern(input.string('Expression'));
  const tables = glueTables(ctx).filter((t) => !pattern || pattern.test(t.Name));
  const { items, NextToken } = page(tables, (t) => t.Name, input);
  return { TableMetadataList: items.map(tableMetadata), ...(NextToken ? { NextToken } : {}) };
}

export function getTableMetadata(ctx: AthenaContext, input: Input): object {
  if (input.has('WorkGroup')) checkWorkGroup(ctx, input.string('WorkGroup'));
  checkDatabase(ctx, input.string('CatalogName')!, input.string('DatabaseName')!);
  const name = input.string('TableName')!.toLowerCase();
  const table = glueTables(ctx).find((t) => t.Name === name);
  if (!table) throw entityNotFound();
  return { TableMetadata: tableMetadata(table) };
}

/**
 * The lake's workgroup with the stack's settings (resources/athena.yml): enforced configuration, engine version 3,
 * results in the lake (queriesUrl). No BytesScannedCutoffPerQuery: the local engine does not enforce one. Its
 * CreationTime (epoch seconds, as Athena answers it) is when the lake folder was made.
 */
export function getWorkGroup(ctx: AthenaContext, input: Input): object {
  const name = input.string('WorkGroup')!;
  checkWorkGroup(ctx, name);
  const folder = statSync(ctx.lakeDir());
  return {
    WorkGroup: {
      Name: name,
      State: 'ENABLED',
      CreationTime: (folder.birthtimeMs > 0 ? folder.birthtimeMs : folder.ctimeMs) / 1000,
      Description: "Queries of the data lake API (read-only SELECTs over the lake's Glue database).",
      Configuration: {
        ResultConfiguration: { OutputLocation: queriesUrl(ctx) },
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: false,
        RequesterPaysEnabled: false,
        EngineVersion: { SelectedEngineVersion: ENGINE_VERSION, EffectiveEngineVersion: ENGINE_VERSION },
        EnableMinimumEncryptionConfiguration: false,
      },
    },
  };
}
