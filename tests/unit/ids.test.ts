/**
 * Server-made event ids (lib/ids.ts): the very ids ulid's monotonicFactory makes for the same times and the same
 * random numbers — a new millisecond, the same millisecond many times, the clock going back — and so ULIDs that sort
 * in the order they were made.
 */
import fc from 'fast-check';
import { decodeTime, isValid, monotonicFactory } from 'ulid';
import { prng as seeded } from '../../lib/faults';
import { monotonicIds, newEventId } from '../../lib/ids';

describe('event ids', () => {
  it('are the ids of ulid’s monotonic factory for any sequence of times', () => {
    const steps = fc.array(
      fc.oneof(fc.constant(0), fc.integer({ min: -5, max: -1 }), fc.integer({ min: 1, max: 9 })),
      {
        minLength: 1,
        maxLength: 300,
      },
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 }), steps, (seed, deltas) => {
        const ours = monotonicIds(seeded(seed));
        const library = monotonicFactory(seeded(seed));
        let now = 1_780_000_000_000;
        for (const delta of deltas) {
          now += delta;
          expect(ours(now)).toBe(library(now));
        }
      }),
      { seed: 20261203, numRuns: 300 },
    );
  });

  it('sort in the order they were made, with the time they were made at (or the last, when the clock went back)', () => {
    const t = Date.UTC(2026, 11, 3, 12);
    const ids = [newEventId(t), newEventId(t), newEventId(t), newEventId(t - 1000), newEventId(t + 1)];
    for (const id of ids) expect(isValid(id)).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.map((id) => decodeTime(id))).toEqual([t, t, t, t, t + 1]);
  });
});
