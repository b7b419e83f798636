/**
 * Chooses the object store for the runtime: S3 on AWS, the lake's folders on the local lake.
 * One instance per execution environment (cold start).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { lakeDir, runtime } from '../config';
import { LocalObjectStore } from './local';
import { S3ObjectStore } from './s3';
import type { ObjectStore } from './types';

let current: ObjectStore | undefined;

export function objectStore(): ObjectStore {
  current ??= runtime() === 'aws' ? new S3ObjectStore(new S3Client({})) : new LocalObjectStore(lakeDir());
  return current;
}

/** For tests: use this store instead of the runtime's (undefined: choose again on next use). */
export function setObjectStore(store: ObjectStore | undefined): void {
  current = store;
}

export type { BucketRole, ObjectInfo, ObjectStore } from './types';
