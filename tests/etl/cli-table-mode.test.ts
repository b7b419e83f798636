/**
 * The arguments of `npm run replay -- <table>` and `npm run rebuild -- <table>` (local/cli/table-mode.ts), and of the
 * CLIs' shared parser (local/cli/args.ts): --help, unknown options, a second `--`.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { schemasDir } from '../../lib/catalog/tables';
import { cliArgs } from '../../local/cli/args';
import { tableArgument, tableCommand, TableUnreadableError, UsageError } from '../../local/cli/table-mode';

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
    // What was wrong, in its own words, before the usage.
    expect(() => tableArgument('replay', ['orders', 'customers'])).toThrow(
      /^one table at a time \(got 'orders' 'customers'\)\nusage: npm run replay -- <table>/,
    );
    expect(() => tableArgument('replay', [])).toThrow(/^which table\?\nusage: npm run replay -- <table>/);
  });

  it('a table whose schema file does not read is named with why, not as no table', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'table-mode-'));
    try {
      cpSync(schemasDir, dir, { recursive: true });
      writeFileSync(path.join(dir, 'datasets', 'customers.json'), '{bad');
      expect(() => tableArgument('replay', ['customers'], dir)).toThrow(
        /^table 'customers' cannot be read: schemas\/datasets\/customers\.json is not valid JSON: .*\(npm run schemas:check\)$/,
      );
      // A refused change of schemas/ (exit status 1, as when another table is named), not a usage error (2).
      expect(() => tableArgument('replay', ['customers'], dir)).toThrow(TableUnreadableError);
      const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        expect(tableCommand('replay', ['customers'], dir)).toBe(1);
        expect(tableCommand('rebuild', ['customers'], dir)).toBe(1);
        expect(stderr).toHaveBeenCalledWith(expect.stringMatching(/^table 'customers' cannot be read: /));
      } finally {
        stderr.mockRestore();
      }
      expect(() => tableArgument('replay', ['nope'], dir)).toThrow(/^no table 'nope'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("ends with the command's exit code: 0 after --help, 2 on a usage error", () => {
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(tableCommand('replay', ['--help'])).toBe(0);
      expect(tableCommand('rebuild', ['nope'])).toBe(2);
      expect(stderr).toHaveBeenCalledWith(expect.stringMatching(/^no table 'nope'/));
      expect(tableCommand('replay', ['orders', '--no-wait'])).toEqual({ table: 'orders', wait: false });
    } finally {
      stderr.mockRestore();
      stdout.mockRestore();
    }
  });

  it('--help is the usage (exit 0), not an error', () => {
    expect(tableArgument('rebuild', ['--help'])).toBe('help');
    const out = new PassThrough();
    expect(cliArgs(['-h'], {}, 'usage: x', out)).toBe('help');
    expect(out.read().toString()).toBe('usage: x\n');
  });

  it('says what was wrong in its own words: an unknown option, a second --', () => {
    expect(() => cliArgs(['--bogus'], {}, 'usage: x')).toThrow(/^unknown option '--bogus'\nusage: x$/);
    // A value that starts with a dash, a value left out: one line each, not parseArgs' three.
    const limit = { limit: { type: 'string' as const, short: 'l' } };
    expect(() => cliArgs(['--limit', '-1'], limit, 'usage: x')).toThrow(
      /^--limit takes a value, and what follows it is an option; a value that starts with a dash is written --limit=-…\nusage: x$/,
    );
    expect(() => cliArgs(['-l', '-1'], limit, 'usage: x')).toThrow(
      /^-l takes a value, and what follows it is an option; a value that starts with a dash is written --limit=-…\nusage: x$/,
    );
    expect(() => cliArgs(['--limit'], limit, 'usage: x')).toThrow(
      /^--limit takes a value: --limit <value>\nusage: x$/,
    );
    // `npm run rebuild -- orders -- --no-wait`: npm passes `orders -- --no-wait`.
    expect(() => tableArgument('rebuild', ['orders', '--', '--no-wait'])).toThrow(
      /^one '--' is enough: .*\(--no-wait\)\nusage: npm run rebuild/,
    );
  });
});
