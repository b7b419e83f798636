/**
 * An event id reused for another event. An id names one event of its type: copies of it (a client's retries) are
 * one row, the first received. A copy whose data differs is not that event — a producer gave the id to a second,
 * different event, in another request (within one request ingest refuses it: DUPLICATE_ID). Such a copy is never
 * dropped silently and never replaces what is stored:
 *  - the stored row of an id stays, even against a differing copy received before it (delivered late: a stored value
 *    is never rewritten by a schema-valid copy that says something else); among copies with the stored row's data,
 *    or when none is stored, the first received wins as before — but a copy that lacks a value the stored row holds
 *    in a retired column (the same event, sent since) never replaces it;
 *  - every incoming copy whose data differs from the row its id keeps is a rejected record (lake_rejected), with a
 *    reason naming the id and what to do, and counts among the run's rejected rows, not among duplicates removed —
 *    when the compaction first reads it; a rebuild, which reads compacted raw objects again, keeps the stored row as
 *    well and counts such a copy among duplicates removed (it was rejected then; an engine whose JSON text differs
 *    from the one that stored the row would otherwise reject every re-read copy of an object column); a replay, which
 *    reads the objects of rejected rows again, records it with that reason (a copy rejected then for another reason
 *    that now parses is rejected now for this one: its record says so), and never takes a record of this reason
 *    again (no schema change can load it: read again, it failed every later replay of the table).
 *
 * "Data" is the event's own columns: not the envelope's times (a retry without occurred_at takes the time of its own
 * receipt), not the generated columns. A retired column counts where the copy carries it: one accepted before the
 * retirement (still in the stream) that says another value there is another event; a copy without it (sent since:
 * the field is no longer accepted) is the same event — also when it was stored first and the copy with the value,
 * received before it, is delivered late: that copy is then the one kept, with its value, as in one run. Both engines
 * compare typed values (IS NOT DISTINCT FROM: NULLs equal), JSON text as each writes it.
 */
import type { TableDef } from '../catalog/tables';
import { EVENT_ENVELOPE_COLUMNS } from '../catalog/table-from-schema';

/** The reason of a rejected copy (lake_rejected.reason). */
export const ID_CONFLICT_REASON =
  'event_id: names another event of this type, stored with other data (an id names one event: copies must carry ' +
  'the same data); this copy is not stored: send it again with an id of its own';

/**
 * The copies already recorded as conflicts that a run reads again (a replay's: lib/etl/duckdb-runner/recorded-
 * conflicts.ts; the Glue job's recorded_conflicts): source_file, event_id. Such a copy is not recorded again; it
 * counts among the run's duplicates removed, as a rebuild counts it. Empty for every other run.
 */
export const RECORDED_CONFLICTS = 'lake_recorded_conflicts';

/** `copy` (a relation of incoming copies, with raw_lake_source_file) is not a copy recorded as a conflict already. */
const notRecorded = (copy: string, key: string) =>
  `NOT EXISTS (SELECT 1 FROM ${RECORDED_CONFLICTS} lake_recorded WHERE lake_recorded.source_file = ` +
  `${copy}.raw_lake_source_file AND lake_recorded.event_id = ${copy}.${key})`;

/** The columns whose values make an event what it is (retired ones apart: see the module comment). */
export interface EventData {
  columns: string[];
  retired: string[];
}

/** An event table's data columns, of those its plan writes (`written`); none for a dataset. */
export function eventDataColumns(table: TableDef, written: readonly string[]): EventData {
  if (table.kind !== 'events') return { columns: [], retired: [] };
  const envelope: readonly string[] = EVENT_ENVELOPE_COLUMNS;
  const own = table.columns.filter((c) => !c.generated && !envelope.includes(c.name));
  return {
    columns: own.filter((c) => !c.retired).map((c) => c.name),
    retired: own.filter((c) => c.retired && written.includes(c.name)).map((c) => c.name),
  };
}

/**
 * Copy `a` is the event row `b` is: the same data, and in a retired column none or the same — or a value where `b`
 * has none and `a` was received first: `b` is then a later copy without the field (a retry sent since the
 * retirement), as it is when the two are read in one run, where `a` is kept (first received) and `b` lacks the value.
 */
const sameData = (data: EventData, a: (c: string) => string, b: (c: string) => string) =>
  [
    ...data.columns.map((c) => `${a(c)} IS NOT DISTINCT FROM ${b(c)}`),
    ...data.retired.map(
      (c) =>
        `(${a(c)} IS NULL OR ${a(c)} IS NOT DISTINCT FROM ${b(c)} OR ` +
        `(${b(c)} IS NULL AND ${a('received_at')} < ${b('received_at')}))`,
    ),
  ].join(' AND ');

/**
 * The candidates of an event table's merge (mergeStatement's: every output column and lake_rank, 0 = stored,
 * 1 = incoming) with lake_differs (2: an incoming copy whose data differs from the stored row of its id, found by
 * joining the stored rows on the key: a hash join, cheaper than comparing every column over a window; 1: one of the
 * same data without a value the stored row holds in a retired column), and the order: such copies go after the
 * stored row, then the first received.
 */
export function eventMergeCandidates(
  outputColumns: string[],
  columns: EventData,
  key: string,
): { candidates: string[]; order: string } {
  // 2: another event; 1: the same event without a value the stored row holds in a retired column (sent since, or
  // a renamed column's old name, which no copy reads any more): never the copy kept over the stored row, whenever
  // received, or the stored value would be lost; 0: the same in every column, where the first received wins.
  const lacksRetired = columns.retired
    .map((c) => `(incoming.${c} IS NULL AND existing.${c} IS NOT NULL)`)
    .join(' OR ');
  const differs = `CASE WHEN existing.${key} IS NOT NULL AND NOT (${sameData(
    columns,
    (c) => `incoming.${c}`,
    (c) => `existing.${c}`,
  )}) THEN 2${lacksRetired ? ` WHEN existing.${key} IS NOT NULL AND (${lacksRetired}) THEN 1` : ''} ELSE 0 END`;
  return {
    candidates: [
      `SELECT ${outputColumns.join(', ')}, 0 AS lake_rank, 0 AS lake_differs FROM existing`,
      'UNION ALL',
      `SELECT ${outputColumns.map((c) => `incoming.${c}`).join(', ')}, 1 AS lake_rank, ${differs} AS lake_differs`,
      `FROM incoming LEFT JOIN existing ON incoming.${key} = existing.${key}`,
    ],
    order: 'lake_differs ASC, received_at ASC, lake_rank ASC',
  };
}

/** How many incoming copies of an id have other data than the row the merge keeps for it (incoming, lake_merged). */
export function conflictCountSql(columns: EventData, key: string): string {
  return [
    'SELECT count(*) AS n',
    `FROM incoming JOIN lake_merged ON incoming.${key} = lake_merged.${key}`,
    `WHERE NOT (${sameData(
      columns,
      (c) => `incoming.${c}`,
      (c) => `lake_merged.${c}`,
    )}) AND ${notRecorded('incoming', key)}`,
  ].join('\n');
}

/**
 * The rejected rows (source_file, reason, raw_record) of those copies. A valid row of `typed` keeps no raw text, so
 * the batch's input is typed again with every raw text kept (`typedWithRaw`: typedSql reading raw_input once more —
 * run only when conflictCountSql found some); `rawRecord` is the engine's raw_record expression over its raw_<column>.
 */
export function conflictRowsSql(
  columns: EventData,
  key: string,
  typedWithRaw: string,
  rawRecord: string,
): string {
  return [
    `  SELECT lake_copies.raw_lake_source_file AS source_file, '${ID_CONFLICT_REASON}' AS reason, ${rawRecord} AS raw_record`,
    '  FROM (',
    typedWithRaw.replace(/^/gm, '    '),
    '  ) lake_copies',
    `  JOIN lake_merged ON lake_copies.${key} = lake_merged.${key}`,
    `  WHERE lake_copies.reject_reason IS NULL AND NOT (${sameData(
      columns,
      (c) => `lake_copies.${c}`,
      (c) => `lake_merged.${c}`,
    )}) AND ${notRecorded('lake_copies', key)}`,
  ].join('\n');
}
