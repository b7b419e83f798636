/** The events API through the local runtime (real HTTP on a random port, real local Firehose). */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { applyFunctionEnvironment } from '../../local/environment';
import type { RunningLake } from '../../local/lake';
import { loadServiceConfig } from '../../local/service-config';
import { pageView } from '../support/api-event';
import { deliveredRecords, tempLake } from '../support/raw-zone';

let lake: RunningLake;
let lakeDir: string;
const accepted: string[] = [];
const refusedIds: string[] = [];

beforeAll(async () => {
  lakeDir = await tempLake('http');
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

async function post(body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${lake.url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': lake.apiKey, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

describe('local runtime: POST /events over HTTP', () => {
  it('generates an API key, saves it under the lake directory (0600) and requires it', async () => {
    expect(lake.apiKeySource).toBe('generated');
    const file = path.join(lakeDir, 'api-key');
    expect((await fs.readFile(file, 'utf8')).trim()).toBe(lake.apiKey);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
  });

  it('202: one event', async () => {
    const res = await post(pageView({ id: 'http-1' }));
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: 1, ids: ['http-1'] });
    accepted.push('http-1');
  });

  it('202: a batch, with server-made ids', async () => {
    const res = await post({
      events: [pageView(), { type: 'signup', data: { user_id: 'u1', email: 'a@b.co', plan: 'free' } }],
    });
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(2);
    accepted.push(...res.body.ids);
  });

  it('401 without an API key, 403 with a wrong one; nothing written', async () => {
    const missing = await fetch(`${lake.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(pageView({ id: 'nokey' })),
    });
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { code: string }).code).toBe('UNAUTHORIZED');
    const wrong = await post(pageView({ id: 'badkey' }), { 'x-api-key': 'nope' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.code).toBe('FORBIDDEN');
    refusedIds.push('nokey', 'badkey');
  });

  it('400 MALFORMED_JSON', async () => {
    const res = await post('{"type": "page_view", ');
    expect([res.status, res.body.code]).toEqual([400, 'MALFORMED_JSON']);
  });

  it('400 VALIDATION_FAILED lists index, pointer and reason; nothing of the batch is written', async () => {
    const res = await post({
      events: [pageView({ id: 'v-ok' }), pageView({ id: 'v-bad', data: { session_id: 'sess-0001' } })],
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { index: 1, pointer: '/data/url', code: 'SCHEMA_VIOLATION', message: 'is required' },
    ]);
    refusedIds.push('v-ok', 'v-bad');
  });

  it('400 TOO_MANY_EVENTS over 500 events', async () => {
    const res = await post({ events: Array.from({ length: 501 }, (_, i) => pageView({ id: `many-${i}` })) });
    expect([res.status, res.body.code]).toEqual([400, 'TOO_MANY_EVENTS']);
    refusedIds.push('many-0');
  });

  it('413 over the body limit', async () => {
    const res = await post({
      events: [
        pageView({
          id: 'huge',
          data: { session_id: 'sess-0001', url: 'https://a.b/', title: 'x'.repeat(5 * 1024 * 1024) },
        }),
      ],
    });
    expect([res.status, res.body.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    refusedIds.push('huge');
  });

  it('415 for a non-JSON content type', async () => {
    const res = await post(pageView({ id: 'plain' }), { 'content-type': 'text/plain' });
    expect([res.status, res.body.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    refusedIds.push('plain');
  });

  it('404 for an unknown route, 405 for a wrong method', async () => {
    const nf = await fetch(`${lake.url}/nope`, { headers: { 'x-api-key': lake.apiKey } });
    expect(nf.status).toBe(404);
    const na = await fetch(`${lake.url}/events`, { headers: { 'x-api-key': lake.apiKey } });
    expect(na.status).toBe(405);
    expect(((await na.json()) as { code: string }).code).toBe('METHOD_NOT_ALLOWED');
  });

  it('answers CORS preflight for browser producers, and CORS headers on responses', async () => {
    const pre = await fetch(`${lake.url}/events`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(200);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    expect(pre.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-api-key');
    const res = await post(pageView({ id: 'cors-1' }), { origin: 'https://app.example' });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    accepted.push('cors-1');
  });

  it('after a graceful stop, every accepted id is in the raw zone exactly once and nothing refused is', async () => {
    await lake.stop();
    const records = await deliveredRecords(lakeDir);
    const ids = records.map((r) => r.id as string);
    expect(ids.sort()).toEqual([...accepted].sort());
    for (const id of refusedIds) expect(ids).not.toContain(id);
    for (const r of records)
      expect(Object.keys(r)).toEqual(['id', 'type', 'occurred_at', 'received_at', 'data']);
  });
});
