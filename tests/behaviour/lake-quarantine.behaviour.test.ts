/**
 * GET /uploads/quarantine on both runtimes: S3 mocked (ListObjectsV2 + GetObject of the reasons) and the local
 * lake's raw/ folder (real files, moved there by the objects port as validateUpload moves them). The same
 * quarantine must list the same way: newest first, with each reason, paged by a token that survives new arrivals.
 */
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { setObjectStore } from '../../lib/objects';
import { LocalObjectStore } from '../../lib/objects/local';
import { S3ObjectStore } from '../../lib/objects/s3';
import { lakeGet } from '../support/lake-route';
import { tempLake } from '../support/raw-zone';

interface Quarantined {
  key: string;
  body: string;
  /** Seconds after the base time it was quarantined. */
  second: number;
  reason?: Record<string, unknown>;
}

const BASE = Date.parse('2026-11-24T10:00:00.000Z');
const FILES: Quarantined[] = [
  {
    key: 'quarantine/2026-11-24/orders/broken.csv',
    body: 'order_id,nonsense\n1,2\n',
    second: 10,
    reason: {
      code: 'HEADER_MISMATCH',
      message: "unknown column(s) 'nonsense'",
      field: 'nonsense',
      key: 'uploads/orders/broken.csv',
      dataset: 'orders',
      line: 1,
    },
  },
  {
    key: 'quarantine/2026-11-24/customers/empty.csv',
    body: 'x',
    second: 20,
    reason: { code: 'EMPTY_FILE', message: 'the file has no rows' },
  },
  {
    key: 'quarantine/2026-11-24/stray.csv',
    body: 'yy',
    second: 30,
    reason: { code: 'BAD_KEY', message: 'no dataset folder' },
  },
  { key: 'quarantine/2026-11-24/orders/lost-reason.csv', body: 'zzz', second: 5 },
];

const reasonKey = (k: string) => `${k}.reason.json`;
const time = (s: number) => new Date(BASE + s * 1000);

function awsRuntime() {
  const objects = new Map<string, { body: string; at: Date }>();
  /** Keys removed after the listing that lists them (GetObject then finds none). */
  const vanished = new Set<string>();
  for (const f of FILES) {
    objects.set(f.key, { body: f.body, at: time(f.second) });
    if (f.reason) objects.set(reasonKey(f.key), { body: JSON.stringify(f.reason), at: time(f.second) });
  }
  const s3 = mockClient(S3Client);
  s3.on(ListObjectsV2Command).callsFake((input) => {
    expect(input.Bucket).toBe('raw-bkt');
    const keys = [...objects.keys()]
      .filter((k) => k.startsWith(input.Prefix ?? '') && !(vanished.has(k) && input.Prefix === k))
      .sort();
    // Pages of 3 keys: the store must read them all.
    const from = Number(input.ContinuationToken ?? 0);
    return {
      Contents: keys
        .slice(from, from + 3)
        .map((k) => ({ Key: k, Size: objects.get(k)!.body.length, LastModified: objects.get(k)!.at })),
      ...(from + 3 < keys.length
        ? { IsTruncated: true, NextContinuationToken: String(from + 3) }
        : { IsTruncated: false }),
    };
  });
  s3.on(GetObjectCommand).callsFake((input) => {
    const o = objects.get(input.Key!);
    // The lake role's s3:ListBucket is conditioned on the quarantine/ prefix, which S3 does not count for a
    // GetObject: a missing key is a 403, as IAM answers it (resources/lake-role.yml).
    if (!o || vanished.has(input.Key!))
      throw Object.assign(new Error('Access Denied'), {
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      });
    const [, a, b] = /bytes=(\d+)-(\d+)/.exec(input.Range!)!;
    const bytes = Buffer.from(o.body).subarray(Number(a), Number(b) + 1);
    return { Body: { transformToByteArray: async () => new Uint8Array(bytes) } as never };
  });
  setObjectStore(
    new S3ObjectStore(new S3Client({ region: 'us-east-1' }), { raw: 'raw-bkt', curated: 'cur-bkt' }),
  );
  return {
    add: async (f: Quarantined) => {
      objects.set(f.key, { body: f.body, at: time(f.second) });
      if (f.reason) objects.set(reasonKey(f.key), { body: JSON.stringify(f.reason), at: time(f.second) });
    },
    vanish: (key: string) => vanished.add(key),
    done: () => s3.restore(),
  };
}

async function localRuntime() {
  const dir = await tempLake('lake-quarantine');
  const store = new LocalObjectStore(dir);
  const add = async (f: Quarantined) => {
    // As validateUpload does: the reason written, then the upload moved (the move's time is its LastModified).
    if (f.reason) await store.put('raw', reasonKey(f.key), JSON.stringify(f.reason));
    const upload = `uploads/x/${path.basename(f.key)}`;
    await store.put('raw', upload, f.body);
    await store.move('raw', upload, f.key);
    for (const k of [f.key, ...(f.reason ? [reasonKey(f.key)] : [])])
      await fs.utimes(path.join(dir, 'raw', k), time(f.second), time(f.second));
  };
  for (const f of FILES) await add(f);
  setObjectStore(store);
  return { add, done: () => undefined };
}

const get = (query: Record<string, string> | null = null) => lakeGet('/uploads/quarantine', query);

const runtimes: [string, () => Promise<{ add: (f: Quarantined) => Promise<void>; done: () => void }>][] = [
  ['aws (S3 mocked)', async () => awsRuntime()],
  ['local (files)', localRuntime],
];

describe.each(runtimes)('GET /uploads/quarantine on %s', (_name, make) => {
  let rt: Awaited<ReturnType<(typeof runtimes)[number][1]>>;
  beforeEach(async () => (rt = await make()));
  afterEach(() => {
    rt.done();
    setObjectStore(undefined);
  });

  it('lists the quarantined files newest first, each with its reason (or why it has none)', async () => {
    const { status, body } = await get();
    expect(status).toBe(200);
    expect(body).toEqual({
      items: [
        {
          key: FILES[2]!.key,
          dataset: null,
          quarantinedAt: time(30).toISOString(),
          size: 2,
          reason: { code: 'BAD_KEY', message: 'no dataset folder' },
        },
        {
          key: FILES[1]!.key,
          dataset: 'customers',
          quarantinedAt: time(20).toISOString(),
          size: 1,
          reason: { code: 'EMPTY_FILE', message: 'the file has no rows' },
        },
        {
          key: FILES[0]!.key,
          dataset: 'orders',
          quarantinedAt: time(10).toISOString(),
          size: FILES[0]!.body.length,
          reason: { code: 'HEADER_MISMATCH', message: "unknown column(s) 'nonsense'", field: 'nonsense' },
        },
        {
          key: FILES[3]!.key,
          dataset: 'orders',
          quarantinedAt: time(5).toISOString(),
          size: 3,
          reason: { code: 'REASON_MISSING', message: `no ${reasonKey(FILES[3]!.key)} beside the file` },
        },
      ],
      nextToken: null,
    });
  });

  it('pages with a token that files quarantined meanwhile do not shift', async () => {
    const first = await get({ limit: '2' });
    expect(first.body.items.map((i: { key: string }) => i.key)).toEqual([FILES[2]!.key, FILES[1]!.key]);
    await rt.add({
      key: 'quarantine/2026-11-24/orders/newer.csv',
      body: 'n',
      second: 99,
      reason: { code: 'ROW_INVALID', message: 'm' },
    });
    const second = await get({ limit: '2', nextToken: first.body.nextToken });
    expect(second.body.items.map((i: { key: string }) => i.key)).toEqual([FILES[0]!.key, FILES[3]!.key]);
    expect(second.body.nextToken).toBeNull();
    expect((await get({ limit: '1' })).body.items[0].key).toBe('quarantine/2026-11-24/orders/newer.csv');
  });

  it('lists an upload named like a reason file (report.reason.json) with its own reason', async () => {
    await rt.add({
      key: 'quarantine/2026-11-24/customers/report.reason.json',
      body: '{"a":1}',
      second: 40,
      reason: { code: 'FORMAT_NOT_ALLOWED', message: 'm' },
    });
    const { body } = await get({ limit: '1' });
    expect(body.items).toEqual([
      expect.objectContaining({
        key: 'quarantine/2026-11-24/customers/report.reason.json',
        reason: { code: 'FORMAT_NOT_ALLOWED', message: 'm' },
      }),
    ]);
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ nextToken: 'nope' }, 'nextToken'],
    [{ dataset: 'orders' }, 'dataset'],
  ])('refuses %j naming %s', async (query, field) => {
    expect(await get(query)).toMatchObject({ status: 400, body: { code: 'INVALID_PARAMETER', field } });
  });
});

describe('GET /uploads/quarantine on AWS, a reason removed after the listing', () => {
  it('is REASON_MISSING (S3 answers the role 403 for a missing key, not 404), not a 500', async () => {
    const rt = awsRuntime();
    try {
      // The file moved back to uploads/ as the README says, its reason deleted while the listing was read.
      rt.vanish(reasonKey(FILES[0]!.key));
      const { status, body } = await get();
      expect(status).toBe(200);
      expect(body.items.find((i: { key: string }) => i.key === FILES[0]!.key).reason).toEqual({
        code: 'REASON_MISSING',
        message: `no ${reasonKey(FILES[0]!.key)} beside the file`,
      });
    } finally {
      rt.done();
      setObjectStore(undefined);
    }
  });
});
