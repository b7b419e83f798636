/**
 * The object-store port: S3 on AWS, the local filesystem on the local lake (<LAKE_DIR>/<bucket>/<key>).
 * Buckets are named by their role in the lake; each runtime maps a role to its bucket (env RAW_BUCKET,
 * CURATED_BUCKET on AWS; folders raw/ and curated/ locally).
 */
export type BucketRole = 'raw' | 'curated';

export interface ObjectInfo {
  key: string;
  size: number;
  etag?: string;
  versionId?: string;
  lastModified?: Date;
  /**
   * A checksum of the whole object that S3 keeps with it (`<algorithm>:<base64>`; S3 adds CRC64NVME to an object
   * uploaded without one), when it has one of the whole object rather than a multipart upload's composite: the same
   * value and size mean the same bytes whatever the encryption (an SSE-KMS object's ETag is not its MD5, nor is a
   * multipart upload's). The local store gives none: its ETag is its content's MD5.
   */
  checksum?: string;
}

export interface ObjectStore {
  /** Metadata, or undefined when the object does not exist. */
  head(bucket: BucketRole, key: string): Promise<ObjectInfo | undefined>;
  /** Bytes [start, end] inclusive (a range read; never the whole object unless it is that small). */
  getRange(bucket: BucketRole, key: string, start: number, end: number): Promise<Buffer>;
  /** A stream of the whole object (for readers that stop early). */
  getStream(bucket: BucketRole, key: string): Promise<NodeJS.ReadableStream>;
  put(bucket: BucketRole, key: string, body: Buffer | string, contentType?: string): Promise<void>;
  /**
   * Copies then deletes: the object is at `toKey` before it leaves `fromKey`. Given `version` (the object as head
   * described it), that version and no other: in a versioned bucket it is moved even if written again since (the
   * newer object stays under the key); otherwise ObjectChangedError when the key holds another object now.
   */
  move(bucket: BucketRole, fromKey: string, toKey: string, version?: ObjectInfo): Promise<void>;
  list(bucket: BucketRole, prefix: string): Promise<ObjectInfo[]>;
}
