/**
 * Small file-system helpers: existence, optional JSON files, recursive listings.
 */
import { logger } from '../../logger';
import { promises as fs } from 'node:fs';
import path from 'node:path';

export async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

export async function readJsonFile<T>(file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw damagedStateFile(file, e);
  }
}

/** A damaged state file (a disk error, a hand edit): named, with where to read what to do. */
export const damagedStateFile = (where: string, e: unknown) =>
  new Error(
    `${where} is damaged (not JSON: ${(e as Error).message}); README "Damaged state files" says what to do with it`,
  );

/** Files below a folder, as paths relative to it with '/' separators, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, rel: string) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(d, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(path.join(d, e.name), r);
      else if (e.isFile()) out.push(r);
    }
  };
  await walk(dir, '');
  return out.sort();
}

/**
 * A progress record, or undefined when there is none or it does not read (a hand edit, a disk error): it only spares
 * a run again the objects done, so a damaged one is told and taken for none (the run again reads everything, as
 * before this record existed), never a reason to stop a run.
 */
export async function readProgress<T>(file: string): Promise<T | undefined> {
  try {
    return await readJsonFile<T>(file);
  } catch (e) {
    logger.warn('a progress record of a replay or rebuild does not read: taken for none', {
      file,
      error: (e as Error).message,
    });
    return undefined;
  }
}
