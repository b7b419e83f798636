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
  ])('takes %s', (p) => expect(unboundedBacktracking(p)).toBeUndefined());

  it.each([
    ['(.*){18}!', /repeated group/],
    ['(a+)+b', /repeated group/],
    ['(a|b)*c', /repeated group/],
    ['((a)*x)+', /repeated group/],
    ['a.*b.*c.*d.*e.*f.*g.*h', /more than 6 unbounded repetitions/],
  ])('refuses %s', (p, why) => expect(unboundedBacktracking(p)).toMatch(why));
});
