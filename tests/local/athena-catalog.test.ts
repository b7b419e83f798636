/**
 * The catalog side of Athena's API on the local lake, driven by the real @aws-sdk/client-athena against a running
 * lake: AwsDataCatalog, the lake's database, its tables' metadata (from the Glue TableInputs the stage deploys) and
 * its workgroup.
 */
import {
  AthenaClient,
  GetDatabaseCommand,
  GetTableMetadataCommand,
  GetWorkGroupCommand,
  ListDatabasesCommand,
  ListDataCatalogsCommand,
  ListTableMetadataCommand,
} from '@aws-sdk/client-athena';
import { athenaClient, failure, startAthenaLake, type AthenaLake } from '../support/athena-lake';

let lake: AthenaLake;
let athena: AthenaClient;

beforeAll(async () => {
  lake = await startAthenaLake('athena-catalog');
  athena = athenaClient(lake);
}, 120_000);

afterAll(async () => {
  athena?.destroy();
  await lake?.stop();
});

describe("the local lake's catalog through Athena's API", () => {
  it("describes the lake's catalog, database, tables and workgroup", async () => {
    const catalogs = await athena.send(new ListDataCatalogsCommand({}));
    expect(catalogs.DataCatalogsSummary).toEqual([{ CatalogName: 'AwsDataCatalog', Type: 'GLUE' }]);
    const databases = await athena.send(new ListDatabasesCommand({ CatalogName: 'AwsDataCatalog' }));
    expect(databases.DatabaseList!.map((d) => d.Name)).toEqual(['data_lake_local']);

    const where = { CatalogName: 'AwsDataCatalog', DatabaseName: 'data_lake_local' };
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await athena.send(
        new ListTableMetadataCommand({ ...where, MaxResults: 2, NextToken: token }),
      );
      expect(page.TableMetadataList!.length).toBeLessThanOrEqual(2);
      names.push(...page.TableMetadataList!.map((t) => t.Name!));
      token = page.NextToken;
    } while (token);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['lake_rejected', 'orders', 'page_view']));
    const matching = await athena.send(
      new ListTableMetadataCommand({ ...where, Expression: 'page*|orders' }),
    );
    expect(matching.TableMetadataList!.map((t) => t.Name)).toEqual(['orders', 'page_view']);
    expect(
      await failure(athena.send(new ListTableMetadataCommand({ ...where, Expression: '(*){18}!' }))),
    ).toMatchObject({
      name: 'InvalidRequestException',
      message: expect.stringMatching(/not matched by the local lake: a repeated group holds a repetition/),
    });
    // Judged whole, as it is compiled: the `|` inside the group is the group's alternation, not Glue's.
    expect(
      await failure(athena.send(new ListTableMetadataCommand({ ...where, Expression: '(.|.|.|.|.|.)+x' }))),
    ).toMatchObject({
      name: 'InvalidRequestException',
      message: expect.stringMatching(
        /not matched by the local lake: a repeated group holds .* an alternation/,
      ),
    });
    expect(
      await failure(
        athena.send(new ListTableMetadataCommand({ ...where, Expression: `${'.?'.repeat(34)}x` })),
      ),
    ).toMatchObject({
      name: 'InvalidRequestException',
      message: expect.stringMatching(/more than 6 repetitions of variable length/),
    });

    const table = (await athena.send(new GetTableMetadataCommand({ ...where, TableName: 'page_view' })))
      .TableMetadata!;
    expect(table).toMatchObject({ Name: 'page_view', TableType: 'EXTERNAL_TABLE' });
    expect(table.PartitionKeys!.map((k) => [k.Name, k.Type])).toEqual([['event_date', 'string']]);
    expect(table.Columns!.find((c) => c.Name === 'duration_ms')).toMatchObject({ Type: 'bigint' });
    expect(table.Parameters!.location).toMatch(/^file:\/\/.*\/curated\/.*page_view\/$/);
    expect(
      await failure(athena.send(new GetTableMetadataCommand({ ...where, TableName: 'no_such_table' }))),
    ).toMatchObject({
      name: 'MetadataException',
      status: 400,
      message: expect.stringContaining('Entity Not Found'),
    });
    expect(
      await failure(athena.send(new ListTableMetadataCommand({ ...where, DatabaseName: 'other' }))),
    ).toMatchObject({ name: 'MetadataException' });

    const workGroup = (await athena.send(new GetWorkGroupCommand({ WorkGroup: 'data-lake-local-queries' })))
      .WorkGroup!;
    expect(workGroup).toMatchObject({
      Name: 'data-lake-local-queries',
      State: 'ENABLED',
      Configuration: {
        EnforceWorkGroupConfiguration: true,
        EngineVersion: { EffectiveEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: { OutputLocation: expect.stringMatching(/^file:\/\/.*\/\.queries\/$/) },
      },
    });
    // When the lake folder was made, as a time (Athena answers one in epoch seconds; the SDK reads it as a Date).
    expect(workGroup.CreationTime).toBeInstanceOf(Date);
    expect(workGroup.CreationTime!.getTime()).toBeLessThanOrEqual(Date.now());
    expect(workGroup.CreationTime!.getTime()).toBeGreaterThan(Date.parse('2026-01-01'));
    expect(await failure(athena.send(new GetWorkGroupCommand({ WorkGroup: 'elsewhere' })))).toMatchObject({
      name: 'InvalidRequestException',
      message: 'WorkGroup is not found.',
    });
    // Every catalog operation that takes a workgroup checks it, as ListDataCatalogs does.
    const elsewhere = {
      WorkGroup: 'elsewhere',
      CatalogName: 'AwsDataCatalog',
      DatabaseName: 'data_lake_local',
    };
    for (const command of [
      new ListDatabasesCommand(elsewhere),
      new GetDatabaseCommand(elsewhere),
      new ListTableMetadataCommand(elsewhere),
      new GetTableMetadataCommand({ ...elsewhere, TableName: 'orders' }),
    ])
      expect(await failure(athena.send(command as never))).toMatchObject({
        name: 'InvalidRequestException',
        message: 'WorkGroup is not found.',
      });
  });
});
