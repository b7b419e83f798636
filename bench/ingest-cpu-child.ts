/**
 * Child of the ingest-cpu section: the ingest handler (functions/ingest.ts, the whole middy chain, LAKE_RUNTIME=aws
 * with the delivery stream replaced by one that accepts every record) called in this process with 1-, 100- and
 * 500-event batches; CPU (user + system) per event, after a warm-up. Writes its figures as JSON to BENCH_OUT; its
 * stdout (the handler's log lines, as on Lambda) is not read.
 */
import { writeFileSync } from 'node:fs';
import { generateBodies } from './events';
import { apiGatewayEvent } from './ingest-cpu-event';

async function main(): Promise<void> {
  const { setEventStream } = await import('../lib/firehose');
  const { handler } = await import('../functions/ingest');
  setEventStream({ putRecords: async () => ({ failed: [] }) } as never);
  const out: Record<
    string,
    { events: number; calls: number; cpuUsPerEvent: number; wallUsPerEvent: number }
  > = {};
  for (const size of [1, 100, 500]) {
    const bodies = generateBodies(8, size).bodies.map((b) => apiGatewayEvent(b.toString('utf8')));
    const calls = Math.max(20, Math.round(Number(process.env.BENCH_INGEST_CPU_EVENTS ?? 200_000) / size));
    const context = { functionName: 'ingest', awsRequestId: 'bench', getRemainingTimeInMillis: () => 10_000 };
    for (let i = 0; i < Math.min(calls, 200); i++)
      await handler(bodies[i % bodies.length]!, context as never);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) {
      const res = (await handler(bodies[i % bodies.length]!, context as never)) as { statusCode: number };
      if (res.statusCode !== 202) throw new Error(`ingest answered ${res.statusCode}`);
    }
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const events = calls * size;
    out[String(size)] = {
      events,
      calls,
      cpuUsPerEvent: (cpu.user + cpu.system) / events,
      wallUsPerEvent: (wall * 1000) / events,
    };
  }
  writeFileSync(process.env.BENCH_OUT!, JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
