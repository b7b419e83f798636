/** Fault injection for the local stand-ins (lib/faults.ts): parsing, and the guarantees the system test relies on. */
import { Faults, parseFaults } from '../../lib/faults';

const faults = (spec: string, seed = 7) => new Faults(parseFaults(spec, { LAKE_FAULTS_SEED: String(seed) }));

describe('LAKE_FAULTS', () => {
  it('parses rates, transientAttempts and the legacy LAKE_FIREHOSE_FAULT_RATE', () => {
    const s = parseFaults('glue.fail=0.25, sns.fail=1,transientAttempts=3', {
      LAKE_FIREHOSE_FAULT_RATE: '0.5',
      LAKE_FAULTS_SEED: '42',
    });
    expect(s).toEqual({
      rates: { 'firehose.partial': 0.5, 'glue.fail': 0.25, 'sns.fail': 1 },
      transientAttempts: 3,
      seed: 42,
    });
    expect(parseFaults(undefined, {}).rates).toEqual({});
    expect(new Faults(parseFaults('', {})).enabled).toBe(false);
  });

  it.each([
    ['glue.explode=0.1', /unknown fault 'glue.explode'/],
    ['sns.fail=1.5', /from 0 to 1/],
    ['sns.fail=abc', /from 0 to 1/],
    ['sns.fail', /not name=value/],
    ['transientAttempts=0', /integer >= 1/],
  ])('refuses %s', (spec, message) => {
    expect(() => parseFaults(spec, {})).toThrow(message);
  });
});

describe('injected faults', () => {
  it('a transient fault never hits one operation more than transientAttempts times in a row', () => {
    const f = faults('sns.fail=1,transientAttempts=2');
    for (let op = 0; op < 200; op++) {
      let failures = 0;
      while (f.transient('sns.fail', `op-${op}`)) failures++;
      expect(failures).toBeGreaterThanOrEqual(1); // rate 1: every operation is hit at least once
      expect(failures).toBeLessThanOrEqual(2);
    }
  });

  it('a transient fault hits about its share of operations, and none at rate 0', () => {
    const f = faults('sns.fail=0.3');
    let hit = 0;
    for (let op = 0; op < 2000; op++) if (f.transient('sns.fail', `op-${op}`)) hit++;
    expect(hit / 2000).toBeGreaterThan(0.25);
    expect(hit / 2000).toBeLessThan(0.35);
    const none = faults('glue.fail=1');
    for (let op = 0; op < 100; op++) expect(none.transient('sns.fail', `op-${op}`)).toBe(false);
  });

  it('a permanent fault gives the same answer for an operation every time, and the same for a seed', () => {
    const a = faults('glue.fail=0.5', 1);
    const b = faults('glue.fail=0.5', 1);
    const c = faults('glue.fail=0.5', 2);
    const keys = Array.from({ length: 200 }, (_, i) => `run-${i}`);
    const first = keys.map((k) => a.permanent('glue.fail', k));
    expect(keys.map((k) => a.permanent('glue.fail', k))).toEqual(first);
    expect(keys.map((k) => b.permanent('glue.fail', k))).toEqual(first);
    expect(keys.map((k) => c.permanent('glue.fail', k))).not.toEqual(first);
    expect(first.filter(Boolean).length).toBeGreaterThan(60);
    expect(first.filter(Boolean).length).toBeLessThan(140);
  });

  it('counts what it injected and reports each fault to its callback', () => {
    const seen: string[] = [];
    const f = new Faults(parseFaults('uploads.duplicate=1', { LAKE_FAULTS_SEED: '3' }), (name) =>
      seen.push(name),
    );
    expect(f.hit('uploads.duplicate')).toBe(true);
    expect(f.hit('firehose.throttle')).toBe(false);
    f.count('uploads.shuffle');
    expect(f.snapshot()).toEqual({ 'uploads.duplicate': 1, 'uploads.shuffle': 1 });
    expect(seen).toEqual(['uploads.duplicate', 'uploads.shuffle']);
  });

  it('shuffles with its seed, keeping every item', () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    const s1 = faults('uploads.shuffle=1', 9).shuffle(items);
    expect([...s1].sort((x, y) => x - y)).toEqual(items);
    expect(faults('uploads.shuffle=1', 9).shuffle(items)).toEqual(s1);
    expect(s1).not.toEqual(items);
  });
});
