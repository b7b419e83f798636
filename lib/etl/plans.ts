/**
 * The ETL plans file: every table's EtlPlan (lib/etl/plan.ts) plus the object layout an engine needs, generated from
 * schemas/ at package time. The Glue job (resources/glue/etl_job.py) reads it from the deployment bucket
 * (--plans_bucket/--plans_key); resources/glue-assets.cjs writes it next to the script.
 *
 * Curated-bucket layout shared by both ETL engines (the Glue job and the local DuckDB runner):
 *   tables/...                                                  the tables (TableDef.prefix, hive partitions)
 *   rejected/table_name=<table>/run_date=<yyyy-MM-dd>/<run_id>-<n>.json   rejected rows (lib/etl/rejected.ts)
 *   _state/runs/<run_id>.json                                   EtlRunSummary (lib/etl/run.ts)
 *   _state/compaction/<table>/arrival_date=<yyyy-MM-dd>.json    {"processed": [raw keys, sorted]} (mode 'events')
 *   _state/replayed/<table>.json                                {"replayed": [rejected keys, sorted]} (mode 'replay')
 * and in the raw bucket, the streamed events of a table under rawEventsPrefix(type) (events/type=<type>/), the
 * uploads of a dataset under uploads/<dataset>/.
 */
import layout from '../lake-layout.json';
import { lakeTables, schemasDir, type TableDef } from '../catalog/tables';
import { rawEventsFormat } from '../layout';
import { TEMPORARY_SUFFIXES, UPLOADS_PREFIX } from '../uploads/key';
import { buildPlan, type EtlPlan } from './plan';
import {
  REJECTED_COLUMNS,
  REJECTED_TABLE,
  rebuildingStateKey,
  replayedStateKey,
  replayingStateKey,
} from './rejected';
import {
  MAX_UPLOAD_ATTEMPTS,
  PARTITIONS_LISTED,
  pendingUploadsPrefix,
  uploadResultKey,
  restoredUploadsPrefix,
} from './upload-queue';

/**
 * 2: rejected records (rejectedSql per engine, lib/etl/rejected.ts), reloadMergeSql, modes replay and rebuild.
 * 3: event tables' conflicts (copies of an id with other data: lib/etl/event-conflicts.ts).
 * 4: layout.restoredUploadsPrefix (the uploads a rebuild read by their names: lib/etl/upload-queue.ts).
 */
export const PLANS_FILE_VERSION = 4;

export interface EtlPlansFile {
  version: typeof PLANS_FILE_VERSION;
  layout: {
    /** Curated bucket: where rejected rows go (then table_name=<table>/run_date=<d>/<run_id>-<n>.json). */
    rejectedPrefix: string;
    /** The rejected store's table and its record columns, in order (lib/etl/rejected.ts). */
    rejected: { table: string; columns: string[] };
    /** Curated bucket: what replays have taken (then <table>.json, {"replayed": [rejected keys]}). */
    replayedPrefix: string;
    replayingPrefix: string;
    rebuildingPrefix: string;
    /** Curated bucket: a run's work files (then <run_id>/), removed when it ends. */
    tmpPrefix: string;
    /**
     * Curated bucket: the Glue job's swap journals (then <run_id>-<n>.json): a batch's staged files being put in
     * place of the partitions they replace, finished or undone by the next run (etl_job.py swap_in, recover_swaps).
     */
    swapsPrefix: string;
    /**
     * Raw bucket: where a dataset's uploads are (then <dataset>/<file>), and the name endings of files still being
     * written, which are no uploads (lib/uploads/key.ts): a rebuild reads the others.
     */
    uploads: { prefix: string; temporarySuffixes: string[] };
    /** Curated bucket: run summaries (then <run_id>.json). */
    runsPrefix: string;
    /** Curated bucket: compaction manifests (then <table>/arrival_date=<d>.json). */
    compactionPrefix: string;
    /**
     * Raw bucket: how the delivery stream's objects are stored (lib/layout.ts rawEventsFormat). Both engines read raw
     * event objects with this format; only objects whose names end with `extension` are delivery objects.
     */
    rawEvents: { format: 'jsonl'; gzip: boolean; extension: string };
    /** Raw bucket: a regular expression whose group 1 is the arrival date (yyyy-MM-dd) of a raw event object key. */
    arrivalDatePattern: string;
    /** Curated bucket: the queue of accepted uploads (lib/etl/upload-queue.ts): pending/ and done/ records. */
    pendingUploadsPrefix: string;
    uploadResultsPrefix: string;
    /** Curated bucket: the uploads a rebuild read by their names (RestoredUploads), one record per rebuild. */
    restoredUploadsPrefix: string;
    /** Runs that may take an upload without an outcome before it is given up. */
    maxUploadAttempts: number;
    /** Partitions listed in a result or summary (the count says how many). */
    partitionsListed: number;
  };
  /** Event tables: where their raw objects are (raw bucket). */
  events: Record<string, { rawPrefix: string }>;
  tables: Record<string, EtlPlan>;
}

const ARRIVAL_DATE_SEGMENT = 'arrival_date=!{timestamp:yyyy-MM-dd}/';

/**
 * The fixed part of the delivery stream's prefix for one event type: every raw object of the type is below it
 * (events/type=<type>/).
 */
export function rawEventsPrefix(type: string): string {
  const template = layout.rawEvents.prefix;
  const withType = template.replace('!{partitionKeyFromQuery:type}', type);
  const dynamic = withType.indexOf('!{');
  const fixed = dynamic < 0 ? withType : withType.slice(0, dynamic);
  const prefix = fixed.slice(0, fixed.lastIndexOf('/') + 1);
  if (!prefix.includes(type) || !prefix.endsWith('/')) {
    throw new Error(`lake-layout.json rawEvents.prefix '${template}' does not start with a per-type folder`);
  }
  return prefix;
}

/** The arrival date (yyyy-MM-dd) in a raw event object key, as the compaction manifests are kept per arrival date. */
export const ARRIVAL_DATE_PATTERN = '(?:^|/)arrival_date=([0-9]{4}-[0-9]{2}-[0-9]{2})/';

export function arrivalDateOf(key: string): string | undefined {
  return new RegExp(ARRIVAL_DATE_PATTERN).exec(key)?.[1];
}

export const compactionManifestKey = (table: string, arrivalDate: string) =>
  `${layout.curated.statePrefix}compaction/${table}/arrival_date=${arrivalDate}.json`;

export function etlPlansFile(tables: TableDef[] = lakeTables(schemasDir)): EtlPlansFile {
  if (!layout.rawEvents.prefix.includes(ARRIVAL_DATE_SEGMENT)) {
    throw new Error(
      `lake-layout.json rawEvents.prefix must contain '${ARRIVAL_DATE_SEGMENT}': compaction manifests are kept per arrival date`,
    );
  }
  const plans: Record<string, EtlPlan> = {};
  const events: Record<string, { rawPrefix: string }> = {};
  for (const t of tables) {
    if (t.name === REJECTED_TABLE)
      throw new Error(`'${REJECTED_TABLE}' is the rejected store's table: rename the schema`);
    plans[t.name] = buildPlan(t);
    if (t.kind === 'events') events[t.name] = { rawPrefix: rawEventsPrefix(t.name) };
  }
  return {
    version: PLANS_FILE_VERSION,
    layout: {
      rejectedPrefix: layout.curated.rejectedPrefix,
      rejected: { table: REJECTED_TABLE, columns: REJECTED_COLUMNS.map((c) => c.name) },
      replayedPrefix: replayedStateKey('').slice(0, -'.json'.length),
      replayingPrefix: replayingStateKey('').slice(0, -'.json'.length),
      rebuildingPrefix: rebuildingStateKey('').slice(0, -'.json'.length),
      tmpPrefix: `${layout.curated.statePrefix}tmp/`,
      swapsPrefix: `${layout.curated.statePrefix}swaps/`,
      uploads: { prefix: UPLOADS_PREFIX, temporarySuffixes: [...TEMPORARY_SUFFIXES] },
      runsPrefix: `${layout.curated.statePrefix}runs/`,
      compactionPrefix: `${layout.curated.statePrefix}compaction/`,
      rawEvents: { ...rawEventsFormat },
      arrivalDatePattern: ARRIVAL_DATE_PATTERN,
      pendingUploadsPrefix,
      uploadResultsPrefix: uploadResultKey('').slice(0, -'.json'.length),
      restoredUploadsPrefix,
      maxUploadAttempts: MAX_UPLOAD_ATTEMPTS,
      partitionsListed: PARTITIONS_LISTED,
    },
    events,
    tables: plans,
  };
}
