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
import { exists, readJsonFile, readProgress } from './fs-util';
import { byCodePoint } from '../../code-point-order';

export interface BatchOutcome {
  /** Upload results (curated keys): each written unless one is there, then the upload's pending record removed. */
  uploads?: { result: string; pending: string; body: unknown }[];
  /**
   * Compaction manifests (curated keys), each with the raw event objects the batch added to it and the version of
   * each it read (events.ts versionOf).
   */
  manifests?: { key: string; processed: string[]; versions?: Record<string, string> }[];
  /**
   * The progress of a replay or a rebuild (rejected.ts ReloadProgress; reload-progress.ts): the raw objects of the
   * batch added to its `done`.
   */
  progress?: { key: string; runId: string; done: string[] };
}

/**
 * A compaction manifest: the raw event objects compacted and, for those compacted since versions were recorded, the
 * version read (an object written again under its key has another: it is compacted again). A key without a version
 * (a manifest of before) counts as compacted whatever its version.
 */
export interface Manifest {
  processed: string[];
  versions: Record<string, string>;
}

const isTextMap = (v: unknown): v is Record<string, string> =>
  v !== null &&
  typeof v === 'object' &&
  !Array.isArray(v) &&
  Object.values(v).every((x) => typeof x === 'string');

/** A compaction manifest (none yet: empty); one of another shape is named as damaged. */
export async function readManifest(file: string): Promise<Manifest> {
  const m = await readJsonFile<unknown>(file);
  if (m === undefined) return { processed: [], versions: {} };
  const { processed, versions = {} } = (m ?? {}) as { processed?: unknown; versions?: unknown };
  if (!Array.isArray(processed) || !processed.every((k) => typeof k === 'string') || !isTextMap(versions)) {
    throw failed(
      `${file} is damaged (not a compaction manifest, {"processed": [keys], "versions": {key: size}}); README ` +
        '"Damaged state files" says what to do with it',
    );
  }
  return { processed: processed as string[], versions };
}

/**
 * Whether a manifest lists an object at this version (or, listed before versions were recorded, at any). A version
 * recorded as `size:modification time` (written for a few commits before the size alone) is judged by its size;
 * one that is no size at all (an ETag, which the Glue job recorded for those commits) as none.
 */
export function listsVersion(m: Manifest, listed: Set<string>, key: string, version: string): boolean {
  if (!listed.has(key)) return false;
  const size = (m.versions[key] ?? '').split(':')[0]!;
  return !/^[0-9]+$/.test(size) || size === version;
}

/** Writes a compaction manifest listing `processed` (sorted) and the versions read. */
export async function writeManifest(file: string, manifest: Manifest): Promise<void> {
  const versions = Object.fromEntries(
    Object.entries(manifest.versions).sort(([a], [b]) => byCodePoint(a, b)),
  );
  await writeFileDurably(
    file,
    JSON.stringify({ processed: [...new Set(manifest.processed)].sort(), versions }, null, 2) + '\n',
  );
}

/** Records a batch's outcome; idempotent (a step done before is done again to the same effect, or skipped). */
export async function recordOutcome(curatedDir: string, outcome: BatchOutcome | undefined): Promise<void> {
  const abs = (key: string) => path.join(curatedDir, ...key.split('/'));
  for (const u of outcome?.uploads ?? []) {
    if (!(await exists(abs(u.result))))
      await writeFileDurably(abs(u.result), JSON.stringify(u.body, null, 2) + '\n');
    await fs.rm(abs(u.pending), { force: true });
  }
  const progress = outcome?.progress;
  if (progress) {
    const state = await readProgress<{ runId?: unknown; taken?: unknown; done?: unknown }>(abs(progress.key));
    // Only the run's own record (another run's, a later one, is not added to).
    if (state?.runId === progress.runId) {
      const done = Array.isArray(state.done) ? (state.done as string[]) : [];
      if (progress.done.some((k) => !done.includes(k)))
        await writeFileDurably(
          abs(progress.key),
          JSON.stringify({ ...state, done: [...new Set([...done, ...progress.done])].sort() }, null, 2) +
            '\n',
        );
    }
  }
  for (const m of outcome?.manifests ?? []) {
    const old = await readManifest(abs(m.key));
    const listed = new Set(old.processed);
    const versions = m.versions ?? {};
    if (
      m.processed.some(
        (k) => !listed.has(k) || (versions[k] !== undefined && old.versions[k] !== versions[k]),
      )
    )
      await writeManifest(abs(m.key), {
        processed: [...old.processed, ...m.processed],
        versions: { ...old.versions, ...versions },
      });
  }
}
