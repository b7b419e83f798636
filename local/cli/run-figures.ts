/** The few lines the ETL commands and `npm run executions` print of a run's figures (lib/etl/run.ts EtlRunSummary). */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { runSummaryKey, type EtlRunSummary } from '../../lib/etl/run';
import { uploadResultKey, type UploadResult } from '../../lib/etl/upload-queue';
import { duplicateKeysText, duplicatesOf } from '../duplicate-keys-text';

/** A JSON record of the curated zone of the lake in `dir`, if there and readable. */
const readCuratedRecord = <T>(dir: string, key: string): Promise<T | undefined> =>
  fs
    .readFile(path.join(dir, 'curated', key), 'utf8')
    .then((t) => JSON.parse(t) as T)
    .catch(() => undefined);

/** The summary a run of the lake in `dir` left (_state/runs/<run>.json), if any (a run that never started has none). */
export const readRunSummary = (dir: string, runId: string): Promise<EtlRunSummary | undefined> =>
  readCuratedRecord<EtlRunSummary>(dir, runSummaryKey(runId));

/** What became of a file execution's upload (_state/uploads/done/<execution>.json), if a run recorded it. */
export const readUploadResult = (
  dir: string,
  execution: string,
): Promise<Partial<UploadResult> | undefined> =>
  readCuratedRecord<Partial<UploadResult>>(dir, uploadResultKey(execution));

/** The run's figures in a few lines: totals, then each table it wrote (or read), then what a replay/rebuild did. */
export function describeRun(summary: EtlRunSummary): string[] {
  const { rowsRead, rowsWritten, rowsRejected, uploads, replay, rebuild } = summary;
  const again = (n: number) => (n > 0 ? `, ${duplicateKeysText(n)}` : '');
  const dups = duplicatesOf(summary.tables);
  const lines = [`${rowsRead} rows read, ${rowsWritten} written${again(dups)}, ${rowsRejected} rejected`];
  for (const t of summary.tables.filter((t) => t.rowsRead > 0 || t.rowsWritten > 0 || t.rowsRejected > 0)) {
    const more =
      t.partitionCount > t.partitions.length ? `, +${t.partitionCount - t.partitions.length} more` : '';
    const where = t.partitions.length ? ` (${t.partitions.join(', ')}${more})` : '';
    lines.push(
      `  ${t.table}: ${t.rowsRead} read, ${t.rowsWritten} written${again(t.duplicatesRemoved)}, ` +
        `${t.rowsRejected} rejected${where}`,
    );
  }
  if (uploads.taken)
    lines.push(`  uploads taken: ${uploads.taken} (${uploads.succeeded} loaded, ${uploads.failed} failed)`);
  if (summary.eventObjectsLeft)
    lines.push(
      `  left for the next run: ${summary.eventObjectsLeft} raw event object(s) delivered after this run read its ` +
        'tables (they may hold events of a newer schema; npm run compact, or the schedule, takes them)',
    );
  return [...lines, ...reloadLines({ replay, rebuild })];
}

/** What a replay or a rebuild did beside its figures: the files it read again, and those it could not. */
export function reloadLines({ replay, rebuild }: Pick<EtlRunSummary, 'replay' | 'rebuild'>): string[] {
  const lines: string[] = [];
  const listed = (names: string[], count: number) =>
    names.length
      ? `: ${names.join(', ')}${count > names.length ? `, +${count - names.length} more` : ''}`
      : '';
  if (replay)
    lines.push(
      `  replay of ${replay.table}: ${replay.rejectedFiles} rejected file(s) not replayed before, ` +
        `${replay.sources} raw object(s) read again, ${replay.missingCount} gone or replaced${listed(replay.missing, replay.missingCount)}`,
    );
  if (rebuild)
    lines.push(
      `  rebuild of ${rebuild.table}: ${rebuild.sources} raw object(s) read, ` +
        `${rebuild.partitionsRewritten} partition(s) rewritten from their rows, ` +
        `${rebuild.skippedCount} skipped${listed(rebuild.skipped, rebuild.skippedCount)}`,
    );
  return lines;
}
