/** GET /tables through the local runtime (real HTTP, the local API Gateway serving serverless.yml's routes). */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { localTableListing } from '../../lib/catalog/describe';
import { lakeTables, schemaFiles } from '../../lib/catalog/tables';
import { applyFunctionEnvironment } from '../../local/environment';
import type { RunningLake } from '../../local/lake';
import { loadServiceConfig } from '../../local/service-config';
import { tempLake } from '../support/raw-zone';

let lake: RunningLake;
let lakeDir: string;

beforeAll(async () => {
  lakeDir = await tempLake('tables-http');
  process.env.LAKE_DIR = lakeDir;
  delete process.env.LAKE_API_KEY;
  const config = await loadServiceConfig('local');
  applyFunctionEnvironment(config);
  const { startLocalLake } = await import('../../local/lake');
  lake = await startLocalLake({ config, stage: 'local', port: 0, accessLog: false });
}, 120_000);

afterAll(async () => {
  await lake?.stop();
});

async function get(route: string, headers: Record<string, string> = { 'x-api-key': lake.apiKey }) {
  const res = await fetch(`${lake.url}${route}`, { headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : null };
}

describe('local runtime: GET /tables over HTTP', () => {
  it('lists every table of schemas/ with the API key', async () => {
    const res = await get('/tables');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body.database).toBe('data_lake_local');
    expect(res.body.tables.map((t: { name: string }) => t.name)).toEqual(
      [...schemaFiles().map((f) => f.name), 'lake_rejected'].sort(),
    );
    // The catalog the stage deploys, located in this lake's curated folder: field for field.
    const curated = pathToFileURL(path.join(lakeDir, 'curated')).href + '/';
    expect(res.text).toBe(JSON.stringify(localTableListing('data_lake_local', lakeTables(), curated)));
    const orders = res.body.tables.find((t: { name: string }) => t.name === 'orders');
    expect(orders).toMatchObject({
      kind: 'dataset',
      location: `${curated}tables/datasets/orders/`,
      partitionKeys: [{ name: 'dt', type: 'string', from: 'order_date' }],
      primaryKey: ['order_id'],
      latestBy: 'updated_at',
    });
    expect(orders.columns[0]).toEqual({
      name: 'order_id',
      type: 'string',
      required: true,
      description: 'Unique order number.',
    });
  });

  it('refuses a request without the key (401) or with a wrong one (403), as the other query routes', async () => {
    const missing = await get('/tables', {});
    expect([missing.status, missing.body.code]).toEqual([401, 'UNAUTHORIZED']);
    const wrong = await get('/tables', { 'x-api-key': 'nope' });
    expect([wrong.status, wrong.body.code]).toEqual([403, 'FORBIDDEN']);
  });

  it('refuses query parameters (400 INVALID_PARAMETER) and other methods (401, as API Gateway)', async () => {
    const res = await get('/tables?kind=events');
    expect([res.status, res.body.code, res.body.field]).toEqual([400, 'INVALID_PARAMETER', 'kind']);
    const post = await fetch(`${lake.url}/tables`, { method: 'POST', headers: { 'x-api-key': lake.apiKey } });
    expect(post.status).toBe(401);
  });

  it('answers the CORS preflight', async () => {
    const res = await fetch(`${lake.url}/tables`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-methods')).toContain('GET');
  });
});
