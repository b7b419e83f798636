/**
 * One execution in a few lines (`npm run executions -- <name>`): its status and duration, the file (or run) it was
 * for, the states it passed with their time, visits, retries and failures, its waits, and its result or its
 * error and cause. The full record — every state transition with its input and output — is behind `--history`.
 */
import type { ExecutionEvent, ExecutionRecord } from '../../lib/workflow/local';
import { holderOf } from '../step-functions/wait-tracker';
import { duplicateKeysText, duplicatesOf } from '../duplicate-keys-text';
import type { EtlRunSummary } from '../../lib/etl/run';
import { reloadLines } from './run-figures';

interface StateStats {
  type: string;
  visits: number;
  ms: number;
  retries: number;
  errors: Set<string>;
}

const MAX_CAUSE = 400;

function seconds(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return s < 3600
    ? `${Math.floor(s / 60)} min ${s % 60} s`
    : `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const oneLine = (s: string, max = MAX_CAUSE) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

/** The states visited, in order of first visit, with their time (entered to exited, failed or caught). */
export function stateStats(events: ExecutionEvent[]): Map<string, StateStats> {
  const stats = new Map<string, StateStats>();
  const open = new Map<string, number>();
  const at = (e: ExecutionEvent) => Date.parse(e.timestamp);
  for (const e of events) {
    if (!e.state) continue;
    let s = stats.get(e.state);
    if (!s)
      stats.set(e.state, (s = { type: e.stateType ?? '', visits: 0, ms: 0, retries: 0, errors: new Set() }));
    switch (e.type) {
      case 'StateEntered':
        s.visits++;
        open.set(e.state, at(e));
        break;
      case 'StateExited':
      case 'StateFailed':
      case 'StateCaught': {
        const from = open.get(e.state);
        if (from !== undefined) s.ms += Math.max(0, at(e) - from);
        open.delete(e.state);
        if (e.type !== 'StateExited' && e.error) s.errors.add(e.error);
        break;
      }
      case 'StateRetried': {
        s.retries++;
        if (e.error) s.errors.add(e.error);
        // The failed attempt's time counts; the next attempt's counts from here (the same visit).
        const from = open.get(e.state);
        if (from !== undefined) s.ms += Math.max(0, at(e) - from);
        open.set(e.state, at(e));
        break;
      }
    }
  }
  return stats;
}

/** The runs that held the lake when the execution found it busy (named in the busy errors' causes), in order. */
export function lakeHolders(events: ExecutionEvent[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    const run = /ConcurrentRuns/.test(e.error ?? '') ? holderOf(e.cause) : undefined;
    if (run && !out.includes(run)) out.push(run);
  }
  return out;
}

/**
 * A RUNNING execution that is waiting now: its record was last written as it entered a Wait state (the engine writes
 * it when a wait begins, while it lasts, and when it ends: local/step-functions/execution-progress.ts).
 */
function waitingNow(r: ExecutionRecord, now: number): string | undefined {
  const events = r.events ?? [];
  const last = events.at(-1);
  if (r.status !== 'RUNNING' || last?.type !== 'StateEntered' || last.stateType !== 'Wait') return undefined;
  const entered = events.flatMap((e, i) =>
    e.type === 'StateEntered' && e.state ? [{ state: e.state, i }] : [],
  );
  const waits = entered.filter((e) => e.state === last.state);
  // The loop: the states entered between the last two looks. The streak: the looks since a state outside it.
  const loop = new Set([
    last.state,
    ...entered.filter((e) => e.i > (waits.at(-2)?.i ?? Infinity)).map((e) => e.state),
  ]);
  const outside = entered.findLast((e) => !loop.has(e.state))?.i ?? -1;
  const streak = waits.filter((w) => w.i > outside);
  const holder = lakeHolders(events).at(-1);
  return (
    `${last.state} for ${seconds(now - Date.parse(events[streak[0]!.i]!.timestamp))} ` +
    `(${plural(streak.length, 'look')} so far)${holder ? `: the lake is held by run ${holder}` : ''}`
  );
}

/** What an execution was for: the file it loads, or the kind of run. */
export function describeInput(input: unknown): string {
  const i = (input ?? {}) as Record<string, unknown>;
  if (i.mode === 'file' && typeof i.key === 'string') {
    const facts = [
      typeof i.table === 'string' ? `table ${i.table}` : undefined,
      typeof i.size === 'number' ? bytes(i.size) : undefined,
    ].filter(Boolean);
    return `${i.key}${facts.length ? ` (${facts.join(', ')})` : ''}`;
  }
  if (i.mode === 'events') return 'the streamed events not compacted yet (compaction run)';
  if ((i.mode === 'replay' || i.mode === 'rebuild') && typeof i.table === 'string')
    return `table ${i.table} (${i.mode === 'replay' ? 'replay of its rejected rows' : 'rebuild from raw'})`;
  return oneLine(JSON.stringify(input) ?? 'none', 200);
}

/**
 * A compaction that found the lake busy (EventsTakenByAnotherRun, state-machines/etl.asl.json): no run of its own;
 * the run that held the lake, named, compacts what was pending. Undefined for any other output.
 */
export function eventsTakenBy(output: unknown): string | undefined {
  const o = (output ?? {}) as Record<string, unknown>;
  const busy = o.busy as { Error?: unknown; Cause?: unknown } | undefined;
  if (o.mode !== 'events' || typeof busy?.Error !== 'string' || !/ConcurrentRuns/.test(busy.Error))
    return undefined;
  return eventsTakenText(holderOf(typeof busy.Cause === 'string' ? busy.Cause : undefined));
}

/** What a compaction that found the lake busy did: nothing; the run holding the lake (`holder`) compacts. */
export const eventsTakenText = (holder: string | undefined) =>
  `no run of its own: the lake was busy with ${holder ? `run ${holder}` : 'another run'}, which compacts the ` +
  'events pending when it started; the next compaction (npm run compact, or the schedule) the rest';

/** The figures of a successful run, or what went wrong. */
export function describeOutcome(r: ExecutionRecord, runFigures: string[] = []): string[] {
  if (r.status === 'RUNNING') return [];
  if (r.status !== 'SUCCEEDED') {
    const out = [`Error     ${r.error ?? r.status}`];
    if (r.cause) out.push(`Cause     ${oneLine(causeText(r.cause))}`);
    // What the failed run had counted (its summary: what `npm run replay` and the others print), if it wrote one.
    const [first, ...more] = runFigures;
    if (first) out.push(`Figures   ${first}`, ...more.map((line) => `        ${line}`));
    return out;
  }
  const o = (r.output ?? {}) as Record<string, unknown>;
  const taken = eventsTakenBy(o);
  if (taken !== undefined) return [`Result    ${taken}`];
  if (typeof o.rowsWritten !== 'number')
    return [`Result    ${oneLine(JSON.stringify(r.output) ?? 'none', 200)}`];
  const figures = [`${plural(Number(o.rowsRead ?? 0), 'row')} read`, `${o.rowsWritten} written`];
  const tables = Array.isArray(o.tables) ? (o.tables as Record<string, unknown>[]) : [];
  // A file's result has its own duplicatesRemoved; a run's summary (a replay, a rebuild) has its tables'.
  const duplicates = duplicateKeysText(Number(o.duplicatesRemoved ?? duplicatesOf(tables)));
  if (duplicates) figures.push(duplicates);
  figures.push(`${Number(o.rowsRejected ?? 0)} rejected`);
  // The tables the run read or wrote (a compaction's summary lists every event table).
  const touched = tables.filter((t) =>
    ['rowsRead', 'rowsWritten', 'rowsRejected', 'partitionCount'].some((k) => Number(t[k] ?? 0) > 0),
  );
  const perTable = touched.map((t) => {
    const parts = Array.isArray(t.partitions) ? (t.partitions as string[]) : [];
    const count = Number(t.partitionCount ?? parts.length);
    const shown = parts.slice(0, 3).join(', ') + (count > 3 ? ', …' : '');
    return `${String(t.table)}: ${plural(count, 'partition')}${shown ? ` (${shown})` : ''}`;
  });
  const out = [`Result    ${figures.join(', ')}${perTable.length ? `; ${perTable.join('; ')}` : ''}`];
  if (typeof o.processedBy === 'string' && o.processedBy !== r.name)
    out.push(`          the file was taken by the run of ${o.processedBy}`);
  // A replay's or a rebuild's files: read again, gone or replaced, skipped.
  const given = <T>(v: unknown) => (typeof v === 'object' && v !== null ? (v as T) : undefined);
  const reload = reloadLines({
    replay: given<EtlRunSummary['replay']>(o.replay),
    rebuild: given<EtlRunSummary['rebuild']>(o.rebuild),
  });
  out.push(...reload.map((line) => `        ${line}`));
  return out;
}

/** A cause is often JSON (a Glue job run, an error object): its message. */
export function causeText(cause: string): string {
  try {
    const c = JSON.parse(cause) as Record<string, unknown>;
    for (const k of ['ErrorMessage', 'errorMessage', 'message']) if (typeof c[k] === 'string') return c[k];
  } catch {
    // not JSON
  }
  return cause;
}

function table(rows: string[][], indent: string): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map(
    (r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '),
  );
}

/**
 * An execution in a few lines. `lakeRunning`: whether a local lake runs in its folder — a RUNNING execution without
 * one waits for the next npm start (it is run, or run again, then), and no time counts meanwhile. `runFigures`: the
 * lines of its run's summary (run-figures.ts describeRun), shown for a run that failed.
 */
export function summarizeExecution(
  r: ExecutionRecord,
  now = Date.now(),
  lakeRunning = true,
  runFigures: string[] = [],
): string {
  const from = Date.parse(r.runStartDate ?? r.startDate);
  const to = r.stopDate ? Date.parse(r.stopDate) : now;
  const status =
    r.status === 'RUNNING'
      ? !lakeRunning
        ? 'RUNNING (no local lake is running: it runs at the next npm start)'
        : r.runStartDate
          ? `RUNNING for ${seconds(to - from)}`
          : 'RUNNING (waiting for a free slot)'
      : `${r.status} in ${seconds(to - from)}`;
  const lines = [
    r.name,
    `  Status    ${status} (requested ${r.startDate}${r.restarts ? `, restarted ${plural(r.restarts, 'time')}` : ''})`,
    `  Input     ${describeInput(r.input)}`,
  ];
  const stats = stateStats(r.events ?? []);
  if (stats.size) {
    const rows = [['STATE', 'TYPE', 'TIME', '']];
    for (const [name, s] of stats) {
      const notes = [
        s.visits > 1 ? `${s.visits} visits` : '',
        s.retries ? `retried ${plural(s.retries, 'time')}` : '',
        s.errors.size ? [...s.errors].join(', ') : '',
      ].filter(Boolean);
      rows.push([name, s.type, seconds(s.ms), notes.join('; ')]);
    }
    const [head, ...rest] = table(rows, '');
    lines.push(`  States    ${head!.trimEnd()}`, ...rest.map((l) => `            ${l.trimEnd()}`));
  }
  const waits = [...stats].filter(([, s]) => s.type === 'Wait' && s.visits > 0);
  const holders = lakeHolders(r.events ?? []);
  lines.push(
    `  Waits     ${
      waits.length
        ? waits.map(([n, s]) => `${n} ${plural(s.visits, 'time')}, ${seconds(s.ms)} in all`).join('; ') +
          (holders.length ? ` (the lake was held by run ${holders.join(', then ')})` : '')
        : 'none'
    }`,
  );
  const waiting = waitingNow(r, now);
  if (waiting) lines.push(`  Waiting   now, in ${waiting}`);
  lines.push(...describeOutcome(r, runFigures).map((l) => `  ${l}`));
  const n = r.events?.length ?? 0;
  lines.push(
    `  History   ${plural(n, 'event')}${r.eventsTruncated ? ' (truncated)' : ''}: npm run executions -- ${r.name} --history`,
  );
  return lines.join('\n');
}
