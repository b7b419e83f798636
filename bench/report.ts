/**
 * The benchmark report: what every section returns, how it is printed (aligned tables with "target" and
 * "status" columns) and the JSON written to .bench/report.json.
 *
 * A report never fails on a missed target; a section that crashes is recorded with its error and the run
 * ends non-zero once everything else has been reported.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A target a measured number is compared with, e.g. events/s >= 50,000. */
export interface Target {
  /** What is measured, e.g. "lake events/s @ 50 conns". */
  name: string;
  measured: number | null;
  unit: string;
  op: '>=' | '<=';
  threshold: number;
  /** null when nothing could be measured. */
  met: boolean | null;
}

/** A correctness check (not a performance target): a failure is reported loudly. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export type Cell = string | number | null;

export interface Table {
  title?: string;
  columns: string[];
  rows: Cell[][];
}

export interface SectionResult {
  tables: Table[];
  targets: Target[];
  checks: Check[];
  notes: string[];
  /** Raw measurements for the JSON report. */
  data: Record<string, unknown>;
}

/** Settings every section gets. */
export interface BenchContext {
  root: string;
  /** Measured duration of each load level, seconds (BENCH_SECONDS). */
  seconds: number;
  /** Warm-up before each load level, seconds (BENCH_WARMUP_SECONDS). */
  warmupSeconds: number;
  /** Where temporary lake directories and files go (BENCH_TMPDIR, default the OS temp dir). */
  tmpBase: string;
  /** Progress output (stderr, so stdout is only the report). */
  progress(message: string): void;
}

export interface Section {
  id: string;
  title: string;
  run(ctx: BenchContext): Promise<SectionResult>;
}

export interface SectionOutcome {
  id: string;
  title: string;
  durationMs: number;
  result?: SectionResult;
  error?: string;
}

export function emptyResult(): SectionResult {
  return { tables: [], targets: [], checks: [], notes: [], data: {} };
}

export function target(
  name: string,
  measured: number | null,
  unit: string,
  op: '>=' | '<=',
  threshold: number,
): Target {
  const met =
    measured === null || !Number.isFinite(measured)
      ? null
      : op === '>='
        ? measured >= threshold
        : measured <= threshold;
  return { name, measured, unit, op, threshold, met };
}

// ---------------------------------------------------------------------------------------------------------------
// Formatting

const intFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export const fmtInt = (n: number | null | undefined): string =>
  n === null || n === undefined || !Number.isFinite(n) ? '-' : intFormat.format(Math.round(n));

export const fmtNum = (n: number | null | undefined, digits = 1): string =>
  n === null || n === undefined || !Number.isFinite(n)
    ? '-'
    : new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(
        n,
      );

export const fmtKB = (bytes: number | null | undefined): string =>
  bytes === null || bytes === undefined ? '-' : `${fmtNum(bytes / 1024, 1)} KB`;

/** KB below 10 MB, MB above. */
export const fmtBytes = (bytes: number | null | undefined): string =>
  bytes === null || bytes === undefined
    ? '-'
    : bytes < 10 * 1024 * 1024
      ? fmtKB(bytes)
      : `${fmtNum(bytes / 1024 ** 2, 1)} MB`;

export const fmtPct = (fraction: number | null | undefined, digits = 0): string =>
  fraction === null || fraction === undefined || !Number.isFinite(fraction)
    ? '-'
    : `${fmtNum(fraction * 100, digits)}%`;

function fmtValue(n: number, unit: string): string {
  const digits = (d: number) => (Number.isInteger(n) ? 0 : d);
  switch (unit) {
    case 'x':
      return `${fmtNum(n, 2)}x`;
    case 'KB':
      return `${fmtNum(n, digits(1))} KB`;
    case 'ms':
      return `${fmtNum(n, digits(1))} ms`;
    default:
      return `${fmtInt(n)} ${unit}`.trim();
  }
}

/** The "target" cell: e.g. ">= 50,000 events/s". */
export const targetText = (t: Target): string =>
  `${t.op === '>=' ? '>=' : '<='} ${fmtValue(t.threshold, t.unit)}`;

/** Measured ÷ target, e.g. "0.62x" ('-' when nothing was measured or the target is 0). */
export const targetRatio = (t: Target): number | null =>
  t.measured === null || !Number.isFinite(t.measured) || t.threshold === 0 ? null : t.measured / t.threshold;

export const targetRatioText = (t: Target): string => {
  const r = targetRatio(t);
  return r === null ? '-' : `${fmtNum(r, 2)}x`;
};

/** The "status" cell. */
export const statusText = (t: Target): string => (t.met === null ? 'n/a' : t.met ? 'met' : 'MISSED');

/** The two trailing cells of a row that has a target. */
export const targetCells = (t: Target | undefined): Cell[] => (t ? [targetText(t), statusText(t)] : ['', '']);

const NUMERIC = /^[-+]?[\d,]*\.?\d+\s*(%|x|ms|s|KB|MB|B|events\/s|req\/s)?$/;

export function renderTable(table: Table): string {
  const cells = table.rows.map((r) => r.map((c) => (c === null ? '-' : String(c))));
  const widths = table.columns.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const numeric = table.columns.map((_, i) => {
    const col = cells.map((r) => r[i] ?? '').filter((c) => c !== '' && c !== '-');
    return col.length > 0 && col.every((c) => NUMERIC.test(c));
  });
  const line = (r: string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out: string[] = [];
  if (table.title) out.push(`  ${table.title}`);
  out.push('  ' + line(table.columns));
  out.push('  ' + widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of cells) out.push('  ' + line(table.columns.map((_, i) => r[i] ?? '')));
  return out.join('\n');
}

export function renderSection(index: number, outcome: SectionOutcome): string {
  const out: string[] = [];
  const heading = `${index}. ${outcome.title}`;
  out.push('', heading, '='.repeat(heading.length));
  if (outcome.error) {
    out.push(`  !!! SECTION FAILED after ${fmtNum(outcome.durationMs / 1000, 1)} s: ${outcome.error}`);
  }
  const r = outcome.result;
  if (r) {
    for (const t of r.tables) out.push('', renderTable(t));
    const failed = r.checks.filter((c) => !c.ok);
    if (r.checks.length > 0) {
      out.push('');
      for (const c of r.checks) {
        out.push(
          c.ok ? `  check OK: ${c.name} — ${c.detail}` : `  !!! CHECK FAILED: ${c.name} — ${c.detail}`,
        );
      }
      if (failed.length > 0) out.push(`  !!! ${failed.length} correctness check(s) failed — see above`);
    }
    if (r.notes.length > 0) {
      out.push('');
      for (const n of r.notes) out.push(`  note: ${n}`);
    }
  }
  return out.join('\n');
}

export function renderSummary(outcomes: SectionOutcome[]): string {
  const rows: Cell[][] = [];
  for (const o of outcomes) {
    for (const t of o.result?.targets ?? []) {
      rows.push([
        o.id,
        t.name,
        t.measured === null ? '-' : fmtValue(t.measured, t.unit),
        ...targetCells(t),
        targetRatioText(t),
      ]);
    }
    for (const c of o.result?.checks ?? [])
      rows.push([o.id, c.name, c.ok ? 'ok' : 'FAILED', 'must hold', c.ok ? 'met' : 'FAILED', '']);
    if (o.error) rows.push([o.id, '(section crashed)', '-', '', 'ERROR', '']);
  }
  const heading = 'Summary';
  return [
    '',
    heading,
    '='.repeat(heading.length),
    '',
    renderTable({ columns: ['section', 'metric', 'measured', 'target', 'status', 'of target'], rows }),
    '',
    '  of target: measured ÷ target (a ">=" target is met from 1.00x up, a "<=" target up to 1.00x)',
  ].join('\n');
}

export function environmentInfo(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${process.platform} ${os.release()} ${process.arch}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
  };
}

export async function writeJsonReport(
  root: string,
  settings: Record<string, unknown>,
  outcomes: SectionOutcome[],
  name = 'report.json',
): Promise<string> {
  const file = path.join(root, '.bench', path.basename(name));
  await fs.mkdir(path.dirname(file), { recursive: true });
  const report = {
    generatedAt: new Date().toISOString(),
    environment: environmentInfo(),
    settings,
    sections: outcomes.map((o) => ({
      id: o.id,
      title: o.title,
      durationMs: Math.round(o.durationMs),
      ...(o.error ? { error: o.error } : {}),
      ...(o.result ?? {}),
    })),
  };
  await fs.writeFile(file, JSON.stringify(report, null, 2) + '\n');
  return file;
}
