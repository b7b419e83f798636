/**
 * The copies of event ids a replay does not record again (lib/etl/event-conflicts.ts RECORDED_CONFLICTS): a copy
 * rejected for its event id (ID_CONFLICT_REASON) is in lake_rejected once. A replay reads whole raw objects again — for
 * another row of the object, rejected for a reason a schema change has fixed — and would find that copy conflicting
 * again: recorded a second time under the replay's run id, it counted among the replay's rejected rows (and could fail
 * it for too many). The records of the table's rejected files with that reason, by source object and event id, of
 * the objects the replay reads, are given to each batch as the temp table lake_recorded_conflicts.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { sqlString } from '../../duckdb-sql';
import { ID_CONFLICT_REASON, RECORDED_CONFLICTS } from '../event-conflicts';
import { damagedStateFile } from './fs-util';

/** [source_file, event id] of a copy recorded as an event id conflict. */
export type RecordedConflict = readonly [string, string];

/**
 * The copies recorded as conflicts in `files` (rejected files, curated keys) whose source object is one of
 * `sources`; `key` is the event id's column (its name in raw_record).
 */
export async function recordedConflicts(
  curatedDir: string,
  files: readonly string[],
  sources: ReadonlySet<string>,
  key: string,
): Promise<RecordedConflict[]> {
  const found = new Map<string, RecordedConflict>();
  for (const file of files) {
    const lines = readline.createInterface({
      input: createReadStream(path.join(curatedDir, file)),
      crlfDelay: Infinity,
    });
    let n = 0;
    for await (const line of lines) {
      n++;
      if (!line.includes(ID_CONFLICT_REASON.slice(0, 40))) continue;
      let r: { source_file?: unknown; reason?: unknown; raw_record?: unknown };
      let id: unknown;
      try {
        r = JSON.parse(line) as typeof r;
        if (r.reason !== ID_CONFLICT_REASON || typeof r.source_file !== 'string') continue;
        if (!sources.has(r.source_file) || typeof r.raw_record !== 'string') continue;
        id = (JSON.parse(r.raw_record) as Record<string, unknown>)[key];
      } catch (e) {
        throw damagedStateFile(`${file} at line ${n}`, e);
      }
      if (typeof id === 'string') found.set(JSON.stringify([r.source_file, id]), [r.source_file, id]);
    }
  }
  return [...found.values()];
}

/** The temp table the conflict SQL reads (empty but for a replay's batches). */
export async function createRecordedConflicts(
  conn: DuckDBConnection,
  rows: readonly RecordedConflict[] = [],
): Promise<void> {
  await conn.run(`CREATE TEMP TABLE ${RECORDED_CONFLICTS} (source_file VARCHAR, event_id VARCHAR)`);
  for (let i = 0; i < rows.length; i += 1000) {
    const values = rows
      .slice(i, i + 1000)
      .map(([source, id]) => `(${sqlString(source)}, ${sqlString(id)})`)
      .join(', ');
    await conn.run(`INSERT INTO ${RECORDED_CONFLICTS} VALUES ${values}`);
  }
}
