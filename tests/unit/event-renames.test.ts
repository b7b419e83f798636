/**
 * Ingest after a rename (x-lake.renamedFrom): events that still carry the old name are accepted and stored as sent
 * (the ETL reads the old name into the new column), checked by the renamed property's rules; errors point at the
 * name the producer sent.
 */
import { loadSchema } from '../../lib/schema-loader';
import { useSchemas } from '../../lib/validators/snapshot';
import { prepareEvents } from '../../lib/envelope';
import { ApiError } from '../../lib/errors';
import { dataset } from '../../lib/dataset-registry';
import { columnsByName } from '../../lib/uploads/check-columns';
import { jsonChecker } from '../../lib/uploads/check-json';
import { sampleLimits } from '../../lib/uploads/types';
import pageViewFile from '../../schemas/events/page_view.json';
import ordersFile from '../../schemas/datasets/orders.json';
import orderPlacedFile from '../../schemas/events/order_placed.json';

const limits = { maxEvents: 500, maxFutureSkewSeconds: 300 };

function renamedPageView(): object {
  const s = structuredClone(loadSchema('events', 'page_view')) as {
    properties: Record<string, object>;
  };
  const { referrer, title: _retired, ...rest } = s.properties;
  s.properties = { ...rest, referrer_url: { ...referrer, 'x-lake': { renamedFrom: 'referrer' } } };
  (s as Record<string, unknown>)['x-lake'] = { retired: ['title'] };
  return s;
}

function problems(body: unknown): { pointer: string; code: string; message: string }[] {
  try {
    prepareEvents(body, limits);
  } catch (e) {
    if (e instanceof ApiError) return (e.details as { errors: never[] }).errors;
    throw e;
  }
  return [];
}

const event = (data: Record<string, unknown>) => ({
  type: 'page_view',
  data: { session_id: 'sess-0001', url: 'https://shop.example/p/1', ...data },
});

describe('ingest after a rename', () => {
  beforeAll(() => {
    const events = new Map<string, object>();
    for (const t of ['page_view', 'signup', 'order_placed']) events.set(t, loadSchema('events', t)!);
    events.set('page_view', renamedPageView());
    useSchemas({ events, datasets: new Map() });
  });

  it('accepts the old name, the new name, and both (stored as sent)', () => {
    const records = prepareEvents(
      {
        events: [
          event({ referrer: 'https://old.example/' }),
          event({ referrer_url: 'https://new.example/' }),
          event({ referrer: 'https://old.example/', referrer_url: 'https://new.example/' }),
        ],
      },
      limits,
    );
    expect(records.map((r) => JSON.parse(r.line).data)).toEqual([
      expect.objectContaining({ referrer: 'https://old.example/' }),
      expect.objectContaining({ referrer_url: 'https://new.example/' }),
      expect.objectContaining({ referrer: 'https://old.example/', referrer_url: 'https://new.example/' }),
    ]);
    expect(JSON.parse(records[0]!.line).data).not.toHaveProperty('referrer_url');
  });

  it('checks the old name by the renamed property’s rules, pointing at the name sent', () => {
    expect(problems(event({ referrer: 'not a uri' }))).toEqual([
      expect.objectContaining({ pointer: '/data/referrer', code: 'SCHEMA_VIOLATION' }),
    ]);
    expect(problems(event({ referrer_url: 'not a uri' }))).toEqual([
      expect.objectContaining({ pointer: '/data/referrer_url', code: 'SCHEMA_VIOLATION' }),
    ]);
  });

  it('checks an old name sent beside the new one by the same rules (both are stored as sent)', () => {
    expect(problems(event({ referrer: 'not a uri', referrer_url: 'https://new.example/' }))).toEqual([
      expect.objectContaining({ pointer: '/data/referrer', code: 'SCHEMA_VIOLATION' }),
    ]);
    expect(
      problems(event({ referrer: 'https://old.example/', referrer_url: 'https://new.example/' })),
    ).toEqual([]);
  });

  it('refuses a retired property as retired', () => {
    expect(problems(event({ title: 'Home' }))).toEqual([
      {
        index: 0,
        pointer: '/data/title',
        code: 'SCHEMA_VIOLATION',
        message: 'is retired (x-lake.retired): no longer accepted; its stored values stay in the table',
      },
    ]);
  });

  it('refuses a retired property as retired in a type that takes undeclared keys too', () => {
    const closed = renamedPageView();
    const open = structuredClone(closed) as Record<string, unknown>;
    delete open.additionalProperties;
    const events = new Map<string, object>();
    for (const t of ['signup', 'order_placed']) events.set(t, loadSchema('events', t)!);
    events.set('page_view', open);
    useSchemas({ events, datasets: new Map() });
    try {
      expect(problems(event({ title: 'Home' }))).toEqual([
        {
          index: 0,
          pointer: '/data/title',
          code: 'SCHEMA_VIOLATION',
          message: 'is retired (x-lake.retired): no longer accepted; its stored values stay in the table',
        },
      ]);
      // An undeclared key is still taken; an error of its own is told beside the retired one.
      expect(problems(event({ campaign: 'spring' }))).toEqual([]);
      expect(
        problems(event({ title: 'Home', session_id: 7 }))
          .map((p) => p.pointer)
          .sort(),
      ).toEqual(['/data/session_id', '/data/title']);
    } finally {
      events.set('page_view', closed); // (loadSchema reads the schemas in use now: the open one)
      useSchemas({ events, datasets: new Map() });
    }
  });

  it('still refuses names that are neither', () => {
    expect(problems(event({ referer: 'https://x.example/' }))).toEqual([
      expect.objectContaining({ pointer: '/data/referer', message: 'is not an allowed property' }),
    ]);
  });

  it('compiles a schema edited under the same $id again (a running lake follows edits)', () => {
    const before = prepareEvents(event({ referrer: 'https://old.example/' }), limits);
    expect(before).toHaveLength(1);
    const events = new Map<string, object>();
    events.set('page_view', pageViewFile); // back to the file: referrer, no rename
    useSchemas({ events, datasets: new Map([['orders', ordersFile]]) });
    expect(problems(event({ referrer_url: 'https://new.example/' }))).toEqual([
      expect.objectContaining({ pointer: '/data/referrer_url', message: 'is not an allowed property' }),
    ]);
    expect(dataset('orders')?.validate({})).toBe(false);
    const orders = structuredClone(ordersFile) as { required: string[] };
    orders.required = orders.required.filter((r) => r !== 'currency');
    useSchemas({ events, datasets: new Map([['orders', orders]]) });
    expect(dataset('orders')!.table.columns.find((c) => c.name === 'currency')!.required).toBe(false);
  });
});

describe('a null under the new name beside a value under the former one', () => {
  beforeAll(() => {
    const pv = structuredClone(pageViewFile) as { properties: Record<string, { type?: unknown }> };
    const { referrer, ...rest } = pv.properties;
    const nullable = { ...referrer, type: ['string', 'null'], 'x-lake': { renamedFrom: 'referrer' } };
    pv.properties = { ...rest, referrer_url: nullable };
    useSchemas({ events: new Map([['page_view', pv]]), datasets: new Map() });
  });

  it('is refused, naming both: the ETL reads a null as not sent and would store the former name’s value', () => {
    expect(problems(event({ referrer_url: null, referrer: 'https://old.example/' }))).toEqual([
      {
        index: 0,
        pointer: '/data/referrer',
        code: 'SCHEMA_VIOLATION',
        message:
          'is a former name of referrer_url, sent with a value beside referrer_url: null; the lake reads a null as ' +
          'not sent and would store this value: send referrer_url alone (its null clears it) or this name alone',
      },
    ]);
    // The null alone clears; both null, or a value under the new name beside the old one, are taken.
    for (const data of [
      { referrer_url: null },
      { referrer_url: null, referrer: null },
      { referrer_url: 'https://new.example/', referrer: 'https://old.example/' },
    ])
      expect(problems(event(data))).toEqual([]);
  });
});

describe('after a second rename (C from B, after B from A was recorded)', () => {
  beforeAll(() => {
    // page_view: referrer → referrer_url recorded in its history; now referrer_url → source_url.
    const pv = structuredClone(pageViewFile) as { properties: Record<string, object> };
    const { referrer, ...rest } = pv.properties;
    pv.properties = { ...rest, source_url: { ...referrer, 'x-lake': { renamedFrom: 'referrer_url' } } };
    // orders: coupon → promo_code recorded; now promo_code → voucher.
    const orders = structuredClone(ordersFile) as { properties: Record<string, object> };
    const { coupon, ...others } = orders.properties;
    orders.properties = { ...others, voucher: { ...coupon, 'x-lake': { renamedFrom: 'promo_code' } } };
    const histories = new Map<string, object>([
      ['page_view', { columns: [{ name: 'referrer_url', type: 'string', renamedFrom: 'referrer' }] }],
      ['orders', { columns: [{ name: 'promo_code', type: 'string', renamedFrom: 'coupon' }] }],
    ]);
    useSchemas({ events: new Map([['page_view', pv]]), datasets: new Map([['orders', orders]]), histories });
  });

  it('ingest takes the first name, the second and the new one (stored as sent), by the property’s rules', () => {
    const sent = [
      { referrer: 'https://first.example/' },
      { referrer_url: 'https://second.example/' },
      { source_url: 'https://now.example/' },
    ];
    const records = prepareEvents({ events: sent.map(event) }, limits);
    expect(records.map((r) => JSON.parse(r.line).data)).toEqual(sent.map((d) => expect.objectContaining(d)));
    expect(problems(event({ referrer: 'not a uri' }))).toEqual([
      expect.objectContaining({ pointer: '/data/referrer', code: 'SCHEMA_VIOLATION' }),
    ]);
  });

  it('an upload may name the column by its first name', () => {
    const ds = dataset('orders')!;
    // The names a file's header or JSON keys are read by (the upload check's).
    const byName = columnsByName(ds);
    for (const name of ['voucher', 'promo_code', 'coupon']) expect(byName.get(name)?.name).toBe('voucher');
    const table = ds.table;
    expect(table.columns.find((c) => c.name === 'voucher')).toMatchObject({
      formerNames: ['promo_code', 'coupon'],
    });
  });

  it('a JSON record with several of its names is judged by the value the ETL stores: its COALESCE order, not key order', () => {
    const ds = dataset('orders')!;
    const base = {
      order_id: 'o-1',
      customer_id: 'c-1',
      order_date: '2026-11-30',
      status: 'paid',
      amount: 1,
      currency: 'EUR',
    };
    const long = 'x'.repeat(65); // voucher's maxLength is coupon's: 64
    const judged = (record: object) => {
      const c = jsonChecker(ds, sampleLimits(), true);
      c.push(JSON.stringify(record) + '\n');
      return c.finish(true);
    };
    // promo_code (the newer former name) is stored, whichever key comes first: its value is the one judged.
    for (const record of [
      { ...base, coupon: long, promo_code: 'OK' },
      { ...base, promo_code: 'OK', coupon: long },
      { ...base, voucher: null, coupon: long, promo_code: 'OK' },
    ])
      expect(judged(record)).toBeNull();
    for (const record of [
      { ...base, coupon: 'OK', promo_code: long },
      { ...base, promo_code: long, coupon: 'OK' },
    ])
      expect(judged(record)).toMatchObject({ code: 'ROW_INVALID', field: 'voucher' });
    // The new name first of all.
    expect(judged({ ...base, promo_code: long, voucher: 'OK' })).toBeNull();
  });
});

describe('exact and temporal types under every former name of a rename chain', () => {
  beforeAll(() => {
    // order_placed: units → unit_count, recorded; now unit_count → units_total (smallint). shipped → ship_date,
    // recorded; now ship_date → shipped_on (a date).
    const op = structuredClone(orderPlacedFile) as {
      properties: Record<string, object>;
    };
    op.properties = {
      ...op.properties,
      units_total: { type: 'integer', 'x-lake': { type: 'smallint', renamedFrom: 'unit_count' } },
      shipped_on: { type: 'string', format: 'date', 'x-lake': { renamedFrom: 'ship_date' } },
    };
    const histories = new Map<string, object>([
      [
        'order_placed',
        {
          columns: [
            { name: 'unit_count', type: 'smallint', renamedFrom: 'units' },
            { name: 'ship_date', type: 'date', renamedFrom: 'shipped' },
          ],
        },
      ],
    ]);
    useSchemas({ events: new Map([['order_placed', op]]), datasets: new Map(), histories });
  });

  const order = (data: Record<string, unknown>) => ({
    type: 'order_placed',
    data: {
      order_id: 'o-1',
      customer_id: 'c-1',
      currency: 'EUR',
      total: 1,
      items: [{ sku: 'a', quantity: 1, unit_price: 1 }],
      ...data,
    },
  });

  it.each(['units', 'unit_count', 'units_total'])(
    '%s: a value beyond smallint is refused, named as sent',
    (name) => {
      expect(problems(order({ [name]: 40000 }))).toEqual([
        expect.objectContaining({
          pointer: `/data/${name}`,
          code: 'SCHEMA_VIOLATION',
          message: expect.stringMatching(/smallint/),
        }),
      ]);
      expect(problems(order({ [name]: 32767 }))).toEqual([]);
    },
  );

  it.each(['shipped', 'ship_date', 'shipped_on'])('%s: a date the lake does not store is refused', (name) => {
    expect(problems(order({ [name]: '0999-01-01' }))).toEqual([
      expect.objectContaining({
        pointer: `/data/${name}`,
        code: 'SCHEMA_VIOLATION',
        message: expect.stringMatching(/date the lake stores/),
      }),
    ]);
    expect(problems(order({ [name]: '2024-02-29' }))).toEqual([]);
  });
});
