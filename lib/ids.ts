/** Server-made event ids: ULIDs (26 chars, Crockford base32), lexicographically ordered by creation time. */
import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

// A cryptographically random PRNG that draws from a pooled buffer: one syscall per 4,096 numbers instead of one
// per id character.
const pool = new Uint32Array(4096);
let next = pool.length;
const prng = (): number => {
  if (next >= pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  return pool[next++]! / 4294967296;
};

const factory = monotonicFactory(prng);

export const newEventId = (now: number = Date.now()): string => factory(now);
