/**
 * Athena's exact types through the lake's layers: declaring them (lib/catalog/lake-types.ts), their names in each
 * engine, the exact value checks the ETL's reasons come from (lib/catalog/value-checks.ts), JSON without rounding
 * (lib/exact-json.ts) and the top-level checks of ingest and validateUpload (lib/schema-exact-types.ts).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { datasetTable } from '../../lib/catalog/table-from-schema';
import { athenaType, declaredType, duckdbType, sqlType } from '../../lib/catalog/lake-types';
import { decimalProblem, exactValueProblem, integerProblem } from '../../lib/catalog/value-checks';
import {
  doubleOutOfRangeAt,
  integerTextOf,
  numberText,
  mayNeedSource,
  parseJsonExact,
  sameJsonValue,
  sameNumber,
  stringifyJsonExact,
  rememberedHolders,
} from '../../lib/exact-json';
import { exactTypeProblem } from '../../lib/schema-exact-types';
import { coerceCsvValue } from '../../lib/uploads/check-csv';
import { jsonChecker } from '../../lib/uploads/check-json';
import { sampleLimits } from '../../lib/uploads/types';
import { compileValidator } from '../../lib/validators/compile';
import { parquetTypeProblem } from '../../lib/uploads/check-parquet';
import { buildPlan } from '../../lib/etl/plan';
import type { ParquetColumn } from '../../lib/uploads/parquet';

/**
 * The upload check's verdict on a JSON-lines file of a `readings` dataset (a number and an object column) whose second
 * line holds `rest` after its key and day.
 */
function checkedReading(rest: string, document = false) {
  const readings = {
    type: 'object',
    required: ['id', 'day'],
    properties: {
      id: { type: 'string' },
      day: { type: 'string', format: 'date' },
      value: { type: 'number' },
      extra: { type: 'object' },
    },
    'x-lake': { primaryKey: ['id'], partitionBy: 'day', formats: ['jsonl' as const] },
  };
  const ds = {
    name: 'readings',
    schema: readings,
    table: datasetTable('readings', readings),
    validate: compileValidator('datasets', 'readings', readings),
  };
  const c = jsonChecker(ds, sampleLimits(), !document);
  const [a, b] = ['{"id":"a","day":"2026-01-01","value":1.5}', `{"id":"b","day":"2026-01-01",${rest}}`];
  c.push(document ? `[${a},\n${b}]\n` : `${a}\n${b}\n`);
  return c.finish(true);
}

const MAX = '9223372036854775807';
const leaf = (c: Omit<ParquetColumn, 'group' | 'repetition'>): ParquetColumn => ({
  ...c,
  group: false,
  repetition: 'OPTIONAL',
});
const MIN = '-9223372036854775808';

const schema = {
  type: 'object',
  required: ['id', 'day'],
  properties: {
    id: { type: 'string' },
    day: { type: 'string', format: 'date' },
    big: { type: 'integer' },
    tiny: { type: 'integer', 'x-lake': { type: 'tinyint' } },
    small: { type: 'integer', 'x-lake': { type: 'SMALLINT' } },
    mid: { type: 'integer', 'x-lake': { type: 'integer' } },
    price: { type: 'string', 'x-lake': { type: 'decimal(10, 2)' } },
  },
  'x-lake': { primaryKey: ['id'], partitionBy: 'day', formats: ['csv' as const, 'jsonl' as const] },
};

describe('declaring a type', () => {
  it('maps each declared type to the Glue type, the shared SQL cast, DuckDB and Athena names', () => {
    const t = datasetTable('measurements', schema);
    const types = Object.fromEntries(t.columns.map((c) => [c.name, c.type]));
    expect(types).toMatchObject({
      big: 'bigint',
      tiny: 'tinyint',
      small: 'smallint',
      mid: 'int',
      price: 'decimal(10,2)',
    });
    const names = (['tinyint', 'smallint', 'int', 'bigint', 'decimal(10,2)'] as const).map((x) => [
      sqlType(x),
      duckdbType(x),
      athenaType(x),
    ]);
    expect(names).toEqual([
      ['TINYINT', 'TINYINT', 'tinyint'],
      ['SMALLINT', 'SMALLINT', 'smallint'],
      ['INT', 'INTEGER', 'integer'],
      ['BIGINT', 'BIGINT', 'bigint'],
      ['DECIMAL(10,2)', 'DECIMAL(10,2)', 'decimal(10,2)'],
    ]);
  });

  it('refuses a type that does not fit the JSON type, a precision beyond 38 and unknown names, saying why', () => {
    expect(() => declaredType('smallint', 'number', 'p')).toThrow(/needs "type": "integer"/);
    expect(() => declaredType('decimal(10,2)', 'number', 'p')).toThrow(/needs "type": "string".*double/);
    expect(() => declaredType('decimal(39,2)', 'string', 'p')).toThrow(/precision must be 1 to 38/);
    expect(() => declaredType('decimal(5,6)', 'string', 'p')).toThrow(/scale 0 to the precision/);
    expect(() => declaredType('hugeint', 'integer', 'p')).toThrow(/not a lake type/);
    expect(declaredType('decimal(38,38)', 'string', 'p')).toBe('decimal(38,38)');
    const withMinimum = {
      ...schema,
      properties: { ...schema.properties, price: { ...schema.properties.price, minimum: 0 } },
    };
    expect(() => datasetTable('measurements', withMinimum)).toThrow(/takes no minimum/);
  });
});

describe('exact value checks (the ETL reasons)', () => {
  it('takes both bigint extremes and refuses one beyond, without a double', () => {
    expect([integerProblem(MAX, 'bigint'), integerProblem(MIN, 'bigint')]).toEqual([undefined, undefined]);
    expect(integerProblem('9223372036854775808', 'bigint')).toBe(
      'out of range for bigint (-9223372036854775808 to 9223372036854775807)',
    );
    expect(integerProblem('-9223372036854775809', 'bigint')).toMatch(/^out of range/);
    expect(integerProblem('00000000000000000000042', 'bigint')).toBeUndefined();
    expect(integerProblem('1.0', 'bigint')).toBe('not an integer');
    expect(integerProblem('+1', 'bigint')).toBe('not an integer');
  });

  it('checks each width at its edges', () => {
    const edges = (['tinyint', 'smallint', 'int'] as const).map((t) => [
      ['127', '-128', '128', '-129'].map((v) => integerProblem(v, t)),
      ['32767', '-32768', '32768'].map((v) => integerProblem(v, t)),
      ['2147483647', '-2147483648', '2147483648'].map((v) => integerProblem(v, t)),
    ]);
    expect(edges[0]![0]).toEqual([
      undefined,
      undefined,
      'out of range for tinyint (-128 to 127)',
      expect.any(String),
    ]);
    expect(edges[1]![1]).toEqual([undefined, undefined, 'out of range for smallint (-32768 to 32767)']);
    expect(edges[2]![2]).toEqual([undefined, undefined, 'out of range for int (-2147483648 to 2147483647)']);
  });

  it('refuses more decimal places than the scale (never rounds) and too many digits before the point', () => {
    const t = 'decimal(5,2)';
    expect(['999.99', '-999.99', '0.5', '12.500', '007.25', '0'].map((v) => decimalProblem(v, t))).toEqual(
      Array(6).fill(undefined),
    );
    expect(decimalProblem('1.005', t)).toBe('more than 2 decimal places for decimal(5,2) (not rounded)');
    expect(decimalProblem('1000.00', t)).toBe(
      'out of range for decimal(5,2) (at most 3 digits before the decimal point)',
    );
    expect(['1e2', '.5', '5.', '1,5', ' 1'].map((v) => decimalProblem(v, t))).toEqual(
      Array(5).fill(expect.stringMatching(/^not a decimal number/)),
    );
    expect(decimalProblem('12345678901234567890123456789012345678', 'decimal(38,0)')).toBeUndefined();
    expect(exactValueProblem('anything', 'string')).toBeUndefined();
  });
});

describe('JSON without rounding', () => {
  it('keeps every digit of numbers a double does not hold, and writes them back as sent', () => {
    const text = `{"a":${MAX},"b":${MIN},"c":0.1000000000000000055,"d":[12345678901234567890],"e":1.5,"s":"${MAX}"}`;
    const v = parseJsonExact(text) as Record<string, unknown>;
    expect(JSON.parse(text).a).toBe(9223372036854775808); // what JSON.parse alone would keep
    expect(numberText(v, 'a', v.a as number)).toBe(MAX);
    expect(numberText(v, 'e', 1.5)).toBe('1.5');
    expect(stringifyJsonExact(v)).toBe(text);
    expect(stringifyJsonExact({ x: 1, nested: v })).toBe(`{"x":1,"nested":${text}}`);
  });

  it('writes an integer of 10^21 or more with its digits, not the exponent JSON.stringify writes (1e+21)', () => {
    const text =
      '{"x":1000000000000000000000,"y":-1234500000000000000000000,"z":[100000000000000000000],"f":2.5}';
    expect(JSON.stringify(JSON.parse(text))).toContain('1e+21'); // what JSON.parse alone writes back
    expect(stringifyJsonExact(parseJsonExact(text))).toBe(text);
  });

  it('forgets remembered numbers with their objects: a warm process walks no tree for them afterwards', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const settle = async () => {
      for (let i = 0; i < 5 && rememberedHolders() > 0; i++) {
        gc();
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    await settle();
    const before = rememberedHolders();
    let v: unknown = parseJsonExact(`{"a":${MAX},"b":[{"c":${MIN}}]}`);
    expect(rememberedHolders()).toBe(before + 2); // the object holding a, the one holding c
    expect(stringifyJsonExact(v)).toContain(MAX);
    v = undefined;
    await settle();
    expect(rememberedHolders()).toBe(before);
  });

  it('finds a long number wherever JSON puts one: after any white space, at the start, deep in arrays', () => {
    const bodies = [
      `{"a" :\t${MAX}}`,
      `{"a":\n  ${MIN} }`,
      `[1,\r\n ${MAX}]`,
      `{"x":[[[ ${MAX} ]]]}`,
      `{"d":-0.10000000000000000555}`,
    ];
    // Written back compactly, every digit as sent.
    for (const text of bodies)
      expect(stringifyJsonExact(parseJsonExact(text))).toBe(text.replace(/\s+/g, ''));
    expect(String(parseJsonExact(`  ${MAX}`))).toBe('9223372036854776000'); // a bare number: no holder to remember it in
  });

  it('finds a number a double does not hold at all (1e-400 read as 0, 1e400 as Infinity), however short, wherever it is', () => {
    const at = (text: string) => doubleOutOfRangeAt(parseJsonExact(text));
    expect(at('{"total":1e-400}')).toEqual(['total']);
    expect(at('{"items":[{"p":1},{"p":-1E-400}]}')).toEqual(['items', 1, 'p']);
    expect(at('{"j":{"deep":[1e400]}}')).toEqual(['j', 'deep', 0]);
    // Zero written any way, the smallest doubles, a text that looks like one: none.
    for (const ok of [
      '{"a":0e-500}',
      '{"a":-0.0E+999}',
      '{"a":5e-324}',
      '{"a":1.7976931348623157e308}',
      '{"a":"1e-400"}',
    ])
      expect(at(ok)).toBeUndefined();
    // Written back as sent, not as 0.
    expect(stringifyJsonExact(parseJsonExact('{"a":1e-400}'))).toBe('{"a":1e-400}');
  });

  it('takes the slow parse only for a number where a number token stands, not for text that looks like one', () => {
    // Text: an iPhone's user agent ("Mobile/15E148"), a hex id, an exponent inside a word or a string.
    for (const text of [
      '{"ua":"Mozilla/5.0 (iPhone) Mobile/15E148 Safari/604.1"}',
      '{"id":"a3e456","h":"123e4567-e89b-12d3"}',
      '{"s":"1e400"}',
      '{"a":1e-300,"b":1.5E+300}', // exponents of three digits a double holds: they read back
    ])
      expect(mayNeedSource(text)).toBe(false);
    for (const text of ['{"a":1e400}', '{"a" :\n -1E-400}', '[1, 2e999]', '  1e400', `{"n":${MAX}}`])
      expect(mayNeedSource(text)).toBe(true);
  });

  it('compares number texts by value and writes integers out exactly', () => {
    expect([
      sameNumber('1.50', '1.5'),
      sameNumber('1e2', '100'),
      sameNumber('-0', '0'),
      sameNumber('1', '2'),
    ]).toEqual([true, true, true, false]);
    expect([integerTextOf('1e2'), integerTextOf('1.0'), integerTextOf(MAX), integerTextOf('1.5')]).toEqual([
      '100',
      '1',
      MAX,
      undefined,
    ]);
  });

  it('compares parsed values by value: keys in any order, numbers as written', () => {
    const same = (a: string, b: string) => sameJsonValue(parseJsonExact(a), parseJsonExact(b));
    expect([
      same('{"a":1,"b":[1,{"c":null}]}', '{"b":[1.0,{"c":null}],"a":1e0}'),
      same(`{"n":${MAX}}`, `{"n":9223372036854775807.0}`),
      same('[1e400]', '[1e400]'),
    ]).toEqual([true, true, true]);
    expect([
      // One double, two values: 2^63 - 1 and 2^63 are both read as 9223372036854775808.
      same(`{"n":${MAX}}`, '{"n":9223372036854775808}'),
      same(`[${MAX}]`, '[9223372036854775806]'),
      same('{"a":1}', '{"a":1,"b":1}'),
      same('{"a":1,"b":2}', '{"a":1,"c":2}'),
      same('[1,2]', '{"0":1,"1":2}'),
      same('{"a":"1"}', '{"a":1}'),
      same('{"a":null}', '{"a":{}}'),
      same('[[]]', '[{}]'),
    ]).toEqual([false, false, false, false, false, false, false, false]);
  });
});

describe('top-level exact types (ingest, the upload sample check)', () => {
  it('judges a JSON number by its source: the bigint maximum passes, one more is refused', () => {
    expect(exactTypeProblem(schema, parseJsonExact(`{"big": ${MAX}, "tiny": -128}`))).toBeUndefined();
    expect(exactTypeProblem(schema, parseJsonExact(`{"big": 9223372036854775808}`))).toEqual({
      field: 'big',
      message: 'is out of range for bigint (-9223372036854775808 to 9223372036854775807)',
    });
    expect(exactTypeProblem(schema, { tiny: 300 })).toEqual({
      field: 'tiny',
      message: 'is out of range for tinyint (-128 to 127)',
    });
    expect(exactTypeProblem(schema, { price: '1.234' })).toEqual({
      field: 'price',
      message: 'is more than 2 decimal places for decimal(10,2) (not rounded)',
    });
  });

  it("judges an event's date and date-time by the ETL's rules (JSON Schema's date-time takes any offset): 400, not a 202 the compaction rejects", () => {
    const timed = {
      type: 'object',
      properties: {
        day: { type: 'string', format: 'date' },
        at_time: { type: 'string', format: 'date-time' },
      },
    };
    const accepted = [
      { at_time: '2026-11-24T10:00:00Z' },
      { at_time: '2026-11-24T10:00:00.123456+00:00' },
      { at_time: '2026-11-24T10:00:00' },
      { day: '1000-01-01' },
      { day: '2026-02-28' },
    ];
    for (const data of accepted) expect(exactTypeProblem(timed, data)).toBeUndefined();
    const utc = /^is not a UTC timestamp the lake stores \(.*\): convert other offsets to UTC$/;
    for (const at_time of [
      '2026-11-24T10:00:00+02:00',
      '2026-11-24T10:00:00.1234567Z',
      '2026-11-24t10:00:00z',
      '2026-11-24T23:59:60Z',
      '0999-01-01T00:00:00Z',
    ])
      expect(exactTypeProblem(timed, { at_time })).toEqual({
        field: 'at_time',
        message: expect.stringMatching(utc),
      });
    for (const day of ['0999-01-01', '2026-02-30'])
      expect(exactTypeProblem(timed, { day })).toEqual({
        field: 'day',
        message: 'is not a date the lake stores (yyyy-MM-dd, a day of the calendar, years 1000 to 9999)',
      });
  });

  it('judges an integer beyond 2^53 that reads back as written (1e19) by its value, and writes a kept one with digits', () => {
    const out = 'is out of range for bigint (-9223372036854775808 to 9223372036854775807)';
    for (const text of ['1e19', '10000000000000000000', '9300000000000000000', '9.3e18', '-1e19', '1e300'])
      expect(exactTypeProblem(schema, parseJsonExact(`{"big": ${text}}`))).toEqual({
        field: 'big',
        message: out,
      });
    for (const text of ['1152921504606846976', '9.3e17', '-9.2e18'])
      expect(exactTypeProblem(schema, parseJsonExact(`{"big": ${text}}`))).toBeUndefined();
    // Kept as written (a double does not hold them), in a form the ETL's integer rule (digits only) rejects: the
    // raw line gets the same value in digits.
    for (const [text, digits] of [
      [`${MAX}.0`, MAX],
      ['1.2345678901234567e16', '12345678901234567'],
      ['12345678901234567.000', '12345678901234567'],
      [`${MIN}E0`, MIN],
    ]) {
      const data = parseJsonExact(`{"big": ${text}, "other": ${text}}`) as object;
      expect(exactTypeProblem(schema, data)).toBeUndefined();
      expect(stringifyJsonExact(data)).toBe(`{"big":${digits},"other":${text}}`);
    }
    expect(exactTypeProblem(schema, parseJsonExact(`{"big": ${MAX}.5}`))).toEqual({
      field: 'big',
      message: 'is not an integer',
    });
  });

  it("judges a JSON upload's integer by its text, as the ETL reads it: 1.0 and 1e2 are no integers there", () => {
    const ds = {
      name: 'measurements',
      schema,
      table: datasetTable('measurements', schema),
      validate: compileValidator('datasets', 'measurements', schema),
    };
    const checked = (big: string) => {
      const c = jsonChecker(ds, sampleLimits(), true);
      c.push(`{"id":"a","day":"2026-01-01","big":${big}}\n`);
      return c.finish(true);
    };
    for (const ok of ['12', '-0', MAX, MIN]) expect([ok, checked(ok)]).toEqual([ok, null]);
    for (const [bad, why] of [
      ['1.0', /\(big\): is not an integer$/],
      ['1e2', /\(big\): is not an integer$/],
      ['12345678901234567.0', /\(big\): is not an integer$/],
      ['9223372036854775808', /\(big\): is out of range for bigint/],
      ['1e19', /\(big\): is not an integer$/],
    ] as const)
      expect([bad, checked(bad)]).toEqual([
        bad,
        expect.objectContaining({ code: 'ROW_INVALID', field: 'big', message: expect.stringMatching(why) }),
      ]);
  });

  it('refuses a JSON upload holding a number too small for a double: both ETL readers would store 0', () => {
    for (const ok of [
      '"value":0',
      '"value":0.0e-400',
      '"value":4.9e-324',
      '"value":-0.0',
      '"extra":{"s":"1e-400"}',
    ])
      expect([ok, checkedReading(ok)]).toEqual([ok, null]);
    for (const [bad, field, at] of [
      ['"value":1e-400', 'value', 'value'],
      ['"value":-2.5e-999', 'value', 'value'],
      ['"extra":{"deep":[1, 1e-400]}', 'extra', 'extra.deep.1'],
    ] as const)
      expect([bad, checkedReading(bad)]).toEqual([
        bad,
        expect.objectContaining({
          code: 'ROW_INVALID',
          field,
          line: 2,
          message: expect.stringMatching(
            new RegExp(
              `^line 2: ${at.replace(/[.]/g, '[.]')} is a number too small for a double.*read it as 0`,
            ),
          ),
        }),
      ]);
  });

  it("refuses a JSON upload whose sample holds a record past Spark's reader's limits (1,001 levels, a 1,001-char number)", () => {
    const nest = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    for (const ok of [
      `"value":-1.${'0'.repeat(998)}e-9`,
      `"extra":{"a":${nest(998)}}`,
      `"extra":{"s":"${'9'.repeat(1001)}"}`,
    ])
      expect([ok.slice(0, 20), checkedReading(ok)]).toEqual([ok.slice(0, 20), null]);
    for (const [bad, field, what] of [
      [`"value":1.${'0'.repeat(1000)}`, 'value', 'a number written with more than 1000 digits'],
      [`"extra":{"a":${nest(999)}}`, 'extra', 'nested more than 1000 levels deep'],
    ] as const)
      expect(checkedReading(bad)).toEqual(
        expect.objectContaining({
          code: 'ROW_INVALID',
          field,
          line: 2,
          message: expect.stringMatching(new RegExp(`^line 2: ${field}.* is ${what}: Spark's JSON reader`)),
        }),
      );
    // In a .json document, an element is one level inside the document's array, as Jackson counts it.
    expect(checkedReading(`"extra":{"a":${nest(997)}}`, true)).toBeNull();
    expect(checkedReading(`"extra":{"a":${nest(998)}}`, true)).toEqual(
      expect.objectContaining({ code: 'ROW_INVALID', field: 'extra' }),
    );
  });

  it('refuses a CSV number too large or too small for a double, as the ETL rejects it', () => {
    const double = { name: 'x', type: 'double' } as Parameters<typeof coerceCsvValue>[1];
    const range = 'is out of range for double (magnitudes from 4.9e-324 to 1.8e308)';
    expect(coerceCsvValue('1e400', double)).toEqual({ error: `${range}: "1e400"` });
    expect(coerceCsvValue('-1e-400', double)).toEqual({ error: `${range}: "-1e-400"` });
    expect(coerceCsvValue('0.00e-400', double)).toEqual({ value: 0 });
    expect(coerceCsvValue('4.9e-324', double)).toEqual({ value: 5e-324 });
  });

  it('types CSV fields exactly and keeps doubles away from decimals in Parquet', () => {
    const t = datasetTable('measurements', schema);
    const col = (n: string) => t.columns.find((c) => c.name === n)!;
    expect(coerceCsvValue(MAX, col('big'))).toEqual({ value: Number(MAX) });
    expect(coerceCsvValue('9223372036854775808', col('big'))).toEqual({
      error:
        'is out of range for bigint (-9223372036854775808 to 9223372036854775807): "9223372036854775808"',
    });
    expect(coerceCsvValue('12.50', col('price'))).toEqual({ value: '12.50' });
    expect(parquetTypeProblem(leaf({ name: 'price', physical: 'DOUBLE' }), col('price'))).toMatch(/exactly/);
    expect(
      parquetTypeProblem(
        leaf({ name: 'price', physical: 'INT64', logical: 'DECIMAL', scale: 2 }),
        col('price'),
      ),
    ).toBe(undefined);
    expect(parquetTypeProblem(leaf({ name: 'tiny', physical: 'INT64' }), col('tiny'))).toBeUndefined();
  });

  it('puts each width into the plan as a cast both engines share, with the reasons above', () => {
    const sql = buildPlan(datasetTable('measurements', schema)).typedSql;
    expect(sql).toContain('TRY_CAST(big AS BIGINT)');
    expect(sql).toContain('TRY_CAST(tiny AS TINYINT)');
    expect(sql).toContain('TRY_CAST(mid AS INT)');
    expect(sql).toContain('TRY_CAST(price AS DECIMAL(10,2))');
    expect(sql).toContain("'tiny: out of range for tinyint (-128 to 127)'");
    expect(sql).toContain("'price: more than 2 decimal places for decimal(10,2) (not rounded)'");
  });
});
