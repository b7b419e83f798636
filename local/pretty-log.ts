/**
 * Log lines a person can read, for `npm start` on a terminal: one short line per request, delivery, ETL execution
 * and notice (`12:03:04 POST /events 202 1 accepted (12 ms)`), and every other line as `time [LEVEL] message
 * key=value …`. Not on a terminal, or with LOG_FORMAT=json, the lines are JSON exactly as on Lambda (Powertools'
 * own); LOG_FORMAT=pretty asks for readable lines anywhere.
 *
 * Which lines show: those at or above the loggers' level (POWERTOOLS_LOG_LEVEL, default INFO), and deliveries
 * (logged at DEBUG by lib/firehose) whenever that level is INFO or lower. Lines that only repeat what the
 * request line says ('events accepted', 'request refused', 'query started') are left out.
 */
import { SettingError } from '../lib/setting-error';
import type { LakeLogger } from '../lib/lake-logger';
import { setLogPrinter } from '../lib/lake-logger';
import { duplicateKeysText, duplicatesOf } from './duplicate-keys-text';

export type LogFormat = 'json' | 'pretty';

/** LOG_FORMAT if set (json | pretty), else pretty on a terminal and JSON otherwise. */
export function logFormat(env: NodeJS.ProcessEnv = process.env, isTTY = !!process.stdout.isTTY): LogFormat {
  const v = env.LOG_FORMAT?.trim().toLowerCase();
  if (v === 'json' || v === 'pretty') return v;
  if (v) throw new SettingError(`LOG_FORMAT must be 'json' or 'pretty', got '${env.LOG_FORMAT}'`);
  return isTTY ? 'pretty' : 'json';
}

type Attrs = Record<string, unknown>;

const RANK: Record<string, number> = { TRACE: 6, DEBUG: 8, INFO: 12, WARN: 16, ERROR: 20, CRITICAL: 24 };
const rank = (level: unknown) => RANK[String(level).toUpperCase()] ?? RANK.INFO!;

/** Powertools' own keys (and the correlation id): not repeated on a readable line. */
const STANDARD_KEYS = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'sampling_rate',
  'xray_trace_id',
  'correlation_id',
  'tenant_id',
]);

/** Lines that repeat the request line. */
const REPEATS = new Set(['events accepted', 'request refused', 'query started']);
/** Lines shown at INFO although logged at DEBUG. */
const PROMOTED = new Set(['delivered']);

const MAX_LINE = 240;
/**
 * A warning or an error keeps more: what a person needs to act on (the write-ahead segments a stop left, a
 * refusal's reasons) must not be cut at a terminal's width.
 */
const MAX_ACTIONABLE_LINE = 2000;

function clock(ts: unknown): string {
  const d = new Date(typeof ts === 'string' ? ts : Date.now());
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function bytes(n: unknown): string {
  const v = Number(n);
  if (!Number.isFinite(v)) return '?';
  if (v < 1024) return `${v} B`;
  if (v < 1024 * 1024) return `${(v / 1024).toFixed(1)} KiB`;
  return `${(v / 1024 / 1024).toFixed(1)} MiB`;
}

const plural = (n: unknown, word: string) => `${String(n)} ${word}${Number(n) === 1 ? '' : 's'}`;

function value(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v;
  if (v instanceof Object && 'message' in v && 'name' in v) return `${String(v.name)}: ${String(v.message)}`;
  return JSON.stringify(v) ?? String(v);
}

/**
 * One line on the terminal, whatever its fields hold: control characters (a file name with a line break or a
 * terminal escape sequence) are written escaped, as JSON writes them, so no field can forge a line or a colour.
 */
function clip(line: string, max = MAX_LINE): string {
  const shown = line.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => JSON.stringify(c).slice(1, -1));
  return shown.length > max ? `${shown.slice(0, max - 1)}…` : shown;
}

/** The short name of a function (`data-lake-local-validateUpload` → `validateUpload`). */
function shortName(fn: unknown): string | undefined {
  return typeof fn === 'string' && fn ? fn.slice(fn.lastIndexOf('-') + 1) : undefined;
}

/** What a notice's detail says in a few words: the file, the rows, the error. */
function noticeFacts(detail: unknown): string {
  const d = (detail ?? {}) as Record<string, unknown>;
  const input = (d.input ?? {}) as Record<string, unknown>;
  const key = d.key ?? input.key;
  const facts = [
    typeof key === 'string' ? key : undefined,
    typeof d.rowsWritten === 'number' ? `${plural(d.rowsWritten, 'row')} written` : undefined,
    duplicateKeysText(duplicatesOf(d.tables)) || undefined,
    typeof d.rowsRejected === 'number' && d.rowsRejected > 0 ? `${d.rowsRejected} rejected` : undefined,
    typeof d.error === 'string' ? d.error : undefined,
  ].filter((f) => f !== undefined);
  return facts.length ? ` (${facts.join(', ')})` : '';
}

/** Lines with a form of their own: the message, then what to print after the time. */
const FORMS: Record<string, (a: Attrs) => string> = {
  request: (a) =>
    `${String(a.method)} ${String(a.path)} ${String(a.status)}${a.detail ? ` ${String(a.detail)}` : ''} (${String(a.ms)} ms)`,
  delivered: (a) => `delivered ${plural(a.records, 'record')} to raw/${String(a.key)} (${bytes(a.bytes)})`,
  notification: (a) => `notice ${String(a.kind)}: ${String(a.subject)}${noticeFacts(a.detail)}`,
  'execution finished': (a) =>
    `ETL ${String(a.name)} ${String(a.status)}${a.error ? ` ${String(a.error)}` : ''}` +
    (a.status === 'SUCCEEDED' ? '' : ` (npm run executions -- ${String(a.name)})`),
  'execution waiting': (a) =>
    `ETL ${String(a.name)} waiting in ${String(a.state)}` +
    (a.heldBy ? ` for run ${String(a.heldBy)}` : a.error ? ` (${String(a.error)})` : ''),
  'execution resumed': (a) =>
    `ETL ${String(a.name)} resumed with ${String(a.next)} after ${plural(a.waits, 'look')} (${String(a.waitedMs)} ms)`,
  'ETL started for upload': (a) => `upload ${String(a.key)} → ETL ${String(a.executionName)}`,
};

/** The readable form of one log line (its attributes as Powertools would print them); null: not shown. */
export function renderLine(a: Attrs): string | null {
  const message = String(a.message ?? '');
  if (REPEATS.has(message)) return null;
  const level = String(a.level ?? 'INFO').toUpperCase();
  const tag = level === 'INFO' || level === 'DEBUG' ? '' : `${level} `;
  const fn = shortName(a.function_name);
  const who = fn ? `${fn}: ` : '';
  const form = FORMS[message];
  const max = rank(level) >= RANK.WARN! ? MAX_ACTIONABLE_LINE : MAX_LINE;
  if (form) return clip(`${clock(a.timestamp)} ${tag}${form(a)}`, max);
  // The error first: a long field before it (a file name) must not clip the reason away.
  const fields = Object.entries(a)
    .filter(([k, v]) => !STANDARD_KEYS.has(k) && v !== undefined)
    .sort(([k1], [k2]) => Number(k2 === 'error') - Number(k1 === 'error'))
    .map(([k, v]) => `${k}=${value(v)}`)
    .join(' ');
  let line = clip(`${clock(a.timestamp)} ${tag}${who}${message}${fields ? ` ${fields}` : ''}`, max);
  // An error's stack, under its line (errors only: a person needs it to act on them).
  const err = a.error as { stack?: unknown } | undefined;
  if (rank(level) >= RANK.ERROR! && typeof err?.stack === 'string')
    line += '\n' + err.stack.split('\n').slice(1, 8).join('\n');
  return line;
}

export interface PrettyLogOptions {
  /** The loggers whose lines are shown (their level at install time is the threshold). */
  loggers: LakeLogger[];
  /** Where lines go (default: stdout, WARN and above to stderr). */
  write?: (line: string, level: string) => void;
}

/** Routes every LakeLogger's lines through renderLine (undo: setLogPrinter(undefined)). */
export function installPrettyLogs(opts: PrettyLogOptions): void {
  const threshold = rank(opts.loggers[0]?.getLevelName() ?? 'INFO');
  // Deliveries are DEBUG lines: let them reach the printer, which keeps the threshold for the rest.
  if (threshold <= RANK.INFO!) for (const l of opts.loggers) l.setLogLevel('DEBUG');
  const write =
    opts.write ??
    ((line: string, level: string) =>
      (rank(level) >= RANK.WARN! ? process.stderr : process.stdout).write(line + '\n'));
  setLogPrinter((a) => {
    const level = String(a.level ?? 'INFO');
    if (rank(level) < threshold && !(PROMOTED.has(String(a.message)) && threshold <= RANK.INFO!)) return;
    const line = renderLine(a);
    if (line !== null) write(line, level);
  });
}
