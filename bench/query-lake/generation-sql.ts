/**
 * The statements that generate the query lake with DuckDB itself: macros every generating connection has, and one
 * COPY per event table and day (or per dataset) straight into the curated layout the ETL writes.
 */
import { duckdbType } from '../../lib/duckdb-sql';
import { type TableDef } from '../../lib/catalog/tables';
import { CATEGORIES, COUNTRIES, REFERRERS, USER_AGENTS, WORDS } from '../events';
import {
  RUN_ID,
  EventTable,
  DatasetTable,
  CUSTOMER_ID_SPAN,
  CUSTOMER_DAYS,
  DAY_MS,
  BASE_MS,
  DIURNAL_A,
  DIURNAL_PEAK,
  VIEWPORTS,
  UTM_SOURCES,
  SIZES,
  FIRST,
  LAST,
  sqlString,
  sqlList,
  pick,
  LakeSpec,
  dayRange,
} from './shape';

/** Macros every generating connection has. */
export function macros(): string[] {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const pairs: string[] = [];
  for (const a of alphabet) for (const b of alphabet) pairs.push(a + b);
  // Two Crockford base32 characters per lookup (10 bits); a ULID is 10 characters of milliseconds, 16 of randomness.
  const b32x2 = (v: string, k: number) => `lake_b32x2(${v}, ${k})`;
  return [
    `CREATE OR REPLACE TEMP MACRO lake_rnd(k, salt) AS hash(k, salt)::DOUBLE / 18446744073709551616.0`,
    `CREATE OR REPLACE TEMP MACRO lake_b32x2(v, k) AS ${sqlList(pairs)}[((v >> (10 * k)) & 1023)::INTEGER + 1]`,
    `CREATE OR REPLACE TEMP MACRO lake_ulid(ms, h1, h2) AS concat(${[
      ...[4, 3, 2, 1, 0].map((k) => b32x2('ms', k)),
      ...[5, 4, 3, 2, 1, 0].map((k) => b32x2('h1', k)),
      ...[1, 0].map((k) => b32x2('h2', k)),
    ].join(', ')})`,
    // Milliseconds since the epoch at which row i of an event table of n rows over `days` days occurred: day
    // i·days div n; the time of day h(u) = u − A(sin 2π(u − P) + sin 2πP)/2π of the row's place u in its day, monotone
    // (rows are in time order), with events 1/h'(u) = 1/(1 − A cos 2π(u − P)) dense: 4x as many per hour at the peak
    // (around 15:00 UTC for P = 14/24) as at the low (around 03:00).
    `CREATE OR REPLACE TEMP MACRO lake_occurred_ms(i, n, days) AS ${BASE_MS}::BIGINT + ((i * days) // n) * ${DAY_MS} + ` +
      `least(${DAY_MS - 1}, floor(${DAY_MS} * (((i * days) % n)::DOUBLE / n - ${DIURNAL_A} * ` +
      `(sin(2 * pi() * (((i * days) % n)::DOUBLE / n - ${DIURNAL_PEAK})) + sin(2 * pi() * ${DIURNAL_PEAK})) / (2 * pi()))))::BIGINT`,
  ];
}

/** The order_placed values the orders dataset shares, for event row `i`. */
export const orderSql = {
  orderId: (i: string) => `'ord-' || printf('%012x', hash(${i}, 'op.order') >> 16)`,
  customerId: (i: string) =>
    `'user-' || (1 + floor(${CUSTOMER_ID_SPAN} * pow(lake_rnd(${i}, 'op.cust'), 1.6)))::BIGINT`,
  currency: (i: string) =>
    `CASE WHEN lake_rnd(${i}, 'op.cur') < 0.5 THEN 'EUR' WHEN lake_rnd(${i}, 'op.cur') < 0.7 THEN 'USD' ` +
    `WHEN lake_rnd(${i}, 'op.cur') < 0.85 THEN 'GBP' WHEN lake_rnd(${i}, 'op.cur') < 0.93 THEN 'CHF' ELSE 'SEK' END`,
  coupon: (i: string) =>
    `CASE WHEN lake_rnd(${i}, 'op.cp') < 0.2 THEN 'SUMMER' || (10 + hash(${i}, 'op.cpn') % 21) END`,
  itemCount: (i: string) => `(1 + floor(4 * pow(lake_rnd(${i}, 'op.k'), 1.8)))::BIGINT`,
};

/** Helper columns (over `e`: i, occ_ms, recv_ms) and column expressions of each event table. */
export const EVENT_SQL: Record<EventTable, { helpers: string; columns: Record<string, string> }> = {
  page_view: {
    // A session is 8 views, 8 sessions interleaved per 64 rows; a product among 20,000 with a steep popularity curve.
    helpers:
      `(i // 64) * 8 + (i % 8) AS s, lake_rnd(i, 'pv.page') AS pg, ` +
      `floor(20000 * pow(lake_rnd(i, 'pv.prod'), 2.5))::BIGINT AS prod`,
    columns: {
      session_id: `'sess-' || printf('%016x', hash(s, 'pv.sess'))`,
      user_id: `CASE WHEN lake_rnd(s, 'pv.login') < 0.55 THEN 'user-' || (1 + hash(s, 'pv.user') % 250000) END`,
      url:
        `'https://shop.example/' || CASE WHEN pg < 0.10 THEN '' WHEN pg < 0.20 THEN ${pick(CATEGORIES, "hash(i, 'pv.cat')")} ` +
        `WHEN pg < 0.24 THEN 'cart' WHEN pg < 0.26 THEN 'checkout' ELSE ${pick(CATEGORIES, 'prod')} || '/' || ` +
        `${pick(WORDS, 'prod // 8')} || '-' || ${pick(WORDS, 'prod // 88')} || '-' || prod END || ` +
        `CASE WHEN lake_rnd(s, 'pv.utm') < 0.3 THEN '?utm_source=' || ${pick(UTM_SOURCES, "hash(s, 'pv.src')")} ELSE '' END`,
      referrer:
        `CASE WHEN lake_rnd(i, 'pv.ref') < 0.4 THEN ${pick(REFERRERS, "hash(s, 'pv.refn')")} || ` +
        `${pick(WORDS, "hash(i, 'pv.refw')")} || '%20' || ${pick(CATEGORIES, "hash(i, 'pv.refc')")} END`,
      title:
        `CASE WHEN lake_rnd(i, 'pv.title') < 0.5 THEN CASE WHEN pg < 0.26 THEN 'Shop Example' ELSE ` +
        `${pick(WORDS, 'prod // 8')} || ' ' || ${pick(WORDS, 'prod // 88')} || ' ' || ${pick(CATEGORIES, 'prod')} || ' | Shop Example' END END`,
      user_agent: `CASE WHEN lake_rnd(s, 'pv.uap') < 0.5 THEN ${pick(USER_AGENTS, "hash(s, 'pv.ua')")} END`,
      duration_ms: `CASE WHEN lake_rnd(i, 'pv.dp') < 0.7 THEN 200 + floor(119800 * pow(lake_rnd(i, 'pv.d'), 3))::BIGINT END`,
      viewport: pick(VIEWPORTS, "hash(s, 'pv.vp')"),
    },
  },
  order_placed: {
    helpers: [
      `${orderSql.itemCount('i')} AS k`,
      ...[1, 2, 3, 4].map(
        (j) =>
          `(1 + floor(3 * pow(lake_rnd(i, 'op.q${j}'), 2)))::BIGINT AS q${j}, ` +
          `(4 + hash(i, 'op.p${j}') % 246)::DOUBLE + 0.99 AS p${j}, ` +
          `'{"sku":"SKU-' || (10000 + hash(i, 'op.s${j}') % 90000) || '-' || ${pick(SIZES, `hash(i, 'op.z${j}')`)} || ` +
          `'","quantity":' || q${j} || ',"unit_price":' || p${j} || '}' AS item${j}`,
      ),
    ].join(', '),
    columns: {
      order_id: orderSql.orderId('i'),
      customer_id: orderSql.customerId('i'),
      currency: orderSql.currency('i'),
      total:
        `round(q1 * p1 + CASE WHEN k >= 2 THEN q2 * p2 ELSE 0 END + CASE WHEN k >= 3 THEN q3 * p3 ELSE 0 END + ` +
        `CASE WHEN k >= 4 THEN q4 * p4 ELSE 0 END, 2)`,
      coupon: orderSql.coupon('i'),
      items:
        `'[' || item1 || CASE WHEN k >= 2 THEN ',' || item2 ELSE '' END || CASE WHEN k >= 3 THEN ',' || item3 ELSE '' END || ` +
        `CASE WHEN k >= 4 THEN ',' || item4 ELSE '' END || ']'`,
    },
  },
  signup: {
    helpers: `300000 + i AS u`,
    columns: {
      user_id: `'user-' || u`,
      email: `${pick(WORDS, "hash(i, 'su.w1')")} || '.' || ${pick(WORDS, "hash(i, 'su.w2')")} || u || '@example.com'`,
      plan: `CASE WHEN lake_rnd(i, 'su.plan') < 0.7 THEN 'free' WHEN lake_rnd(i, 'su.plan') < 0.95 THEN 'pro' ELSE 'enterprise' END`,
      country: `CASE WHEN lake_rnd(i, 'su.cp') < 0.8 THEN ${pick(COUNTRIES, "hash(i, 'su.c')")} END`,
      marketing_opt_in: `CASE WHEN lake_rnd(i, 'su.mp') < 0.7 THEN lake_rnd(i, 'su.m') < 0.4 END`,
      referral_code: `CASE WHEN lake_rnd(i, 'su.rp') < 0.15 THEN 'REF' || upper(printf('%06x', hash(i, 'su.ref') & 16777215)) END`,
    },
  },
};

/** The table's columns in the ETL's order and types: the generator's expression, or NULL for one it does not know. */
export function selectList(table: TableDef, exprs: Record<string, string>, missing: string[]): string {
  return table.columns
    .map((c) => {
      // A generated column with one value for every row a plan writes (lake_schema_version): that value.
      const expr = exprs[c.name] ?? (c.constant !== undefined ? String(c.constant) : undefined);
      if (expr === undefined) missing.push(`${table.name}.${c.name}`);
      return `CAST(${expr ?? 'NULL'} AS ${duckdbType(c.type)}) AS ${c.name}`;
    })
    .join(',\n  ');
}

/** COPY of the rows of one day of an event table into its partition's single file. */
export function eventDayCopy(
  table: TableDef,
  spec: LakeSpec,
  d: number,
  file: string,
  missing: string[],
): string {
  const t = table.name as EventTable;
  const n = spec.counts[t];
  const [lo, hi] = dayRange(n, spec.days, d);
  const g = EVENT_SQL[t];
  const exprs: Record<string, string> = {
    ...g.columns,
    // ULIDs from the receive time, as lib/ids.ts makes them.
    event_id: `lake_ulid(recv_ms, hash(i, '${t}.id1') >> 4, hash(i, '${t}.id2') >> 44)`,
    occurred_at: 'epoch_ms(occ_ms)',
    received_at: 'epoch_ms(recv_ms)',
  };
  return (
    `COPY (WITH o AS (SELECT i, lake_occurred_ms(i, ${n}, ${spec.days}) AS occ_ms FROM range(${lo}, ${hi}) r(i)), ` +
    // Received 40 ms to an hour later (mostly seconds: mobile clients batch).
    `e AS (SELECT *, occ_ms + 40 + floor(3600000 * pow(lake_rnd(i, '${t}.lag'), 8))::BIGINT AS recv_ms FROM o), ` +
    `x AS (SELECT *, ${g.helpers} FROM e) ` +
    `SELECT ${selectList(table, exprs, missing)} FROM x ORDER BY ${table.primaryKey.join(', ')}) ` +
    `TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`
  );
}

/** COPY of a whole dataset, partitioned by dt as the ETL writes it (one file per partition, sorted by key). */
export function datasetCopy(table: TableDef, spec: LakeSpec, dir: string, missing: string[]): string {
  const endMs = BASE_MS + spec.days * DAY_MS;
  const lineage = (file: string) => ({
    lake_source_file: sqlString(file),
    lake_ingested_at: `epoch_ms(${endMs + 3_600_000}::BIGINT)`,
  });
  let source: string;
  let exprs: Record<string, string>;
  let dt: string;
  if ((table.name as DatasetTable) === 'customers') {
    const start = endMs - CUSTOMER_DAYS * DAY_MS;
    source =
      `(SELECT j, ${start}::BIGINT + floor((j - 1 + lake_rnd(j, 'c.t')) * ${CUSTOMER_DAYS * DAY_MS} / ${spec.customers})::BIGINT AS created_ms, ` +
      `${pick(FIRST, "hash(j, 'c.f')")} AS fname, ${pick(LAST, "hash(j, 'c.l')")} AS lname FROM range(1, ${spec.customers + 1}) r(j))`;
    exprs = {
      customer_id: `'user-' || j`,
      email: `lower(fname) || '.' || lower(lname) || j || '@example.com'`,
      name: `fname || ' ' || lname`,
      country: `CASE WHEN lake_rnd(j, 'c.cp') < 0.9 THEN ${pick(COUNTRIES, "hash(j, 'c.c')")} END`,
      segment:
        `CASE WHEN lake_rnd(j, 'c.sp') < 0.8 THEN CASE WHEN lake_rnd(j, 'c.s') < 0.7 THEN 'consumer' ` +
        `WHEN lake_rnd(j, 'c.s') < 0.95 THEN 'business' ELSE 'vip' END END`,
      marketing_opt_in: `CASE WHEN lake_rnd(j, 'c.mp') < 0.7 THEN lake_rnd(j, 'c.m') < 0.4 END`,
      lifetime_value: `round(20000 * pow(lake_rnd(j, 'c.v'), 3), 2)`,
      created_at: 'epoch_ms(created_ms)',
      updated_at: `epoch_ms(created_ms + floor(${30 * DAY_MS} * pow(lake_rnd(j, 'c.u'), 2))::BIGINT)`,
      ...lineage('uploads/customers/customers.jsonl'),
    };
    dt = `strftime(epoch_ms(created_ms), '%Y-%m-%d')`;
  } else {
    // A sample of the order_placed events: the shop's export of the same orders, with their later status.
    const n = spec.counts.order_placed;
    // Every (n / orders)-th event: spread over all days.
    source =
      `(SELECT i, lake_occurred_ms(i, ${n}, ${spec.days}) AS occ_ms FROM ` +
      `(SELECT (j * ${n}) // ${spec.orders} AS i FROM range(0, ${spec.orders}) r(j)))`;
    exprs = {
      order_id: orderSql.orderId('i'),
      customer_id: orderSql.customerId('i'),
      order_date: 'CAST(epoch_ms(occ_ms) AS DATE)',
      status:
        `CASE WHEN lake_rnd(i, 'o.st') < 0.05 THEN 'placed' WHEN lake_rnd(i, 'o.st') < 0.15 THEN 'paid' ` +
        `WHEN lake_rnd(i, 'o.st') < 0.35 THEN 'shipped' WHEN lake_rnd(i, 'o.st') < 0.9 THEN 'delivered' ` +
        `WHEN lake_rnd(i, 'o.st') < 0.96 THEN 'cancelled' ELSE 'refunded' END`,
      amount: `round(5 + 795 * pow(lake_rnd(i, 'o.a'), 2), 2)`,
      currency: orderSql.currency('i'),
      item_count: orderSql.itemCount('i'),
      coupon: orderSql.coupon('i'),
      updated_at: `epoch_ms(occ_ms + floor(${10 * DAY_MS} * lake_rnd(i, 'o.u'))::BIGINT)`,
      ...lineage('uploads/orders/orders.csv'),
    };
    dt = `strftime(epoch_ms(occ_ms), '%Y-%m-%d')`;
  }
  const key = table.partitionKeys[0]!.name;
  return (
    `COPY (SELECT ${selectList(table, exprs, missing)}, ${dt} AS ${key} FROM ${source} ` +
    `ORDER BY ${table.primaryKey.join(', ')}) TO ${sqlString(dir)} (FORMAT parquet, COMPRESSION zstd, ` +
    `PARTITION_BY (${key}), FILENAME_PATTERN ${sqlString(`part-{i}-${RUN_ID}`)}, WRITE_PARTITION_COLUMNS false)`
  );
}
