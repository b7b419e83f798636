/**
 * Section: ingest throughput. The real local lake (started with `npm start`, as users do) and a bare baseline server
 * (bench/baseline-server.ts, same durability policy) each run in a child process and take the same load: POST
 * /events with 100-event bodies at several connection counts. Only 202 responses count.
 *
 * Afterwards the lake is stopped with SIGTERM (it delivers everything buffered) and the records under
 * <LAKE_DIR>/raw/events/ are counted: they must equal the events answered 202.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { countDelivered } from './delivered-records';
import { generateBodies, type BodySet } from './events';
import { acceptedEventsPerSecond, runLoad, type LoadResult } from './load';
import {
  freePort,
  peakSampler,
  processTreeCpuSeconds,
  processTreeRssBytes,
  projectPath,
  startServer,
  threadCpuSeconds,
  type ServerChild,
} from './processes';
import {
  emptyResult,
  fmtBytes,
  fmtInt,
  fmtKB,
  fmtNum,
  fmtPct,
  target,
  targetCells,
  type BenchContext,
  type Cell,
  type Section,
  type SectionResult,
  type Target,
} from './report';

const EVENTS_PER_REQUEST = 100;
const DISTINCT_BODIES = 8;
const TARGET_EVENTS_PER_SECOND = 50_000;
const TARGET_RATIO = 0.5;

interface LevelResult {
  connections: number;
  load: LoadResult;
  accepted: number;
  eventsPerSecond: number;
  /** CPU of the server's process tree during the measured run, as a fraction of one core. */
  serverCpu: number | null;
  /** CPU of the load generator, as a fraction of one core. */
  clientCpu: number;
  /** CPU ms per accepted request of the server's threads, by thread kind (lake thread, function workers, GC, libuv). */
  threadMsPerRequest: Record<string, number> | null;
  /** Largest resident memory of the server's process tree during the measured run. */
  peakRssBytes: number | null;
  warmup: { seconds: number; accepted: number; non2xx: number; drained: boolean };
}

interface ServerRun {
  levels: LevelResult[];
  /** Every 202 over the server's life: preflight, warm-ups and measured runs. */
  acceptedRequests: number;
  allDrained: boolean;
}

function connectionLevels(): number[] {
  const raw = process.env.BENCH_CONNECTIONS ?? '1,10,50';
  const levels = raw
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
  if (levels.length === 0) throw new Error(`BENCH_CONNECTIONS must list connection counts, got '${raw}'`);
  return levels;
}

async function measureServer(
  ctx: BenchContext,
  server: ServerChild,
  headers: Record<string, string>,
  set: BodySet,
  levels: number[],
): Promise<ServerRun> {
  const results: LevelResult[] = [];
  let acceptedRequests = 0;
  let allDrained = true;
  const base = { url: server.url, path: '/events', headers, bodies: set.bodies };
  for (const connections of levels) {
    ctx.progress(
      `${server.name}: ${connections} connection(s): warm-up ${ctx.warmupSeconds} s, then ${ctx.seconds} s`,
    );
    const warm = await runLoad({ ...base, connections, seconds: ctx.warmupSeconds });
    const warmAccepted = warm.byStatus['202'] ?? 0;
    acceptedRequests += warmAccepted;

    const cpuBefore = processTreeCpuSeconds(server.pid);
    const threadsBefore = threadCpuSeconds(server.pid);
    const rss = peakSampler(() => processTreeRssBytes(server.pid));
    const load = await runLoad({ ...base, connections, seconds: ctx.seconds });
    const peakRssBytes = rss.stop();
    const threadsAfter = threadCpuSeconds(server.pid);
    const cpuAfter = processTreeCpuSeconds(server.pid);
    const accepted = load.byStatus['202'] ?? 0;
    acceptedRequests += accepted;
    allDrained &&= warm.drained && load.drained;
    results.push({
      connections,
      load,
      accepted,
      eventsPerSecond: acceptedEventsPerSecond(load, EVENTS_PER_REQUEST),
      serverCpu: cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) / load.seconds,
      clientCpu: load.clientCpuSeconds / load.seconds,
      threadMsPerRequest: perRequest(threadsBefore, threadsAfter, load.byStatus['202'] ?? 0),
      peakRssBytes,
      warmup: { seconds: warm.seconds, accepted: warmAccepted, non2xx: warm.non2xx, drained: warm.drained },
    });
    ctx.progress(
      `${server.name}: ${connections} conn(s): ${fmtInt(acceptedEventsPerSecond(load, EVENTS_PER_REQUEST))} events/s, ` +
        `p99 ${load.latencyMs.p99} ms, non-2xx ${load.non2xx}`,
    );
  }
  return { levels: results, acceptedRequests, allDrained };
}

/** The threads' CPU between two readings, in ms per accepted request, by thread kind. */
function perRequest(
  before: Record<string, number> | null,
  after: Record<string, number> | null,
  requests: number,
): Record<string, number> | null {
  if (!before || !after || requests === 0) return null;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) out[k] = ((v - (before[k] ?? 0)) * 1000) / requests;
  return out;
}

/** Thread kinds as the report names them (Linux thread names). */
const THREAD_KINDS: [string, string][] = [
  ['MainThread', 'lake thread'],
  ['WorkerThread', 'function workers'],
  ['V8Worker', 'GC helpers'],
  ['libuv-worker', 'fs + zlib'],
];

function threadCells(l: LevelResult): Cell[] {
  const t = l.threadMsPerRequest;
  if (!t) return [...THREAD_KINDS.map(() => '-'), '-', '-'];
  const known = THREAD_KINDS.map(([k]) => t[k] ?? 0);
  const total = Object.values(t).reduce((a, b) => a + b, 0);
  return [
    ...known.map((v) => fmtNum(v, 2)),
    fmtNum(total - known.reduce((a, b) => a + b, 0), 2),
    fmtNum(total, 2),
  ];
}

/** Posts each body once; all must be accepted, or the bench stops with the lake's answer. */
async function preflight(url: string, headers: Record<string, string>, set: BodySet): Promise<number> {
  let accepted = 0;
  for (const body of set.bodies) {
    const res = await fetch(`${url}/events`, { method: 'POST', headers, body: new Uint8Array(body) });
    const text = await res.text();
    if (res.status !== 202) {
      throw new Error(`preflight POST /events answered ${res.status}, expected 202: ${text.slice(0, 2000)}`);
    }
    accepted++;
  }
  return accepted;
}

function serverEnv(ctx: BenchContext, extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, PATH: projectPath(ctx.root), ...extra };
}

async function runBaseline(
  ctx: BenchContext,
  workDir: string,
  set: BodySet,
  levels: number[],
  headers: Record<string, string>,
) {
  const file = path.join(workDir, 'baseline.log');
  const server = await startServer(
    'baseline',
    path.join(ctx.root, 'node_modules', '.bin', 'node'),
    ['--import', 'tsx', path.join('bench', 'baseline-server.ts')],
    { cwd: ctx.root, env: serverEnv(ctx, { PORT: String(await freePort()), BASELINE_FILE: file }) },
  );
  try {
    const run = await measureServer(ctx, server, headers, set, levels);
    await server.stop('SIGTERM', 15_000);
    const bytes = (await fs.stat(file)).size;
    await fs.rm(file, { force: true });
    return { run, bytes };
  } finally {
    await server.stop('SIGKILL', 5_000);
  }
}

async function runLake(ctx: BenchContext, workDir: string, set: BodySet, levels: number[]) {
  const lakeDir = path.join(workDir, 'lake');
  const apiKey = `bench-${randomBytes(12).toString('hex')}`;
  const headers = { 'x-api-key': apiKey, 'content-type': 'application/json' };
  ctx.progress(`starting the local lake (LAKE_DIR=${lakeDir})`);
  const startedAt = performance.now();
  // As users start it: `npm start` (npm relays the stop signal to the lake and returns once the lake has exited).
  // Not the `tsx` CLI: its relay SIGKILLs a child that does not acknowledge a signal within ~30 ms.
  const server = await startServer('local lake', 'npm', ['start'], {
    cwd: ctx.root,
    env: serverEnv(ctx, {
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      LAKE_DIR: lakeDir,
      LAKE_API_KEY: apiKey,
      LAKE_ACCESS_LOG: 'false',
      POWERTOOLS_LOG_LEVEL: 'WARN',
    }),
    readyTimeoutMs: 120_000,
  });
  const startupMs = performance.now() - startedAt;
  try {
    const preflightAccepted = await preflight(server.url, headers, set);
    const run = await measureServer(ctx, server, headers, set, levels);
    ctx.progress('stopping the local lake (SIGTERM: it delivers everything buffered)');
    const stopAt = performance.now();
    const exitCode = await server.stop('SIGTERM', 60_000);
    const shutdownMs = performance.now() - stopAt;
    const delivered = await countDelivered(lakeDir);
    return {
      run: { ...run, acceptedRequests: run.acceptedRequests + preflightAccepted },
      preflightAccepted,
      startupMs,
      shutdownMs,
      exitCode,
      delivered,
      lakeDir,
      output: server.output(),
    };
  } finally {
    await server.stop('SIGKILL', 5_000);
  }
}

function levelRow(name: string, l: LevelResult, t: Target | undefined): Cell[] {
  return [
    name,
    l.connections,
    fmtNum(l.load.seconds, 1),
    fmtInt(l.accepted),
    fmtInt(l.load.non2xx),
    fmtInt(l.load.errors),
    fmtInt(l.load.requestsPerSecond),
    fmtInt(l.eventsPerSecond),
    String(l.load.latencyMs.p50),
    String(l.load.latencyMs.p99),
    fmtPct(l.serverCpu),
    fmtPct(l.clientCpu),
    ...targetCells(t),
  ];
}

async function run(ctx: BenchContext): Promise<SectionResult> {
  const result = emptyResult();
  const levels = connectionLevels();
  const set = generateBodies(DISTINCT_BODIES, EVENTS_PER_REQUEST);
  const workDir = await fs.mkdtemp(path.join(ctx.tmpBase, 'lake-bench-'));
  try {
    const baseline = await runBaseline(ctx, workDir, set, levels, {
      'x-api-key': 'unused',
      'content-type': 'application/json',
    });
    const lake = await runLake(ctx, workDir, set, levels);

    // --- throughput table
    const rows: Cell[][] = [];
    const byConns = new Map<number, { lake?: LevelResult; baseline?: LevelResult }>();
    for (const l of baseline.run.levels)
      byConns.set(l.connections, { ...byConns.get(l.connections), baseline: l });
    for (const l of lake.run.levels) byConns.set(l.connections, { ...byConns.get(l.connections), lake: l });
    const throughputTargets: Target[] = [];
    for (const l of lake.run.levels) {
      const t = target(
        `lake events/s @ ${l.connections} conn`,
        l.eventsPerSecond,
        'events/s',
        '>=',
        TARGET_EVENTS_PER_SECOND,
      );
      throughputTargets.push(t);
      rows.push(levelRow('local lake', l, t));
    }
    for (const l of baseline.run.levels) rows.push(levelRow('baseline', l, undefined));
    result.tables.push({
      title: `Load runs: POST /events, ${EVENTS_PER_REQUEST} events/request, ${ctx.seconds} s each after ${ctx.warmupSeconds} s warm-up (events/s counts 202s only)`,
      columns: [
        'server',
        'conns',
        'secs',
        '202s',
        'non-2xx',
        'errors',
        'req/s',
        'events/s',
        'p50 ms',
        'p99 ms',
        'srv CPU',
        'cli CPU',
        'target',
        'status',
      ],
      rows,
    });

    // --- where the lake's CPU goes, and its memory
    result.tables.push({
      title: `Local lake: CPU ms per accepted request (${EVENTS_PER_REQUEST} events) by thread, and peak resident memory (npm + node) under load`,
      columns: ['conns', ...THREAD_KINDS.map(([, name]) => name), 'other', 'total', 'peak RSS'],
      rows: lake.run.levels.map((l) => [l.connections, ...threadCells(l), fmtBytes(l.peakRssBytes)]),
    });

    // --- ratio table
    const ratioTargets: Target[] = [];
    const ratioRows: Cell[][] = [];
    for (const [conns, pair] of [...byConns].sort((a, b) => a[0] - b[0])) {
      const ratio =
        pair.lake && pair.baseline && pair.baseline.eventsPerSecond > 0
          ? pair.lake.eventsPerSecond / pair.baseline.eventsPerSecond
          : null;
      const t = target(`lake/baseline ratio @ ${conns} conn`, ratio, 'x', '>=', TARGET_RATIO);
      ratioTargets.push(t);
      ratioRows.push([
        conns,
        fmtInt(pair.lake?.eventsPerSecond),
        fmtInt(pair.baseline?.eventsPerSecond),
        ratio === null ? '-' : `${fmtNum(ratio, 2)}x`,
        ...targetCells(t),
      ]);
    }
    result.tables.push({
      title: 'Local lake vs bare baseline (same client, bodies, concurrency and group-commit fsync policy)',
      columns: ['conns', 'lake events/s', 'baseline events/s', 'lake/baseline', 'target', 'status'],
      rows: ratioRows,
    });
    const peak = Math.max(...lake.run.levels.map((l) => l.eventsPerSecond));
    result.targets.push(
      target('lake peak events/s (2 cores)', peak, 'events/s', '>=', TARGET_EVENTS_PER_SECOND),
    );
    result.targets.push(...throughputTargets, ...ratioTargets);

    // --- delivery check
    const ackedEvents = lake.run.acceptedRequests * EVENTS_PER_REQUEST;
    const d = lake.delivered;
    result.tables.push({
      title: 'Delivery after SIGTERM (records in <LAKE_DIR>/raw/events/**/*.gz vs events answered 202)',
      columns: [
        'events answered 202',
        'records delivered',
        'difference',
        'objects',
        'gzip size',
        'raw size',
        'error records',
        'leftover segments',
        'shutdown',
      ],
      rows: [
        [
          fmtInt(ackedEvents),
          fmtInt(d.records),
          fmtInt(d.records - ackedEvents),
          fmtInt(d.objects),
          fmtBytes(d.gzipBytes),
          fmtBytes(d.rawBytes),
          fmtInt(d.errorRecords),
          fmtInt(d.leftoverSegments),
          `${fmtNum(lake.shutdownMs / 1000, 1)} s`,
        ],
      ],
    });
    const mismatchHint = lake.run.allDrained
      ? ''
      : ' (a load run was cut before its in-flight requests were answered, so some delivered records have no counted 202)';
    result.checks.push({
      name: 'every event answered 202 is delivered, and only those',
      ok: d.records === ackedEvents,
      detail:
        d.records === ackedEvents
          ? `${fmtInt(d.records)} records in ${fmtInt(d.objects)} objects = ${fmtInt(lake.run.acceptedRequests)} accepted requests x ${EVENTS_PER_REQUEST}`
          : `MISMATCH: ${fmtInt(ackedEvents)} events answered 202 but ${fmtInt(d.records)} records delivered (${d.records > ackedEvents ? '+' : ''}${fmtInt(d.records - ackedEvents)})${mismatchHint}`,
    });
    result.checks.push({
      name: 'lake stops cleanly on SIGTERM, nothing undelivered or misrouted',
      ok: lake.exitCode === 0 && d.leftoverSegments === 0 && d.errorRecords === 0,
      detail: `exit code ${lake.exitCode}, ${d.leftoverSegments} undelivered segment(s), ${d.errorRecords} record(s) under raw/errors/, flush took ${fmtNum(lake.shutdownMs / 1000, 1)} s`,
    });
    if (lake.exitCode !== 0) result.notes.push(`lake output tail:\n${lake.output.trim().slice(-2000)}`);

    result.notes.push(
      `bodies: ${DISTINCT_BODIES} distinct, ${EVENTS_PER_REQUEST} events each, ${fmtKB(set.sizes.min)}-${fmtKB(set.sizes.max)} (mean ${fmtKB(set.sizes.mean)}); mix ${Object.entries(
        set.mix,
      )
        .map(([k, v]) => `${k} ${fmtPct(v / (DISTINCT_BODIES * EVENTS_PER_REQUEST))}`)
        .join(', ')}`,
      `"secs" runs from the first request until the last in-flight request is answered (the client stops sending at ${ctx.seconds} s and drains)`,
      `srv CPU = CPU time of the server's process tree (the lake: npm + node; the baseline: node) over the run, in % of one core; cli CPU = the autocannon client in this process`,
      `lake startup (until "listening on") took ${fmtNum(lake.startupMs / 1000, 1)} s; baseline wrote ${fmtBytes(baseline.bytes)} to one file`,
    );
    result.data = {
      eventsPerRequest: EVENTS_PER_REQUEST,
      bodies: { count: DISTINCT_BODIES, sizes: set.sizes, mix: set.mix },
      seconds: ctx.seconds,
      warmupSeconds: ctx.warmupSeconds,
      lake: {
        levels: lake.run.levels,
        acceptedRequests: lake.run.acceptedRequests,
        preflightAccepted: lake.preflightAccepted,
        startupMs: lake.startupMs,
        shutdownMs: lake.shutdownMs,
        exitCode: lake.exitCode,
        delivered: lake.delivered,
      },
      baseline: {
        levels: baseline.run.levels,
        acceptedRequests: baseline.run.acceptedRequests,
        bytesWritten: baseline.bytes,
      },
    };
  } finally {
    await fs.rm(workDir, { recursive: true, force: true });
  }
  return result;
}

export const ingestSection: Section = {
  id: 'ingest',
  title: 'Ingest throughput (POST /events, local lake vs bare baseline)',
  run,
};
