/**
 * 503 through the local runtime: with fault injection (LAKE_FIREHOSE_FAULT_RATE) the local delivery stream refuses
 * some records as Firehose does under throttling. The API answers 503 with Retry-After and says which ids were not
 * accepted; the accepted ones are in the raw zone, the refused ones are not.
 */
import { startLakeProcess } from '../support/lake-process';
import { deliveredRecords, tempLake } from '../support/raw-zone';
import { pageView } from '../support/api-event';

it('answers 503 with Retry-After and the ids not accepted; those are not written, the rest are', async () => {
  const lakeDir = await tempLake('faults');
  const lake = await startLakeProcess({
    LAKE_DIR: lakeDir,
    LAKE_API_KEY: 'k',
    LAKE_FIREHOSE_FAULT_RATE: '0.5',
  });
  const post = async (events: unknown[]) => {
    const res = await fetch(`${lake.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'k' },
      body: JSON.stringify({ events }),
    });
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      body: (await res.json()) as Record<string, any>,
    }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  try {
    const ids = Array.from({ length: 50 }, (_, i) => `fault-${i}`);
    const res = await post(ids.map((id) => pageView({ id })));
    expect(res.status).toBe(503); // with 50 records at a 50% fault rate, all accepted is ~1e-15 likely
    expect(res.retryAfter).toMatch(/^\d+$/);
    expect(res.body.code).toBe('DELIVERY_FAILED');
    const failedIds = res.body.failedIds as string[];
    const acceptedIds = res.body.acceptedIds as string[];
    expect(failedIds.length).toBeGreaterThan(0);
    expect([...failedIds, ...acceptedIds].sort()).toEqual([...ids].sort());
    expect(res.body.accepted).toBe(acceptedIds.length);
    expect(await lake.kill('SIGTERM')).toBe(0);
    const delivered = (await deliveredRecords(lakeDir)).map((r) => r.id as string);
    expect(delivered.sort()).toEqual([...acceptedIds].sort());
  } finally {
    if (lake.child.exitCode === null) await lake.kill('SIGKILL');
  }
}, 120_000);
