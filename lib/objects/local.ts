/**
 * The object store on the local lake: bucket role → folder <LAKE_DIR>/<role>/ (raw/, curated/), key → file path.
 *
 *  - Keys are checked before any filesystem call: no empty, `.` or `..` segments, no leading or trailing '/', no
 *    backslash or NUL, at most 1,024 UTF-8 bytes; reads also refuse files whose real path (symlinks resolved)
 *    lies outside the bucket's folder. Nothing outside <LAKE_DIR>/<role>/ can be named.
 *  - put is durable and atomic: a temporary file under <LAKE_DIR>/.objects/tmp/ is written, fsynced and renamed
 *    into place, then the folder is fsynced. Readers (and the uploads watcher) never see a half-written object.
 *  - move is a rename (atomic: the object is at the new key before it leaves the old one), falling back to copy
 *    then delete across filesystems; the moved object's modification time is the move's, as S3's copy gives the
 *    new object its own LastModified.
 *  - ETags are the MD5 of the content (hex), as S3 gives for objects uploaded in one part; they are cached per
 *    (inode, size, mtime).
 */
import { fsyncDir, writeFileDurably } from '../durable-fs';
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs, type Dirent, type Stats } from 'node:fs';
import path from 'node:path';
import { InvalidKeyError, InvalidRangeError, NoSuchKeyError, ObjectChangedError, checkRange } from './errors';
import type { BucketRole, ObjectInfo, ObjectStore } from './types';

const ROLES: readonly BucketRole[] = ['raw', 'curated'];
const MAX_KEY_BYTES = 1024;

/** Throws InvalidKeyError unless `key` names an object inside a bucket folder. */
export function checkLocalKey(key: string): void {
  if (typeof key !== 'string' || key === '') throw new InvalidKeyError(String(key), 'empty');
  if (Buffer.byteLength(key) > MAX_KEY_BYTES)
    throw new InvalidKeyError(key, `longer than ${MAX_KEY_BYTES} bytes`);
  if (key.includes('\0')) throw new InvalidKeyError(key, 'contains NUL');
  // A backslash is an ordinary character of S3 keys and POSIX file names, but a path separator on Windows.
  if (path.sep === '\\' && key.includes('\\'))
    throw new InvalidKeyError(key, 'contains a backslash (a path separator here)');
  if (key.startsWith('/')) throw new InvalidKeyError(key, 'starts with /');
  if (key.endsWith('/')) throw new InvalidKeyError(key, 'ends with / (a folder, not an object)');
  for (const seg of key.split('/')) {
    if (seg === '') throw new InvalidKeyError(key, 'has an empty path segment');
    if (seg === '.' || seg === '..') throw new InvalidKeyError(key, `has a '${seg}' path segment`);
  }
}

const isNotFound = (e: unknown) => ['ENOENT', 'ENOTDIR'].includes((e as NodeJS.ErrnoException).code ?? '');

/** MD5 (hex) of a file, streamed. */
/**
 * The version of a local object, as S3 gives each PUT of a versioned bucket (the raw bucket is versioned) its own
 * VersionId: the file's inode and change time. Writing, copying or moving a file under the key (a quarantined file
 * moved back) makes a new version; reading it, or restarting the lake, does not.
 */
export function localVersionId(stat: Pick<Stats, 'ino' | 'ctimeMs'>): string {
  return `${stat.ino.toString(36)}.${Math.round(stat.ctimeMs * 1000).toString(36)}`;
}

export async function md5File(file: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export class LocalObjectStore implements ObjectStore {
  private readonly tmpDir: string;
  private readonly etags = new Map<string, { stamp: string; etag: string }>();
  private realRoots = new Map<BucketRole, string>();

  constructor(readonly lakeDir: string) {
    this.tmpDir = path.join(lakeDir, '.objects', 'tmp');
  }

  /** The folder of a bucket role. */
  bucketDir(role: BucketRole): string {
    if (!ROLES.includes(role)) throw new Error(`unknown bucket role '${String(role)}'`);
    return path.join(this.lakeDir, role);
  }

  /** The file of an object (after checking the key). */
  pathOf(role: BucketRole, key: string): string {
    checkLocalKey(key);
    const root = this.bucketDir(role);
    const file = path.resolve(root, ...key.split('/'));
    if (!file.startsWith(root + path.sep)) throw new InvalidKeyError(key, 'leaves the bucket folder');
    return file;
  }

  /** The file of an existing object, refusing symlinks that lead out of the bucket folder. */
  private async existingPath(
    role: BucketRole,
    key: string,
  ): Promise<{ file: string; stat: Stats } | undefined> {
    const file = this.pathOf(role, key);
    let real: string;
    let stat: Stats;
    try {
      real = await fs.realpath(file);
      stat = await fs.stat(real);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
    if (!stat.isFile()) return undefined;
    let root = this.realRoots.get(role);
    if (!root) this.realRoots.set(role, (root = await fs.realpath(this.bucketDir(role))));
    if (!real.startsWith(root + path.sep))
      throw new InvalidKeyError(key, 'resolves outside the bucket folder');
    return { file: real, stat };
  }

  private async etagOf(file: string, stat: Stats): Promise<string> {
    const stamp = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
    const cached = this.etags.get(file);
    if (cached?.stamp === stamp) return cached.etag;
    const etag = await md5File(file);
    this.etags.set(file, { stamp, etag });
    if (this.etags.size > 10_000) this.etags.delete(this.etags.keys().next().value!);
    return etag;
  }

  async head(bucket: BucketRole, key: string): Promise<ObjectInfo | undefined> {
    const found = await this.existingPath(bucket, key);
    if (!found) return undefined;
    return {
      key,
      size: found.stat.size,
      etag: await this.etagOf(found.file, found.stat),
      versionId: localVersionId(found.stat),
      lastModified: new Date(found.stat.mtimeMs),
    };
  }

  async getRange(bucket: BucketRole, key: string, start: number, end: number): Promise<Buffer> {
    checkRange(key, start, end);
    const found = await this.existingPath(bucket, key);
    if (!found) throw new NoSuchKeyError(bucket, key);
    const fh = await fs.open(found.file, 'r');
    try {
      const { size } = await fh.stat();
      if (start >= size) throw new InvalidRangeError(key, start, end, size);
      const length = Math.min(end, size - 1) - start + 1;
      const buf = Buffer.alloc(length);
      let off = 0;
      while (off < length) {
        const { bytesRead } = await fh.read(buf, off, length - off, start + off);
        if (bytesRead === 0) break;
        off += bytesRead;
      }
      return off === length ? buf : buf.subarray(0, off);
    } finally {
      await fh.close();
    }
  }

  async getStream(bucket: BucketRole, key: string): Promise<NodeJS.ReadableStream> {
    const found = await this.existingPath(bucket, key);
    if (!found) throw new NoSuchKeyError(bucket, key);
    return createReadStream(found.file);
  }

  async put(bucket: BucketRole, key: string, body: Buffer | string, _contentType?: string): Promise<void> {
    const target = this.pathOf(bucket, key);
    await fs.mkdir(this.tmpDir, { recursive: true });
    await fs.mkdir(path.dirname(target), { recursive: true });
    await writeFileDurably(target, body, { tmpDir: this.tmpDir });
  }

  async move(bucket: BucketRole, fromKey: string, toKey: string, version?: ObjectInfo): Promise<void> {
    const from = this.pathOf(bucket, fromKey);
    const to = this.pathOf(bucket, toKey);
    const found = await this.existingPath(bucket, fromKey);
    if (!found) throw new NoSuchKeyError(bucket, fromKey);
    // No versions here: the file must still be the one looked at — its version id, or else its content (a chmod
    // changes the id, not the object, as the uploads watcher judges it).
    if (
      version?.versionId &&
      localVersionId(found.stat) !== version.versionId &&
      (await this.etagOf(found.file, found.stat)) !== version.etag
    )
      throw new ObjectChangedError(bucket, fromKey);
    await fs.mkdir(path.dirname(to), { recursive: true });
    try {
      await fs.rename(from, to);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
      await this.put(bucket, toKey, await fs.readFile(found.file));
      await fs.unlink(from);
    }
    // The object at toKey is a new object, as S3's copy makes one: its LastModified is the time of the move.
    const now = new Date();
    await fs.utimes(to, now, now);
    await fsyncDir(path.dirname(to));
    if (path.dirname(to) !== path.dirname(from)) await fsyncDir(path.dirname(from));
  }

  async list(bucket: BucketRole, prefix: string): Promise<ObjectInfo[]> {
    const root = this.bucketDir(bucket);
    // Start at the deepest folder the prefix names; a prefix that cannot be a key's start lists nothing.
    const dirPart = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    if (dirPart) {
      try {
        checkLocalKey(dirPart);
      } catch {
        return [];
      }
    }
    const out: ObjectInfo[] = [];
    const walk = async (dir: string, keyPrefix: string): Promise<void> => {
      let entries: Dirent[];
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
      for (const e of entries) {
        const key = keyPrefix + e.name;
        if (e.isDirectory()) {
          if ((key + '/').startsWith(prefix) || prefix.startsWith(key + '/'))
            await walk(path.join(dir, e.name), key + '/');
        } else if (e.isFile() && key.startsWith(prefix)) {
          const stat = await fs.stat(path.join(dir, e.name)).catch(() => undefined);
          if (stat) out.push({ key, size: stat.size, lastModified: new Date(stat.mtimeMs) });
        }
      }
    };
    await walk(dirPart ? path.join(root, ...dirPart.split('/')) : root, dirPart ? dirPart + '/' : '');
    // S3 lists in UTF-8 byte order.
    return out.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  }
}
