/**
 * Integers inside JSON columns judged by the value they were written with (lib/nested-exact-integers.ts): ajv reads
 * 2.0000000000000000001 as 2 and 9999.99999999999999999 as 10000, so both passed "type": "integer" (and
 * "maximum": 10000) and the JSON column stored 2.0 and 10000.0. At ingest (400 with the pointer) and in the upload
 * check's sample (JSON lines, and a CSV cell holding JSON).
 */
import { prepareEvents } from '../../lib/envelope';
import { ApiError } from '../../lib/errors';
import { parseJsonExact, stringifyJsonExact } from '../../lib/exact-json';
import { nestedIntegerProblem } from '../../lib/nested-exact-integers';
import { datasetTable } from '../../lib/catalog/table-from-schema';
import { compileValidator } from '../../lib/validators/compile';
import { jsonChecker } from '../../lib/uploads/check-json';
import { csvChecker } from '../../lib/uploads/check-csv';
import { sampleLimits } from '../../lib/uploads/types';

const limits = { maxEvents: 500, maxFutureSkewSeconds: 3600 };
const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);

const orderBody = (quantity: string) =>
  parseJsonExact(
    `{"type":"order_placed","id":"o-1","data":{"order_id":"o-1","customer_id":"u-1","currency":"EUR","total":25,` +
      `"items":[{"sku":"A-1","quantity":${quantity},"unit_price":12.5}]}}`,
  );

function refusal(body: unknown): { code: string; details: unknown } | undefined {
  try {
    prepareEvents(body, limits, NOW);
    return undefined;
  } catch (e) {
    if (e instanceof ApiError) return { code: e.code, details: e.details };
    throw e;
  }
}

describe('ingest: an integer inside a JSON column', () => {
  it.each([
    ['2.0000000000000000001', '2'],
    ['10000.0000000000000001', '10000'],
    ['9999.99999999999999999', '10000'],
  ])('refuses %s (a double reads it as %s) with its pointer', (quantity, read) => {
    const r = refusal(orderBody(quantity));
    expect(r?.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(r?.details)).toContain('/data/items/0/quantity');
    expect(JSON.stringify(r?.details)).toContain(
      `is not an integer (written ${quantity}; a double reads it as ${read})`,
    );
  });

  it('takes an integer written with a fraction of zeros or an exponent, and writes it with its digits', () => {
    for (const [quantity, stored] of [
      ['3', '3'],
      ['3.00000000000000000000', '3'],
      ['1.000000000000000000e3', '1000'],
    ]) {
      const [r] = prepareEvents(orderBody(quantity!), limits, NOW);
      expect([quantity, JSON.parse(r!.line).data.items[0].quantity]).toEqual([quantity, Number(stored)]);
      expect(r!.line).toContain(`"quantity":${stored},`);
    }
  });

  it('leaves a number with a fraction where the schema takes numbers (unit_price), as a double', () => {
    expect(refusal(orderBody('2'))).toBeUndefined();
    const body = parseJsonExact(
      JSON.stringify(orderBody('2')).replace('"unit_price":12.5', '"unit_price":12.50000000000000000001'),
    );
    expect(refusal(body)).toBeUndefined();
  });
});

describe('the walk over the schema', () => {
  const bad = (text: string) => parseJsonExact(text) as Record<string, unknown>;
  const X = '2.0000000000000000001';

  it('follows properties, items, prefixItems, additionalProperties, patternProperties, allOf and a local $ref', () => {
    const schema = {
      $defs: { count: { type: 'integer' } },
      type: 'object',
      properties: {
        a: { type: 'object', properties: { n: { $ref: '#/$defs/count' } } },
        b: { type: 'array', prefixItems: [{ type: 'string' }, { type: ['integer', 'null'] }] },
        c: { type: 'object', additionalProperties: { type: 'integer' } },
        d: { type: 'object', patternProperties: { '^n_': { type: 'integer' } } },
        e: { allOf: [{ type: 'object', properties: { n: { type: 'integer' } } }] },
        f: { type: 'array', items: { type: 'array', items: { type: 'integer' } } },
      },
    };
    const cases: [string, (string | number)[]][] = [
      [`{"a":{"n":${X}}}`, ['a', 'n']],
      [`{"b":["x",${X}]}`, ['b', 1]],
      [`{"c":{"any":${X}}}`, ['c', 'any']],
      [`{"d":{"n_1":${X}}}`, ['d', 'n_1']],
      [`{"e":{"n":${X}}}`, ['e', 'n']],
      [`{"f":[[1],[2,${X}]]}`, ['f', 1, 1]],
    ];
    for (const [text, path] of cases)
      expect([text, nestedIntegerProblem(schema, bad(text))?.path]).toEqual([text, path]);
  });

  it('passes numbers the schema does not declare integer-only, and anyOf branches (judged as ajv judged them)', () => {
    const schema = {
      type: 'object',
      properties: {
        a: { type: 'object', properties: { n: { type: 'number' }, m: { type: ['integer', 'number'] } } },
        b: { type: 'object', properties: { n: { anyOf: [{ type: 'integer' }, { type: 'string' }] } } },
        c: { type: 'object' },
        top: { type: 'integer' },
      },
    };
    for (const text of [
      `{"a":{"n":${X},"m":${X}}}`,
      `{"b":{"n":${X}}}`,
      `{"c":{"n":${X}}}`,
      `{"top":${X}}`, // a top-level property: lib/schema-exact-types.ts judges it
    ])
      expect([text, nestedIntegerProblem(schema, bad(text))]).toEqual([text, undefined]);
  });

  it('rewrites a nested integer kept as written with its digits', () => {
    const schema = { type: 'object', properties: { a: { type: 'array', items: { type: 'integer' } } } };
    const data = bad('{"a":[12345678901234567890.000,1.2345678901234567e16]}');
    expect(nestedIntegerProblem(schema, data)).toBeUndefined();
    expect(stringifyJsonExact(data)).toBe('{"a":[12345678901234567890,12345678901234567]}');
  });
});

describe('the upload check: an integer inside a JSON column', () => {
  const schema = {
    type: 'object',
    required: ['id', 'day'],
    properties: {
      id: { type: 'string' },
      day: { type: 'string', format: 'date' },
      lines: {
        type: 'array',
        items: { type: 'object', properties: { qty: { type: 'integer', maximum: 10000 } } },
      },
    },
    'x-lake': { primaryKey: ['id'], partitionBy: 'day', formats: ['csv' as const, 'jsonl' as const] },
  };
  const ds = {
    name: 'shipments',
    schema,
    table: { ...datasetTable('shipments', schema), maxRejectedRatio: 0 },
    validate: compileValidator('datasets', 'shipments', schema),
  };

  it('counts a JSON-lines row whose nested integer has a fraction as failing, naming the column and the place', () => {
    const checked = (qty: string) => {
      const c = jsonChecker(ds, sampleLimits(), true);
      c.push(`{"id":"a","day":"2026-01-01","lines":[{"qty":1},{"qty":${qty}}]}\n`);
      return c.finish(true);
    };
    expect(checked('3')).toBeNull();
    expect(checked('3.0000000000000000000')).toBeNull();
    expect(checked('9999.99999999999999999')).toEqual(
      expect.objectContaining({
        code: 'ROW_INVALID',
        field: 'lines',
        message: expect.stringContaining(
          '(lines): at /1/qty: is not an integer (written 9999.99999999999999999',
        ),
      }),
    );
  });

  it('judges a CSV cell holding JSON the same way', () => {
    const checked = (qty: string) => {
      const c = csvChecker(ds, sampleLimits());
      c.push(`id,day,lines\na,2026-01-01,"[{""qty"":${qty}}]"\n`);
      return c.finish(true);
    };
    expect(checked('7')).toBeNull();
    expect(checked('2.0000000000000000001')).toEqual(
      expect.objectContaining({
        code: 'ROW_INVALID',
        field: 'lines',
        message: expect.stringContaining('at /0/qty: is not an integer'),
      }),
    );
  });
});
