/**
 * The uploads watcher's list of what it handed over (<LAKE_DIR>/.uploads-seen.jsonl, ./uploads-watcher.ts): one JSON
 * line per version handed over, appended and fsynced before the watcher moves on, read back at start.
 */
import { promises as fs } from 'node:fs';

export interface SeenEntry {
  key: string;
  etag: string;
  /** Absent in lists written before versions were recorded: those name the content only. */
  versionId?: string;
  size: number;
  mtimeMs: number;
}

/** The entries of the list; a torn last line (a crash while appending) is skipped. */
export async function readSeen(file: string): Promise<SeenEntry[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: SeenEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as SeenEntry;
      if (typeof e.key === 'string' && typeof e.etag === 'string') out.push(e);
    } catch {
      // a torn last line (a crash while appending): that file is handed over again, which is harmless
    }
  }
  return out;
}

/** Appends one entry and syncs it. */
export async function appendSeen(file: string, entry: SeenEntry): Promise<void> {
  const fh = await fs.open(file, 'a');
  try {
    await fh.write(JSON.stringify(entry) + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
}
