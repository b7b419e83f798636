import fc from 'fast-check';
import { byCodePoint } from '../../lib/code-point-order';

describe('code point order (the Glue job sorts with Python, S3 lists by UTF-8 bytes)', () => {
  it('orders as UTF-8 bytes do, characters over U+FFFF and in U+E000–U+FFFF included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        expect(Math.sign(byCodePoint(a, b))).toBe(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
      }),
      { seed: 20261207, numRuns: 2000 },
    );
    expect(['a1', 'a_1', 'B', 'a', '\u{1F600}', '\uFF01'].sort(byCodePoint)).toEqual([
      'B',
      'a',
      'a1',
      'a_1',
      '\uFF01',
      '\u{1F600}',
    ]);
  });
});
