/** `sls invoke local -f validateUpload --stage local` with the sample event, against a local lake. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { decodeS3EventKey } from '../../lib/uploads/key';
import { invokeLocal } from '../support/invoke-local';
import { tempLake } from '../support/raw-zone';

const root = path.resolve(__dirname, '../..');

it('checks the sample event’s upload and hands it to the local workflow', async () => {
  const lakeDir = await tempLake('invoke-upload');
  const event = JSON.parse(await fs.readFile(path.join(root, 'events/validate-upload.json'), 'utf8'));
  const key = decodeS3EventKey(event.detail.object.key);
  expect(key).toBe('uploads/orders/orders 2026-11-24.csv');
  const file = path.join(lakeDir, 'raw', key);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(
    file,
    'order_id,customer_id,order_date,status,amount,currency\no-1,c-1,2026-11-24,paid,10.50,EUR\n',
  );
  const result = await invokeLocal<Record<string, unknown>>(
    'validateUpload',
    'events/validate-upload.json',
    lakeDir,
  );
  expect(result).toMatchObject({
    outcome: 'started',
    key,
    dataset: 'orders',
    executionName: expect.stringMatching(/^orders-orders-2026-11-24-csv-[0-9a-f]{32}$/),
  });
}, 120_000);
