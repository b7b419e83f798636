/**
 * The object store on AWS: S3. A bucket role maps to its bucket through the environment (RAW_BUCKET,
 * CURATED_BUCKET), read when the role is first used, so a function only needs the variables of the buckets it uses.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  type CreateMultipartUploadCommandInput,
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  paginateListObjectsV2,
  PutObjectCommand,
  S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { requiredEnv } from '../config';
import { checkRange, InvalidRangeError, NoSuchKeyError, ObjectChangedError } from './errors';
import type { BucketRole, ObjectInfo, ObjectStore } from './types';

/** CopyObject copies at most 5 GiB; larger objects are copied in parts (UploadPartCopy). */
export const COPY_OBJECT_MAX_BYTES = 5 * 1024 ** 3;
/** Part size of a multipart copy (S3: 5 MiB to 5 GiB, at most 10,000 parts): larger for objects over ~5 TB / 10,000. */
export const COPY_PART_BYTES = 512 * 1024 ** 2;
const COPY_MAX_PARTS = 10_000;
/** Parts copied at once: S3 copies each on its side, so a large object's move is bounded by its slowest parts. */
export const COPY_PARTS_AT_ONCE = 16;

const ENV_OF_ROLE: Record<BucketRole, string> = { raw: 'RAW_BUCKET', curated: 'CURATED_BUCKET' };

interface AwsError {
  name?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}
const statusOf = (e: unknown) => (e as AwsError).$metadata?.httpStatusCode;
const nameOf = (e: unknown) => (e as AwsError).name ?? (e as AwsError).Code;

/** S3 ETags come quoted ("abc…"); events and the local store give them bare. */
export const bareEtag = (etag: string | undefined) => etag?.replace(/^"|"$/g, '');

/** The checksum algorithms S3 may keep with an object, in the order they are looked for. */
const CHECKSUM_ALGORITHMS = ['CRC64NVME', 'CRC32', 'CRC32C', 'SHA1', 'SHA256'] as const;

/**
 * `<algorithm>:<base64>` of the whole object from a HeadObject answer asked with ChecksumMode ENABLED (ObjectInfo
 * checksum), or undefined: none kept, or a multipart upload's composite (a checksum of its parts' checksums, which
 * depends on how the file was cut: its value ends in -<parts>).
 */
export function fullObjectChecksum(
  res: Pick<HeadObjectCommandOutput, 'ChecksumType' | `Checksum${(typeof CHECKSUM_ALGORITHMS)[number]}`>,
): string | undefined {
  if (res.ChecksumType === 'COMPOSITE') return undefined;
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = res[`Checksum${algorithm}`];
    if (typeof value === 'string' && value && !/-\d+$/.test(value)) return `${algorithm}:${value}`;
  }
  return undefined;
}

/** `bucket/key` for x-amz-copy-source: URL-encoded, slashes kept. */
export const copySource = (bucket: string, key: string) =>
  `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;

export class S3ObjectStore implements ObjectStore {
  constructor(
    private readonly s3: S3Client,
    private readonly buckets: Partial<Record<BucketRole, string>> = {},
  ) {}

  /** The bucket name of a role (constructor argument, else env RAW_BUCKET / CURATED_BUCKET). */
  bucketName(role: BucketRole): string {
    const env = ENV_OF_ROLE[role];
    if (!env) throw new Error(`unknown bucket role '${String(role)}'`);
    return (this.buckets[role] ??= requiredEnv(env));
  }

  async head(bucket: BucketRole, key: string): Promise<ObjectInfo | undefined> {
    try {
      // With its checksum (ObjectInfo checksum): for an SSE-KMS object this needs kms:Decrypt, which a role that
      // reads the objects has.
      const res = await this.s3.send(
        new HeadObjectCommand({ Bucket: this.bucketName(bucket), Key: key, ChecksumMode: 'ENABLED' }),
      );
      const checksum = fullObjectChecksum(res);
      return {
        key,
        size: res.ContentLength ?? 0,
        ...(res.ETag ? { etag: bareEtag(res.ETag) } : {}),
        ...(res.VersionId ? { versionId: res.VersionId } : {}),
        ...(res.LastModified ? { lastModified: res.LastModified } : {}),
        ...(checksum ? { checksum } : {}),
      };
    } catch (e) {
      // 404 needs s3:ListBucket on the bucket; without it S3 answers 403 and that is thrown as it is.
      if (statusOf(e) === 404 || nameOf(e) === 'NotFound' || nameOf(e) === 'NoSuchKey') return undefined;
      throw e;
    }
  }

  async getRange(bucket: BucketRole, key: string, start: number, end: number): Promise<Buffer> {
    checkRange(key, start, end);
    const name = this.bucketName(bucket);
    try {
      const res = await this.s3.send(
        new GetObjectCommand({ Bucket: name, Key: key, Range: `bytes=${start}-${end}` }),
      );
      if (!res.Body) return Buffer.alloc(0);
      return Buffer.from(await res.Body.transformToByteArray());
    } catch (e) {
      if (nameOf(e) === 'NoSuchKey' || statusOf(e) === 404) throw new NoSuchKeyError(name, key);
      if (nameOf(e) === 'InvalidRange' || statusOf(e) === 416) throw new InvalidRangeError(key, start, end);
      throw e;
    }
  }

  async getStream(bucket: BucketRole, key: string): Promise<NodeJS.ReadableStream> {
    const name = this.bucketName(bucket);
    try {
      const res = await this.s3.send(new GetObjectCommand({ Bucket: name, Key: key }));
      if (!res.Body) throw new Error(`GetObject of '${key}' returned no body`);
      return res.Body as NodeJS.ReadableStream;
    } catch (e) {
      if (nameOf(e) === 'NoSuchKey' || statusOf(e) === 404) throw new NoSuchKeyError(name, key);
      throw e;
    }
  }

  async put(bucket: BucketRole, key: string, body: Buffer | string, contentType?: string): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucketName(bucket),
        Key: key,
        Body: body,
        ...(contentType ? { ContentType: contentType } : {}),
      }),
    );
  }

  async move(bucket: BucketRole, fromKey: string, toKey: string, version?: ObjectInfo): Promise<void> {
    const name = this.bucketName(bucket);
    const info = version ?? (await this.head(bucket, fromKey));
    if (!info) throw new NoSuchKeyError(name, fromKey);
    // The version that was looked at, not one written since: in a versioned bucket that version is copied and then
    // deleted (an object written under the key meanwhile stays, and its own event sees it); otherwise the copy
    // requires its ETag, and the key is deleted.
    const source =
      copySource(name, fromKey) + (info.versionId ? `?versionId=${encodeURIComponent(info.versionId)}` : '');
    try {
      if (info.size > COPY_OBJECT_MAX_BYTES) await this.copyInParts(name, fromKey, source, toKey, info);
      else
        await this.s3.send(
          new CopyObjectCommand({
            Bucket: name,
            Key: toKey,
            CopySource: source,
            ...(info.etag ? { CopySourceIfMatch: `"${info.etag}"` } : {}),
            MetadataDirective: 'COPY',
          }),
        );
    } catch (e) {
      // The version given is not the key's object any more (an unversioned bucket: its ETag no longer matches).
      if (version && (e as { name?: string }).name === 'PreconditionFailed')
        throw new ObjectChangedError(name, fromKey);
      throw e;
    }
    await this.s3.send(
      new DeleteObjectCommand({
        Bucket: name,
        Key: fromKey,
        ...(info.versionId ? { VersionId: info.versionId } : {}),
      }),
    );
  }

  /**
   * The headers, user metadata and tags of the version moved, for the multipart upload that copies it: CopyObject
   * (MetadataDirective COPY, tags copied by default) keeps them; a multipart upload starts with none.
   */
  private async copiedAttributes(
    name: string,
    fromKey: string,
    info: ObjectInfo,
  ): Promise<Omit<CreateMultipartUploadCommandInput, 'Bucket' | 'Key'>> {
    const version = info.versionId ? { VersionId: info.versionId } : {};
    const [head, tagging] = await Promise.all([
      this.s3.send(new HeadObjectCommand({ Bucket: name, Key: fromKey, ...version })),
      this.s3.send(new GetObjectTaggingCommand({ Bucket: name, Key: fromKey, ...version })),
    ]);
    const tags = (tagging?.TagSet ?? [])
      .map((t) => `${encodeURIComponent(t.Key ?? '')}=${encodeURIComponent(t.Value ?? '')}`)
      .join('&');
    const kept = {
      ContentType: head.ContentType,
      ContentEncoding: head.ContentEncoding,
      ContentDisposition: head.ContentDisposition,
      ContentLanguage: head.ContentLanguage,
      CacheControl: head.CacheControl,
      Expires: head.Expires,
      Metadata: head.Metadata && Object.keys(head.Metadata).length ? head.Metadata : undefined,
      Tagging: tags || undefined,
    };
    return Object.fromEntries(Object.entries(kept).filter(([, v]) => v !== undefined));
  }

  private async copyInParts(
    name: string,
    fromKey: string,
    source: string,
    toKey: string,
    info: ObjectInfo,
  ): Promise<void> {
    const attributes = await this.copiedAttributes(name, fromKey, info);
    const { UploadId } = await this.s3.send(
      new CreateMultipartUploadCommand({ Bucket: name, Key: toKey, ...attributes }),
    );
    if (!UploadId) throw new Error(`CreateMultipartUpload for '${toKey}' returned no upload id`);
    try {
      const mib = 1024 ** 2;
      const partBytes = Math.max(COPY_PART_BYTES, Math.ceil(info.size / COPY_MAX_PARTS / mib) * mib);
      const count = Math.ceil(info.size / partBytes);
      const parts: { ETag: string; PartNumber: number }[] = new Array(count);
      const copyPart = async (n: number) => {
        const start = (n - 1) * partBytes;
        const end = Math.min(start + partBytes, info.size) - 1;
        const res = await this.s3.send(
          new UploadPartCopyCommand({
            Bucket: name,
            Key: toKey,
            UploadId,
            PartNumber: n,
            CopySource: source,
            CopySourceRange: `bytes=${start}-${end}`,
            ...(info.etag ? { CopySourceIfMatch: `"${info.etag}"` } : {}),
          }),
        );
        const etag = res.CopyPartResult?.ETag;
        if (!etag) throw new Error(`UploadPartCopy of part ${n} of '${info.key}' returned no ETag`);
        parts[n - 1] = { ETag: etag, PartNumber: n };
      };
      // COPY_PARTS_AT_ONCE copies in flight, each taking the next part; the first failure stops them all.
      let next = 1;
      let failed = false;
      const copier = async () => {
        while (!failed && next <= count) {
          const n = next++;
          try {
            await copyPart(n);
          } catch (e) {
            failed = true;
            throw e;
          }
        }
      };
      // Every copy in flight settled before the upload is aborted: a part that S3 finishes after the abort would stay
      // stored (and billed) under the aborted upload.
      const settled = await Promise.allSettled(
        Array.from({ length: Math.min(COPY_PARTS_AT_ONCE, count) }, copier),
      );
      const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failure) throw failure.reason;
      await this.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: name,
          Key: toKey,
          UploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    } catch (e) {
      await this.s3
        .send(new AbortMultipartUploadCommand({ Bucket: name, Key: toKey, UploadId }))
        .catch(() => undefined); // the bucket's lifecycle rule aborts it later anyway
      throw e;
    }
  }

  async list(bucket: BucketRole, prefix: string): Promise<ObjectInfo[]> {
    const out: ObjectInfo[] = [];
    for await (const page of paginateListObjectsV2(
      { client: this.s3 },
      { Bucket: this.bucketName(bucket), Prefix: prefix },
    )) {
      for (const o of page.Contents ?? []) {
        if (!o.Key) continue;
        out.push({
          key: o.Key,
          size: o.Size ?? 0,
          ...(o.ETag ? { etag: bareEtag(o.ETag) } : {}),
          ...(o.LastModified ? { lastModified: o.LastModified } : {}),
        });
      }
    }
    return out;
  }
}
