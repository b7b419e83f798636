/**
 * Table-name patterns the local lake matches with JavaScript's backtracking engine (lib/query/metadata/name-pattern.ts):
 * what could run for hours is told before it runs; what analysts write is taken.
 */
import { unboundedBacktracking } from '../../lib/query/metadata/name-pattern';

describe('unboundedBacktracking', () => {
  it.each([
    'order.*',
    '.*_view',
    'orders?',
    '(ab)?c',
    'x{2,}y',
    '[(*)]+x',
    'page_vie\\w+',
    'a.*b.*c.*d.*e.*f.*g',
    'x{3}y{2,2}z.*',
    // Alternatives are tried one after the other: their repetitions do not multiply.
    'a*|b*|c*|d*|e*|f*|g*|h*',
    '.*a.*b.*c|.*d.*e.*f|.*g',
    // Optional parts, as analysts write them: a quarter each.
    'o?r?d?e?r?s?_?',
    '(a?b?c?d?|e?f?g?h?)',
    'a{0,1}b{0,1}c{0,1}d{0,1}e{0,1}f{0,1}g{0,1}',
    '.?'.repeat(24) + 'x',
  ])('takes %s', (p) => expect(unboundedBacktracking(p)).toBeUndefined());

  it.each([
    ['(.*){18}!', /repeated group/],
    ['(a+)+b', /repeated group/],
    ['(a|b)*c', /repeated group/],
    ['((a)*x)+', /repeated group/],
    ['a.*b.*c.*d.*e.*f.*g.*h', /more than 6 repetitions of variable length/],
    // Optional and bounded repetitions backtrack too (.? 34 times took 56 s over a table's name).
    ['.?'.repeat(34) + 'x', /more than 6 repetitions of variable length/],
    ['.{0,63}'.repeat(7) + 'x', /more than 6 repetitions of variable length/],
    ['a.*b.*c|' + '.?'.repeat(25), /more than 6 repetitions of variable length/],
    ['a.*b.*c.*d.*e.*' + 'x?'.repeat(5), /more than 6 repetitions of variable length/],
    ['(.|.|.|.)+x', /repeated group/],
  ])('refuses %s', (p, why) => expect(unboundedBacktracking(p)).toMatch(why));
});
