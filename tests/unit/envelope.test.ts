import { prepareEvents } from '../../lib/envelope';
import layout from '../../lib/lake-layout.json';
import { ApiError } from '../../lib/errors';
import { parseJsonExact } from '../../lib/exact-json';
import { loadSchema, useSchemaSnapshot } from '../../lib/schema-loader';

const limits = { maxEvents: 500, maxFutureSkewSeconds: 3600 };
const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const pageView = (over: Record<string, unknown> = {}) => ({
  type: 'page_view',
  data: { session_id: 'sess-0001', url: 'https://shop.example/p/1' },
  ...over,
});

function problems(body: unknown): { code: string; details: Record<string, unknown> } {
  try {
    prepareEvents(body, limits, NOW);
  } catch (e) {
    if (e instanceof ApiError) return { code: e.code, details: e.details };
    throw e;
  }
  throw new Error('expected a refusal');
}

/** A refusal's problems of the i-th event, as "CODE pointer", sorted. */
const byEvent = (p: { details: Record<string, unknown> }) => (i: number) =>
  (p.details.errors as { index: number; pointer: string; code: string }[])
    .filter((e) => e.index === i)
    .map((e) => `${e.code} ${e.pointer}`)
    .sort();

describe('event envelope', () => {
  it('stamps a single event: server id (ULID), occurred_at defaulting to receipt, received_at', () => {
    const [r] = prepareEvents(pageView(), limits, NOW);
    const line = JSON.parse(r!.line);
    expect(line).toEqual({
      id: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
      type: 'page_view',
      occurred_at: '2026-11-24T12:00:00.000Z',
      received_at: '2026-11-24T12:00:00.000Z',
      data: { session_id: 'sess-0001', url: 'https://shop.example/p/1' },
    });
    expect(r!.id).toBe(line.id);
    expect(Object.keys(line)).toEqual(['id', 'type', 'occurred_at', 'received_at', 'data']);
  });

  it('keeps client ids, normalises occurred_at to UTC, and orders server ids by time', () => {
    const records = prepareEvents(
      {
        events: [
          pageView({ id: 'client-1', occurred_at: '2026-11-24T13:30:00+02:00' }),
          pageView(),
          pageView(),
        ],
      },
      limits,
      NOW,
    );
    expect(records[0]!.id).toBe('client-1');
    expect(JSON.parse(records[0]!.line).occurred_at).toBe('2026-11-24T11:30:00.000Z');
    expect(records[1]!.id < records[2]!.id).toBe(true);
    // The forms README's envelope table names beside ±HH:MM: ±HHMM, and a space for the T.
    for (const [sent, stored] of [
      ['2026-11-24T13:30:00+0200', '2026-11-24T11:30:00.000Z'],
      ['2026-11-24 11:30:00Z', '2026-11-24T11:30:00.000Z'],
    ])
      expect(
        JSON.parse(prepareEvents(pageView({ occurred_at: sent }), limits, NOW)[0]!.line).occurred_at,
      ).toBe(stored);
  });

  it('writes each line exactly as JSON.stringify of the stamped event, and keeps an occurred_at already in UTC form', () => {
    const data = {
      session_id: 'sess-"quoted"\\back',
      url: 'https://shop.example/p/1?q=a&b=%C3%A9',
      title: '\u00e9\u2028\ud83d\ude00 \n\u0000\u001f control',
      duration_ms: 86400000,
    };
    const sent = [
      '2026-11-24T11:30:00.000Z',
      '2026-11-24T11:30:00Z',
      '2026-11-24T11:30:00.5Z',
      '2026-11-24t11:30:00.000z',
    ];
    const records = prepareEvents(
      { events: sent.map((occurred_at, i) => pageView({ id: `c-${i}`, occurred_at, data })) },
      limits,
      NOW,
    );
    const stored = [
      '2026-11-24T11:30:00.000Z',
      '2026-11-24T11:30:00.000Z',
      '2026-11-24T11:30:00.500Z',
      '2026-11-24T11:30:00.000Z',
    ];
    records.forEach((r, i) =>
      expect(r.line).toBe(
        JSON.stringify({
          id: `c-${i}`,
          type: 'page_view',
          occurred_at: stored[i],
          received_at: '2026-11-24T12:00:00.000Z',
          data,
        }),
      ),
    );
  });

  it('refuses a lone surrogate wherever it stands, naming it; a pair, control characters and a literal \\u pass', () => {
    const order = (sku: string, coupon = 'none') => ({
      type: 'order_placed',
      data: {
        order_id: 'o-1',
        customer_id: 'c-1',
        currency: 'EUR',
        total: 3,
        coupon,
        items: [
          { sku: 'a', quantity: 1, unit_price: 1 },
          { sku, quantity: 1, unit_price: 2 },
        ],
      },
    });
    for (const lone of ['\ud800', 'x\udfff', '\ude00\ud83d', 'end \udbff', '\ud800\ud800\udc00']) {
      const p = problems({ events: [order('ok'), order(lone), order('ok', `tail${lone}`)] });
      expect(p.details.errors).toEqual([
        expect.objectContaining({ index: 1, pointer: '/data/items/1/sku', code: 'SCHEMA_VIOLATION' }),
        expect.objectContaining({ index: 2, pointer: '/data/coupon', code: 'SCHEMA_VIOLATION' }),
      ]);
    }
    // What JSON.stringify also writes with a \u (a control character), a backslash before a u, a surrogate pair.
    const fine = ['\u0001 \u001f', 'C:\\users\\u1', '\ud83d\ude00', '\\ud800 as text'];
    const records = prepareEvents({ events: fine.map((sku) => order(sku, sku)) }, limits, NOW);
    records.forEach((r, i) => expect(JSON.parse(r.line).data).toEqual(order(fine[i]!, fine[i]).data));
    records.forEach((r) => expect(r.line).toBe(JSON.stringify(JSON.parse(r.line))));
  });

  it('refuses a calendar date that does not exist, in UTC form too (it is never rolled over to the next month)', () => {
    for (const occurred_at of [
      '2026-02-30T10:00:00.000Z',
      '2025-02-29T10:00:00.000Z',
      '2026-04-31T00:00:00.000Z',
    ]) {
      const p = problems({ events: [pageView({ occurred_at })] });
      expect(p.code).toBe('VALIDATION_FAILED');
      expect(p.details.errors).toEqual([
        expect.objectContaining({ pointer: '/occurred_at', code: 'INVALID_ENVELOPE' }),
      ]);
    }
    const [leap] = prepareEvents(pageView({ occurred_at: '2024-02-29T10:00:00.000Z' }), limits, NOW);
    expect(JSON.parse(leap!.line).occurred_at).toBe('2024-02-29T10:00:00.000Z');
    // The message says what a date-time needs, where the format's words named no cause: a zone left out (the
    // likeliest slip), a leap second, a date that does not exist.
    for (const occurred_at of ['2026-11-24T09:30:00', '2026-11-24T09:30:60Z', '2026-02-30T09:30:00Z'])
      expect(problems({ events: [pageView({ occurred_at })] }).details.errors).toEqual([
        {
          index: 0,
          pointer: '/occurred_at',
          code: 'INVALID_ENVELOPE',
          message:
            'must be a date-time with its zone, Z or ±HH:MM (e.g. 2026-11-24T09:30:00Z): a date that exists, ' +
            'hours 00–23, seconds 00–59 (no leap second :60)',
        },
      ]);
  });

  it("takes occurred_at from the lake's first partition day to receipt plus the skew, to the millisecond, in UTC form and with an offset alike", () => {
    const verdict = (occurred_at: string, skew = limits.maxFutureSkewSeconds, now = NOW) => {
      try {
        return JSON.parse(
          prepareEvents(pageView({ occurred_at }), { ...limits, maxFutureSkewSeconds: skew }, now)[0]!.line,
        ).occurred_at as string;
      } catch (e) {
        return ((e as ApiError).details.errors as { code: string }[]).map((p) => p.code).join();
      }
    };
    // Forms the date-time format takes and no timestamp holds: refused naming the form to write.
    for (const form of ['2026-11-24T09:30:00+05', '2016-12-31T23:59:60Z']) {
      expect(verdict(form)).toBe('INVALID_ENVELOPE');
      try {
        prepareEvents(pageView({ occurred_at: form }), limits, NOW);
      } catch (e) {
        expect((e as ApiError).details.errors).toEqual([
          expect.objectContaining({
            message: expect.stringMatching(/offset written ±HH:MM or Z .*no leap second/),
          }),
        ]);
      }
    }
    // Receipt plus an hour is 2026-11-24T13:00:00.000Z; the same instants written with a +02:00 offset.
    expect(verdict('2026-11-24T13:00:00.000Z')).toBe('2026-11-24T13:00:00.000Z');
    expect(verdict('2026-11-24T15:00:00.000+02:00')).toBe('2026-11-24T13:00:00.000Z');
    expect(verdict('2026-11-24T13:00:00.001Z')).toBe('OCCURRED_AT_IN_FUTURE');
    expect(verdict('2026-11-24T15:00:00.001+02:00')).toBe('OCCURRED_AT_IN_FUTURE');
    // The first partition day (lib/lake-layout.json; Athena projects no earlier partition), in both forms.
    const first = `${layout.curated.earliestPartitionDate}T00:00:00.000Z`;
    const dayBefore = new Date(Date.parse(first) - 86_400_000).toISOString().slice(0, 10);
    expect(verdict(first)).toBe(first);
    expect(verdict(`${first.slice(0, 10)}T02:00:00.000+02:00`)).toBe(first);
    expect(verdict(`${dayBefore}T23:59:59.999Z`)).toBe('INVALID_ENVELOPE');
    expect(verdict(`${first.slice(0, 10)}T01:59:59.999+02:00`)).toBe('INVALID_ENVELOPE');
    expect(verdict('0999-12-31T23:59:59.999Z')).toBe('INVALID_ENVELOPE');
    // A skew of part of a millisecond: the instant after receipt's millisecond is refused, receipt's is taken.
    expect(verdict('2026-11-24T12:00:00.000Z', 0.0005)).toBe('2026-11-24T12:00:00.000Z');
    expect(verdict('2026-11-24T12:00:00.001Z', 0.0005)).toBe('OCCURRED_AT_IN_FUTURE');
    // A latest time past year 9999 has no 4-digit rendering: judged by the parsed time.
    const farFuture = Date.UTC(9999, 11, 31, 23, 30);
    expect(verdict('9999-12-31T23:59:59.999Z', 3600, farFuture)).toBe('9999-12-31T23:59:59.999Z');
  });

  it('lists an unknown type beside the envelope problems, and judges occurred_at whatever the type', () => {
    const p = problems({
      events: [
        { type: 'nope', occurred_at: 'x', data: {} },
        { type: 'nope', occurred_at: '2027-01-01T00:00:00Z', data: {} },
        { type: 'Not A Type!', data: {} },
        { type: 'page_view', id: '!bad', occurred_at: '2999-01-01T00:00:00Z', data: {} },
      ],
    });
    const at = byEvent(p);
    expect(at(0)).toEqual(['INVALID_ENVELOPE /occurred_at', 'UNKNOWN_TYPE /type']);
    expect(at(1)).toEqual(['OCCURRED_AT_IN_FUTURE /occurred_at', 'UNKNOWN_TYPE /type']);
    // A type the envelope refuses itself is named once.
    expect(at(2)).toEqual(['INVALID_ENVELOPE /type']);
    // The data of a known type is checked beside the envelope's problems.
    expect(at(3)).toEqual([
      'INVALID_ENVELOPE /id',
      'OCCURRED_AT_IN_FUTURE /occurred_at',
      'SCHEMA_VIOLATION /data/session_id',
      'SCHEMA_VIOLATION /data/url',
    ]);
  });

  it("lists the data's problems beside the envelope's: a producer fixing the one is not refused again for the other", () => {
    const bad = { session_id: 'short', url: 'not a url' };
    const at = byEvent(
      problems({
        events: [
          { type: 'page_view', source: 'x', data: bad },
          { type: 'page_view', id: 'bad id', data: bad },
          { type: 'page_view', id: 'bad id', data: 'text' },
          { type: 'nope', id: 'bad id', data: bad },
        ],
      }),
    );
    const data = ['SCHEMA_VIOLATION /data/session_id', 'SCHEMA_VIOLATION /data/url'];
    expect(at(0)).toEqual(['INVALID_ENVELOPE /source', ...data]);
    expect(at(1)).toEqual(['INVALID_ENVELOPE /id', ...data]);
    // Data the envelope refuses (no object) is named once; an unknown type has no data schema to judge it by.
    expect(at(2)).toEqual(['INVALID_ENVELOPE /data', 'INVALID_ENVELOPE /id']);
    expect(at(3)).toEqual(['INVALID_ENVELOPE /id', 'UNKNOWN_TYPE /type']);
  });

  it("escapes a batch body's extra key in its pointer, and cuts a key of megabytes", () => {
    expect(problems({ events: [pageView()], 'a/b~c': 1 }).details).toEqual({ pointer: '/a~1b~0c' });
    const long = problems({ events: [pageView()], ['k'.repeat(3_000_000)]: 1 });
    expect((long.details.pointer as string).length).toBe(1025);
    expect((long.details.pointer as string).endsWith('k…')).toBe(true);
  });

  it('lists every bad event with index, pointer and reason, all or nothing', () => {
    const p = problems({
      events: [
        pageView(),
        pageView({ data: { session_id: 'short', url: 'not a url', extra: 1 } }),
        { type: 'no_such_type', data: {} },
        'not an object',
        { type: 'signup', data: { user_id: 'u', email: 'nope', plan: 'gold' } },
        pageView({ occurred_at: '2027-01-01T00:00:00Z' }),
        pageView({ id: 'bad id with spaces' }),
        { type: 'page_view' },
      ],
    });
    expect(p.code).toBe('VALIDATION_FAILED');
    const at = byEvent(p);
    expect(at(0)).toEqual([]);
    expect(at(1)).toEqual([
      'SCHEMA_VIOLATION /data/extra',
      'SCHEMA_VIOLATION /data/session_id',
      'SCHEMA_VIOLATION /data/url',
    ]);
    expect(at(2)).toEqual(['UNKNOWN_TYPE /type']);
    expect(at(3)).toEqual(['NOT_AN_OBJECT ']);
    expect(at(4)).toEqual(['SCHEMA_VIOLATION /data/email', 'SCHEMA_VIOLATION /data/plan']);
    expect(at(5)).toEqual(['OCCURRED_AT_IN_FUTURE /occurred_at']);
    expect(at(6)).toEqual(['INVALID_ENVELOPE /id']);
    expect(at(7)).toEqual(['INVALID_ENVELOPE /data']);
    expect(p.details.invalidEvents).toBe(7);
  });

  it('names a number beyond a double at the top of data as such (the schema would call 1e400 no number)', () => {
    const range = 'is out of range for double (magnitudes from 4.9e-324 to 1.8e308)';
    for (const [field, raw] of [
      ['duration_ms', '1e400'],
      ['duration_ms', '-1e400'],
      ['duration_ms', '1e-400'],
    ]) {
      const body = parseJsonExact(
        `{"type":"page_view","data":{"session_id":"sess-0001","url":"https://shop.example/p/1","${field}":${raw}}}`,
      );
      expect(problems(body).details.errors).toEqual([
        { index: 0, pointer: `/data/${field}`, code: 'SCHEMA_VIOLATION', message: range },
      ]);
    }
  });

  it('checks nested fields and bounds', () => {
    const p = problems({
      type: 'order_placed',
      data: {
        order_id: 'o1',
        customer_id: 'c1',
        currency: 'eur',
        total: -1,
        items: [{ sku: 'a', quantity: 0, unit_price: 1 }],
      },
    });
    const pointers = (p.details.errors as { pointer: string }[]).map((e) => e.pointer).sort();
    expect(pointers).toEqual(['/data/currency', '/data/items/0/quantity', '/data/total']);
  });

  it('refuses unknown envelope fields and __proto__ smuggling', () => {
    expect(
      problems(
        JSON.parse('{"type":"page_view","data":{"session_id":"sess-0001","url":"https://a.b/"},"extra":1}'),
      ).code,
    ).toBe('VALIDATION_FAILED');
    const p = problems(
      JSON.parse(
        '{"type":"page_view","data":{"session_id":"sess-0001","url":"https://a.b/","__proto__":{"x":1}}}',
      ),
    );
    expect((p.details.errors as { pointer: string }[])[0]!.pointer).toBe('/data/__proto__');
  });

  it('refuses body shapes that are neither an event nor a batch', () => {
    expect(problems([pageView()]).code).toBe('INVALID_BODY');
    expect(problems('x').code).toBe('INVALID_BODY');
    expect(problems({ events: [] }).code).toBe('INVALID_BODY');
    expect(problems({ events: {} }).code).toBe('INVALID_BODY');
    expect(problems({ events: [pageView()], extra: true }).code).toBe('INVALID_BODY');
  });

  it('takes at most 500 events', () => {
    expect(
      prepareEvents({ events: Array.from({ length: 500 }, () => pageView()) }, limits, NOW),
    ).toHaveLength(500);
    const p = problems({ events: Array.from({ length: 501 }, () => pageView()) });
    expect(p.code).toBe('TOO_MANY_EVENTS');
    expect(p.details).toMatchObject({ limit: 500, count: 501 });
  });

  it('takes a client id again for the same event (a retry in the batch), however it is written', () => {
    const copies = [
      pageView({ id: 'retry-1', occurred_at: '2026-11-24T10:00:00Z' }),
      // The same event: keys in another order, the same instant with an offset and milliseconds.
      {
        data: { url: 'https://shop.example/p/1', session_id: 'sess-0001' },
        occurred_at: '2026-11-24T11:00:00.000+01:00',
        type: 'page_view',
        id: 'retry-1',
      },
      pageView({ id: 'retry-1', occurred_at: '2026-11-24T10:00:00Z' }),
    ];
    const records = prepareEvents({ events: copies }, limits, NOW);
    expect(records.map((r) => r.id)).toEqual(['retry-1', 'retry-1', 'retry-1']);
    // Each copy is stored as the first one: one event, one text (the compaction compares objects by their text).
    expect(new Set(records.map((r) => r.line))).toEqual(new Set([records[0]!.line]));
    expect(JSON.parse(records[0]!.line).occurred_at).toBe('2026-11-24T10:00:00.000Z');
    // Numbers by value, as sent: 25 and 25.0 are one value; two 20-digit numbers one double apart are not.
    const order = (total: string) =>
      `{"type":"order_placed","id":"o-1","data":{"order_id":"o-1","customer_id":"c-1","currency":"EUR","total":${total},"items":[{"sku":"A","quantity":1,"unit_price":${total}}]}}`;
    expect(
      prepareEvents(parseJsonExact(`{"events":[${order('25')},${order('25.0')}]}`), limits, NOW),
    ).toHaveLength(2);
    // Written with other digits (a trailing zero), kept as sent: stored as the first copy.
    const long = '0.1000000000000000055511151231257827';
    const orders = prepareEvents(
      parseJsonExact(`{"events":[${order(long)},${order(`${long}0`)}]}`),
      limits,
      NOW,
    );
    expect(orders).toHaveLength(2);
    expect(orders[0]!.line).toContain(`"total":${long},`);
    expect(orders[1]!.line).toBe(orders[0]!.line);
  });

  it('refuses a second, different event under the same client id, naming both; nothing is written', () => {
    const cases: [string, Record<string, unknown>][] = [
      [
        'other data',
        pageView({ id: 'dup-1', data: { session_id: 'sess-0002', url: 'https://shop.example/p/1' } }),
      ],
      [
        'a field more',
        pageView({
          id: 'dup-1',
          data: { session_id: 'sess-0001', url: 'https://shop.example/p/1', duration_ms: 5 },
        }),
      ],
      ['another occurred_at', pageView({ id: 'dup-1', occurred_at: '2026-11-24T11:59:59.999Z' })],
    ];
    for (const [what, second] of cases) {
      const { code, details } = problems({
        events: [pageView({ id: 'dup-1' }), pageView({ id: 'other' }), second],
      });
      expect([what, code]).toEqual([what, 'VALIDATION_FAILED']);
      expect(details.invalidEvents).toBe(1);
      expect(details.errors).toEqual([
        {
          index: 2,
          pointer: '/id',
          code: 'DUPLICATE_ID',
          message: expect.stringContaining('is also the id of event 0, a different page_view event'),
        },
      ]);
    }
    // An id is one event per type (each type is its own table); server-made ids are never compared; distinct
    // client ids are independent.
    const signup = {
      type: 'signup',
      id: 'dup-1',
      data: { user_id: 'u-1', email: 'a@b.example', plan: 'pro' },
    };
    expect(prepareEvents({ events: [pageView({ id: 'dup-1' }), signup] }, limits, NOW)).toHaveLength(2);
    expect(
      prepareEvents({ events: [pageView(), pageView({ id: 'a' }), pageView({ id: 'b' })] }, limits, NOW),
    ).toHaveLength(3);
  });

  it('refuses an event whose record would exceed the Firehose record limit', () => {
    const big = pageView({ data: { session_id: 'sess-0001', url: 'https://a.b/', title: 'x'.repeat(500) } });
    expect(() => prepareEvents(big, { ...limits, maxRecordBytes: 300 }, NOW)).toThrow(ApiError);
    try {
      prepareEvents(big, { ...limits, maxRecordBytes: 300 }, NOW);
    } catch (e) {
      expect((e as ApiError).details.errors).toEqual([
        expect.objectContaining({ index: 0, code: 'EVENT_TOO_LARGE' }),
      ]);
    }
  });
});

describe('an unknown event type', () => {
  const message = (body: unknown) =>
    (problems(body).details.errors as { code: string; message: string }[]).find(
      (e) => e.code === 'UNKNOWN_TYPE',
    )!.message;

  it('is answered with the registered types, as bundled (the validators generated from schemas/events/)', () => {
    expect(message({ type: 'page_veiw', data: {} })).toBe(
      "event type 'page_veiw' is not registered: the registered types are order_placed, page_view, signup " +
        '(schemas/events/<type>.json)',
    );
  });

  it('the types of the schemas the local lake runs on (a type added since the build is named), at most 12 of them', () => {
    const events = new Map<string, object>([['page_view', loadSchema('events', 'page_view')!]]);
    for (let i = 0; i < 14; i++) events.set(`added_${String(i).padStart(2, '0')}`, { type: 'object' });
    useSchemaSnapshot({ events, datasets: new Map() });
    expect(message({ type: 'nope', data: {} })).toBe(
      "event type 'nope' is not registered: the registered types are " +
        'added_00, added_01, added_02, added_03, added_04, added_05, added_06, added_07, added_08, added_09, added_10, ' +
        'added_11 and 3 more (schemas/events/<type>.json)',
    );
  });
});
