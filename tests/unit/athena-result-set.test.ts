/**
 * The local lake's Athena API renders the engine's cells as Athena's ResultSet (local/athena/result-set.ts): column
 * metadata, the text of each value, and statement kinds (which results start with a header row).
 */
import { athenaCell } from '../../lib/query/athena';
import type { Cell } from '../../lib/query/types';
import { columnInfo, datum, parseType } from '../../local/athena/result-set';
import { statementKind } from '../../local/athena/statement';

const text = (cell: Cell, type: string) => datum(cell, parseType(type)).VarCharValue;

describe('ColumnInfo', () => {
  it.each([
    ['varchar', 'varchar', 2147483647, 0, true],
    ['bigint', 'bigint', 19, 0, false],
    ['integer', 'integer', 10, 0, false],
    ['smallint', 'smallint', 5, 0, false],
    ['tinyint', 'tinyint', 3, 0, false],
    ['double', 'double', 17, 0, false],
    ['real', 'float', 17, 0, false],
    ['decimal(10,2)', 'decimal', 10, 2, false],
    ['timestamp', 'timestamp', 3, 0, false],
    ['timestamp with time zone', 'timestamp with time zone', 3, 0, false],
    ['date', 'date', 0, 0, false],
    ['boolean', 'boolean', 0, 0, false],
    ['varbinary', 'varbinary', 1073741824, 0, false],
    ['array(bigint)', 'array', 0, 0, false],
    ['map(varchar, bigint)', 'map', 0, 0, false],
    ['row(a bigint, b varchar)', 'row', 0, 0, false],
    ['json', 'json', 0, 0, false],
  ])(
    '%s → Type %s, Precision %d, Scale %d, CaseSensitive %s',
    (type, base, precision, scale, caseSensitive) => {
      expect(columnInfo({ name: 'c', type })).toEqual({
        CatalogName: 'hive',
        SchemaName: '',
        TableName: '',
        Name: 'c',
        Label: 'c',
        Type: base,
        Precision: precision,
        Scale: scale,
        Nullable: 'UNKNOWN',
        CaseSensitive: caseSensitive,
      });
    },
  );
});

describe('values as Athena renders them', () => {
  it("doubles and reals in Java's notation", () => {
    expect(
      [1.5, 100, 0.30000000000000004, 1e20, 1e-7, 12345678.9, 0.001, -2.5e-4, 0].map((n) =>
        text(n, 'double'),
      ),
    ).toEqual([
      '1.5',
      '100.0',
      '0.30000000000000004',
      '1.0E20',
      '1.0E-7',
      '1.23456789E7',
      '0.001',
      '-2.5E-4',
      '0.0',
    ]);
    expect(['NaN', 'Infinity', '-Infinity'].map((n) => text(n, 'double'))).toEqual([
      'NaN',
      'Infinity',
      '-Infinity',
    ]);
    // A real arrives as the double nearest its 32-bit value: Athena prints the float's own shortest digits.
    expect([Math.fround(0.1), Math.fround(3.14159), Math.fround(1e10)].map((n) => text(n, 'real'))).toEqual([
      '0.1',
      '3.14159',
      '1.0E10',
    ]);
    // Java writes at least two digits, the pair nearest the exact value: the least subnormals (Double.MIN_VALUE is
    // 4.9E-324 in its javadoc, Float.MIN_VALUE 1.4E-45), where the shortest form has one digit that is not nearest.
    expect([5e-324, 1e-323, 2e-323].map((n) => text(n, 'double'))).toEqual([
      '4.9E-324',
      '9.9E-324',
      '2.0E-323',
    ]);
    expect([1.401298464324817e-45, 2.802596928649634e-45].map((n) => text(n, 'real'))).toEqual([
      '1.4E-45',
      '2.8E-45',
    ]);
  });

  it('decimals with their scale; integers, booleans, dates and timestamps as text', () => {
    expect(text(1.5, 'decimal(10,2)')).toBe('1.50');
    expect(text('12345678901234567.123', 'decimal(20,3)')).toBe('12345678901234567.123');
    expect(text('9223372036854775807', 'bigint')).toBe('9223372036854775807');
    expect(text(42, 'integer')).toBe('42');
    expect(text(true, 'boolean')).toBe('true');
    expect(text('2024-03-01', 'date')).toBe('2024-03-01');
    expect(text('2024-03-01 09:00:00.000', 'timestamp')).toBe('2024-03-01 09:00:00.000');
    expect(text('01 02 ff', 'varbinary')).toBe('01 02 ff');
  });

  it("arrays, maps and rows in Athena's notation; json as its text; NULL as no value", () => {
    expect(text([1, 2, null], 'array(bigint)')).toBe('[1, 2, null]');
    expect(text(['a, b', 'c'], 'array(varchar)')).toBe('[a, b, c]');
    expect(text([1.5, 1e20], 'array(double)')).toBe('[1.5, 1.0E20]');
    // A map in the order of the java.util.HashMap Trino prints (as measured on Athena: {j=2, k=1} for keys k, j).
    expect(text({ k: 1, j: 2 }, 'map(varchar, bigint)')).toBe('{j=2, k=1}');
    expect(text({ id: 1, name: 'x', tags: ['a'] }, 'row(id bigint, name varchar, tags array(varchar))')).toBe(
      '{id=1, name=x, tags=[a]}',
    );
    // A row's fields in its type's order, also a field named like an integer (an object lists "10" first).
    expect(text({ b: 1, 10: 2 }, 'row(b bigint, 10 bigint)')).toBe('{b=1, 10=2}');
    // A field name with a space, a comma or a quote, written unquoted in the type as Trino writes it (RowType's
    // display name): each field keeps its type, found by the value's names.
    expect(
      text({ 'a b': 1.1, 'c, d': 1e20, 'x"y': [2] }, 'row(a b decimal(3,2), c, d double, x"y array(real))'),
    ).toBe('{a b=1.10, c, d=1.0E20, x"y=[2.0]}');
    expect(
      text({ 'unit price': 25, 'order date': '2026-11-20' }, 'row(unit price double, order date date)'),
    ).toBe('{unit price=25.0, order date=2026-11-20}');
    expect(text({ a: [1, { b: null }] }, 'json')).toBe('{"a":[1,{"b":null}]}');
    expect(datum(null, parseType('varchar'))).toEqual({});
  });

  it('reads back as the AWS engine reads Athena (lib/query/athena.ts athenaCell)', () => {
    const cases: [Cell, string][] = [
      [42, 'bigint'],
      ['9223372036854775807', 'bigint'],
      [-1.25, 'double'],
      [1e20, 'double'],
      [Math.fround(0.1), 'real'],
      [12.5, 'decimal(10,2)'],
      [true, 'boolean'],
      ['text, with comma', 'varchar'],
      ['2024-03-01 09:00:00.000', 'timestamp'],
      [{ a: 1 }, 'json'],
    ];
    for (const [cell, type] of cases) {
      const back = athenaCell(text(cell, type), columnInfo({ name: 'c', type }));
      expect([type, back]).toEqual([type, type === 'real' ? Number(text(cell, type)) : cell]);
    }
  });
});

describe('statement kinds', () => {
  it.each([
    ['SELECT 1', 'DML', 'SELECT', true],
    ['  (WITH t AS (SELECT 1) SELECT * FROM t)', 'DML', 'SELECT', true],
    ['/* c */ EXPLAIN SELECT 1', 'DML', 'EXPLAIN', true],
    ['SHOW TABLES', 'UTILITY', 'SHOW_TABLES', false],
    ['SHOW CREATE TABLE page_view', 'UTILITY', 'SHOW_CREATE_TABLE', false],
    ['DESCRIBE page_view', 'UTILITY', 'DESCRIBE_TABLE', false],
    ['SHOW FUNCTIONS', 'UTILITY', 'SHOW_FUNCTIONS', true],
  ])('%s → %s / %s, header row: %s', (sql, statementType, substatementType, header) => {
    expect(statementKind(sql)).toEqual({ statementType, substatementType, header });
  });
});
