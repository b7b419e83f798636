/** The S3 object store adapter, with S3 mocked (aws-sdk-client-mock). */
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { InvalidRangeError, NoSuchKeyError, ObjectChangedError } from '../../lib/objects/errors';
import {
  COPY_OBJECT_MAX_BYTES,
  COPY_PART_BYTES,
  COPY_PARTS_AT_ONCE,
  copySource,
  S3ObjectStore,
} from '../../lib/objects/s3';

const s3 = mockClient(S3Client);
const store = () =>
  new S3ObjectStore(new S3Client({ region: 'us-east-1' }), { raw: 'raw-bkt', curated: 'cur-bkt' });
const body = (bytes: Buffer) => ({ transformToByteArray: async () => new Uint8Array(bytes) }) as never;
const awsError = (name: string, status: number) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

beforeEach(() => {
  s3.reset();
  delete process.env.RAW_BUCKET;
  delete process.env.CURATED_BUCKET;
});

describe('S3 object store', () => {
  it('maps bucket roles to RAW_BUCKET / CURATED_BUCKET and names a missing variable', async () => {
    process.env.RAW_BUCKET = 'env-raw';
    s3.on(HeadObjectCommand).resolves({ ContentLength: 3, ETag: '"abc"', VersionId: 'v1' });
    const st = new S3ObjectStore(new S3Client({ region: 'us-east-1' }));
    expect(await st.head('raw', 'k')).toEqual({ key: 'k', size: 3, etag: 'abc', versionId: 'v1' });
    expect(s3).toHaveReceivedCommandWith(HeadObjectCommand, { Bucket: 'env-raw', Key: 'k' });
    await expect(st.head('curated', 'k')).rejects.toThrow('environment variable CURATED_BUCKET is required');
  });

  it("head asks for the checksum and gives the whole-object one, never a multipart upload's composite", async () => {
    s3.on(HeadObjectCommand)
      .resolvesOnce({
        ContentLength: 3,
        ETag: '"kms"',
        ChecksumCRC64NVME: 'AAAAAAAAAAA=',
        ChecksumType: 'FULL_OBJECT',
      })
      .resolvesOnce({ ContentLength: 3, ETag: '"x"', ChecksumSHA256: 'q1w2e3=' })
      .resolvesOnce({ ContentLength: 3, ETag: '"y-2"', ChecksumCRC32: 'abcd==-2', ChecksumType: 'COMPOSITE' })
      .resolvesOnce({ ContentLength: 3, ETag: '"z-3"', ChecksumCRC32C: 'efgh==-3' });
    const st = store();
    expect((await st.head('raw', 'a'))!.checksum).toBe('CRC64NVME:AAAAAAAAAAA=');
    expect((await st.head('raw', 'b'))!.checksum).toBe('SHA256:q1w2e3=');
    expect(await st.head('raw', 'c')).not.toHaveProperty('checksum');
    expect(await st.head('raw', 'd')).not.toHaveProperty('checksum');
    expect(s3.commandCalls(HeadObjectCommand).map((c) => c.args[0].input.ChecksumMode)).toEqual(
      Array(4).fill('ENABLED'),
    );
  });

  it('head: undefined for a missing object (404), other errors thrown', async () => {
    s3.on(HeadObjectCommand)
      .rejectsOnce(awsError('NotFound', 404))
      .rejectsOnce(awsError('AccessDenied', 403));
    expect(await store().head('raw', 'gone')).toBeUndefined();
    await expect(store().head('raw', 'secret')).rejects.toThrow('AccessDenied');
  });

  it('getRange sends an inclusive Range header and returns the bytes', async () => {
    s3.on(GetObjectCommand).resolves({ Body: body(Buffer.from('hello')) });
    expect((await store().getRange('raw', 'a/b.csv', 10, 14)).toString()).toBe('hello');
    expect(s3).toHaveReceivedCommandWith(GetObjectCommand, {
      Bucket: 'raw-bkt',
      Key: 'a/b.csv',
      Range: 'bytes=10-14',
    });
    await expect(store().getRange('raw', 'a', 5, 4)).rejects.toBeInstanceOf(InvalidRangeError);
    expect(s3).toHaveReceivedCommandTimes(GetObjectCommand, 1);
  });

  it('getRange maps NoSuchKey and InvalidRange', async () => {
    s3.on(GetObjectCommand)
      .rejectsOnce(awsError('NoSuchKey', 404))
      .rejectsOnce(awsError('InvalidRange', 416));
    await expect(store().getRange('raw', 'x', 0, 1)).rejects.toBeInstanceOf(NoSuchKeyError);
    await expect(store().getRange('raw', 'x', 100, 200)).rejects.toBeInstanceOf(InvalidRangeError);
  });

  it('getStream returns the body stream', async () => {
    s3.on(GetObjectCommand).resolves({ Body: Readable.from([Buffer.from('ab'), Buffer.from('c')]) as never });
    const chunks: Buffer[] = [];
    for await (const c of await store().getStream('curated', 'k')) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('abc');
    expect(s3).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: 'cur-bkt', Key: 'k' });
  });

  it('put sends the body and content type', async () => {
    s3.on(PutObjectCommand).resolves({});
    await store().put('raw', 'quarantine/x.reason.json', '{}', 'application/json');
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: 'raw-bkt',
      Key: 'quarantine/x.reason.json',
      Body: '{}',
      ContentType: 'application/json',
    });
  });

  it('move copies (only the version looked at) and then deletes, with an encoded copy source', async () => {
    s3.on(HeadObjectCommand).resolves({ ContentLength: 10, ETag: '"e1"' });
    s3.on(CopyObjectCommand).resolves({});
    s3.on(DeleteObjectCommand).resolves({});
    await store().move('raw', 'uploads/orders/my file+é.csv', 'quarantine/2026-01-01/orders/my file+é.csv');
    expect(s3).toHaveReceivedCommandWith(CopyObjectCommand, {
      Bucket: 'raw-bkt',
      Key: 'quarantine/2026-01-01/orders/my file+é.csv',
      CopySource: 'raw-bkt/uploads/orders/my%20file%2B%C3%A9.csv',
      CopySourceIfMatch: '"e1"',
    });
    expect(s3).toHaveReceivedCommandWith(DeleteObjectCommand, {
      Bucket: 'raw-bkt',
      Key: 'uploads/orders/my file+é.csv',
    });
    const calls = s3.calls().map((c) => c.args[0].constructor.name);
    expect(calls).toEqual(['HeadObjectCommand', 'CopyObjectCommand', 'DeleteObjectCommand']);
  });

  it('move in a versioned bucket copies and deletes the version it looked at, not one written since', async () => {
    s3.on(HeadObjectCommand).resolves({ ContentLength: 10, ETag: '"e1"', VersionId: 'v/1+' });
    s3.on(CopyObjectCommand).resolves({});
    s3.on(DeleteObjectCommand).resolves({});
    await store().move('raw', 'uploads/orders/a.csv', 'quarantine/2026-01-01/orders/a.csv');
    expect(s3).toHaveReceivedCommandWith(CopyObjectCommand, {
      CopySource: 'raw-bkt/uploads/orders/a.csv?versionId=v%2F1%2B',
      CopySourceIfMatch: '"e1"',
    });
    // A version id, not the key's current object: a file uploaded again under the key meanwhile stays.
    expect(s3).toHaveReceivedCommandWith(DeleteObjectCommand, {
      Bucket: 'raw-bkt',
      Key: 'uploads/orders/a.csv',
      VersionId: 'v/1+',
    });
  });

  it('move of a version given: that version, without looking again, even if the key was written since', async () => {
    s3.on(CopyObjectCommand).resolves({});
    s3.on(DeleteObjectCommand).resolves({});
    const looked = { key: 'uploads/orders/a.csv', size: 10, etag: 'e1', versionId: 'v1' };
    await store().move('raw', looked.key, 'quarantine/2026-01-01/orders/a.csv', looked);
    expect(s3).toHaveReceivedCommandTimes(HeadObjectCommand, 0);
    expect(s3).toHaveReceivedCommandWith(CopyObjectCommand, {
      CopySource: 'raw-bkt/uploads/orders/a.csv?versionId=v1',
      CopySourceIfMatch: '"e1"',
    });
    expect(s3).toHaveReceivedCommandWith(DeleteObjectCommand, { Key: looked.key, VersionId: 'v1' });
  });

  it('move of a version given, in a bucket without versions: ObjectChangedError once the ETag differs', async () => {
    s3.on(CopyObjectCommand).rejects(awsError('PreconditionFailed', 412));
    const looked = { key: 'uploads/orders/a.csv', size: 10, etag: 'e1' };
    await expect(store().move('raw', looked.key, 'q/a.csv', looked)).rejects.toBeInstanceOf(
      ObjectChangedError,
    );
    expect(s3).toHaveReceivedCommandTimes(DeleteObjectCommand, 0);
  });

  it('move does not delete when the copy fails', async () => {
    s3.on(HeadObjectCommand).resolves({ ContentLength: 10, ETag: '"e1"' });
    s3.on(CopyObjectCommand).rejects(awsError('PreconditionFailed', 412));
    await expect(store().move('raw', 'a', 'b')).rejects.toThrow('PreconditionFailed');
    expect(s3).toHaveReceivedCommandTimes(DeleteObjectCommand, 0);
  });

  it('move copies objects over 5 GiB in parts (UploadPartCopy), then deletes', async () => {
    const size = COPY_OBJECT_MAX_BYTES + 1;
    s3.on(HeadObjectCommand).resolves({ ContentLength: size, ETag: '"big"' });
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up1' });
    s3.on(UploadPartCopyCommand).callsFake((input) => ({
      CopyPartResult: { ETag: `"p${input.PartNumber}"` },
    }));
    s3.on(CompleteMultipartUploadCommand).resolves({});
    s3.on(DeleteObjectCommand).resolves({});
    await store().move('raw', 'uploads/d/big.csv', 'quarantine/d/big.csv');
    const parts = s3.commandCalls(UploadPartCopyCommand).map((c) => c.args[0].input);
    expect(parts).toHaveLength(Math.ceil(size / COPY_PART_BYTES));
    expect(parts[0]).toMatchObject({
      PartNumber: 1,
      CopySourceRange: `bytes=0-${COPY_PART_BYTES - 1}`,
      UploadId: 'up1',
    });
    expect(parts.at(-1)!.CopySourceRange).toBe(`bytes=${(parts.length - 1) * COPY_PART_BYTES}-${size - 1}`);
    expect(s3).toHaveReceivedCommandWith(CompleteMultipartUploadCommand, {
      UploadId: 'up1',
      MultipartUpload: {
        Parts: parts.map((p) => ({ ETag: `"p${p.PartNumber}"`, PartNumber: p.PartNumber })),
      },
    });
    expect(s3).toHaveReceivedCommandTimes(CopyObjectCommand, 0);
    expect(s3).toHaveReceivedCommandTimes(DeleteObjectCommand, 1);
  });

  it("a multipart copy keeps the object's content headers, user metadata and tags, of the version moved, as CopyObject does", async () => {
    const size = COPY_OBJECT_MAX_BYTES + 1;
    s3.on(HeadObjectCommand).resolves({
      ContentLength: size,
      ETag: '"big"',
      ContentType: 'text/csv',
      ContentEncoding: 'gzip',
      ContentDisposition: 'attachment',
      CacheControl: 'no-cache',
      Metadata: { producer: 'nightly' },
    });
    s3.on(GetObjectTaggingCommand).resolves({
      TagSet: [
        { Key: 'team', Value: 'data eng' },
        { Key: 'a&b', Value: 'x=y' },
      ],
    });
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up5' });
    s3.on(UploadPartCopyCommand).callsFake((input) => ({
      CopyPartResult: { ETag: `"p${input.PartNumber}"` },
    }));
    s3.on(CompleteMultipartUploadCommand).resolves({});
    s3.on(DeleteObjectCommand).resolves({});
    await store().move('raw', 'uploads/d/big.csv.gz', 'quarantine/d/big.csv.gz', {
      key: 'uploads/d/big.csv.gz',
      size,
      etag: 'big',
      versionId: 'v1',
    });
    expect(s3).toHaveReceivedCommandWith(HeadObjectCommand, { Key: 'uploads/d/big.csv.gz', VersionId: 'v1' });
    expect(s3).toHaveReceivedCommandWith(GetObjectTaggingCommand, {
      Key: 'uploads/d/big.csv.gz',
      VersionId: 'v1',
    });
    expect(s3.commandCalls(CreateMultipartUploadCommand)[0]!.args[0].input).toEqual({
      Bucket: 'raw-bkt',
      Key: 'quarantine/d/big.csv.gz',
      ContentType: 'text/csv',
      ContentEncoding: 'gzip',
      ContentDisposition: 'attachment',
      CacheControl: 'no-cache',
      Metadata: { producer: 'nightly' },
      Tagging: 'team=data%20eng&a%26b=x%3Dy',
    });
  });

  it('a multipart copy runs COPY_PARTS_AT_ONCE parts at once, with parts large enough for 10,000 at most', async () => {
    const size = 6 * 1024 ** 4; // 6 TiB: 12,288 parts of 512 MiB, over S3's 10,000
    s3.on(HeadObjectCommand).resolves({ ContentLength: size, ETag: '"huge"' });
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up3' });
    let inFlight = 0;
    let most = 0;
    s3.on(UploadPartCopyCommand).callsFake(async (input) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return { CopyPartResult: { ETag: `"p${input.PartNumber}"` } };
    });
    s3.on(CompleteMultipartUploadCommand).resolves({});
    s3.on(DeleteObjectCommand).resolves({});
    await store().move('raw', 'uploads/d/huge.csv', 'quarantine/d/huge.csv');
    expect(most).toBe(COPY_PARTS_AT_ONCE);
    const parts = s3.commandCalls(UploadPartCopyCommand).map((c) => c.args[0].input);
    expect(parts.length).toBeLessThanOrEqual(10_000);
    const [first, last] = [parts[0]!.CopySourceRange!, parts.at(-1)!.CopySourceRange!];
    const partBytes = Number(/-(\d+)$/.exec(first)![1]) + 1;
    expect(partBytes % 1024 ** 2).toBe(0);
    expect(parts).toHaveLength(Math.ceil(size / partBytes));
    expect(last).toBe(`bytes=${(parts.length - 1) * partBytes}-${size - 1}`);
    const completed = s3.commandCalls(CompleteMultipartUploadCommand)[0]!.args[0].input.MultipartUpload!
      .Parts!;
    expect(completed.map((p) => p.PartNumber)).toEqual(parts.map((_, i) => i + 1));
  });

  it('a failed multipart copy is aborted once the parts in flight have settled', async () => {
    s3.on(HeadObjectCommand).resolves({ ContentLength: COPY_OBJECT_MAX_BYTES * 4, ETag: '"big"' });
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up4' });
    const order: string[] = [];
    s3.on(UploadPartCopyCommand).callsFake(async (input) => {
      if (input.PartNumber === 1) {
        await new Promise((r) => setTimeout(r, 5));
        order.push('part 1 failed');
        throw awsError('InternalError', 500);
      }
      await new Promise((r) => setTimeout(r, 30));
      order.push(`part ${input.PartNumber} copied`);
      return { CopyPartResult: { ETag: `"p${input.PartNumber}"` } };
    });
    s3.on(AbortMultipartUploadCommand).callsFake(async () => {
      order.push('aborted');
      return {};
    });
    await expect(store().move('raw', 'a', 'b')).rejects.toThrow('InternalError');
    expect(order[0]).toBe('part 1 failed');
    expect(order.at(-1)).toBe('aborted');
    expect(order.filter((o) => o.endsWith('copied'))).toHaveLength(COPY_PARTS_AT_ONCE - 1);
    expect(s3).toHaveReceivedCommandTimes(CompleteMultipartUploadCommand, 0);
    expect(s3).toHaveReceivedCommandTimes(DeleteObjectCommand, 0);
  });

  it('a failed multipart copy is aborted and nothing is deleted', async () => {
    s3.on(HeadObjectCommand).resolves({ ContentLength: COPY_OBJECT_MAX_BYTES * 2, ETag: '"big"' });
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up2' });
    s3.on(UploadPartCopyCommand).rejects(awsError('InternalError', 500));
    s3.on(AbortMultipartUploadCommand).resolves({});
    await expect(store().move('raw', 'a', 'b')).rejects.toThrow('InternalError');
    expect(s3).toHaveReceivedCommandWith(AbortMultipartUploadCommand, { UploadId: 'up2', Key: 'b' });
    expect(s3).toHaveReceivedCommandTimes(DeleteObjectCommand, 0);
  });

  it('move of a missing object fails clearly', async () => {
    s3.on(HeadObjectCommand).rejects(awsError('NotFound', 404));
    await expect(store().move('raw', 'nope', 'x')).rejects.toBeInstanceOf(NoSuchKeyError);
  });

  it('list follows continuation tokens', async () => {
    s3.on(ListObjectsV2Command)
      .resolvesOnce({
        Contents: [{ Key: 'p/a', Size: 1, ETag: '"x"' }],
        IsTruncated: true,
        NextContinuationToken: 't1',
      })
      .resolvesOnce({ Contents: [{ Key: 'p/b', Size: 2 }], IsTruncated: false });
    const items = await store().list('raw', 'p/');
    expect(items.map((i) => [i.key, i.size, i.etag])).toEqual([
      ['p/a', 1, 'x'],
      ['p/b', 2, undefined],
    ]);
    const inputs = s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input);
    expect(inputs[0]).toMatchObject({ Bucket: 'raw-bkt', Prefix: 'p/' });
    expect(inputs[1]).toMatchObject({ ContinuationToken: 't1' });
  });

  it('encodes copy sources per segment', () => {
    expect(copySource('b', 'a b/c?d#e/ü')).toBe('b/a%20b/c%3Fd%23e/%C3%BC');
  });
});
