/** `sls invoke local --stage local` runs the bundled handler against the local lake. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { withBuildLock } from '../support/build-lock';
import { deliveredRecords, tempLake } from '../support/raw-zone';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');

it('ingests the sample event into the local lake', async () => {
  const lakeDir = await tempLake('invoke');
  const { stdout } = await withBuildLock(() =>
    run(
      process.execPath,
      [
        path.join(root, 'node_modules/osls/bin/serverless.js'),
        'invoke',
        'local',
        '-f',
        'ingest',
        '--stage',
        'local',
        '--path',
        'events/ingest.json',
      ],
      {
        cwd: root,
        env: { ...process.env, LAKE_DIR: lakeDir, SLS_TELEMETRY_DISABLED: '1' },
        maxBuffer: 16 * 1024 * 1024,
      },
    ),
  );
  const result = JSON.parse(stdout.slice(stdout.indexOf('{\n'))) as { statusCode: number; body: string };
  expect(result.statusCode).toBe(202);
  const { ids } = JSON.parse(result.body) as { ids: string[] };
  expect(ids).toHaveLength(2);
  // A one-shot invocation delivers before it returns: the records are in the raw zone.
  const records = await deliveredRecords(lakeDir);
  expect(records.map((r) => r.id).sort()).toEqual([...ids].sort());
}, 120_000);
