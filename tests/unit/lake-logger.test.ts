/**
 * lib/lake-logger.ts: the lines of a LakeLogger are Powertools' own, byte for byte, whether a line took the path
 * without Powertools' replacer (plain data) or Powertools' printLog (anything else); and plain data does take it.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import fc from 'fast-check';
import { isPlainJsonData, LakeLogger, setLogPrinter } from '../../lib/lake-logger';

const SEED = 20261203;

/** Every line written to stdout and stderr while `fn` runs, with the stream it went to. */
function linesOf(fn: () => void): string[] {
  const lines: string[] = [];
  const capture = (stream: string) => (chunk: string | Uint8Array) => {
    lines.push(`${stream} ${typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')}`);
    return true;
  };
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture('stdout'));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture('stderr'));
  try {
    fn();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return lines;
}

const options = { serviceName: 'lake-logger-test', logLevel: 'TRACE' as const };
type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'critical';
const LEVELS: Level[] = ['trace', 'debug', 'info', 'warn', 'error', 'critical'];

/** What each logger prints for the same call (same clock, same context). */
function both(level: Level, message: string, extra: Record<string, unknown>) {
  const ours = new LakeLogger(options);
  const theirs = new Logger(options);
  for (const l of [ours, theirs]) l.appendKeys({ correlation_id: 'c-1' });
  return {
    ours: linesOf(() => ours[level](message, extra)),
    theirs: linesOf(() => theirs[level](message, extra)),
  };
}

/** Values Powertools' replacer changes or that JSON.stringify alone would fail on. */
function notPlain(): Record<string, unknown>[] {
  const cycle: Record<string, unknown> = { a: 1 };
  cycle.self = cycle;
  const deep: Record<string, unknown> = { leaf: 'x' };
  let d = deep;
  for (let i = 0; i < 8; i++) d = { down: d };
  return [
    { err: new Error('boom') },
    { nested: { list: [1, new TypeError('inner')] } },
    { big: 12345678901234567890n },
    { when: new Date(Date.UTC(2026, 11, 3)) },
    { set: new Set([1]), map: new Map([['k', 1]]) },
    { cycle },
    { deep: d },
    { fn: () => 1, sym: Symbol('s') },
  ];
}

describe('LakeLogger lines', () => {
  beforeAll(() => {
    setLogPrinter(undefined);
    jest.useFakeTimers({ now: Date.UTC(2026, 11, 3, 18, 0, 0) });
  });
  afterAll(() => jest.useRealTimers());

  it('prints plain data exactly as Powertools does, at every level, without its replacer', () => {
    // Protected in Powertools' types: every JSON line it prints asks for it.
    const proto = Logger.prototype as unknown as { getJsonReplacer: () => unknown };
    const replacer = jest.spyOn(proto, 'getJsonReplacer');
    try {
      fc.assert(
        fc.property(
          fc.constantFrom(...LEVELS),
          fc.string(),
          fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 4 })),
          (level, message, extra) => {
            replacer.mockClear();
            const { ours, theirs } = both(level, message, extra);
            expect(ours).toEqual(theirs);
            expect(ours).toHaveLength(1);
            // Powertools' logger asked for its replacer; ours did not.
            expect(replacer).toHaveBeenCalledTimes(1);
          },
        ),
        { seed: SEED, numRuns: 300 },
      );
      const ids = Array.from({ length: 500 }, (_, i) => `01KBM7Q8ZJ${String(i).padStart(16, '0')}`);
      const { ours, theirs } = both('info', 'events accepted', { count: 500, ids });
      expect(ours).toEqual(theirs);
      expect(ours[0]).toMatch(/^stdout \{"level":"INFO","message":"events accepted",/);
    } finally {
      replacer.mockRestore();
    }
  });

  it('leaves errors, bigints, dates, maps, cycles and deep trees to Powertools: the same lines', () => {
    for (const extra of notPlain()) {
      for (const level of LEVELS) {
        const { ours, theirs } = both(level, 'not plain', extra);
        expect(ours).toEqual(theirs);
        expect(ours).toHaveLength(1);
      }
    }
    expect(both('error', 'an error', { err: new Error('boom') }).ours[0]).toMatch(/"err":\{"name":"Error"/);
  });

  it('tells plain data from the rest', () => {
    expect(isPlainJsonData({ a: [1, 'x', null, true, { b: undefined }] })).toBe(true);
    expect(isPlainJsonData(Object.create(null))).toBe(true);
    for (const extra of notPlain()) expect(isPlainJsonData(extra)).toBe(false);
    class Point {
      x = 1;
    }
    expect(isPlainJsonData({ p: new Point() })).toBe(false);
  });

  it('takes a custom replacer into account: every line goes through Powertools with it', () => {
    const jsonReplacerFn = (key: string, value: unknown) => (key === 'secret' ? '***' : value);
    const ours = new LakeLogger({ ...options, jsonReplacerFn });
    const theirs = new Logger({ ...options, jsonReplacerFn });
    const a = linesOf(() => ours.info('m', { secret: 's', plain: 1 }));
    const b = linesOf(() => theirs.info('m', { secret: 's', plain: 1 }));
    expect(a).toEqual(b);
    expect(a[0]).toContain('"secret":"***"');
  });
});
