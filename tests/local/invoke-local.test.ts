/** `sls invoke local --stage local` runs the bundled handler against the local lake. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { readSchemasInUse } from '../../local/schemas-in-use';
import { invokeLocal } from '../support/invoke-local';
import { deliveredRecords, tempLake } from '../support/raw-zone';

it('ingests the sample event into the local lake', async () => {
  const lakeDir = await tempLake('invoke');
  const result = await invokeLocal<{ statusCode: number; body: string }>(
    'ingest',
    'events/ingest.json',
    lakeDir,
  );
  expect(result.statusCode).toBe(202);
  const { ids } = JSON.parse(result.body) as { ids: string[] };
  expect(ids).toHaveLength(2);
  // A one-shot invocation delivers before it returns: the records are in the raw zone.
  const records = await deliveredRecords(lakeDir);
  expect(records.map((r) => r.id).sort()).toEqual([...ids].sort());
  // The versions it used are the lake's versions in use, as npm start records them (local/schemas-in-use.ts).
  expect(readSchemasInUse(lakeDir).get('signup')?.version).toBeGreaterThan(0);
}, 120_000);

it('refuses, as npm start does, schemas that take away what the local lake has used (and writes nothing)', async () => {
  const lakeDir = await tempLake('invoke-in-use');
  // The lake used a version of page_view with a column the project's schema no longer has: data accepted under it
  // may hold x9, which the next rewrite of a partition would drop.
  const history = JSON.parse(
    await fs.readFile(path.resolve(__dirname, '../../schemas/history/page_view.json'), 'utf8'),
  ) as { version: number; columns: object[]; versions?: unknown; $comment?: unknown };
  const { versions: _, $comment: __, version, ...snapshot } = history;
  await fs.mkdir(path.join(lakeDir, 'schemas-in-use'), { recursive: true });
  await fs.writeFile(
    path.join(lakeDir, 'schemas-in-use', 'page_view.json'),
    JSON.stringify({
      snapshot: {
        ...snapshot,
        columns: [...snapshot.columns, { name: 'x9', type: 'string', required: false }],
      },
      version: version + 1,
      since: '2026-12-05T10:00:00.000Z',
    }),
  );
  const failed = (await invokeLocal('ingest', 'events/ingest.json', lakeDir).catch((e: unknown) => e)) as {
    stdout?: string;
    stderr?: string;
  };
  expect(`${failed.stdout ?? ''}${failed.stderr ?? ''}`).toMatch(
    /REFUSED REMOVED page_view\.x9.*the local lake has used version/,
  );
  expect(await deliveredRecords(lakeDir)).toEqual([]);
}, 120_000);
