/**
 * The local lake stops completely however it is launched (issue 12 §2): with producers posting, a stop signal
 * makes the launcher exit 0 only once every event answered 202 is in raw/ (read back from the objects) and no
 * write-ahead segment is left, and the lake's own process is gone by then (npm does not return before its child).
 * A request in flight when the signal comes is answered and delivered; a second signal says the lake is still
 * stopping, a third stops it at once.
 */
import { promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { canUnshare, killLaunch, launchLake, type LaunchedLake, type Launcher } from '../support/lake-launch';
import { deliveredRecords, tempLake, walkFiles } from '../support/raw-zone';
import { until } from '../support/until';

const API_KEY = 'shutdown-test-key';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const env = (lakeDir: string) => ({
  LAKE_DIR: lakeDir,
  LAKE_API_KEY: API_KEY,
  LOG_FORMAT: 'json',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  LAKE_ACCESS_LOG: 'false',
  // Segments roll over while producers post, so that deliveries are under way when the signal comes.
  LAKE_FIREHOSE_BUFFER_MB: '1',
  LAKE_FIREHOSE_BUFFER_SECONDS: '1',
});

/** Producers posting batches until the lake is gone; `acked` holds every id answered 202. */
function produce(lake: LaunchedLake, acked: Set<string>, clients = 6) {
  let running = true;
  let seq = 0;
  const loops = Array.from({ length: clients }, async (_, c) => {
    while (running) {
      const events = Array.from({ length: 20 }, () => {
        const id = `c${c}-${seq++}`;
        return {
          type: 'page_view',
          id,
          data: { session_id: 'sess-stop', url: `https://shop.example/${id}` },
        };
      });
      try {
        const res = await fetch(`${lake.url}/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
          body: JSON.stringify({ events }),
        });
        const body = (await res.json()) as { ids?: string[] };
        if (res.status === 202) for (const id of body.ids ?? []) acked.add(id);
      } catch {
        await sleep(10); // the lake stopped listening: not acknowledged
      }
    }
  });
  return async () => {
    running = false;
    await Promise.all(loops);
  };
}

/** A POST /events whose headers the lake has read (100 Continue) and whose body is sent when `finish` is called. */
async function heldRequest(url: string, id: string) {
  const { hostname, port } = new URL(url);
  const body = JSON.stringify({
    type: 'page_view',
    id,
    data: { session_id: 'sess-held', url: 'https://x.example/' },
  });
  const socket = net.connect(Number(port), hostname);
  let received = '';
  socket.on('data', (d: Buffer) => (received += d.toString()));
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(
    `POST /events HTTP/1.1\r\nHost: ${hostname}\r\nx-api-key: ${API_KEY}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nexpect: 100-continue\r\n\r\n`,
  );
  await until('100 Continue', async () => (received.includes('100 Continue') ? true : undefined));
  return {
    /** Sends the body; the final answer's status and body. */
    finish: async () => {
      socket.write(body);
      await ended;
      const final = received.slice(received.lastIndexOf('HTTP/1.1 '));
      return {
        status: Number(final.split(' ')[1]),
        text: final,
        body: final.slice(final.indexOf('\r\n\r\n') + 4),
      };
    },
  };
}

async function walSegments(lakeDir: string): Promise<string[]> {
  return walkFiles(path.join(lakeDir, '.firehose'));
}

function logLines(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>); // JSON mode: every log line is JSON
}

/** Runs producers, stops the lake with `stop`, and checks what the issue asks of a stop. */
async function stopsCompletely(
  how: Launcher,
  stop: (lake: LaunchedLake) => void,
): Promise<{ acked: number; output: string }> {
  const lakeDir = await tempLake(`stop-${how}`);
  let lake: LaunchedLake | undefined;
  try {
    lake = await launchLake(how, env(lakeDir));
    const acked = new Set<string>();
    const stopProducing = produce(lake, acked);
    await until('acknowledged events', async () => (acked.size >= 1500 ? true : undefined));
    stop(lake); // producers still posting: requests in flight
    const exit = await lake.exited;
    // What is in raw/ the moment the launcher has returned.
    const delivered = new Set((await deliveredRecords(lakeDir)).map((r) => String(r.id)));
    const segments = await walSegments(lakeDir);
    await stopProducing();
    const output = lake.output();
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
    expect(exit.lakeGoneAtExit).toBe(true);
    expect([...acked].filter((id) => !delivered.has(id))).toEqual([]);
    expect(segments).toEqual([]);
    const last = logLines(output).at(-1);
    expect(last?.message).toBe('stopped: every accepted event is delivered');
    expect(Number(last?.recordsDelivered)).toBeGreaterThanOrEqual(1);
    return { acked: acked.size, output };
  } finally {
    killLaunch(lake);
    await fs.rm(lakeDir, { recursive: true, force: true });
  }
}

describe('the lake stops completely on a signal, whatever launched it', () => {
  it('npm start, SIGTERM to npm (a process manager): npm exits 0 after its child delivered everything', async () => {
    await stopsCompletely('npm', (lake) => lake.signal('SIGTERM'));
  }, 90_000);

  it('npm start, Ctrl-C (SIGINT to the process group, relayed by npm too): one stop, exit 0', async () => {
    const { output } = await stopsCompletely('npm', (lake) => lake.signal('SIGINT', { group: true }));
    expect(output).not.toContain('still stopping');
  }, 90_000);

  // Skipped unless root on Linux: making a pid namespace (unshare -fp) needs it.
  (canUnshare() ? it : it.skip)(
    'node as the init of a pid namespace (a container; needs root), SIGTERM to pid 1',
    async () => {
      await stopsCompletely('pid1', (lake) => lake.signal('SIGTERM'));
    },
    90_000,
  );
  (canUnshare() ? it : it.skip)(
    'npm start as the init of a pid namespace (needs root), SIGTERM to pid 1',
    async () => {
      await stopsCompletely('npm-pid1', (lake) => lake.signal('SIGTERM'));
    },
    90_000,
  );
});

describe('signals while stopping', () => {
  it('answers a request in flight, says it is still stopping on a second signal, then exits 0', async () => {
    const lakeDir = await tempLake('stop-held');
    let lake: LaunchedLake | undefined;
    try {
      lake = await launchLake('node', env(lakeDir));
      const held = await heldRequest(lake.url, 'held-1');
      lake.signal('SIGTERM');
      await until('the stop', async () => (lake!.output().includes('"shutting down"') ? true : undefined));
      // New connections are refused once the stop has begun.
      await expect(fetch(`${lake.url}/events`, { method: 'POST' })).rejects.toThrow();
      await sleep(500); // a separate signal, not the same one relayed (local/shutdown.ts COALESCE_MS)
      lake.signal('SIGTERM');
      await until('the second signal', async () =>
        lake!.output().includes('still stopping') ? true : undefined,
      );
      const answer = await held.finish();
      expect(answer.status).toBe(202);
      expect(answer.text.toLowerCase()).toContain('connection: close');
      const exit = await lake.exited;
      expect(exit.code).toBe(0);
      expect((await deliveredRecords(lakeDir)).map((r) => r.id)).toEqual(['held-1']);
      const shuttingDown = logLines(lake.output()).find((l) => l.message === 'shutting down');
      expect(shuttingDown?.requestsInFlight).toBe(1);
      // The second signal's line says what the stop waits for: the requests, and the ETL executions running.
      const still = logLines(lake.output()).find((l) => String(l.message).startsWith('still stopping'));
      expect(still).toMatchObject({ executionsRunning: [] });
    } finally {
      killLaunch(lake);
      await fs.rm(lakeDir, { recursive: true, force: true });
    }
  }, 90_000);

  it('answers a request waiting on a query with the query stopped, not RUNNING when its wait runs out', async () => {
    const lakeDir = await tempLake('stop-query-wait');
    let lake: LaunchedLake | undefined;
    try {
      lake = await launchLake('node', env(lakeDir));
      const slow =
        'SELECT sum(x * y * z) AS n FROM UNNEST(sequence(1, 2000)) AS a(x) ' +
        'CROSS JOIN UNNEST(sequence(1, 2000)) AS b(y) CROSS JOIN UNNEST(sequence(1, 2000)) AS c(z)';
      const answer = fetch(`${lake.url}/queries`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
        body: JSON.stringify({ sql: slow, wait: 20 }),
      }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as { state?: string; reason?: string },
      }));
      // Its record (<LAKE_DIR>/.queries/<id>/state.json) says RUNNING.
      const running = async () => {
        for (const id of await fs.readdir(path.join(lakeDir, '.queries')).catch(() => [] as string[])) {
          const state = await fs
            .readFile(path.join(lakeDir, '.queries', id, 'state.json'), 'utf8')
            .catch(() => '');
          if (state.includes('"RUNNING"')) return true;
        }
        return undefined;
      };
      await until('the query running', running);
      lake.signal('SIGTERM');
      const { status, body } = await answer;
      expect(status).toBe(200);
      expect(body).toMatchObject({
        state: 'FAILED',
        reason: expect.stringMatching(/^the local lake stopped before the query finished/),
        errorCategory: 'SYSTEM',
      });
      expect(body).not.toHaveProperty('timedOut');
      expect((await lake.exited).code).toBe(0);
    } finally {
      killLaunch(lake);
      await fs.rm(lakeDir, { recursive: true, force: true });
    }
  }, 90_000);

  it('stops at once on a third signal, leaving what is not delivered to the next start', async () => {
    const lakeDir = await tempLake('stop-forced');
    let lake: LaunchedLake | undefined;
    try {
      lake = await launchLake('node', env(lakeDir));
      await heldRequest(lake.url, 'never-sent'); // keeps the stop waiting
      for (const said of ['"shutting down"', 'still stopping']) {
        lake.signal('SIGTERM');
        await until(said, async () => (lake!.output().includes(said) ? true : undefined));
        await sleep(500); // a separate signal, not the same one relayed (local/shutdown.ts COALESCE_MS)
      }
      lake.signal('SIGTERM');
      const exit = await lake.exited;
      // Ended by the signal's default action (a shell reports 143), not by process.exit, which would wait for
      // DuckDB's destructors.
      expect({ code: exit.code, signal: exit.signal }).toEqual({ code: null, signal: 'SIGTERM' });
      expect(lake.output()).toContain('stopping at once on a third signal');
    } finally {
      killLaunch(lake);
      await fs.rm(lakeDir, { recursive: true, force: true });
    }
  }, 90_000);
});
