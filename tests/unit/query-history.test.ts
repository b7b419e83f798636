/** The local engine's query history (lib/query/duckdb/state.ts QueryStore.list): newest first, paged, stable. */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueryStore, type StoredQuery } from '../../lib/query/duckdb/state';
import { InvalidPageTokenError } from '../../lib/query/types';

let dir: string;
let store: QueryStore;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'query-history-'));
  store = new QueryStore(dir);
});

afterEach(() => fs.rm(dir, { recursive: true, force: true }));

async function record(submittedAt: string, id = randomUUID()): Promise<string> {
  const q: StoredQuery = {
    id,
    state: 'SUCCEEDED',
    sql: 'SELECT 1',
    tables: [],
    submittedAt,
    completedAt: submittedAt,
    dataScannedBytes: 0,
    engineTimeMs: 0,
    engine: 'duckdb',
    owner: 'test',
    pid: process.pid,
  };
  await fs.mkdir(store.dir(id), { recursive: true });
  await store.save(q);
  return id;
}

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();

async function all(maxRows: number): Promise<string[]> {
  const ids: string[] = [];
  let nextToken: string | undefined;
  for (let pages = 0; pages < 20; pages++) {
    const page = await store.list({ maxRows, ...(nextToken ? { nextToken } : {}) });
    ids.push(...page.ids);
    if (!page.nextToken) return ids;
    nextToken = page.nextToken;
  }
  throw new Error('the pages did not end');
}

it('lists the recorded queries newest first, a page at a time; a query in the same millisecond by id', async () => {
  const a = await record(at(1));
  const c = await record(at(3));
  const b1 = await record(at(2), '00000000-0000-4000-8000-000000000001');
  const b2 = await record(at(2), '00000000-0000-4000-8000-000000000002');
  // Neither a folder without its state file yet nor anything that is not a query is listed.
  await fs.mkdir(path.join(dir, randomUUID()));
  await fs.mkdir(path.join(dir, '.tmp'));
  expect(await all(10)).toEqual([c, b2, b1, a]);
  expect(await all(1)).toEqual([c, b2, b1, a]);
  const first = await store.list({ maxRows: 4 });
  expect([first.ids.length, first.nextToken]).toEqual([4, null]);
});

it('a page token is a position: queries started meanwhile do not shift the pages after it', async () => {
  const old = [await record(at(1)), await record(at(2)), await record(at(3))];
  const first = await store.list({ maxRows: 2 });
  expect(first.ids).toEqual([old[2], old[1]]);
  await record(at(9));
  const second = await store.list({ maxRows: 2, nextToken: first.nextToken! });
  expect(second).toEqual({ ids: [old[0]], nextToken: null });
});

it('refuses a token it did not return', async () => {
  await record(at(1));
  for (const token of ['nope', Buffer.from('2026-01-01T00:00:01.000Z/not-an-id').toString('base64url')])
    await expect(store.list({ maxRows: 1, nextToken: token })).rejects.toBeInstanceOf(InvalidPageTokenError);
});

it('an empty history (no .queries folder yet) lists nothing', async () => {
  expect(await new QueryStore(path.join(dir, 'missing')).list({ maxRows: 5 })).toEqual({
    ids: [],
    nextToken: null,
  });
});
