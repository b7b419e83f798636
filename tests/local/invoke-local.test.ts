/** `sls invoke local --stage local` runs the bundled handler against the local lake. */
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
}, 120_000);
