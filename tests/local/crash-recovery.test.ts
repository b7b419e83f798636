/**
 * Durability of the local lake: the runtime is killed with SIGKILL while producers post, twice, and restarted.
 * Every id answered 202 must be in the raw zone exactly once, with no torn or corrupt line anywhere.
 */
import { deliveredObjects, tempLake } from '../support/raw-zone';
import { startLakeProcess, type LakeProcess } from '../support/lake-process';

const API_KEY = 'crash-test-key';

interface Tally {
  acked: Set<string>;
  unacked: number;
}

/** Posts batches from `clients` concurrent producers until stopped; records the ids of every 202. */
function produce(lake: LakeProcess, tally: Tally, prefix: string, clients = 8) {
  let running = true;
  let seq = 0;
  const loops = Array.from({ length: clients }, async (_, c) => {
    while (running) {
      const ids = Array.from({ length: 20 }, () => `${prefix}-${c}-${seq++}`);
      const events = ids.map((id, i) =>
        i % 3 === 0
          ? { type: 'signup', id, data: { user_id: id, email: `${i}@example.com`, plan: 'free' } }
          : { type: 'page_view', id, data: { session_id: 'sess-crash', url: `https://shop.example/${id}` } },
      );
      try {
        const res = await fetch(`${lake.url}/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
          body: JSON.stringify({ events }),
        });
        if (res.status === 202)
          for (const id of ((await res.json()) as { ids: string[] }).ids) tally.acked.add(id);
        else tally.unacked += ids.length;
      } catch {
        tally.unacked += ids.length; // connection died with the process: not acknowledged
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  });
  return async () => {
    running = false;
    await Promise.all(loops);
  };
}

const waitForAcks = async (tally: Tally, n: number, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  while (tally.acked.size < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
};

it('loses no acknowledged record and leaves no torn line when killed mid-stream (twice)', async () => {
  const lakeDir = await tempLake('crash');
  // Small buffers so segments roll over and deliveries run while the process is killed.
  const env = {
    LAKE_DIR: lakeDir,
    LAKE_API_KEY: API_KEY,
    LAKE_FIREHOSE_BUFFER_MB: '1',
    LAKE_FIREHOSE_BUFFER_SECONDS: '1',
  };
  const tally: Tally = { acked: new Set(), unacked: 0 };

  for (const round of [1, 2]) {
    const lake = await startLakeProcess(env);
    const stop = produce(lake, tally, `r${round}`);
    await waitForAcks(tally, round * 12_000);
    await lake.kill('SIGKILL');
    await stop();
  }
  // Restart: recovery delivers what the killed processes left; then a graceful stop flushes the rest.
  const lake = await startLakeProcess(env);
  const stop = produce(lake, tally, 'final', 2);
  await waitForAcks(tally, tally.acked.size + 200);
  await stop();
  expect(await lake.kill('SIGTERM')).toBe(0);

  // The kills landed while segments were being rolled over and delivered, not only between writes.
  expect((await deliveredObjects(lakeDir)).length).toBeGreaterThan(6);

  const counts = new Map<string, number>();
  let lines = 0;
  for (const object of await deliveredObjects(lakeDir)) {
    for (const line of object.lines) {
      const record = JSON.parse(line) as { id: string; type: string }; // throws on a torn line
      expect(object.key.startsWith(`events/type=${record.type}/`)).toBe(true);
      counts.set(record.id, (counts.get(record.id) ?? 0) + 1);
      lines++;
    }
  }
  const missing = [...tally.acked].filter((id) => !counts.has(id));
  const duplicated = [...counts].filter(([, n]) => n > 1);
  expect(tally.acked.size).toBeGreaterThan(24_000);
  expect(missing).toEqual([]);
  expect(duplicated).toEqual([]);
  // Records of requests cut off by the kill may or may not have landed (at-least-once): never more than sent.
  expect(lines - tally.acked.size).toBeLessThanOrEqual(tally.unacked);
  expect(await deliveredObjects(lakeDir, 'errors/')).toEqual([]);
}, 180_000);
