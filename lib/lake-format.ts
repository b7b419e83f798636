/**
 * The format of a local lake folder: <LAKE_DIR>/lake-format.json, {"format": n}, written by the first version of the
 * project that opens the folder and raised by any later one whose layout differs. A version that finds a format
 * newer than its own refuses the folder, naming both, rather than run on it: an older version rewrote the
 * partitions it touched without the columns it did not know, and read none of the newer layout's state (README "A
 * local lake made by an older version"). Versions before this file do not look for it.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileDurably } from './durable-fs';

/** The layout of the lake folder this version writes and reads. Raise it when that changes. */
export const LAKE_FORMAT = 1;
export const LAKE_FORMAT_FILE = 'lake-format.json';

export class LakeFormatError extends Error {
  override name = 'LakeFormatError';
}

/**
 * Refuses a folder of a newer (or a damaged) format, reading only: before anything else is checked or written.
 * Resolves whether the folder records this version's format already.
 */
export async function checkLakeFormat(dir: string): Promise<boolean> {
  const file = path.join(dir, LAKE_FORMAT_FILE);
  let text: string | undefined;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (text !== undefined) {
    let format: unknown;
    try {
      format = (JSON.parse(text) as { format?: unknown }).format;
    } catch {
      format = undefined;
    }
    if (!Number.isSafeInteger(format) || (format as number) < 1) {
      throw new LakeFormatError(
        `${file} is damaged (not {"format": <n>}): it says which version of the project the lake folder is for; ` +
          `write {"format": ${LAKE_FORMAT}} if this version made the lake`,
      );
    }
    if ((format as number) > LAKE_FORMAT) {
      throw new LakeFormatError(
        `the lake in ${dir} is of a newer version of the project (lake format ${format as number}; this version ` +
          `knows format ${LAKE_FORMAT}): run the newer version on it. This one would rewrite its partitions without ` +
          'what it does not know',
      );
    }
    return format === LAKE_FORMAT;
  }
  return false;
}

/** Checks the folder's format (checkLakeFormat), and records this version's if it has none or an older one. */
export async function claimLakeFormat(dir: string): Promise<void> {
  if (await checkLakeFormat(dir)) return;
  await fs.mkdir(dir, { recursive: true });
  await writeFileDurably(path.join(dir, LAKE_FORMAT_FILE), JSON.stringify({ format: LAKE_FORMAT }) + '\n');
}
