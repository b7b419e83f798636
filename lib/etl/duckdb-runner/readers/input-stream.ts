/**
 * An input file as a stream (gunzipped for .gz inputs), and its first bytes as text.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { failed } from '../errors';

export function inputStream(file: string, gz: boolean): Readable {
  const s = createReadStream(file);
  if (!gz) return s;
  const g = createGunzip();
  s.on('error', (e) => g.destroy(e));
  g.on('close', () => s.destroy());
  return s.pipe(g);
}

export async function headText(
  file: string,
  gz: boolean,
  maxBytes: number,
  until?: (text: string) => boolean,
): Promise<string> {
  const stream = inputStream(file, gz);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= maxBytes) break;
      if (until && until(Buffer.concat(chunks).toString('utf8'))) break;
    }
  } catch (e) {
    throw failed(`cannot read '${file}': ${(e as Error).message}`, e);
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
}
