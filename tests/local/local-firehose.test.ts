/** The local Firehose writer, for real, on the filesystem. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { EventRecord } from '../../lib/envelope';
import { LocalFirehose, parseSegment } from '../../lib/firehose/local';
import { deliverSegmentObjects } from '../../lib/firehose/local-delivery';
import { deliveredObjects, deliveredRecords, tempLake } from '../support/raw-zone';

const rec = (id: string, type = 'page_view', extra = ''): EventRecord => ({
  id,
  type,
  line: JSON.stringify({
    id,
    type,
    occurred_at: '2026-11-24T10:00:00.000Z',
    received_at: '2026-11-24T10:00:00.000Z',
    data: { extra },
  }),
});

const open = (lakeDir: string, over: Partial<Parameters<typeof LocalFirehose.open>[0]> = {}) =>
  LocalFirehose.open({
    lakeDir,
    streamName: 'test-events',
    bufferBytes: 1 << 20,
    bufferIntervalMs: 60_000,
    ...over,
  });

/** Leaves `content` as the write-ahead segment of a process that is gone (its pid is above the default pid_max). */
async function deadWritersSegment(lake: string, content: string | Buffer): Promise<string> {
  const stateDir = path.join(lake, '.firehose', 'test-events');
  await fs.mkdir(stateDir, { recursive: true });
  await fs.writeFile(path.join(stateDir, `${2 ** 22 + 12345}-${Date.now()}-0-abcdef.wal`), content);
  return stateDir;
}

describe('local Firehose writer', () => {
  it('delivers records into the partitioned raw layout, one gzip object per partition key', async () => {
    const lake = await tempLake();
    const stream = await open(lake);
    await stream.putRecords([rec('a'), rec('b', 'signup'), rec('c')]);
    expect(await deliveredObjects(lake)).toEqual([]); // buffered, not delivered yet
    await stream.close();
    const objects = await deliveredObjects(lake);
    expect(objects).toHaveLength(2);
    const byType = Object.fromEntries(objects.map((o) => [o.key.split('/')[1]!, o] as const));
    const now = new Date();
    const date = now.toISOString().slice(0, 10);
    expect(byType['type=page_view']!.key).toMatch(
      new RegExp(
        // Firehose's own naming: <stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>.gz (no format extension).
        `^events/type=page_view/arrival_date=${date}/arrival_hour=\\d\\d/test-events-1-${date}-\\d\\d-\\d\\d-\\d\\d-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\\.gz$`,
      ),
    );
    expect(byType['type=page_view']!.lines.map((l) => JSON.parse(l).id)).toEqual(['a', 'c']);
    expect(byType['type=signup']!.lines.map((l) => JSON.parse(l).id)).toEqual(['b']);
    // Nothing is left in the stream's buffer folder.
    expect((await fs.readdir(stream.stateDir)).filter((f) => f !== 'tmp')).toEqual([]);
  });

  it('shares one write and one fsync among concurrent callers (group commit), losing nothing', async () => {
    const lake = await tempLake();
    const stream = await open(lake, { bufferBytes: 64 * 1024 });
    const batches = Array.from({ length: 300 }, (_, b) =>
      Array.from({ length: 10 }, (_, i) => rec(`b${b}-${i}`, i % 2 ? 'signup' : 'page_view')),
    );
    // 10 waves of 30 concurrent callers.
    const results = [];
    for (let w = 0; w < 10; w++)
      results.push(
        ...(await Promise.all(batches.slice(w * 30, w * 30 + 30).map((batch) => stream.putRecords(batch)))),
      );
    expect(results.every((r) => r.failed.length === 0)).toBe(true);
    expect(stream.stats.puts).toBe(300);
    expect(stream.stats.commits).toBeLessThan(300);
    await stream.close();
    const ids = (await deliveredRecords(lake)).map((r) => r.id);
    expect(ids).toHaveLength(3000);
    expect(new Set(ids).size).toBe(3000);
    expect(stream.stats.segmentsSealed).toBeGreaterThan(1); // rolled over by size while writing
  });

  it('rolls a segment over by size: objects stay near the buffer size', async () => {
    const lake = await tempLake();
    const stream = await open(lake, { bufferBytes: 4096 });
    for (let i = 0; i < 40; i++) await stream.putRecords([rec(`s${i}`, 'page_view', 'x'.repeat(400))]);
    // Sealed segments are delivered in the background; give them a moment, then count before close.
    await stream.flush();
    const objects = await deliveredObjects(lake);
    expect(objects.length).toBeGreaterThanOrEqual(4);
    for (const o of objects) expect(o.lines.length).toBeLessThanOrEqual(9); // 4096 / ~530 bytes per record + 1
    await stream.close();
  });

  it('rolls a segment over by age (buffer interval) without being asked', async () => {
    const lake = await tempLake();
    const stream = await open(lake, { bufferIntervalMs: 200 });
    await stream.putRecords([rec('t1')]);
    const deadline = Date.now() + 10_000;
    while ((await deliveredObjects(lake)).length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect((await deliveredRecords(lake)).map((r) => r.id)).toEqual(['t1']);
    await stream.close();
  });

  it('rolls a segment over by age also when the wall clock is set back an hour after its first record', async () => {
    const lake = await tempLake();
    const stream = await open(lake, { bufferIntervalMs: 200 });
    await stream.putRecords([rec('t2')]);
    const realNow = Date.now.bind(Date);
    const setBack = jest.spyOn(Date, 'now').mockImplementation(() => realNow() - 3_600_000);
    try {
      const deadline = performance.now() + 10_000;
      while ((await deliveredObjects(lake)).length === 0 && performance.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect((await deliveredRecords(lake)).map((r) => r.id)).toEqual(['t2']);
    } finally {
      setBack.mockRestore();
      await stream.close();
    }
  });

  it('sends records without a partition key to the error prefix in Firehose error format', async () => {
    const lake = await tempLake();
    const stream = await open(lake);
    await stream.putRecords([
      rec('ok'),
      { id: 'bad', type: '', line: '{"id":"bad"}' },
      { id: 'nojson', type: '', line: 'not json' },
    ]);
    await stream.close();
    const errors = await deliveredObjects(lake, 'errors/');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.key).toMatch(/^errors\/events\/processing-failed\/arrival_date=/);
    const docs = errors[0]!.lines.map((l) => JSON.parse(l));
    expect(docs.map((d) => Buffer.from(d.rawData, 'base64').toString())).toEqual([
      '{"id":"bad"}',
      'not json',
    ]);
    expect(docs[0]).toMatchObject({
      errorCode: 'DynamicPartitioning.MetadataExtractionFailed',
      attemptsMade: 1,
    });
    expect((await deliveredRecords(lake)).map((r) => r.id)).toEqual(['ok']);
  });

  it('delivers the bytes of each record as written, and a damaged line as an error record of its exact bytes', async () => {
    const lake = await tempLake();
    const now = Date.now();
    const wide = rec('w', 'page_view', 'café – 東京 🚀').line; // 2-, 3- and 4-byte UTF-8
    const damagedLine = 'no tabs here – ü';
    const content = Buffer.from(
      `${now}\tpage_view\t${wide}\n${damagedLine}\n${now + 1}\tsignup\t${rec('s', 'signup').line}\n` +
        `${now + 2}\tpage_view\t${rec('p').line}\n`,
    );
    expect(parseSegment(content)).toEqual({
      records: [
        { arrivalMs: now, key: 'page_view', data: wide },
        { arrivalMs: now + 1, key: 'signup', data: rec('s', 'signup').line },
        { arrivalMs: now + 2, key: 'page_view', data: rec('p').line },
      ],
      tornBytes: 0,
      damaged: [damagedLine],
    });
    const stateDir = await deadWritersSegment(lake, content);
    const warnings: [string, Record<string, unknown>][] = [];
    const stream = await open(lake, {
      onWarning: (message, context) => void warnings.push([message, context]),
    });
    await stream.close();
    const objects = await deliveredObjects(lake);
    expect(objects.map((o) => o.lines)).toEqual([[wide, rec('p').line], [rec('s', 'signup').line]]);
    const errors = await deliveredObjects(lake, 'errors/');
    expect(errors).toHaveLength(1);
    // Said, with the segment, the count and the error object.
    expect(warnings).toEqual([
      [
        expect.stringMatching(
          /^a segment held lines not in its format .*errors\/, never acknowledged as events$/,
        ),
        {
          segment: expect.stringContaining(stateDir),
          damagedLines: 1,
          errorsKey: expect.stringMatching(/^errors\//),
        },
      ],
    ]);
    const doc = JSON.parse(errors[0]!.lines[0]!);
    expect(doc.errorCode).toBe('Local.DamagedSegmentLine');
    expect(Buffer.from(doc.rawData, 'base64').equals(Buffer.from(damagedLine))).toBe(true);
  });

  it('takes a line whose partition key would leave its folder (.., a slash) for a damaged line, never a path', async () => {
    const lake = await tempLake();
    const now = Date.now();
    const escaping = [
      `${now}\t../../../../escaped\t${rec('x').line}`,
      `${now}\t..\t${rec('y').line}`,
      `${now}\ta\\b\t${rec('z').line}`,
    ];
    const content = Buffer.from(`${now}\tpage_view\t${rec('p').line}\n${escaping.join('\n')}\n`);
    expect(parseSegment(content)).toEqual({
      records: [{ arrivalMs: now, key: 'page_view', data: rec('p').line }],
      tornBytes: 0,
      damaged: escaping,
    });
    const stateDir = await deadWritersSegment(lake, content);
    const warnings: string[] = [];
    const adopted: { segment: string; owner: string }[] = [];
    const stream = await open(lake, {
      onWarning: (message) => void warnings.push(message),
      onAdopted: (info) => void adopted.push(info),
    });
    await stream.close();
    // Said: the segment a gone writer left, taken for delivery.
    expect(adopted).toEqual([{ segment: expect.stringContaining(stateDir), owner: expect.any(String) }]);
    expect((await deliveredObjects(lake)).map((o) => o.key)).toEqual([
      expect.stringMatching(/^events\/type=page_view\//),
    ]);
    const errors = await deliveredObjects(lake, 'errors/');
    expect(errors.flatMap((e) => e.lines.map((l) => JSON.parse(l).errorCode))).toEqual(
      escaping.map(() => 'Local.DamagedSegmentLine'),
    );
    expect(warnings).toEqual([expect.stringMatching(/^a segment held lines not in its format/)]);
    expect(await fs.readdir(path.dirname(lake))).not.toContain('escaped');
    await expect(fs.stat(path.join(lake, 'raw', 'escaped'))).rejects.toThrow();
  });

  it('redelivers a segment with a damaged line (a crash before its removal) into the same objects, errors too', async () => {
    const lake = await tempLake();
    const now = Date.now();
    const segment = path.join(lake, 'segment.wal');
    await fs.writeFile(segment, `${now}\tpage_view\t${rec('a').line}\nnot a segment line\n`);
    const where = {
      rawDir: path.join(lake, 'raw'),
      tmpDir: path.join(lake, 'tmp'),
      streamName: 'test-events',
    };
    await fs.mkdir(where.tmpDir, { recursive: true });
    const keys: string[][] = [];
    for (let i = 0; i < 2; i++) {
      const delivered: string[] = [];
      await deliverSegmentObjects(segment, 'segment-1', where, (o) => delivered.push(o.key));
      keys.push(delivered.sort());
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    expect(keys[0]).toHaveLength(2);
    expect(keys[1]).toEqual(keys[0]);
    expect(await deliveredObjects(lake, 'errors/')).toHaveLength(1);
  });

  it('recovers a dead process segment at start: complete lines delivered, the torn tail dropped', async () => {
    const lake = await tempLake();
    const now = Date.now();
    const content = `${now}\tpage_view\t${rec('r1').line}\n${now}\tsignup\t${rec('r2', 'signup').line}\n${now}\tpage_view\t${rec('r3').line.slice(0, 25)}`;
    const stateDir = await deadWritersSegment(lake, content);
    expect(parseSegment(Buffer.from(content))).toMatchObject({
      tornBytes: String(now).length + 11 + 25,
      damaged: [],
    });
    const warnings: [string, Record<string, unknown>][] = [];
    const stream = await open(lake, {
      onWarning: (message, context) => void warnings.push([message, context]),
    });
    expect(stream.stats.recovered).toBe(1);
    expect((await deliveredRecords(lake)).map((r) => r.id).sort()).toEqual(['r1', 'r2']);
    expect((await fs.readdir(stateDir)).filter((f) => f !== 'tmp')).toEqual([]);
    // Said, with the bytes dropped and the segment they were in.
    expect(warnings).toEqual([
      [
        expect.stringMatching(/^a segment ended in a line cut short .*: its bytes were dropped$/),
        { segment: expect.stringContaining(stateDir), tornBytes: String(now).length + 11 + 25 },
      ],
    ]);
    await stream.close();
  });

  it('leaves the segments of live processes alone', async () => {
    const lake = await tempLake();
    const stateDir = path.join(lake, '.firehose', 'test-events');
    await fs.mkdir(stateDir, { recursive: true });
    const livePid = process.ppid; // our parent is alive
    const file = `${livePid}-${Date.now()}-0-abcdef.wal`;
    await fs.writeFile(path.join(stateDir, file), `${Date.now()}\tpage_view\t${rec('live').line}\n`);
    const stream = await open(lake);
    await stream.close();
    expect(await deliveredObjects(lake)).toEqual([]);
    expect(await fs.readdir(stateDir)).toContain(file);
  });

  it("delivers an earlier version's segment whose pid is now another process's, started after the segment was made", async () => {
    const lake = await tempLake();
    const stateDir = path.join(lake, '.firehose', 'test-events');
    await fs.mkdir(stateDir, { recursive: true });
    // Our parent runs, under the pid of a lake that wrote this segment a year before it started (pid reuse: after a
    // reboot, in the next container).
    const file = `${process.ppid}-${Date.parse('2025-11-24T16:00:00Z')}-0-a1b2c3.wal`;
    await fs.writeFile(path.join(stateDir, file), `${Date.now()}\tpage_view\t${rec('reused').line}\n`);
    const stream = await open(lake);
    const report = await stream.close();
    expect((await deliveredRecords(lake)).map((r) => r.id)).toEqual(['reused']);
    expect(report).toMatchObject({ heldByOthers: [], left: [] });
    expect(await fs.readdir(stateDir)).not.toContain(file);
  });

  it('redelivers an interrupted delivery idempotently (same object names, no duplicates)', async () => {
    const lake = await tempLake();
    const stateDir = path.join(lake, '.firehose', 'test-events');
    await fs.mkdir(stateDir, { recursive: true });
    const deadPid = 2 ** 22 + 777;
    const name = `${deadPid}-${Date.now()}-0-aaaaaa.sealed`;
    const body = `${Date.now()}\tpage_view\t${rec('d1').line}\n${Date.now()}\tsignup\t${rec('d2', 'signup').line}\n`;
    await fs.writeFile(path.join(stateDir, name), body);
    (await open(lake)).close();
    await new Promise((r) => setTimeout(r, 10));
    const first = (await deliveredObjects(lake)).map((o) => o.key).sort();
    // The process died after writing the objects but before deleting the segment: it is there again.
    await fs.writeFile(path.join(stateDir, name), body);
    const again = await open(lake);
    await again.close();
    const objects = await deliveredObjects(lake);
    expect(objects.map((o) => o.key).sort()).toEqual(first);
    expect((await deliveredRecords(lake)).map((r) => r.id).sort()).toEqual(['d1', 'd2']);
  });

  it('injects Firehose-like per-record throttling when asked (faultRate): refused records are not written', async () => {
    const lake = await tempLake();
    let n = 0;
    const stream = await open(lake, { faultRate: 0.5, random: () => (n++ % 2 === 0 ? 0.9 : 0.1) });
    const res = await stream.putRecords([rec('f1'), rec('f2'), rec('f3'), rec('f4')]);
    expect(res.failed).toEqual([
      { index: 1, id: 'f2', errorCode: 'ServiceUnavailableException', errorMessage: 'Slow down. (injected)' },
      { index: 3, id: 'f4', errorCode: 'ServiceUnavailableException', errorMessage: 'Slow down. (injected)' },
    ]);
    await stream.close();
    expect((await deliveredRecords(lake)).map((r) => r.id)).toEqual(['f1', 'f3']);
  });

  it('injects whole-call throttling when asked (throttleRate): nothing of a throttled call is written', async () => {
    const lake = await tempLake();
    const draws = [0.01, 0.99]; // first call throttled, second not
    const faults: string[] = [];
    const stream = await open(lake, {
      throttleRate: 0.5,
      random: () => draws.shift() ?? 0.99,
      onFault: (fault) => faults.push(fault),
    });
    const throttled = await stream.putRecords([rec('t1'), rec('t2')]);
    expect(throttled.failed).toEqual([
      {
        index: 0,
        id: 't1',
        errorCode: 'ThrottlingException',
        errorMessage: 'Rate exceeded for stream (injected)',
      },
      {
        index: 1,
        id: 't2',
        errorCode: 'ThrottlingException',
        errorMessage: 'Rate exceeded for stream (injected)',
      },
    ]);
    expect((await stream.putRecords([rec('t3')])).failed).toEqual([]);
    await stream.close();
    expect((await deliveredRecords(lake)).map((r) => r.id)).toEqual(['t3']);
    expect(faults).toEqual(['firehose.throttle']);
  });

  it('refuses records after close instead of losing them', async () => {
    const lake = await tempLake();
    const stream = await open(lake);
    await stream.close();
    const res = await stream.putRecords([rec('late')]);
    expect(res.failed).toEqual([expect.objectContaining({ id: 'late', errorCode: 'StreamClosed' })]);
  });
});
