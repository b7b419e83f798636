/** Server-made event ids: ULIDs (26 chars, Crockford base32), lexicographically ordered by creation time. */
import { monotonicFactory } from 'ulid';

const next = monotonicFactory();

export const newEventId = (now: number = Date.now()): string => next(now);
