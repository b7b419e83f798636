/**
 * An input file as a stream (gunzipped for .gz inputs), its first bytes, its lines.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
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

/**
 * An input's bytes in chunks for a scan that keeps none of them: an uncompressed file is read into one reused 1 MiB
 * buffer (a chunk is valid until the next one is asked for), which costs a tenth of the CPU of a read stream's fresh
 * 64 KiB buffers (85 MB: ~10 against ~100-250 ms); a .gz one comes from the gunzip stream.
 */
export async function* inputChunks(file: string, gz: boolean): AsyncGenerator<Buffer> {
  if (gz) {
    for await (const chunk of inputStream(file, gz)) yield chunk as Buffer;
    return;
  }
  const handle = await open(file);
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/**
 * An input's first bytes: read until `enough` says the chunks so far are enough (it sees each chunk once, in order),
 * or until maxBytes, at most maxBytes.
 */
export async function headBytes(
  file: string,
  gz: boolean,
  maxBytes: number,
  enough: (chunk: Buffer) => boolean,
): Promise<Buffer> {
  const stream = inputStream(file, gz);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= maxBytes || enough(chunk)) break;
    }
  } catch (e) {
    throw failed(`cannot read '${file}': ${(e as Error).message}`, e);
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, maxBytes);
}

/**
 * The lines of an input as bytes, without their line end — LF, CRLF or a CR alone, as Hadoop's LineRecordReader ends
 * the lines the Glue job's JSON-lines reader reads — the last one also when no line end closes it: so that a line's
 * text is decoded strictly (utf8Text), where readline replaced bytes that are not UTF-8 with U+FFFD.
 */
export async function* inputLines(file: string, gz: boolean): AsyncGenerator<Buffer> {
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of inputStream(file, gz)) {
    const data = rest.length > 0 ? Buffer.concat([rest, chunk as Buffer]) : (chunk as Buffer);
    let start = 0;
    for (let i = 0; i < data.length; i++) {
      const b = data[i]!;
      if (b === 10) {
        yield data.subarray(start, i);
        start = i + 1;
      } else if (b === 13) {
        if (i + 1 === data.length) break; // a CR at the chunk's end: the next one tells CR from CRLF
        yield data.subarray(start, i);
        if (data[i + 1] === 10) i++;
        start = i + 1;
      }
    }
    rest = Buffer.from(data.subarray(start));
  }
  if (rest.length > 0) yield rest[rest.length - 1] === 13 ? rest.subarray(0, -1) : rest;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The bytes as UTF-8 text, or undefined when they are not UTF-8 (never a U+FFFD in their place). */
export function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}
