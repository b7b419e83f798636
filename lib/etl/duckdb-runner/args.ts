/**
 * The Glue job arguments (lib/etl/run.ts): parsed and checked, and what a raw-bucket key may be.
 */
import type { EtlMode } from '../run';
import { invalid } from './errors';
import { isPlainObject } from './is-plain-object';

/**
 * A run id names the run's folder and files: any Step Functions execution name (letters, digits, '-', '_', in any
 * order: `_nightly` too, as the Glue job takes it), and '.', but not a name of '.' or '..' alone.
 */
const RUN_ID = /^(?!\.\.?$)[A-Za-z0-9._-]{1,128}$/;
export const MODES: readonly EtlMode[] = ['file', 'events', 'replay', 'rebuild'];
export const FORMATS = ['csv', 'json', 'jsonl', 'parquet'] as const;
export type InputFormat = (typeof FORMATS)[number];

export interface JobArgs {
  mode: EtlMode;
  table?: string;
  inputs: string[];
  runId: string;
  /** --JOB_RUN_ID: the id Glue gives the run (and passes to every run of a job). */
  jobRunId?: string;
  /**
   * Mode 'file': the version of its input that the upload check accepted, from --execution_input (the execution's
   * input, as the state machine passes it): a run that takes its own input (a retry of a failed execution, one started
   * by hand) loads that version only, never another written under the name since (which has its own check).
   */
  accepted?: { etag?: string; versionId?: string };
}

/** The version fields of an execution input (its etag without S3's quotes), when it names `key`. */
function acceptedVersion(text: string | undefined, key: string): JobArgs['accepted'] {
  if (text === undefined || text === '') return undefined;
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch {
    throw invalid('--execution_input must be the execution input, a JSON object');
  }
  if (!isPlainObject(input)) throw invalid('--execution_input must be the execution input, a JSON object');
  const i = input as { key?: unknown; etag?: unknown; versionId?: unknown };
  if (i.key !== undefined && i.key !== key) return undefined;
  const etag = typeof i.etag === 'string' && i.etag !== '' ? i.etag.replace(/^"(.*)"$/, '$1') : undefined;
  const versionId = typeof i.versionId === 'string' && i.versionId !== '' ? i.versionId : undefined;
  return etag || versionId ? { ...(etag ? { etag } : {}), ...(versionId ? { versionId } : {}) } : undefined;
}

export function parseArgs(args: Record<string, string>): JobArgs {
  if (!isPlainObject(args)) throw invalid('job arguments must be an object of --name: value');
  const named = new Map<string, string>();
  for (const [k, v] of Object.entries(args)) {
    const name = k.startsWith('--') ? k.slice(2) : k;
    if (typeof v !== 'string') throw invalid(`--${name} must be a string`);
    if (named.has(name) && named.get(name) !== v)
      throw invalid(`--${name} is given twice with different values`);
    named.set(name, v);
  }
  const mode = MODES.find((m) => m === named.get('etl_mode'));
  if (!mode)
    throw invalid(`--etl_mode must be one of ${MODES.join(', ')}, got '${named.get('etl_mode') ?? ''}'`);
  const runId = named.get('run_id') ?? '';
  if (!RUN_ID.test(runId))
    throw invalid(
      `--run_id must be 1-128 letters, digits, '.', '_' or '-' (not '.' or '..'), got '${runId}'`,
    );
  const table = named.get('table') || undefined;
  let inputs: string[] = [];
  const rawInputs = named.get('inputs');
  if (mode === 'file') {
    if (!table) throw invalid("--table is required in mode 'file'");
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawInputs ?? '');
    } catch {
      throw invalid('--inputs must be a JSON array of raw-bucket keys');
    }
    if (
      !Array.isArray(parsed) ||
      parsed.length === 0 ||
      !parsed.every((k) => typeof k === 'string' && k !== '')
    ) {
      throw invalid('--inputs must be a non-empty JSON array of raw-bucket keys');
    }
    inputs = parsed as string[];
    for (const key of inputs) checkKey(key);
  } else if (rawInputs !== undefined && rawInputs !== '' && rawInputs.replace(/\s/g, '') !== '[]') {
    throw invalid(
      mode === 'events'
        ? "--inputs is not used in mode 'events' (every pending raw event object is compacted)"
        : `--inputs is not used in mode '${mode}' (the table's raw objects are found from the table)`,
    );
  }
  if ((mode === 'replay' || mode === 'rebuild') && !table)
    throw invalid(`--table is required in mode '${mode}'`);
  const jobRunId = named.get('JOB_RUN_ID') || undefined;
  const accepted = mode === 'file' ? acceptedVersion(named.get('execution_input'), inputs[0]!) : undefined;
  return {
    mode,
    ...(table ? { table } : {}),
    inputs,
    runId,
    ...(jobRunId ? { jobRunId } : {}),
    ...(accepted ? { accepted } : {}),
  };
}

/** A raw-bucket key that stays inside the bucket: relative, no empty, '.' or '..' segments. */
export function checkKey(key: string): void {
  if (
    key.length > 1024 ||
    key.startsWith('/') ||
    /[\\\0]/.test(key) ||
    key.split('/').some((s) => s === '' || s === '.' || s === '..')
  ) {
    throw invalid(`input key '${key}' is not a plain raw-bucket key`);
  }
}

export function inputFormat(key: string): { format: InputFormat; gz: boolean } {
  let name = key.slice(key.lastIndexOf('/') + 1).toLowerCase();
  const gz = name.endsWith('.gz');
  if (gz) name = name.slice(0, -3);
  const ext = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : '';
  const format = FORMATS.find((f) => f === ext);
  if (!format)
    throw invalid(
      `cannot tell the format of '${key}' (expected .csv, .json, .jsonl or .parquet, optionally .gz)`,
    );
  if (format === 'parquet' && gz) throw invalid(`'${key}': gzip-compressed Parquet is not supported`);
  return { format, gz };
}
