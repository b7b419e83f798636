/**
 * The files under the local raw bucket's uploads/ folder as S3 keys, for the uploads watcher (./uploads-watcher.ts).
 * Hidden and temporary names are skipped (lib/uploads/key.ts); a name that is not UTF-8 (no S3 key) and an entry that
 * is no regular file (a link, a FIFO, a device: no object S3 could hold) are not taken, said once each.
 */
import { type Dirent, promises as fs } from 'node:fs';
import path from 'node:path';
import { ignoreReason, UPLOADS_PREFIX } from '../lib/uploads/key';
import { localLog } from './log';

export interface UploadFile {
  key: string;
  file: string;
}

/** A function listing the upload files under `uploadsDir` (the raw bucket's uploads/ folder) at each call. */
export function uploadFileLister(uploadsDir: string): () => Promise<UploadFile[]> {
  /** Entries under uploads/ that are no regular file, said once each. */
  const notFiles = new Set<string>();
  return async (): Promise<UploadFile[]> => {
    const out: UploadFile[] = [];
    const walk = async (dir: string, prefix: string) => {
      let entries: Dirent<Buffer>[];
      try {
        // Names as their bytes: one that is not UTF-8 would read as another name (U+FFFD), which no file has.
        entries = await fs.readdir(dir, { withFileTypes: true, encoding: 'buffer' });
      } catch (e) {
        if (['ENOENT', 'ENOTDIR'].includes((e as NodeJS.ErrnoException).code ?? '')) return;
        throw e;
      }
      for (const entry of entries) {
        const name = entry.name.toString('utf8');
        const key = prefix + name;
        if (!Buffer.from(name, 'utf8').equals(entry.name)) {
          // No S3 key: a key is UTF-8 text.
          if (!ignoreReason(key) && !notFiles.has(key)) {
            notFiles.add(key);
            localLog.warn('a name that is not UTF-8 text: not taken (an S3 key is UTF-8); rename it', {
              key,
              nameBytes: entry.name.toString('hex'),
            });
          }
          continue;
        }
        const d = Object.assign(entry, { name });
        if (d.isDirectory()) {
          if (!ignoreReason(key + '/x')) await walk(path.join(dir, d.name), key + '/');
        } else if (d.isFile() && !ignoreReason(key)) out.push({ key, file: path.join(dir, d.name) });
        else if (!d.isFile() && !ignoreReason(key) && !notFiles.has(key)) {
          // A link (not followed: it could lead out of the lake), a FIFO or a device: no object S3 could hold.
          notFiles.add(key);
          localLog.warn(
            'not a regular file: not taken (links are not followed); copy the file itself there',
            {
              key,
              kind: d.isSymbolicLink() ? 'symbolic link' : d.isFIFO() ? 'FIFO' : 'special file',
            },
          );
        }
      }
    };
    await walk(uploadsDir, UPLOADS_PREFIX);
    return out;
  };
}
