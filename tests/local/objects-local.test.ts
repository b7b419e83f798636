/** The local object store, for real, on the filesystem. */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  InvalidKeyError,
  InvalidRangeError,
  NoSuchKeyError,
  ObjectChangedError,
} from '../../lib/objects/errors';
import { checkLocalKey, LocalObjectStore } from '../../lib/objects/local';
import { tempLake } from '../support/raw-zone';

const md5 = (s: string | Buffer) => createHash('md5').update(s).digest('hex');

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

describe('local object store', () => {
  it('maps bucket roles to <LAKE_DIR>/raw and <LAKE_DIR>/curated and writes durably (no temp files left)', async () => {
    const lake = await tempLake('objects');
    const store = new LocalObjectStore(lake);
    await store.put('raw', 'uploads/orders/a.csv', 'a,b\n1,2\n');
    await store.put('curated', 'tables/x/part-0.json', Buffer.from('{}'));
    expect(await fs.readFile(path.join(lake, 'raw/uploads/orders/a.csv'), 'utf8')).toBe('a,b\n1,2\n');
    expect(await fs.readFile(path.join(lake, 'curated/tables/x/part-0.json'), 'utf8')).toBe('{}');
    expect(await fs.readdir(path.join(lake, '.objects/tmp'))).toEqual([]);
    // Overwrite replaces the object whole.
    await store.put('raw', 'uploads/orders/a.csv', 'new');
    expect(await fs.readFile(path.join(lake, 'raw/uploads/orders/a.csv'), 'utf8')).toBe('new');
  });

  it('head gives size, the MD5 etag (as S3 for single-part objects) and mtime; undefined when missing', async () => {
    const lake = await tempLake('objects');
    const store = new LocalObjectStore(lake);
    await store.put('raw', 'k/one.txt', 'hello');
    const info = await store.head('raw', 'k/one.txt');
    expect(info).toMatchObject({ key: 'k/one.txt', size: 5, etag: md5('hello') });
    expect(info!.lastModified).toBeInstanceOf(Date);
    expect(await store.head('raw', 'k/none.txt')).toBeUndefined();
    expect(await store.head('raw', 'k')).toBeUndefined(); // a folder is not an object
    // The etag follows the content.
    await store.put('raw', 'k/one.txt', 'hello!');
    expect((await store.head('raw', 'k/one.txt'))!.etag).toBe(md5('hello!'));
  });

  it('getRange reads inclusive ranges, clamps the end, and refuses impossible ranges', async () => {
    const lake = await tempLake('objects');
    const store = new LocalObjectStore(lake);
    await store.put('raw', 'r.bin', '0123456789');
    expect((await store.getRange('raw', 'r.bin', 2, 4)).toString()).toBe('234');
    expect((await store.getRange('raw', 'r.bin', 8, 100)).toString()).toBe('89');
    await expect(store.getRange('raw', 'r.bin', 10, 12)).rejects.toBeInstanceOf(InvalidRangeError);
    await expect(store.getRange('raw', 'r.bin', 3, 2)).rejects.toBeInstanceOf(InvalidRangeError);
    await expect(store.getRange('raw', 'missing', 0, 1)).rejects.toBeInstanceOf(NoSuchKeyError);
  });

  it('getStream streams the whole object', async () => {
    const lake = await tempLake('objects');
    const store = new LocalObjectStore(lake);
    await store.put('curated', 'a/b', 'streamed');
    expect(await readAll(await store.getStream('curated', 'a/b'))).toBe('streamed');
    await expect(store.getStream('curated', 'a/c')).rejects.toBeInstanceOf(NoSuchKeyError);
  });

  it('move puts the object at the new key and removes the old one', async () => {
    const lake = await tempLake('objects');
    const store = new LocalObjectStore(lake);
    await store.put('raw', 'uploads/orders/bad file.csv', 'x');
    await store.move('raw', 'uploads/orders/bad file.csv', 'quarantine/2026-01-01/orders/bad file.csv');
    expect(await store.head('raw', 'uploads/orders/bad file.csv')).toBeUndefined();
    expect((await store.head('raw', 'quarantine/2026-01-01/orders/bad file.csv'))!.size).toBe(1);
    await expect(store.move('raw', 'uploads/none', 'x/y')).rejects.toBeInstanceOf(NoSuchKeyError);
  });

  it('move of the version looked at: refused, and nothing moved, once the file was written again', async () => {
    const lake = await tempLake('objects');
    const store = new LocalObjectStore(lake);
    await store.put('raw', 'uploads/orders/a.csv', 'old');
    const looked = (await store.head('raw', 'uploads/orders/a.csv'))!;
    await store.put('raw', 'uploads/orders/a.csv', 'new');
    await expect(store.move('raw', 'uploads/orders/a.csv', 'q/a.csv', looked)).rejects.toBeInstanceOf(
      ObjectChangedError,
    );
    expect(await store.head('raw', 'q/a.csv')).toBeUndefined();
    const now = (await store.head('raw', 'uploads/orders/a.csv'))!;
    // A chmod changes the version id, not the object (as the uploads watcher judges it): moved all the same.
    await new Promise((r) => setTimeout(r, 10));
    await fs.chmod(path.join(lake, 'raw/uploads/orders/a.csv'), 0o600);
    expect((await store.head('raw', 'uploads/orders/a.csv'))!.versionId).not.toBe(now.versionId);
    await store.move('raw', 'uploads/orders/a.csv', 'q/a.csv', now);
    expect(await fs.readFile(path.join(lake, 'raw/q/a.csv'), 'utf8')).toBe('new');
  });

  it('lists by prefix in S3 (UTF-8 byte) order, files only', async () => {
    const lake = await tempLake('objects');
    const store = new LocalObjectStore(lake);
    for (const k of [
      'uploads/orders/b.csv',
      'uploads/orders/a.csv',
      'uploads/ordersX/c.csv',
      'uploads/z/é.csv',
      'other/x',
    ])
      await store.put('raw', k, 'x');
    expect((await store.list('raw', 'uploads/orders/')).map((o) => o.key)).toEqual([
      'uploads/orders/a.csv',
      'uploads/orders/b.csv',
    ]);
    expect((await store.list('raw', 'uploads/ord')).map((o) => o.key)).toEqual([
      'uploads/orders/a.csv',
      'uploads/orders/b.csv',
      'uploads/ordersX/c.csv',
    ]);
    expect((await store.list('raw', '')).map((o) => o.key)).toEqual([
      'other/x',
      'uploads/orders/a.csv',
      'uploads/orders/b.csv',
      'uploads/ordersX/c.csv',
      'uploads/z/é.csv',
    ]);
    expect(await store.list('raw', 'nothing/')).toEqual([]);
    expect(await store.list('raw', '../')).toEqual([]);
  });

  it('refuses keys that would leave the bucket folder, and changes nothing', async () => {
    const lake = await tempLake('objects');
    const store = new LocalObjectStore(lake);
    await fs.writeFile(path.join(lake, 'secret.txt'), 'secret');
    for (const key of [
      '../secret.txt',
      'a/../../secret.txt',
      '/etc/passwd',
      'a//b',
      './a',
      'a/',
      '',
      // A path separator on Windows only: elsewhere an ordinary character (below).
      ...(path.sep === '\\' ? ['a\\..\\b'] : []),
      'a\0b',
    ])
      await expect(store.put('raw', key, 'x')).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(store.head('raw', '../secret.txt')).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(store.getRange('curated', '../secret.txt', 0, 1)).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(store.move('raw', 'a', '../../x')).rejects.toBeInstanceOf(InvalidKeyError);
    expect(() => checkLocalKey('x'.repeat(1025))).toThrow(InvalidKeyError);
    expect(await fs.readFile(path.join(lake, 'secret.txt'), 'utf8')).toBe('secret');
    expect(await fs.readdir(lake)).toEqual(['secret.txt']);
  });

  it('keeps a key with backslashes as one object named literally, inside the bucket folder (POSIX)', async () => {
    if (path.sep === '\\') return; // refused above on Windows
    const lake = await tempLake('objects');
    const store = new LocalObjectStore(lake);
    await store.put('raw', 'uploads/orders/x\\..\\..\\y.csv', 'x');
    expect(await fs.readdir(path.join(lake, 'raw', 'uploads', 'orders'))).toEqual(['x\\..\\..\\y.csv']);
    expect(await store.head('raw', 'uploads/orders/x\\..\\..\\y.csv')).toMatchObject({ size: 1 });
    expect((await fs.readdir(lake)).filter((n) => !n.startsWith('.'))).toEqual(['raw']); // .objects: the store's metadata
  });

  it('does not follow a symlink out of the bucket folder', async () => {
    const lake = await tempLake('objects');
    const store = new LocalObjectStore(lake);
    await fs.writeFile(path.join(lake, 'outside.txt'), 'outside');
    await fs.mkdir(path.join(lake, 'raw/uploads'), { recursive: true });
    await fs.symlink(path.join(lake, 'outside.txt'), path.join(lake, 'raw/uploads/link.txt'));
    await expect(store.getRange('raw', 'uploads/link.txt', 0, 3)).rejects.toBeInstanceOf(InvalidKeyError);
  });
});
