/**
 * Property-based tests of the event envelope (lib/envelope.ts): for any body, prepareEvents either returns records
 * that satisfy the schemas or throws ApiError 400 with a machine-readable code and per-problem details — nothing
 * else, and it never touches Object.prototype; events generated from schemas/events/ are accepted and stamped;
 * removing a required field or adding an unknown one is refused with a pointer to it; a batch is all or nothing.
 */
import fc from 'fast-check';
import { MIN_OCCURRED_AT_MS, prepareEvents, type BatchLimits } from '../../lib/envelope';
import { ApiError } from '../../lib/errors';
import { eventValidator, validateEnvelope } from '../../lib/schema-registry';

const LIMITS: BatchLimits = { maxEvents: 500, maxFutureSkewSeconds: 86_400 };
const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const SEED = 20261124;
const RUNS = 200;

const BODY_CODES = new Set(['INVALID_BODY', 'TOO_MANY_EVENTS', 'VALIDATION_FAILED']);
const EVENT_CODES = new Set([
  'NOT_AN_OBJECT',
  'INVALID_ENVELOPE',
  'UNKNOWN_TYPE',
  'SCHEMA_VIOLATION',
  'OCCURRED_AT_IN_FUTURE',
  'EVENT_TOO_LARGE',
  'DUPLICATE_ID',
]);

interface Problem {
  index: number;
  pointer: string;
  code: string;
  message: string;
}

/** Runs prepareEvents; returns the records or the ApiError; fails on anything else. */
function outcome(body: unknown): { records: ReturnType<typeof prepareEvents> } | { error: ApiError } {
  try {
    return { records: prepareEvents(body, LIMITS, NOW) };
  } catch (e) {
    if (!(e instanceof ApiError)) throw new Error(`not an ApiError: ${String(e)}`);
    return { error: e };
  }
}

function checkRefusal(e: ApiError): Problem[] {
  expect(e.status).toBe(400);
  expect(BODY_CODES.has(e.code)).toBe(true);
  expect(e.message.length).toBeGreaterThan(0);
  if (e.code === 'INVALID_BODY') expect(typeof e.details.pointer).toBe('string');
  if (e.code === 'TOO_MANY_EVENTS') expect(e.details).toMatchObject({ limit: 500 });
  if (e.code !== 'VALIDATION_FAILED') return [];
  const errors = e.details.errors as Problem[];
  expect(errors.length).toBeGreaterThan(0);
  for (const p of errors) {
    expect(Number.isInteger(p.index) && p.index >= 0).toBe(true);
    expect(p.pointer === '' || p.pointer.startsWith('/')).toBe(true);
    expect(EVENT_CODES.has(p.code)).toBe(true);
    expect(p.message.length).toBeGreaterThan(0);
  }
  expect(e.details.invalidEvents).toBe(new Set(errors.map((p) => p.index)).size);
  expect(e.details.totalProblems).toBeGreaterThanOrEqual(errors.length);
  return errors;
}

/** Every returned record is a stamped event that satisfies the envelope and its type's schema. */
function checkRecords(records: ReturnType<typeof prepareEvents>): void {
  for (const r of records) {
    const raw = JSON.parse(r.line) as Record<string, unknown>;
    expect(Object.keys(raw)).toEqual(['id', 'type', 'occurred_at', 'received_at', 'data']);
    expect(raw.id).toBe(r.id);
    expect(raw.type).toBe(r.type);
    expect(raw.received_at).toBe(new Date(NOW).toISOString());
    expect(new Date(raw.occurred_at as string).toISOString()).toBe(raw.occurred_at);
    const { received_at: _r, ...submitted } = raw;
    expect(validateEnvelope(submitted)).toBe(true);
    expect(eventValidator(r.type)!(raw.data)).toBe(true);
  }
}

/** An object with exactly these own properties, '__proto__' included (as JSON.parse makes it). */
const fromEntries = (entries: [string, unknown][]) => {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries)
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
};

const trickyKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'type',
  'data',
  'id',
  'occurred_at',
  'received_at',
  'events',
);
const trickyObject: fc.Arbitrary<Record<string, unknown>> = fc.letrec((tie) => ({
  obj: fc
    .array(fc.tuple(fc.oneof(trickyKey, fc.string()), fc.oneof(fc.jsonValue({ maxDepth: 2 }), tie('obj'))), {
      maxLength: 6,
    })
    .map((entries) => fromEntries(entries as [string, unknown][])),
})).obj as fc.Arbitrary<Record<string, unknown>>;

// --- arbitraries of valid events, from schemas/events/

const text = (min: number, max: number) => fc.string({ unit: 'binary', minLength: min, maxLength: max });
const token = (min: number, max: number) =>
  fc.stringMatching(/^[A-Za-z0-9_-]+$/).filter((s) => s.length >= min && s.length <= max);
const url = fc
  .tuple(fc.constantFrom('http', 'https'), fc.domain(), fc.array(token(1, 12), { maxLength: 4 }))
  .map(([scheme, host, segs]) => `${scheme}://${host}/${segs.join('/')}`)
  .filter((u) => u.length <= 2048);
const email = fc
  .tuple(token(1, 20), fc.domain())
  .map(([local, domain]) => `${local}@${domain}`)
  .filter((e) => e.length <= 254);
const upper = (n: number) => fc.stringMatching(new RegExp(`^[A-Z]{${n}}$`));
const clientId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/);
/** An occurred_at between a day after the lake's first partition day and a day ahead, with a zone (Z or an offset). */
const occurredAt = fc
  .tuple(
    fc.date({
      min: new Date(MIN_OCCURRED_AT_MS + 86_400_000),
      max: new Date(NOW + 86_000_000),
      noInvalidDate: true,
    }),
    fc.integer({ min: -12 * 60, max: 14 * 60 }),
    fc.boolean(),
  )
  .map(([d, offsetMin, zulu]) => {
    if (zulu) return d.toISOString();
    const local = new Date(d.getTime() + offsetMin * 60_000).toISOString().slice(0, 19);
    const sign = offsetMin < 0 ? '-' : '+';
    const abs = Math.abs(offsetMin);
    return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  });

const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const compact = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const pageViewData = fc
  .record({
    session_id: text(8, 64),
    user_id: optional(text(1, 64)),
    url,
    referrer: optional(url),
    title: optional(text(0, 512)),
    user_agent: optional(text(0, 1024)),
    duration_ms: optional(fc.integer({ min: 0, max: 86_400_000 })),
    viewport: optional(
      fc.record({ width: fc.integer({ min: 1, max: 20_000 }), height: fc.integer({ min: 1, max: 20_000 }) }),
    ),
  })
  .map(compact);
const signupData = fc
  .record({
    user_id: text(1, 64),
    email,
    plan: fc.constantFrom('free', 'pro', 'enterprise'),
    country: optional(upper(2)),
    marketing_opt_in: optional(fc.boolean()),
    referral_code: optional(text(0, 32)),
  })
  .map(compact);
const money = (max: number) =>
  fc.double({ min: 0, max, noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x));
const orderPlacedData = fc
  .record({
    order_id: text(1, 64),
    customer_id: text(1, 64),
    currency: upper(3),
    total: money(10_000_000),
    coupon: optional(text(0, 64)),
    items: fc.array(
      fc.record({
        sku: text(1, 64),
        quantity: fc.integer({ min: 1, max: 10_000 }),
        unit_price: money(1_000_000),
      }),
      { minLength: 1, maxLength: 5 },
    ),
  })
  .map(compact);

const REQUIRED: Record<string, string[]> = {
  page_view: ['session_id', 'url'],
  signup: ['user_id', 'email', 'plan'],
  order_placed: ['order_id', 'customer_id', 'currency', 'total', 'items'],
};

const validEvent = fc
  .tuple(
    fc.oneof(
      pageViewData.map((data) => ({ type: 'page_view', data })),
      signupData.map((data) => ({ type: 'signup', data })),
      orderPlacedData.map((data) => ({ type: 'order_placed', data })),
    ),
    optional(clientId),
    optional(occurredAt),
  )
  .map(
    ([e, id, at]) =>
      compact({ ...e, id, occurred_at: at }) as {
        type: string;
        data: Record<string, unknown>;
        id?: string;
        occurred_at?: string;
      },
  );

const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

afterEach(() => {
  // Nothing may have been added to Object.prototype (pollution through __proto__ keys).
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

describe('prepareEvents (property-based)', () => {
  it('any JSON value: records that satisfy the schemas, or ApiError 400 with a code and details', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          trickyObject,
          validEvent,
          fc.record({
            events: fc.array(fc.oneof(fc.jsonValue(), trickyObject, validEvent), { maxLength: 5 }),
          }),
          fc.record({ events: fc.array(validEvent, { minLength: 1, maxLength: 5 }) }),
        ),
        (body) => {
          // As a request body arrives: through JSON.
          const parsed = JSON.parse(JSON.stringify(body) ?? 'null') as unknown;
          const r = outcome(parsed);
          if ('records' in r) checkRecords(r.records);
          else checkRefusal(r.error);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('objects with __proto__ / constructor keys anywhere are refused with a pointer to the key, never merged', () => {
    fc.assert(
      fc.property(
        validEvent,
        fc.constantFrom('__proto__', 'constructor', 'prototype'),
        fc.constantFrom('envelope', 'data'),
        (event, key, where) => {
          const text = JSON.stringify(event);
          const injected =
            where === 'envelope'
              ? `{"${key}":{"polluted":1},` + text.slice(1)
              : text.replace('"data":{', `"data":{"${key}":{"polluted":1},`);
          const r = outcome(JSON.parse(injected));
          expect('error' in r).toBe(true);
          if (!('error' in r)) return;
          const errors = checkRefusal(r.error);
          expect(errors.map((p) => p.pointer)).toContain(where === 'envelope' ? `/${key}` : `/data/${key}`);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('a valid event of any type is accepted and stamped; client ids are kept, others are ULIDs', () => {
    fc.assert(
      fc.property(validEvent, (event) => {
        const r = outcome(JSON.parse(JSON.stringify(event)));
        if ('error' in r)
          throw new Error(`refused: ${JSON.stringify(r.error.details)} for ${JSON.stringify(event)}`);
        expect(r.records).toHaveLength(1);
        checkRecords(r.records);
        const raw = JSON.parse(r.records[0]!.line) as Record<string, unknown>;
        if (event.id !== undefined) expect(raw.id).toBe(event.id);
        else expect(raw.id).toMatch(ULID);
        expect(raw.occurred_at).toBe(
          event.occurred_at === undefined
            ? new Date(NOW).toISOString()
            : new Date(Date.parse(event.occurred_at)).toISOString(),
        );
        expect(raw.data).toEqual(event.data);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('removing a required field is refused with a pointer to it', () => {
    fc.assert(
      fc.property(validEvent, fc.nat(), (event, pick) => {
        const required = REQUIRED[event.type]!;
        const field = required[pick % required.length]!;
        const data = { ...event.data };
        delete data[field];
        const r = outcome({ ...event, data });
        expect('error' in r).toBe(true);
        if (!('error' in r)) return;
        const errors = checkRefusal(r.error);
        expect(errors).toContainEqual(
          expect.objectContaining({ index: 0, pointer: `/data/${field}`, code: 'SCHEMA_VIOLATION' }),
        );
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('removing type or data from the envelope is refused with a pointer to it', () => {
    fc.assert(
      fc.property(validEvent, fc.constantFrom('type', 'data'), (event, field) => {
        const e: Record<string, unknown> = { ...event };
        delete e[field];
        const r = outcome(e);
        expect('error' in r).toBe(true);
        if (!('error' in r)) return;
        expect(checkRefusal(r.error)).toContainEqual(
          expect.objectContaining({ index: 0, pointer: `/${field}`, code: 'INVALID_ENVELOPE' }),
        );
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('an unknown field (data or envelope) is refused with a pointer to it', () => {
    const name = fc
      .stringMatching(/^[a-z][a-z0-9_]{0,20}$/)
      .filter(
        (n) =>
          ![
            'session_id',
            'user_id',
            'url',
            'referrer',
            'title',
            'user_agent',
            'duration_ms',
            'viewport',
            'email',
            'plan',
            'country',
            'marketing_opt_in',
            'referral_code',
            'order_id',
            'customer_id',
            'currency',
            'total',
            'coupon',
            'items',
            'type',
            'id',
            'data',
            'occurred_at',
          ].includes(n),
      );
    fc.assert(
      fc.property(validEvent, name, fc.jsonValue(), fc.boolean(), (event, field, value, inData) => {
        const e = inData
          ? { ...event, data: { ...event.data, [field]: value } }
          : { ...event, [field]: value };
        const r = outcome(e);
        expect('error' in r).toBe(true);
        if (!('error' in r)) return;
        expect(checkRefusal(r.error)).toContainEqual(
          expect.objectContaining({
            index: 0,
            pointer: inData ? `/data/${field}` : `/${field}`,
            code: inData ? 'SCHEMA_VIOLATION' : 'INVALID_ENVELOPE',
          }),
        );
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('a batch is all or nothing: one bad event among valid ones refuses the batch, naming only its index', () => {
    fc.assert(
      fc.property(
        // Distinct client ids: two different events under one id are a refusal of their own (DUPLICATE_ID).
        fc.uniqueArray(validEvent, { minLength: 1, maxLength: 20, selector: (e) => e.id ?? e }),
        fc.nat(),
        fc.constantFrom<[string, (e: Record<string, unknown>) => Record<string, unknown>]>(
          ['unknown type', (e) => ({ ...e, type: 'no_such_type' })],
          ['data not an object', (e) => ({ ...e, data: [1] })],
          ['an extra envelope field', (e) => ({ ...e, extra: true })],
          [
            'occurred_at in the future',
            (e) => ({ ...e, occurred_at: new Date(NOW + 3 * 86_400_000).toISOString() }),
          ],
          [
            "occurred_at before the lake's first partition day",
            (e) => ({ ...e, occurred_at: new Date(MIN_OCCURRED_AT_MS - 1).toISOString() }),
          ],
          ['a number', () => 42 as unknown as Record<string, unknown>],
          [
            'a lone surrogate in data',
            (e) => ({ ...e, data: { ...(e.data as object), [REQUIRED[e.type as string]![0]!]: '\ud800' } }),
          ],
        ),
        (events, pick, [, spoil]) => {
          const k = pick % (events.length + 1);
          const batch: unknown[] = [...events];
          batch.splice(k, 0, spoil({ ...events[k % events.length]! }));
          const r = outcome({ events: batch });
          expect('error' in r).toBe(true);
          if (!('error' in r)) return;
          expect(r.error.code).toBe('VALIDATION_FAILED');
          const errors = checkRefusal(r.error);
          expect([...new Set(errors.map((p) => p.index))]).toEqual([k]);
          expect(r.error.details.invalidEvents).toBe(1);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('more than 500 events is TOO_MANY_EVENTS, whatever they are', () => {
    fc.assert(
      fc.property(fc.integer({ min: 501, max: 1500 }), fc.jsonValue(), (n, v) => {
        const r = outcome({ events: Array.from({ length: n }, () => v) });
        expect('error' in r && r.error.code === 'TOO_MANY_EVENTS' && r.error.details.count === n).toBe(true);
      }),
      { seed: SEED, numRuns: 30 },
    );
  });
});
