/**
 * Execution names (lib/workflow/names.ts): Step Functions takes 1-80 characters of letters, digits, '-' and '_'; a
 * replay or rebuild of a table of any name the catalog allows (up to 63 characters) must get one.
 */
import { EXECUTION_NAME, executionName, retryName } from '../../lib/workflow/names';

const at = new Date('2026-12-05T02:56:12.345Z');

describe('executionName', () => {
  it('is <prefix>-<time to the millisecond> when it fits', () => {
    expect(executionName('rebuild-orders', at)).toBe('rebuild-orders-20261205T025612345Z');
  });

  it('fits 80 characters for the longest table name, and keeps two long names apart', () => {
    const long = 'a'.repeat(58);
    const one = executionName(`rebuild-${long}x_one`, at);
    const two = executionName(`rebuild-${long}x_two`, at);
    for (const name of [one, two, executionName(`replay-${'t'.repeat(63)}`, at)]) {
      expect(name).toMatch(EXECUTION_NAME);
      expect(name.length).toBeLessThanOrEqual(80);
      expect(name.endsWith('-20261205T025612345Z')).toBe(true);
    }
    expect(one.startsWith(`rebuild-${long.slice(0, 20)}`)).toBe(true);
    expect(one).not.toBe(two);
    // A retry of it fits too.
    expect(retryName(one, 12)).toMatch(EXECUTION_NAME);
  });
});
