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

/**
 * The entries of the list; a torn last line (a crash while appending) is skipped. A line before it that does not
 * read (a disk error, a hand edit) is skipped too and told to `onDamaged` (its line number, from 1).
 */
export async function readSeen(file: string, onDamaged?: (line: number) => void): Promise<SeenEntry[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: SeenEntry[] = [];
  const lines = text.split('\n');
  const last = lines.findLastIndex((l) => l.trim() !== '');
  lines.forEach((line, n) => {
    if (!line.trim()) return;
    let e: Partial<SeenEntry> | undefined;
    try {
      e = JSON.parse(line) as Partial<SeenEntry>;
    } catch {
      e = undefined;
    }
    if (typeof e?.key === 'string' && typeof e.etag === 'string') out.push(e as SeenEntry);
    // A torn last line (a crash while appending) is no damage: that file is handed over again, which is harmless.
    else if (n !== last) onDamaged?.(n + 1);
  });
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
