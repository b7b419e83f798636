/**
 * The load generator: autocannon with N keep-alive connections posting the pre-generated bodies for a bounded
 * time, then draining — no new requests are sent and every request in flight is answered — so each request the
 * server saw has a counted response (the delivered-records check depends on it).
 *
 * Draining uses the per-connection request limit autocannon already has (`maxConnectionRequests`, held by each
 * client as `responseMax`): once it is lowered, a client closes after the response it is waiting for.
 */
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  path: string;
  headers: Record<string, string>;
  bodies: Buffer[];
  connections: number;
  seconds: number;
  /** Longest a drain may take before the run is cut (in-flight requests then go uncounted). */
  drainTimeoutSeconds?: number;
  /** Per-request timeout, seconds. */
  timeoutSeconds?: number;
}

export interface LoadResult {
  connections: number;
  /** From the first request to the last response, seconds. */
  seconds: number;
  responses: number;
  byStatus: Record<string, number>;
  non2xx: number;
  errors: number;
  timeouts: number;
  latencyMs: { p50: number; p90: number; p99: number; mean: number; max: number };
  requestsPerSecond: number;
  /** False if the drain timed out and requests in flight were abandoned. */
  drained: boolean;
  /** CPU the load generator (this process) used, seconds. */
  clientCpuSeconds: number;
}

/** The part of autocannon's client that the drain uses. */
interface DrainableClient {
  responseMax?: number;
}

export function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const drainTimeout = (opts.drainTimeoutSeconds ?? 30) * 1000;
  return new Promise((resolve, reject) => {
    const clients: DrainableClient[] = [];
    const byStatus: Record<string, number> = {};
    let responses = 0;
    let lastResponseAt = 0;
    let cutShort = false;
    const cpuBefore = process.cpuUsage();
    const startedAt = performance.now();

    const instance = autocannon(
      {
        url: opts.url,
        connections: opts.connections,
        // The run ends by draining (below); this is only a backstop.
        duration: opts.seconds + (drainTimeout / 1000) * 2,
        timeout: opts.timeoutSeconds ?? 30,
        method: 'POST',
        headers: opts.headers,
        requests: opts.bodies.map((body) => ({
          method: 'POST' as const,
          path: opts.path,
          headers: opts.headers,
          body,
        })),
        setupClient: (client) => clients.push(client as unknown as DrainableClient),
      },
      (err: unknown, result) => {
        clearTimeout(drainTimer);
        clearTimeout(cutTimer);
        if (err) return reject(err instanceof Error ? err : new Error(String(err)));
        const cpu = process.cpuUsage(cpuBefore);
        const seconds = ((lastResponseAt || performance.now()) - startedAt) / 1000;
        resolve({
          connections: opts.connections,
          seconds,
          responses,
          byStatus,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          latencyMs: {
            p50: result.latency.p50,
            p90: result.latency.p90,
            p99: result.latency.p99,
            mean: result.latency.average,
            max: result.latency.max,
          },
          requestsPerSecond: responses / seconds,
          drained: !cutShort,
          clientCpuSeconds: (cpu.user + cpu.system) / 1e6,
        });
      },
    );
    instance.on('response', (_client, statusCode) => {
      responses++;
      byStatus[statusCode] = (byStatus[statusCode] ?? 0) + 1;
      lastResponseAt = performance.now();
    });

    let cutTimer: NodeJS.Timeout | undefined;
    const drainTimer = setTimeout(() => {
      // Each client stops after the response it is waiting for; autocannon ends once all have stopped.
      for (const c of clients) c.responseMax = 1;
      cutTimer = setTimeout(() => {
        cutShort = true;
        instance.stop();
      }, drainTimeout);
    }, opts.seconds * 1000);
  });
}

/** Events per second counted from accepted (202) responses only. */
export const acceptedEventsPerSecond = (r: LoadResult, eventsPerRequest: number): number =>
  ((r.byStatus['202'] ?? 0) * eventsPerRequest) / r.seconds;
