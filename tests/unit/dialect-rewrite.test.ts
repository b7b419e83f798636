/**
 * The token-level rewrites of lib/query/dialect/calls.ts, on names that are also properties of every JavaScript
 * object: they are SQL names like any other (a lookup table must not answer for them).
 */
import { toDuckDbSql } from '../../lib/query/trino-compat';

it.each(['toString', 'constructor', 'valueOf', 'hasOwnProperty', '__proto__'])(
  'leaves a call named %s as written',
  (name) => {
    const sql = `SELECT ${name}(1, '%Y') AS x`;
    expect(toDuckDbSql(sql)).toBe(sql);
  },
);

it('still rewrites what it rewrites: date_format with a constant format, transform, CAST target types', () => {
  expect(toDuckDbSql("SELECT date_format(ts, '%Y-%m-%d %H:%i') FROM t")).toBe(
    "SELECT strftime(ts, '%Y-%m-%d %H:%M') FROM t",
  );
  expect(toDuckDbSql('SELECT transform(xs, x -> x + 1) FROM t')).toMatch(/^SELECT list_transform\(xs, /);
  expect(toDuckDbSql('SELECT CAST(x AS ARRAY(BIGINT)) FROM t')).toBe('SELECT CAST(x AS BIGINT[]) FROM t');
  expect(toDuckDbSql("SELECT date_format(ts, fmt), date_format(ts, '%Y', 3) FROM t")).toBe(
    "SELECT date_format(ts, fmt), date_format(ts, '%Y', 3) FROM t",
  );
});
