/** The local lake's API key: LAKE_API_KEY, else the one saved under the lake directory, else a new one. */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileDurably } from '../lib/durable-fs';

export interface ResolvedApiKey {
  key: string;
  source: 'env' | 'file' | 'generated';
  file: string;
  /** LAKE_API_KEY is set and the file holds another key (saved by an earlier start): a key that is refused. */
  fileKeyRefused?: true;
  /** The saved file held no key (emptied: a disk error, a hand edit): the key was generated again. */
  fileEmpty?: true;
}

export async function resolveApiKey(lakeDir: string): Promise<ResolvedApiKey> {
  const file = path.join(lakeDir, 'api-key');
  const fromEnv = process.env.LAKE_API_KEY?.trim();
  // With LAKE_API_KEY set the file is only compared: one that does not read (a folder there) is none.
  const saved = await readSavedKey(file).catch((e: unknown) => {
    if (fromEnv) return undefined;
    throw e;
  });
  if (fromEnv)
    return {
      key: fromEnv,
      source: 'env',
      file,
      ...(saved && saved !== fromEnv ? { fileKeyRefused: true } : {}),
    };
  if (saved) return { key: saved, source: 'file', file };
  const key = randomBytes(24).toString('base64url');
  await fs.mkdir(lakeDir, { recursive: true });
  // Written whole or not at all (a crash while writing it left an empty file, and a new key at the next start).
  await writeFileDurably(file, key + '\n', { mode: 0o600 });
  return { key, source: 'generated', file, ...(saved === '' ? { fileEmpty: true } : {}) };
}

/** The saved key; '' for a file that holds none; undefined when there is no file. */
async function readSavedKey(file: string): Promise<string | undefined> {
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    return undefined;
  }
}
