/**
 * The plan's typedSql on DuckDB, as the runner materialises it: a row's reasons are spelled out only when it fails a
 * check (every reason, in column order), integer checks tell "not an integer" from "out of range" without testing
 * valid rows twice, and the raw texts are kept for rejected rows only — all of them, the valid columns' too, since the
 * rejected record (rejectedSql) carries the whole raw row.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { lakeTable, type ColumnDef } from '../../lib/catalog/tables';
import { buildPlan, DUCKDB_PRELUDE } from '../../lib/etl/plan';
import { REPEATED_GROUP_MAX_CHARS } from '../../lib/etl/portable-regex';
import layout from '../../lib/lake-layout.json';

type Row = Record<string, unknown>;
let db: DuckDBInstance;
let conn: DuckDBConnection;

beforeAll(async () => {
  db = await DuckDBInstance.create(':memory:', { threads: '1' });
  conn = await db.connect();
  await conn.run("SET TimeZone = 'UTC'");
  for (const s of DUCKDB_PRELUDE) await conn.run(s);
});
afterAll(() => {
  conn.closeSync();
  db.closeSync();
});

const q = async (sql: string): Promise<Row[]> => (await conn.runAndReadAll(sql)).getRowObjectsJson() as Row[];
const lit = (s: string | null) => (s === null ? 'CAST(NULL AS VARCHAR)' : `'${s.replaceAll("'", "''")}'`);
const plan = buildPlan(lakeTable('orders')!);
const cols = plan.input.columns.map((c) => c.name);

/** typed over raw_input rows (file-0, file-1, ... as their source), in input order. */
async function typed(rows: Record<string, string | null>[], p = plan): Promise<Row[]> {
  const cols = p.input.columns.map((c) => c.name);
  const values = rows
    .map(
      (r, i) =>
        `(${[...cols.map((c) => r[c] ?? null), `file-${i}`, '2026-03-05T12:00:00.000Z'].map(lit).join(', ')})`,
    )
    .join(', ');
  await conn.run(
    `CREATE OR REPLACE TEMP VIEW raw_input AS SELECT * FROM (VALUES ${values}) v(${[...cols, 'lake_source_file', 'lake_ingested_at'].join(', ')})`,
  );
  await conn.run(`CREATE OR REPLACE TEMP TABLE typed AS ${p.typedSql}`);
  return q('SELECT * FROM typed ORDER BY raw_lake_source_file');
}

const order = (over: Record<string, string | null> = {}) => ({
  order_id: 'o1',
  customer_id: 'c1',
  order_date: '2026-03-01',
  status: 'paid',
  amount: '12.5',
  currency: 'EUR',
  item_count: '2',
  coupon: 'SPRING',
  updated_at: '2026-03-01T10:00:00Z',
  ...over,
});

it('spells out every reason of a failing row, in column order, and none for a valid one', async () => {
  const rows = await typed([
    order(),
    order({ order_id: null, status: 'lost', amount: '-1', currency: 'eur', item_count: 'x' }),
    order({ item_count: '99999999999999999999' }),
    order({ item_count: '-0', updated_at: '2026-03-01T10:00:00+02:00' }),
  ]);
  expect(rows.map((r) => r.reject_reason)).toEqual([
    null,
    'order_id: required; status: not one of placed, paid, shipped, delivered, cancelled, refunded; ' +
      'amount: less than 0; currency: does not match ^[A-Z]{3}$; item_count: not an integer',
    'item_count: out of range for bigint (-9223372036854775808 to 9223372036854775807)',
    'updated_at: not a UTC timestamp (yyyy-MM-ddTHH:mm:ss[.ffffff][Z|+00:00], T or a space, years 1000 to 9999: at most 6 fraction digits)',
  ]);
  expect(rows[0]).toMatchObject({ order_id: 'o1', item_count: '2', amount: 12.5, dt: '2026-03-01' });
  expect(rows[3]).toMatchObject({ item_count: '0' });
});

it('takes timestamps to the microsecond, and a seventh fraction digit only when it is 0 (never cut off)', async () => {
  const rows = await typed([
    order({ updated_at: '2026-03-01T10:00:00.123456Z' }),
    order({ updated_at: '2026-03-01T10:00:00.123456000Z' }),
    order({ updated_at: '9999-12-31T23:59:59.9999995Z' }),
    order({ updated_at: '2026-03-01T10:00:00.1234567' }),
  ]);
  expect(rows.map((r) => r.reject_reason)).toEqual([
    null,
    null,
    'updated_at: not a UTC timestamp (yyyy-MM-ddTHH:mm:ss[.ffffff][Z|+00:00], T or a space, years 1000 to 9999: at most 6 fraction digits)',
    'updated_at: not a UTC timestamp (yyyy-MM-ddTHH:mm:ss[.ffffff][Z|+00:00], T or a space, years 1000 to 9999: at most 6 fraction digits)',
  ]);
});

it('keeps the raw texts of rejected rows only, every column of them; the source of every row', async () => {
  const rows = await typed([order(), order({ amount: 'abc', coupon: null })]);
  const rawOf = (r: Row) => Object.fromEntries(cols.map((c) => [c, r[`raw_${c}`]]));
  expect(rawOf(rows[0]!)).toEqual(Object.fromEntries(cols.map((c) => [c, null])));
  expect(rawOf(rows[1]!)).toEqual(order({ amount: 'abc', coupon: null }));
  expect(rows.map((r) => r.raw_lake_source_file)).toEqual(['file-0', 'file-1']);

  // The rejected record carries the whole raw row.
  await conn.run(
    'CREATE OR REPLACE TEMP TABLE lake_malformed (lake_source_file VARCHAR, reject_reason VARCHAR, raw_record VARCHAR)',
  );
  await conn.run(
    `CREATE OR REPLACE TEMP VIEW lake_run AS SELECT 'run-1' AS run_id, '2026-03-05T12:00:00.000Z' AS rejected_at`,
  );
  const rejected = await q(plan.rejectedSql.duckdb);
  expect(rejected).toHaveLength(1);
  expect(rejected[0]).toMatchObject({ source_file: 'file-1', reason: 'amount: not a number' });
  expect(JSON.parse(String(rejected[0]!.raw_record))).toEqual(order({ amount: 'abc', coupon: null }));
});

it("rejects a row whose partition value is before the lake's first partition day (Athena projects none earlier)", async () => {
  const first = layout.curated.earliestPartitionDate;
  const dayBefore = new Date(Date.parse(`${first}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  const rows = await typed([order({ order_date: first }), order({ order_date: dayBefore })]);
  expect(rows.map((r) => [r.dt, r.reject_reason])).toEqual([
    [first, null],
    [
      dayBefore,
      `order_date: before ${first}, the first partition day of the lake, where Athena partition projection starts ` +
        '(lib/lake-layout.json curated.earliestPartitionDate)',
    ],
  ]);
});

it('rejects a double too large or too small for a double (1e400, 1e-400), never stored clamped or rounded', async () => {
  const rows = await typed([
    order({ amount: '1e400' }),
    order({ amount: '1e-400' }),
    order({ amount: '0.000e5' }),
    order({ amount: '4.9e-324' }),
  ]);
  const reasons = rows.map((r) => String(r.reject_reason ?? ''));
  expect(reasons[0]).toContain('amount: out of range for double');
  expect(reasons[1]).toBe('amount: out of range for double (magnitudes from 4.9e-324 to 1.8e308)');
  expect(reasons.slice(2)).toEqual(['', '']);
  expect(rows[3]).toMatchObject({ amount: 5e-324 });
});

it("rejects a text shorter than the schema's minLength (an empty key from a JSON file)", async () => {
  const rows = await typed([order({ order_id: '' }), order({ customer_id: '' }), order({ order_id: 'x' })]);
  expect(rows.map((r) => r.reject_reason)).toEqual([
    'order_id: shorter than 1',
    'customer_id: shorter than 1',
    null,
  ]);
});

it("checks an enum value and a pattern that hold a quote (o'neil, [A-Za-z' -]), in the reasons too", async () => {
  const orders = lakeTable('orders')!;
  const quoted = buildPlan({
    ...orders,
    columns: orders.columns.map((c) =>
      c.name === 'status'
        ? { ...c, enum: ['placed', "o'neil"] }
        : c.name === 'coupon'
          ? { ...c, pattern: "^[A-Za-z' -]+$" }
          : c,
    ),
  });
  const rows = await typed(
    [order({ status: "o'neil", coupon: "it's on" }), order({ status: 'oneil', coupon: 'a"b' })],
    quoted,
  );
  expect(rows.map((r) => r.reject_reason)).toEqual([
    null,
    "status: not one of placed, o'neil; coupon: does not match ^[A-Za-z' -]+$",
  ]);
  expect(rows[0]).toMatchObject({ status: "o'neil", coupon: "it's on" });
});

it('rejects a value longer than REPEATED_GROUP_MAX_CHARS for a pattern or email format repeating a group, untested', async () => {
  const orders = lakeTable('orders')!;
  const slugs = buildPlan({
    ...orders,
    columns: orders.columns.map((c) =>
      c.name === 'coupon'
        ? { ...c, pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: undefined }
        : c.name === 'customer_id'
          ? {
              ...c,
              otherRules: JSON.stringify({ format: 'email' }),
              maxLength: undefined,
              pattern: undefined,
            }
          : c,
    ),
  });
  const at = `a${'-b'.repeat(REPEATED_GROUP_MAX_CHARS)}`.slice(0, REPEATED_GROUP_MAX_CHARS - 1) + 'c';
  const email = `${'x'.repeat(REPEATED_GROUP_MAX_CHARS - 12)}@example.com`;
  const rows = await typed(
    [
      order({ coupon: at, customer_id: email }),
      order({ coupon: `${at}-c`, customer_id: `x${email}` }),
      order({ coupon: 'a--b', customer_id: 'no-at-sign' }),
    ],
    slugs,
  );
  const limit = `longer than the ${REPEATED_GROUP_MAX_CHARS} characters a pattern repeating a group is tested on (`;
  expect(rows.map((r) => r.reject_reason)).toEqual([
    null,
    `customer_id: ${limit}format email: Java's regular expressions on Glue recurse once per repetition and ` +
      `overflow on longer text); coupon: ${limit}^[a-z0-9]+(-[a-z0-9]+)*$: Java's regular expressions on Glue ` +
      'recurse once per repetition and overflow on longer text)',
    'customer_id: not an email address (format email); coupon: does not match ^[a-z0-9]+(-[a-z0-9]+)*$',
  ]);
  // The plan tests the pattern only on a value within the limit (the length first, in a CASE).
  expect(slugs.typedSql).toMatch(
    new RegExp(`CASE WHEN length\\([^)]*\\) > ${REPEATED_GROUP_MAX_CHARS} THEN FALSE ELSE NOT regexp_like`),
  );
});

it("checks a number column's enum by value: 1e-06, 0.0000010 and 1.0e-6 are 0.000001", async () => {
  const orders = lakeTable('orders')!;
  const numeric = buildPlan({
    ...orders,
    columns: orders.columns.map((c) => (c.name === 'amount' ? { ...c, enum: [0.000001, 1e-7, 12.5] } : c)),
  });
  const rows = await typed(
    ['1e-06', '0.0000010', '1.0e-6', '1e-7', '12.50', '0.000002'].map((amount) => order({ amount })),
    numeric,
  );
  expect(rows.map((r) => r.reject_reason)).toEqual([
    null,
    null,
    null,
    null,
    null,
    'amount: not one of 0.000001, 1e-7, 12.5',
  ]);
});

it("checks a boolean column's enum by value: TRUE and True are true, as typing and the upload check read them", async () => {
  const customers = lakeTable('customers')!;
  const optedIn = buildPlan({
    ...customers,
    columns: customers.columns.map((c) => (c.name === 'marketing_opt_in' ? { ...c, enum: [true] } : c)),
  });
  const customer = (marketing_opt_in: string) => ({
    customer_id: 'c1',
    email: 'c1@example.com',
    created_at: '2026-03-01T10:00:00Z',
    marketing_opt_in,
  });
  const rows = await typed(['TRUE', 'True', 'true', 'false', 'FALSE'].map(customer), optedIn);
  expect(rows.map((r) => [r.marketing_opt_in, r.reject_reason])).toEqual([
    [true, null],
    [true, null],
    [true, null],
    [false, 'marketing_opt_in: not one of true'],
    [false, 'marketing_opt_in: not one of true'],
  ]);
});

it("rejects a dataset row whose partition value is beyond the days Athena's projection reads for a dataset", async () => {
  const year = new Date().getUTCFullYear();
  const { datasetPartitionYearsAhead } = layout.curated;
  const rows = await typed([
    order({ order_date: `${year + datasetPartitionYearsAhead - 1}-06-01` }),
    order({ order_date: `${year + datasetPartitionYearsAhead + 1}-01-01` }),
  ]);
  expect(rows.map((r) => r.reject_reason)).toEqual([
    null,
    `order_date: more than ${datasetPartitionYearsAhead} years after the day of the run, beyond the last partition ` +
      'day Athena partition projection reads for a dataset (lib/lake-layout.json curated.datasetPartitionYearsAhead): ' +
      'replay the row when the date is nearer, or raise that setting',
  ]);
});

it("checks a dataset column's other rules past the upload's sample: exclusive bounds, const, multipleOf, formats", async () => {
  const orders = lakeTable('orders')!;
  const rules = (c: ColumnDef, r: object) => ({ ...c, otherRules: JSON.stringify(r) });
  const checked = buildPlan({
    ...orders,
    columns: orders.columns.map((c) =>
      c.name === 'amount'
        ? rules(c, { exclusiveMinimum: 0, exclusiveMaximum: 1000 })
        : c.name === 'item_count'
          ? rules(c, { multipleOf: 2 })
          : c.name === 'currency'
            ? rules(c, { const: 'EUR' })
            : c.name === 'coupon'
              ? rules(c, { format: 'email' })
              : c.name === 'customer_id'
                ? rules(c, { format: 'uuid' })
                : c,
    ),
  });
  const id = '123E4567-e89b-12d3-a456-426614174000';
  const rows = await typed(
    [
      order({ customer_id: id, amount: '999.99', item_count: '4', coupon: "o'neil+x@Example.co" }),
      order({ customer_id: `urn:uuid:${id}`, amount: '0', item_count: '3', currency: 'USD', coupon: 'a@b' }),
      order({ customer_id: 'c1', amount: '1000', coupon: 'not an email' }),
    ],
    checked,
  );
  expect(rows.map((r) => r.reject_reason)).toEqual([
    null,
    'amount: not greater than 0; currency: not "EUR"; item_count: not a multiple of 2; ' +
      'coupon: not an email address (format email)',
    'customer_id: not a UUID (format uuid); amount: not less than 1000; coupon: not an email address (format email)',
  ]);
});
