/**
 * What a batch's inputs came to, recorded with its swap: the batch's swap journal carries it (swap-journal.ts), and
 * it is recorded as the last step of the swap — by the run, or by the next one that finishes a swap a crash
 * interrupted. Recorded apart from the swap, a crash between the two ran the inputs again: their rows deduplicated
 * to none, but their rejected rows were recorded a second time and the upload's result counted 0 rows written.
 */
import { writeFileDurably } from '../../durable-fs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { failed } from './errors';
import { exists, readJsonFile } from './fs-util';

export interface BatchOutcome {
  /** Upload results (curated keys): each written unless one is there, then the upload's pending record removed. */
  uploads?: { result: string; pending: string; body: unknown }[];
  /** Compaction manifests (curated keys), each with the raw event objects the batch added to it. */
  manifests?: { key: string; processed: string[] }[];
}

/** A compaction manifest's keys (none yet: none); one of another shape is named as damaged. */
export async function manifestKeys(file: string): Promise<string[]> {
  const m = await readJsonFile<unknown>(file);
  const processed = m === undefined ? [] : (m as { processed?: unknown } | null)?.processed;
  if (!Array.isArray(processed) || !processed.every((k) => typeof k === 'string')) {
    throw failed(
      `${file} is damaged (not a compaction manifest, {"processed": [keys]}); README "Damaged state files" says ` +
        'what to do with it',
    );
  }
  return processed as string[];
}

/** Writes a compaction manifest listing `processed` (sorted). */
export async function writeManifest(file: string, processed: Iterable<string>): Promise<void> {
  await writeFileDurably(file, JSON.stringify({ processed: [...processed].sort() }, null, 2) + '\n');
}

/** Records a batch's outcome; idempotent (a step done before is done again to the same effect, or skipped). */
export async function recordOutcome(curatedDir: string, outcome: BatchOutcome | undefined): Promise<void> {
  const abs = (key: string) => path.join(curatedDir, ...key.split('/'));
  for (const u of outcome?.uploads ?? []) {
    if (!(await exists(abs(u.result))))
      await writeFileDurably(abs(u.result), JSON.stringify(u.body, null, 2) + '\n');
    await fs.rm(abs(u.pending), { force: true });
  }
  for (const m of outcome?.manifests ?? []) {
    const listed = new Set(await manifestKeys(abs(m.key)));
    if (m.processed.some((k) => !listed.has(k)))
      await writeManifest(abs(m.key), new Set([...listed, ...m.processed]));
  }
}
