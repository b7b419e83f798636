/**
 * Raw-bucket keys as files of the local raw bucket, checked to exist and to stay inside it.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { checkKey, inputFormat } from './args';
import { invalid, notFound } from './errors';
import type { InputFile } from './readers/types';

/** The file of a raw object: Glue.EntityNotFoundException when there is none, InvalidInput when it leads outside. */
export async function resolveObject(rawDir: string, key: string): Promise<string> {
  checkKey(key);
  const realRaw = await fs.realpath(rawDir).catch(() => rawDir);
  const file = path.join(rawDir, ...key.split('/'));
  let real: string;
  try {
    real = await fs.realpath(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw notFound(`input '${key}' does not exist in the raw bucket`);
    throw e;
  }
  if (path.relative(realRaw, real).startsWith('..') || path.isAbsolute(path.relative(realRaw, real))) {
    throw invalid(`input '${key}' leads outside the raw bucket`);
  }
  if (!(await fs.stat(real)).isFile()) throw notFound(`input '${key}' is not an object`);
  return file;
}

/** Uploads (mode 'file', replays and rebuilds of datasets): each with the format its name tells. */
export async function resolveInputs(rawDir: string, keys: string[]): Promise<InputFile[]> {
  const out: InputFile[] = [];
  for (const key of [...new Set(keys)]) {
    checkKey(key);
    const { format, gz } = inputFormat(key);
    out.push({ key, file: await resolveObject(rawDir, key), format, gz });
  }
  return out;
}
