/** The local S3 → EventBridge stand-in for uploads/, for real on the filesystem. */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { S3ObjectCreatedNotificationEvent } from 'aws-lambda';
import { startLakeProcess } from '../support/lake-process';
import { tempLake } from '../support/raw-zone';

// The real handler (last tests) runs on the local runtime against this lake.
const e2eLake = path.join(os.tmpdir(), `uploads-e2e-${process.pid}-${Date.now()}`);
process.env.LAKE_RUNTIME = 'local';
process.env.LAKE_DIR = e2eLake;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startUploadsWatcher, SEEN_FILE } =
  require('../../local/uploads-watcher') as typeof import('../../local/uploads-watcher');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { localLog } = require('../../local/log') as typeof import('../../local/log');
type Watcher = Awaited<ReturnType<typeof startUploadsWatcher>>;

const POLL_MS = 300;
const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(
  what: string,
  fn: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

const watchers: Watcher[] = [];
afterEach(async () => {
  await Promise.all(watchers.splice(0).map((w) => w.stop()));
});
afterAll(() => fs.rm(e2eLake, { recursive: true, force: true }));

async function recordingWatcher(lake: string, over: Partial<Parameters<typeof startUploadsWatcher>[0]> = {}) {
  const events: S3ObjectCreatedNotificationEvent[] = [];
  const w = await startUploadsWatcher({
    lakeDir: lake,
    pollMs: POLL_MS,
    handler: async (e) => {
      events.push(e);
      return { outcome: 'recorded' };
    },
    ...over,
  });
  watchers.push(w);
  return { w, events };
}

/** Waits for enough rescans that anything pending would have been handed over. */
async function settle(w: Watcher): Promise<void> {
  const target = w.stats.scans + 3;
  await waitFor('rescans', () => w.stats.scans >= target);
  await sleep(POLL_MS);
  await w.scan();
}

describe('uploads watcher', () => {
  it('hands over a file copied in slowly once, after it is complete, as an S3 Object Created event', async () => {
    const lake = await tempLake('uploads');
    const { w, events } = await recordingWatcher(lake);
    const file = path.join(lake, 'raw/uploads/orders/slow copy é+1.csv');
    await fs.mkdir(path.dirname(file), { recursive: true });
    const chunks = Array.from({ length: 12 }, (_, i) => `line ${i} ${'x'.repeat(1000)}\n`);
    for (const c of chunks) {
      await fs.appendFile(file, c);
      await sleep(20);
    }
    const full = chunks.join('');
    await waitFor('the event', () => events.length > 0);
    await settle(w);
    expect(events).toHaveLength(1);
    const e = events[0]!;
    expect(e).toMatchObject({
      version: '0',
      'detail-type': 'Object Created',
      source: 'aws.s3',
      account: '000000000000',
      region: expect.any(String),
      resources: ['arn:aws:s3:::raw'],
      detail: {
        version: '0',
        bucket: { name: 'raw' },
        object: {
          key: 'uploads/orders/slow+copy+%C3%A9%2B1.csv',
          size: Buffer.byteLength(full),
          etag: md5(full),
          sequencer: expect.stringMatching(/^[0-9A-F]{18,}$/),
        },
        'request-id': expect.any(String),
        requester: '000000000000',
        'source-ip-address': '127.0.0.1',
        reason: 'PutObject',
      },
    });
    expect(e.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(e.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('hands a file over once it has settled even when the wall clock steps back an hour meanwhile', async () => {
    const lake = await tempLake('uploads');
    const { w, events } = await recordingWatcher(lake);
    const file = path.join(lake, 'raw/uploads/orders/clock.csv');
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, 'order_id\no1\n');
    const scans = w.stats.scans;
    await waitFor('the file observed', () => w.stats.scans > scans);
    const realNow = Date.now;
    const step = 3_600_000;
    const now = jest.spyOn(Date, 'now').mockImplementation(() => realNow() - step);
    try {
      await waitFor('the event', () => events.length > 0, 10_000);
    } finally {
      now.mockRestore();
    }
    expect(events.map((e) => e.detail.object.key)).toEqual(['uploads/orders/clock.csv']);
  });

  it('a copy that keeps growing for several poll intervals is handed over once, complete', async () => {
    const lake = await tempLake('uploads');
    const { w, events } = await recordingWatcher(lake);
    const file = path.join(lake, 'raw/uploads/orders/growing.csv');
    await fs.mkdir(path.dirname(file), { recursive: true });
    // A write every third of a poll interval, for five intervals: the file is never unchanged for a whole interval.
    const chunks = Array.from({ length: 15 }, (_, i) => `line ${i} ${'y'.repeat(5000)}\n`);
    const scansBefore = w.stats.scans;
    for (const c of chunks) {
      await fs.appendFile(file, c);
      await sleep(POLL_MS / 3);
    }
    expect(w.stats.scans - scansBefore).toBeGreaterThanOrEqual(3); // it looked while the file grew
    const full = chunks.join('');
    await waitFor('the event', () => events.length > 0);
    await settle(w);
    expect(events.map((e) => e.detail.object)).toEqual([
      expect.objectContaining({ size: Buffer.byteLength(full), etag: md5(full) }),
    ]);
  });

  it('waits for a writer that pauses longer than the quiet interval to close the file (Linux: /proc)', async () => {
    const lake = await tempLake('uploads');
    const { w, events } = await recordingWatcher(lake);
    const file = path.join(lake, 'raw/uploads/orders/paused.csv');
    await fs.mkdir(path.dirname(file), { recursive: true });
    // Another process writes the header, is quiet for several poll intervals with the file open, then writes a row.
    const writer = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('fs'); const fd = fs.openSync(process.argv[1], 'w'); fs.writeSync(fd, 'a,b\\n');
         setTimeout(() => { fs.writeSync(fd, '1,2\\n'); fs.closeSync(fd); }, ${POLL_MS * 5});`,
        file,
      ],
      { stdio: 'ignore' },
    );
    const exited = new Promise((r) => writer.on('exit', r));
    await waitFor('the header written', async () => (await fs.stat(file).catch(() => undefined))?.size === 4);
    await sleep(POLL_MS * 3);
    expect(events).toHaveLength(0); // quiet, but open for writing
    await exited;
    await waitFor('the event', () => events.length > 0);
    await settle(w);
    expect(events.map((e) => e.detail.object)).toEqual([
      expect.objectContaining({ size: 8, etag: md5('a,b\n1,2\n') }),
    ]);
  });

  it('ignores hidden and temporary files', async () => {
    const lake = await tempLake('uploads');
    const { w, events } = await recordingWatcher(lake);
    const put = async (rel: string) => {
      const f = path.join(lake, 'raw/uploads', rel);
      await fs.mkdir(path.dirname(f), { recursive: true });
      await fs.writeFile(f, 'a,b\n');
    };
    for (const rel of [
      'orders/.hidden.csv',
      'orders/x.csv.tmp',
      'orders/x.csv.part',
      'orders/x.csv~',
      'orders/_SUCCESS',
      '_staging/orders/y.csv',
      '.git/config',
    ])
      await put(rel);
    await put('orders/visible.csv');
    await waitFor('the visible file', () => events.length > 0);
    await settle(w);
    expect(events.map((e) => e.detail.object.key)).toEqual(['uploads/orders/visible.csv']);
  });

  it('takes no link, FIFO or device, and says so once for each', async () => {
    const lake = await tempLake('uploads');
    const warn = jest.spyOn(localLog, 'warn');
    try {
      const { w, events } = await recordingWatcher(lake);
      const dir = path.join(lake, 'raw/uploads/orders');
      await fs.mkdir(dir, { recursive: true });
      await fs.symlink('/etc/hostname', path.join(dir, 'linked.csv'));
      execFileSync('mkfifo', [path.join(dir, 'pipe.csv')]);
      await fs.writeFile(path.join(dir, 'real.csv'), 'a,b\n');
      await waitFor('the real file', () => events.length > 0);
      await settle(w);
      await settle(w);
      expect(events.map((e) => e.detail.object.key)).toEqual(['uploads/orders/real.csv']);
      const said = warn.mock.calls.filter(([m]) => String(m).startsWith('not a regular file'));
      const attrs = said.map(([, a]) => a as { key: string; kind: string });
      expect(attrs.sort((x, y) => x.key.localeCompare(y.key))).toEqual([
        { key: 'uploads/orders/linked.csv', kind: 'symbolic link' },
        { key: 'uploads/orders/pipe.csv', kind: 'FIFO' },
      ]);
    } finally {
      warn.mockRestore();
    }
  });

  it('takes no file whose name is not UTF-8 (no S3 key), and says so once, with its bytes', async () => {
    const lake = await tempLake('uploads');
    const warn = jest.spyOn(localLog, 'warn');
    try {
      const { w, events } = await recordingWatcher(lake);
      const dir = path.join(lake, 'raw/uploads/orders');
      await fs.mkdir(dir, { recursive: true });
      // caf\xe9.csv: Latin-1, as a Windows share or an old archive names it.
      await fs.writeFile(
        Buffer.concat([Buffer.from(`${dir}/caf`), Buffer.from([0xe9]), Buffer.from('.csv')]),
        'a\n',
      );
      await fs.writeFile(path.join(dir, 'café.csv'), 'a,b\n');
      await waitFor('the UTF-8 file', () => events.length > 0);
      await settle(w);
      await settle(w);
      // The event's key is URL-encoded, as S3's.
      expect(events.map((e) => e.detail.object.key)).toEqual(['uploads/orders/caf%C3%A9.csv']);
      const said = warn.mock.calls.filter(([m]) => String(m).startsWith('a name that is not UTF-8'));
      expect(said.map(([, a]) => a)).toEqual([
        {
          key: 'uploads/orders/caf\ufffd.csv',
          nameBytes: Buffer.from('caf\xe9.csv', 'latin1').toString('hex'),
        },
      ]);
    } finally {
      warn.mockRestore();
    }
  });

  it('hands each version over once, across restarts; a new PUT of the key (a new version) again', async () => {
    const lake = await tempLake('uploads');
    const file = path.join(lake, 'raw/uploads/orders/a.csv');
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, 'one\n');
    const first = await recordingWatcher(lake);
    await waitFor('the first event', () => first.events.length > 0);
    await first.w.stop();
    const seen = (await fs.readFile(path.join(lake, SEEN_FILE), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const version = first.events[0]!.detail.object['version-id'];
    expect(version).toEqual(expect.any(String));
    expect(seen).toEqual([
      expect.objectContaining({ key: 'uploads/orders/a.csv', etag: md5('one\n'), versionId: version }),
    ]);

    // A restart hands nothing over again.
    const second = await recordingWatcher(lake);
    await settle(second.w);
    expect(second.events).toHaveLength(0);
    // The same content written again is a new version, as a PUT to a versioned bucket is: handed over again.
    await fs.writeFile(file, 'one\n');
    await waitFor('the rewrite', () => second.events.length > 0);
    expect(second.events[0]!.detail.object.etag).toBe(md5('one\n'));
    expect(second.events[0]!.detail.object['version-id']).not.toBe(version);
    // A file moved away and back under the same name (a quarantined file replayed) too.
    const away = path.join(lake, 'raw/quarantine-copy.csv');
    await fs.rename(file, away);
    await settle(second.w);
    await fs.rename(away, file);
    await waitFor('the file moved back', () => second.events.length > 1);
    expect(second.events).toHaveLength(2);
    await settle(second.w);
    expect(second.events).toHaveLength(2);
  });

  it('hands nothing over for a new version of unchanged content that never left: a chmod, a copy of the lake with its times', async () => {
    const lake = await tempLake('uploads');
    const file = path.join(lake, 'raw/uploads/orders/old.csv');
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, 'paid\n');
    const first = await recordingWatcher(lake);
    await waitFor('the first event', () => first.events.length > 0);
    // A new change time (the local version id's): on S3 an ACL change, which makes no new version and no event.
    await fs.chmod(file, 0o640);
    await settle(first.w);
    await settle(first.w);
    expect(first.events).toHaveLength(1);
    // The same content written again at once (the same file, a modification time half a second later): a new
    // version, however close its time.
    const written = (await fs.stat(file)).mtime;
    await fs.writeFile(file, 'paid\n');
    await fs.utimes(file, new Date(), new Date(written.getTime() + 500));
    await waitFor('the rewrite', () => first.events.length > 1);
    await first.w.stop();
    // The lake copied with its times (cp -a): new inodes, the same content and modification times.
    const copy = `${lake}-copy`;
    await fs.cp(lake, copy, { recursive: true, preserveTimestamps: true });
    const inCopy = await recordingWatcher(copy);
    await settle(inCopy.w);
    await settle(inCopy.w);
    expect(inCopy.events).toHaveLength(0);
    // Content written again is a new version, handed over.
    await fs.writeFile(path.join(copy, 'raw/uploads/orders/old.csv'), 'refunded\n');
    await waitFor('the new content', () => inCopy.events.length > 0);
    expect(inCopy.events[0]!.detail.object.etag).toBe(md5('refunded\n'));
    await inCopy.w.stop();
    await fs.rm(copy, { recursive: true, force: true });
  });

  it('retries a failing invocation after a wait that doubles, then gives up until the next start', async () => {
    const lake = await tempLake('uploads');
    const file = path.join(lake, 'raw/uploads/orders/f.csv');
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, 'x\n');
    const calls: number[] = [];
    const errors: { attempt: number; gaveUp: boolean }[] = [];
    const w = await startUploadsWatcher({
      lakeDir: lake,
      pollMs: 50,
      maxAttempts: 3,
      retryDelayMs: 300,
      handler: async () => {
        calls.push(performance.now());
        throw new Error('boom');
      },
      onError: (_e, info) => errors.push(info),
    });
    watchers.push(w);
    await waitFor('three attempts', () => errors.length >= 3);
    await settle(w);
    expect(calls).toHaveLength(3);
    // As Lambda waits between the retries of an asynchronous invocation (a minute, then two): at least 300 ms, then
    // at least 600 ms (a lower bound only: scans come every 50 ms).
    expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(300);
    expect(calls[2]! - calls[1]!).toBeGreaterThanOrEqual(600);
    expect(errors.map((e) => [e.attempt, e.gaveUp])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    await expect(fs.stat(path.join(lake, SEEN_FILE))).rejects.toThrow(); // not remembered as handled
  });

  describe('with the real validateUpload handler on the local lake', () => {
    const raw = path.join(e2eLake, 'raw');
    const put = async (rel: string, body: string) => {
      const f = path.join(raw, rel);
      await fs.mkdir(path.dirname(f), { recursive: true });
      await fs.writeFile(f, body);
    };

    it('quarantines a bad file: moved, reason beside it, a notice in notifications.jsonl', async () => {
      const handled: { key: string; result: unknown }[] = [];
      const w = await startUploadsWatcher({
        lakeDir: e2eLake,
        pollMs: POLL_MS,
        onHandled: (i) => handled.push(i),
      });
      watchers.push(w);
      await put('uploads/orders/bad orders.csv', 'order_id,nope\n1,2\n');
      await waitFor('the quarantine', () => handled.length > 0);
      const date = new Date().toISOString().slice(0, 10);
      const qKey = `quarantine/${date}/orders/bad orders.csv`;
      expect(handled[0]!.result).toMatchObject({
        outcome: 'quarantined',
        code: 'HEADER_MISMATCH',
        quarantineKey: qKey,
      });
      await expect(fs.stat(path.join(raw, 'uploads/orders/bad orders.csv'))).rejects.toThrow();
      expect(await fs.readFile(path.join(raw, qKey), 'utf8')).toBe('order_id,nope\n1,2\n');
      const reason = JSON.parse(await fs.readFile(path.join(raw, `${qKey}.reason.json`), 'utf8'));
      expect(reason).toMatchObject({
        code: 'HEADER_MISMATCH',
        key: 'uploads/orders/bad orders.csv',
        dataset: 'orders',
        line: 1,
      });
      const notices = (await fs.readFile(path.join(e2eLake, 'notifications.jsonl'), 'utf8'))
        .trim()
        .split('\n');
      expect(notices.map((l) => JSON.parse(l))).toEqual([
        expect.objectContaining({
          kind: 'UPLOAD_QUARANTINED',
          detail: expect.objectContaining({ code: 'HEADER_MISMATCH' }),
        }),
      ]);
    });

    it('hands a good file to the local workflow', async () => {
      const handled: { key: string; result: unknown }[] = [];
      const w = await startUploadsWatcher({
        lakeDir: e2eLake,
        pollMs: POLL_MS,
        onHandled: (i) => handled.push(i),
      });
      watchers.push(w);
      await put(
        'uploads/orders/good.csv',
        'order_id,customer_id,order_date,status,amount,currency\no-1,c-1,2026-11-24,paid,10.5,EUR\n',
      );
      await waitFor('the start', () => handled.length > 0);
      expect(handled[0]!.result).toMatchObject({
        outcome: 'started',
        dataset: 'orders',
        executionName: expect.stringMatching(/^orders-good-csv-[0-9a-f]{32}$/),
      });
      await fs.access(path.join(raw, 'uploads/orders/good.csv')); // left for the ETL
    });
  });
});

describe('npm start', () => {
  it('runs the uploads watcher: a file dropped into <LAKE_DIR>/raw/uploads/ is checked by validateUpload', async () => {
    const lake = await tempLake('uploads-lake');
    const proc = await startLakeProcess({
      LAKE_DIR: lake,
      LAKE_UPLOADS_POLL_MS: '200',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
    try {
      const dir = path.join(lake, 'raw/uploads/nosuchdataset');
      await fs.mkdir(dir, { recursive: true });
      await fs.writeFile(path.join(dir, 'x.csv'), 'a\n1\n');
      const date = new Date().toISOString().slice(0, 10);
      const reasonFile = path.join(lake, `raw/quarantine/${date}/nosuchdataset/x.csv.reason.json`);
      const reason = await waitFor(
        'the quarantine',
        () => fs.readFile(reasonFile, 'utf8').catch(() => undefined),
        30_000,
      );
      expect(JSON.parse(reason)).toMatchObject({ code: 'UNKNOWN_DATASET', dataset: 'nosuchdataset' });

      // A refused file, fixed and moved back under its old name, is checked again (on AWS the move is a new PUT):
      // here an orders file with a wrong header, then the right one; its run then starts.
      const orders = path.join(lake, 'raw/uploads/orders');
      await fs.mkdir(orders, { recursive: true });
      await fs.writeFile(path.join(orders, 'replayed.csv'), 'order_id,nonsense\no-1,x\n');
      const quarantined = path.join(lake, `raw/quarantine/${date}/orders/replayed.csv`);
      // The reason is written first, then the file is moved (copied, then deleted from uploads/): wait for the move
      // to end, or the fix below races the copy (seen on a loaded machine: the old content came back).
      await waitFor(
        'the second quarantine, moved',
        async () => {
          const [reasonWritten, moved, left] = await Promise.all([
            fs.stat(`${quarantined}.reason.json`).catch(() => undefined),
            fs.stat(quarantined).catch(() => undefined),
            fs.stat(path.join(orders, 'replayed.csv')).catch(() => undefined),
          ]);
          return reasonWritten && moved && !left ? true : undefined;
        },
        30_000,
      );
      await fs.writeFile(
        quarantined,
        'order_id,customer_id,order_date,status,amount,currency\no-1,c-1,2026-11-20,paid,1.5,EUR\n',
      );
      await fs.rename(quarantined, path.join(orders, 'replayed.csv'));
      const executions = path.join(lake, '.stepfunctions', 'etl');
      const started = await waitFor(
        "the replayed file's execution",
        async () =>
          (await fs.readdir(executions).catch(() => [] as string[])).find((n) =>
            n.startsWith('orders-replayed-csv-'),
          ),
        30_000,
      ).catch((e: Error) => {
        throw new Error(`${e.message}\nthe lake's output:\n${proc.output().slice(-6000)}`);
      });
      expect(started).toMatch(/^orders-replayed-csv-[0-9a-f]{32}\.json$/);
    } finally {
      expect(await proc.kill('SIGTERM')).toBe(0);
    }
  }, 90_000);
});
