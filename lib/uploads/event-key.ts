/**
 * Which object an S3 "Object Created" event names. S3 event notifications carry the key URL-encoded, '+' for a space
 * (AWS's documentation of the notification format; Powertools decodes EventBridge's the same way), but an event of
 * EventBridge has been seen with a ':' left as it is: a key such as `Q1+Q2.csv` or `50%off.csv` may come unencoded.
 * The object is then the key as sent, not as decoded: the key decoded is looked up first, then the key as sent,
 * and the one that is the event's version (its ETag, its version id) is the event's object.
 */
import type { ObjectInfo, ObjectStore } from '../objects/types';
import type { ObjectCreated } from './event';
import { classifyKey } from './key';

/** An ETag without its quotes (S3's HeadObject quotes it, an event does not). */
export const normalizeEtag = (e: string | undefined) => e?.replace(/^"|"$/g, '');

/** Whether `info` is the version the event names (an event without an ETag or version id names whatever is there). */
function isEventVersion(ev: ObjectCreated, info: ObjectInfo): boolean {
  const etag = normalizeEtag(ev.etag);
  if (etag && info.etag && etag !== info.etag) return false;
  return !(ev.versionId && info.versionId && ev.versionId !== info.versionId);
}

/** The key of the object the event names: `ev.key`, or the key as the event sent it (`ev.sentKey`). */
export async function eventObjectKey(ev: ObjectCreated, objects: ObjectStore): Promise<string> {
  if (ev.sentKey === undefined || ev.sentKey === ev.key) return ev.key;
  // Only an upload's key is looked up (a key the check ignores is answered without a request).
  const upload = (k: string) => classifyKey(k).kind !== 'ignored';
  if (!upload(ev.key) || !upload(ev.sentKey)) return ev.key;
  const decoded = await objects.head('raw', ev.key);
  if (decoded && isEventVersion(ev, decoded)) return ev.key;
  const sent = await objects.head('raw', ev.sentKey);
  if (sent && (isEventVersion(ev, sent) || !decoded)) return ev.sentKey;
  return ev.key;
}
