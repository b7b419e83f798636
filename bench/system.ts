/**
 * Section: the whole-system proof (tests/system/harness.ts) — load, SIGKILL crashes, injected faults and file drops
 * on the local lake, then everything read back and compared with what the clients were told. The counts it checked
 * and the faults it injected are the report; any violation is a failed check.
 *
 * Sizes: `npm run bench` runs it at the system test's size; `npm run soak` (BENCH_SYSTEM_SCALE=soak) runs it larger:
 *   SOAK_PRODUCERS (default 16), SOAK_PHASE_SECONDS (default 20), SOAK_CRASHES (default 5), SOAK_ROWS_PER_FILE
 *   (default 500), SOAK_SEED (default: the time), SOAK_FAULTS (default: the system test's LAKE_FAULTS),
 *   SOAK_SETTLE_SECONDS (how long the lake may take to finish afterwards, default 600).
 */
import { runSystemProof, SYSTEM_TEST_SETTINGS, type SystemSettings } from '../tests/system/harness';
import { emptyResult, fmtInt, type BenchContext, type Section, type SectionResult } from './report';

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number >= 0, got '${raw}'`);
  return n;
}

export function systemSettings(env = process.env): SystemSettings {
  const scale = env.BENCH_SYSTEM_SCALE || 'test';
  if (scale === 'test') return { ...SYSTEM_TEST_SETTINGS };
  if (scale !== 'soak') throw new Error(`BENCH_SYSTEM_SCALE must be 'test' or 'soak', got '${scale}'`);
  return {
    producers: intEnv('SOAK_PRODUCERS', 16),
    phaseMs: intEnv('SOAK_PHASE_SECONDS', 20) * 1000,
    crashes: intEnv('SOAK_CRASHES', 5),
    rowsPerFile: intEnv('SOAK_ROWS_PER_FILE', 500),
    dropEveryMs: 250,
    faults: env.SOAK_FAULTS || SYSTEM_TEST_SETTINGS.faults,
    seed: intEnv('SOAK_SEED', Date.now() % 2 ** 31),
    settleMs: intEnv('SOAK_SETTLE_SECONDS', 600) * 1000,
  };
}

export const systemSection: Section = {
  id: 'system',
  title:
    'Whole-system proof: load, crashes, faults, bad batches and files (nothing lost, nothing duplicated)',
  async run(ctx: BenchContext): Promise<SectionResult> {
    const settings = systemSettings();
    ctx.progress(
      `system: ${settings.producers} producers, ${settings.crashes} SIGKILLs, ${settings.phaseMs / 1000} s phases, faults ${settings.faults}, seed ${settings.seed}`,
    );
    const report = await runSystemProof({ ...settings, log: (l) => ctx.progress(`system: ${l}`) });
    const r = emptyResult();
    r.tables.push({
      title: `What was done and checked (seed ${settings.seed}, ${(report.durationMs / 1000).toFixed(0)} s)`,
      columns: ['count', 'value'],
      rows: Object.entries(report.counts).map(([k, v]) => [k, fmtInt(v)]),
    });
    r.tables.push({
      title: 'Faults injected (lib/faults.ts, LAKE_FAULTS)',
      columns: ['fault', 'times'],
      rows: Object.entries(report.faultsInjected).map(([k, v]) => [k, fmtInt(v)]),
    });
    const c = report.counts;
    r.checks.push({
      name: 'every acknowledged id in curated exactly once, nothing refused, every file and failure accounted for',
      ok: report.violations.length === 0,
      detail:
        report.violations.length === 0
          ? `${fmtInt(c.idsAcknowledged)} acknowledged ids, ${fmtInt(c.idsRefused)} refused, ${fmtInt(c.filesDropped)} files, ${fmtInt(c.executions)} executions (${fmtInt(c.executionsFailed)} failed, each with its notice), ${fmtInt(c.crashes)} SIGKILLs`
          : report.violations.join('; '),
    });
    r.notes.push(
      'Server-made ids of requests cut off by a crash may be in curated without having been acknowledged ' +
        `(at-least-once): ${fmtInt(c.unacknowledgedServerIdsCurated)} of at most ${fmtInt(c.uncertainServerEvents)} such events. Client-chosen ids never are.`,
    );
    r.data = {
      settings: report.settings,
      counts: report.counts,
      faultsInjected: report.faultsInjected,
      violations: report.violations,
    };
    return r;
  },
};
