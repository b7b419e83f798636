/**
 * A step of the lake's stop that fails (the state machine's folder gone read-only: its engine file cannot be
 * removed) does not keep the steps after it from running: every acknowledged event is still delivered and the
 * presence file removed; the failed step is logged and named in the report, and the stop ends with exit status 1
 * (local/lake.ts, local/shutdown.ts finalLine).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { applyFunctionEnvironment } from '../../local/environment';
import { loadServiceConfig } from '../../local/service-config';
import { finalLine } from '../../local/shutdown';
import { pageView } from '../support/api-event';
import { deliveredRecords, tempLake } from '../support/raw-zone';

it('delivers every accepted event and removes its presence file though the state machine could not stop cleanly', async () => {
  const lakeDir = await tempLake('stop-steps');
  process.env.LAKE_DIR = lakeDir;
  process.env.LAKE_FIREHOSE_BUFFER_SECONDS = '3600'; // the events stay in the write-ahead log until the stop
  const config = await loadServiceConfig('local');
  applyFunctionEnvironment(config);
  const { startLocalLake } = await import('../../local/lake');
  const lake = await startLocalLake({ config, stage: 'local', port: 0, accessLog: false });
  const ids = ['stop-1', 'stop-2', 'stop-3'];
  const res = await fetch(`${lake.url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': lake.apiKey },
    body: JSON.stringify({ events: ids.map((id) => pageView({ id })) }),
  });
  expect(res.status).toBe(202);
  expect(await deliveredRecords(lakeDir)).toEqual([]);
  // The engine file's removal fails, as on a read-only folder.
  const rm = fs.rm;
  const spy = jest.spyOn(fs, 'rm').mockImplementation(async (p, opts) => {
    if (String(p).endsWith('.engine.json'))
      throw Object.assign(new Error(`EROFS: read-only file system, unlink '${String(p)}'`), {
        code: 'EROFS',
      });
    return rm(p, opts);
  });
  try {
    const report = await lake.stop();
    expect(report).toMatchObject({ left: [], stepsFailed: ['the state machine'] });
    expect((await deliveredRecords(lakeDir)).map((r) => r.id).sort()).toEqual(ids);
    expect(await fs.readdir(path.join(lakeDir, '.lakes')).catch(() => [])).toEqual([]);
    const lines: string[] = [];
    const log = { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m) };
    expect(finalLine(log as never, report ?? undefined)).toBe(1);
    expect(lines).toEqual([
      'stopped: every accepted event is delivered, but steps of the stop failed (logged above)',
    ]);
  } finally {
    spy.mockRestore();
    delete process.env.LAKE_FIREHOSE_BUFFER_SECONDS;
    await fs.rm(lakeDir, { recursive: true, force: true });
  }
}, 120_000);
