/** The arguments of `npm run replay -- <table>` and `npm run rebuild -- <table>` (local/cli/table-mode.ts). */
import { tableArgument, UsageError } from '../../local/cli/table-mode';

describe('npm run replay / rebuild arguments', () => {
  it('takes one lake table, and --no-wait', () => {
    expect(tableArgument('replay', ['orders'])).toEqual({ table: 'orders', wait: true });
    expect(tableArgument('rebuild', ['--no-wait', 'page_view'])).toEqual({ table: 'page_view', wait: false });
  });

  it('refuses anything else with the usage and the tables', () => {
    for (const argv of [[], ['orders', 'customers'], ['--table'], ['nope']]) {
      expect(() => tableArgument('replay', argv)).toThrow(UsageError);
    }
    expect(() => tableArgument('rebuild', ['nope'])).toThrow(
      /no table 'nope'[\s\S]*npm run rebuild -- <table>.*orders/,
    );
  });
});
