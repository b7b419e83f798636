/**
 * The local Firehose acknowledges a record only once it is on disk: when fdatasync fails (EIO: the page cache holds
 * the bytes, the disk does not), the records come back failed and the ingest API answers 503, never 202. A crash test
 * cannot see this order (SIGKILL leaves the page cache to the kernel), so the sync itself is made to fail here.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { LocalFirehose } from '../../lib/firehose/local';
import { apiEvent, lambdaContext, pageView } from '../support/api-event';
import { deliveredRecords, tempLake } from '../support/raw-zone';

process.env.LAKE_RUNTIME = 'local';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { handler } = require('../../functions/ingest') as typeof import('../../functions/ingest');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { setEventStream } = require('../../lib/firehose') as typeof import('../../lib/firehose');

const eio = () => Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO', errno: -5 });

/** The FileHandle class's prototype (node does not export the class). */
async function fileHandlePrototype(): Promise<{ datasync: () => Promise<void> }> {
  const fh = await fs.open(path.join(os.tmpdir(), `fh-probe-${process.pid}`), 'w');
  await fh.close();
  return Object.getPrototypeOf(fh);
}

const record = (id: string) => ({ id, type: 'page_view', line: JSON.stringify({ id, type: 'page_view' }) });

describe('local Firehose: acknowledged means synced', () => {
  afterEach(() => jest.restoreAllMocks());

  it('a failed fdatasync fails the records of that write, and only those', async () => {
    const lake = await tempLake();
    const stream = await LocalFirehose.open({
      lakeDir: lake,
      streamName: 's',
      bufferBytes: 1 << 20,
      bufferIntervalMs: 60_000,
      onError: () => undefined,
    });
    const sync = jest.spyOn(await fileHandlePrototype(), 'datasync').mockRejectedValueOnce(eio());
    const failed = await stream.putRecords([record('a'), record('b')]);
    expect(failed.failed.map((f) => [f.id, f.errorCode])).toEqual([
      ['a', 'WriteFailed'],
      ['b', 'WriteFailed'],
    ]);
    expect(failed.failed[0]!.errorMessage).toMatch(/EIO/);
    expect(sync).toHaveBeenCalled();
    // The next write syncs again and is acknowledged.
    expect(await stream.putRecords([record('c')])).toEqual({ failed: [] });
    await stream.close();
    expect((await deliveredRecords(lake)).map((r) => r.id)).toContain('c');
  });

  it('the ingest API answers 503 with the failed ids when the sync fails', async () => {
    const lake = await tempLake();
    const stream = await LocalFirehose.open({
      lakeDir: lake,
      streamName: 's',
      bufferBytes: 1 << 20,
      bufferIntervalMs: 60_000,
      onError: () => undefined,
    });
    setEventStream(stream);
    try {
      jest.spyOn(await fileHandlePrototype(), 'datasync').mockRejectedValueOnce(eio());
      const res = (await handler(
        apiEvent({
          body: JSON.stringify(pageView({ id: 'evt-eio' })),
          headers: { 'Content-Type': 'application/json' },
        }),
        lambdaContext(),
      )) as APIGatewayProxyResult;
      expect(res.statusCode).toBe(503);
      expect(JSON.parse(res.body)).toMatchObject({ failedIds: ['evt-eio'], accepted: 0 });
    } finally {
      setEventStream(undefined);
      await stream.close();
    }
  });
});
