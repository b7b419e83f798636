/**
 * What an event's data may hold so that Spark's JSON reader (the ETL on AWS) and the delivery stream's JQ-1.6
 * partitioning read it as the lake did (lib/json-limits.ts): nesting and the length of a number as written.
 * A free-form event type ('blob': any data) stands in for a user's schema with JSON columns.
 */
import { prepareEvents } from '../../lib/envelope';
import { ApiError } from '../../lib/errors';
import { parseJsonExact } from '../../lib/exact-json';
import { MAX_DATA_NESTING, MAX_NUMBER_CHARS, nestedBeyond } from '../../lib/json-limits';

jest.mock('../../lib/schema-registry', () => {
  const actual = jest.requireActual('../../lib/schema-registry');
  const anyData = Object.assign(() => true, { errors: null });
  return {
    ...actual,
    eventValidator: (type: string) => (type === 'blob' ? anyData : actual.eventValidator(type)),
  };
});

const limits = { maxEvents: 500, maxFutureSkewSeconds: 3600 };
const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);

/** {"a":[{"a":[…]}]}: `levels` objects and arrays in all, data itself the first. */
function nested(levels: number): string {
  let text = '1';
  for (let i = levels; i >= 1; i--) text = i % 2 === 1 ? `{"a":${text}}` : `[${text}]`;
  return text;
}

function refusal(body: string): { pointer: string; message: string } | undefined {
  try {
    prepareEvents(parseJsonExact(body), limits, NOW);
    return undefined;
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    const [first] = (e.details as { errors: { pointer: string; message: string }[] }).errors;
    return first;
  }
}

describe('event data limits', () => {
  it('finds the first object or array past the limit, and goes no deeper', () => {
    expect(nestedBeyond(JSON.parse(nested(3)), 3)).toBeUndefined();
    expect(nestedBeyond(JSON.parse(nested(4)), 3)).toEqual(['a', 0, 'a']);
    expect(nestedBeyond({ x: 1, y: [1, 'a', null], z: { w: [] } }, 3)).toBeUndefined();
    expect(nestedBeyond({ x: 1, y: [1, 'a', null], z: { w: [[]] } }, 3)).toEqual(['z', 'w', 0]);
    // Far deeper than a stack holds: answered from the first levels alone.
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(nestedBeyond(deep, MAX_DATA_NESTING)).toHaveLength(MAX_DATA_NESTING);
  });

  it(`refuses data nested more than ${MAX_DATA_NESTING} levels with a 400 naming where (it was a 500 from JSON.stringify's stack)`, () => {
    expect(refusal(`{"type":"blob","data":${nested(MAX_DATA_NESTING)}}`)).toBeUndefined();
    const r = refusal(`{"type":"blob","data":${nested(MAX_DATA_NESTING + 1)}}`);
    expect(r?.pointer).toBe(`/data${'/a/0'.repeat(MAX_DATA_NESTING / 2)}`);
    expect(r?.message).toMatch(/^is nested more than 100 levels deep in data: .*Spark.*1,000.*JQ-1\.6.*256/);
    expect(refusal(`{"type":"blob","data":${nested(12_000)}}`)?.message).toMatch(
      /nested more than 100 levels/,
    );
    // With a long number (read through JSON.parse's reviver, which recurses): the same refusal, not "not JSON".
    const deepWithLong = nested(200_000).replace('1', '12345678901234567890');
    expect(refusal(`{"type":"blob","data":${deepWithLong}}`)?.message).toMatch(/nested more than 100 levels/);
  });

  it('refuses deep data with a 400 while a number of another request is remembered (its walk recursed: a 500)', () => {
    // A number a double does not hold, read by an earlier request and still alive: the walks that look for such
    // numbers then run over every request's data.
    const alive = parseJsonExact('{"type":"blob","data":{"n":12345678901234567890}}') as object;
    expect(refusal(`{"type":"blob","data":${nested(200_000)}}`)?.message).toMatch(
      /nested more than 100 levels/,
    );
    expect(alive).toBeDefined();
  });

  it(`refuses a number of more than ${MAX_NUMBER_CHARS} digits (sign, point and e not counted), as Spark's JSON reader does`, () => {
    const total = (digits: number) => `-12.${'5'.repeat(digits - 3)}1`;
    expect(total(MAX_NUMBER_CHARS).replace(/[^0-9]/g, '')).toHaveLength(MAX_NUMBER_CHARS);
    expect(refusal(`{"type":"blob","data":{"n":[${total(MAX_NUMBER_CHARS)}]}}`)).toBeUndefined();
    const r = refusal(`{"type":"blob","data":{"n":[0, ${total(MAX_NUMBER_CHARS + 1)}]}}`);
    expect(r).toEqual({
      pointer: '/data/n/1',
      code: 'SCHEMA_VIOLATION',
      index: 0,
      message: expect.stringMatching(/^is a number written with more than 1000 digits: Spark's JSON reader/),
    });
    // The same on a shipped type's double column.
    const order = (n: string) =>
      `{"type":"order_placed","data":{"order_id":"o-1","customer_id":"c-1","currency":"EUR","total":${n},` +
      `"items":[{"sku":"A","quantity":1,"unit_price":1}]}}`;
    expect(refusal(order(total(MAX_NUMBER_CHARS + 1)))?.pointer).toBe('/data/total');
    expect(refusal(order('12.5'))).toBeUndefined();
  });
});
