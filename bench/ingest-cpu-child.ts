/**
 * Child of the ingest-cpu section: the ingest handler (functions/ingest.ts, the whole middy chain, LAKE_RUNTIME=aws
 * with the delivery stream replaced by one that accepts every record) called in this process with 1-, 100- and
 * 500-event batches; CPU (user + system) per event after a warm-up, the median of several interleaved rounds.
 * Writes its figures as JSON to BENCH_OUT; its stdout (the handler's log lines, as on Lambda) is not read.
 */
import { writeFileSync } from 'node:fs';
import { generateBodies } from './events';
import { apiGatewayEvent } from './ingest-cpu-event';
import { median } from './processes';

/** Rounds of every batch size, interleaved: this kind of machine's speed drifts by a third between minutes. */
const ROUNDS = Math.max(1, Number(process.env.BENCH_INGEST_CPU_ROUNDS ?? 5));

/** Batch sizes measured (BENCH_INGEST_CPU_SIZES=100 for one; the instruction count in the README uses it). */
const SIZES = (process.env.BENCH_INGEST_CPU_SIZES ?? '1,100,500').split(',').map(Number);

/** Calls of each size before measuring, whatever the number measured. */
const WARM_UP_CALLS = 200;

async function main(): Promise<void> {
  const { setEventStream } = await import('../lib/firehose');
  const { handler } = await import('../functions/ingest');
  setEventStream({ putRecords: async () => ({ failed: [] }) } as never);
  const context = { functionName: 'ingest', awsRequestId: 'bench', getRemainingTimeInMillis: () => 10_000 };
  const sizes = SIZES.map((size) => ({
    size,
    bodies: generateBodies(8, size).bodies.map((b) => apiGatewayEvent(b.toString('utf8'))),
    calls: Math.max(20, Math.round(Number(process.env.BENCH_INGEST_CPU_EVENTS ?? 100_000) / size)),
    cpu: [] as number[],
    wall: [] as number[],
  }));
  const call = async (bodies: ReturnType<typeof apiGatewayEvent>[], i: number) => {
    const res = (await handler(bodies[i % bodies.length]!, context as never)) as { statusCode: number };
    if (res.statusCode !== 202) throw new Error(`ingest answered ${res.statusCode}`);
  };
  for (const s of sizes) for (let i = 0; i < WARM_UP_CALLS; i++) await call(s.bodies, i);
  for (let round = 0; round < ROUNDS; round++) {
    for (const s of sizes) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < s.calls; i++) await call(s.bodies, i);
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      s.cpu.push((cpu.user + cpu.system) / (s.calls * s.size));
      s.wall.push((wall * 1000) / (s.calls * s.size));
    }
  }
  const out: Record<string, Figures> = {};
  for (const s of sizes) {
    out[String(s.size)] = {
      events: s.calls * s.size,
      calls: s.calls,
      rounds: ROUNDS,
      cpuUsPerEvent: median(s.cpu),
      cpuUsPerEventMin: Math.min(...s.cpu),
      wallUsPerEvent: median(s.wall),
    };
  }
  writeFileSync(process.env.BENCH_OUT!, JSON.stringify(out));
}

/** Per batch size: CPU and wall µs per event, the median of the rounds (and the CPU's least). */
export interface Figures {
  events: number;
  calls: number;
  rounds: number;
  cpuUsPerEvent: number;
  cpuUsPerEventMin: number;
  wallUsPerEvent: number;
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
