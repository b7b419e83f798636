/**
 * The query function's bundle gives node-sql-parser lib/query/sql-guard/big-integer-as-number.cjs in place of
 * big-integer (serverless.yml custom.esbuild.alias). The Trino grammar, loaded once with each, must give the same
 * tree for every integer literal — at and around Number.MAX_SAFE_INTEGER, where it chooses between a number and a
 * `bigint` literal — and the stand-in must refuse anything it was not written for.
 */
import type { Parser as TrinoParser } from 'node-sql-parser/build/trino';

const STAND_IN = '../../lib/query/sql-guard/big-integer-as-number.cjs';

function trinoWith(bigInteger: 'library' | 'stand-in'): TrinoParser {
  let parser: TrinoParser | undefined;
  jest.isolateModules(() => {
    if (bigInteger === 'stand-in') jest.doMock('big-integer', () => jest.requireActual(STAND_IN));
    const { Parser } = require('node-sql-parser/build/trino') as typeof import('node-sql-parser/build/trino');
    parser = new Parser();
  });
  jest.dontMock('big-integer');
  return parser!;
}

const LITERALS = [
  '0',
  '7',
  '007',
  '-1',
  '+5',
  '123456789012345',
  '9007199254740990',
  '9007199254740991',
  '9007199254740992',
  '9007199254740993',
  '-9007199254740991',
  '-9007199254740993',
  '18446744073709551616',
  '99999999999999999999999999999999999999',
  '1.5',
  '12345678901234567890.25',
  '1e3',
  '9007199254740993e2',
  '.5',
];

describe('big-integer-as-number: what the query bundle gives the Trino grammar for big-integer', () => {
  const library = trinoWith('library');
  const standIn = trinoWith('stand-in');
  const parse = (p: TrinoParser, sql: string) => p.astify(sql, { database: 'trino' });

  it('is the stand-in that the second parser loaded (the test can tell them apart)', () => {
    const stand = jest.requireActual(STAND_IN) as (v: unknown) => unknown;
    expect(() => stand('0x10')).toThrow(/big-integer-as-number\.cjs.*"0x10"/);
    expect(stand('9007199254740993')).toBe(9007199254740992);
  });

  it.each(LITERALS)('%s: the same tree with either', (literal) => {
    for (const sql of [
      `SELECT ${literal}`,
      `SELECT x FROM t WHERE x > ${literal} LIMIT 10`,
      `SELECT - ${literal}`,
      `SELECT ${literal} % 3, CAST(${literal} AS bigint)`,
    ]) {
      expect(parse(standIn, sql)).toEqual(parse(library, sql));
    }
  });

  it('keeps the grammar choosing a bigint literal from Number.MAX_SAFE_INTEGER on', () => {
    const column = (sql: string) =>
      (parse(standIn, sql) as { columns: { expr: unknown }[] }).columns[0]!.expr;
    expect(column('SELECT 9007199254740990')).toEqual({ type: 'number', value: 9007199254740990 });
    expect(column('SELECT 9007199254740991')).toEqual({ type: 'bigint', value: '9007199254740991' });
    expect(column('SELECT 9007199254740993')).toEqual({ type: 'bigint', value: '9007199254740993' });
  });

  it('refuses what it was not written for instead of answering differently', () => {
    const stand = jest.requireActual(STAND_IN) as (v: unknown) => unknown;
    for (const v of ['1e3', '1.5', '', ' 1', {}, undefined]) expect(() => stand(v)).toThrow(TypeError);
  });
});
