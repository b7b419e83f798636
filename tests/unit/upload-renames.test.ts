/**
 * The upload check after a schema change: files written with a renamed column's old name still load (into the new
 * column), a file holding both names is refused, and a retired column is refused with the reason.
 */
import orders from '../../schemas/datasets/orders.json';
import customers from '../../schemas/datasets/customers.json';
import { datasetTable } from '../../lib/catalog/table-from-schema';
import type { Dataset } from '../../lib/dataset-registry';
import { csvChecker } from '../../lib/uploads/check-csv';
import { jsonChecker } from '../../lib/uploads/check-json';
import { sampleLimits, UploadErrorCode } from '../../lib/uploads/types';
import { compileValidator } from '../../lib/validators/compile';

type Schema = { properties: Record<string, object>; required: string[]; 'x-lake': Record<string, unknown> };

function datasetOf(name: string, schema: Schema): Dataset {
  return {
    name,
    schema,
    table: datasetTable(name, schema as Parameters<typeof datasetTable>[1]),
    validate: compileValidator('datasets', name, schema),
  };
}

/** orders with coupon renamed to promo_code, and item_count retired. */
function renamedOrders(): Dataset {
  const s = structuredClone(orders) as unknown as Schema;
  const { coupon, item_count: _retired, ...rest } = s.properties;
  s.properties = { ...rest, promo_code: { ...coupon, 'x-lake': { renamedFrom: 'coupon' } } };
  s['x-lake'] = { ...s['x-lake'], retired: ['item_count'] };
  return datasetOf('orders', s);
}

/** customers with name renamed to full_name. */
function renamedCustomers(): Dataset {
  const s = structuredClone(customers) as unknown as Schema;
  const { name, ...rest } = s.properties;
  s.properties = { ...rest, full_name: { ...name, 'x-lake': { renamedFrom: 'name' } } };
  return datasetOf('customers', s);
}

const check = (c: { push(t: string): boolean; finish(complete: boolean): unknown }, text: string) => {
  c.push(text);
  return c.finish(true);
};

const ORDER = 'o-1,c-1,2026-11-30,paid,12.50,EUR';

describe('upload check: renamed and retired columns', () => {
  it('a CSV with the old name of a renamed column loads; so does one with the new name', () => {
    const ds = renamedOrders();
    const head = 'order_id,customer_id,order_date,status,amount,currency';
    expect(check(csvChecker(ds, sampleLimits()), `${head},coupon\n${ORDER},SPRING\n`)).toBeNull();
    expect(check(csvChecker(ds, sampleLimits()), `${head},promo_code\n${ORDER},SPRING\n`)).toBeNull();
  });

  it('the renamed column keeps its rules under the old name (maxLength of coupon → promo_code)', () => {
    const ds = renamedOrders();
    const head = 'order_id,customer_id,order_date,status,amount,currency,coupon';
    const found = check(csvChecker(ds, sampleLimits()), `${head}\n${ORDER},${'x'.repeat(65)}\n`) as {
      code: string;
      field?: string;
    };
    expect(found.code).toBe(UploadErrorCode.RowInvalid);
    expect(found.field).toBe('promo_code');
  });

  it('a CSV with both the old and the new name is refused: which one holds the value?', () => {
    const ds = renamedOrders();
    const found = check(
      csvChecker(ds, sampleLimits()),
      `order_id,customer_id,order_date,status,amount,currency,coupon,promo_code\n${ORDER},A,B\n`,
    ) as { code: string; message: string; field: string };
    expect(found.code).toBe(UploadErrorCode.HeaderMismatch);
    expect(found.field).toBe('promo_code');
    expect(found.message).toMatch(/'promo_code' appears twice .*'coupon' and 'promo_code'.*renamed column/);
  });

  it('a retired column is refused with the reason, not as a typo', () => {
    const ds = renamedOrders();
    const found = check(
      csvChecker(ds, sampleLimits()),
      `order_id,customer_id,order_date,status,amount,currency,item_count\n${ORDER},3\n`,
    ) as { code: string; message: string; field: string };
    expect(found.code).toBe(UploadErrorCode.HeaderMismatch);
    expect(found.field).toBe('item_count');
    expect(found.message).toMatch(/'item_count' is retired \(x-lake.retired\)/);
  });

  it('JSON rows with the old name load into the new column; the new name wins when a row has both', () => {
    const ds = renamedCustomers();
    const base = { customer_id: 'c-1', email: 'a@example.com', created_at: '2026-11-30T10:00:00Z' };
    const lines = [
      { ...base, name: 'Old Name' },
      { ...base, full_name: 'New Name' },
      { ...base, name: 'x'.repeat(300), full_name: 'Fits' },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n');
    expect(check(jsonChecker(ds, sampleLimits(), true), lines)).toBeNull();
    // The old name alone, too long: the new column's rule applies to it.
    const long = JSON.stringify({ ...base, name: 'x'.repeat(300) });
    expect(check(jsonChecker(ds, sampleLimits(), true), long)).toMatchObject({
      code: UploadErrorCode.RowInvalid,
      field: 'full_name',
    });
  });

  it('a JSON null under the new name reads the former name’s value, as the ETL does (a null is not sent)', () => {
    // full_name required and nullable: its null is a value of its own to the check, which the ETL cannot tell.
    const s = structuredClone(customers) as unknown as Schema;
    const { name, ...rest } = s.properties;
    const full = { ...name, type: ['string', 'null'], 'x-lake': { renamedFrom: 'name' } };
    s.properties = { ...rest, full_name: full };
    s.required = [...s.required, 'full_name'];
    const ds = datasetOf('customers', s);
    const base = { customer_id: 'c-1', email: 'a@example.com', created_at: '2026-11-30T10:00:00Z' };
    for (const row of [
      { ...base, full_name: null, name: 'x'.repeat(300) },
      { ...base, name: 'x'.repeat(300), full_name: null },
    ])
      expect(check(jsonChecker(ds, sampleLimits(), true), JSON.stringify(row))).toMatchObject({
        code: UploadErrorCode.RowInvalid,
        field: 'full_name',
      });
    expect(
      check(jsonChecker(ds, sampleLimits(), true), JSON.stringify({ ...base, full_name: null })),
    ).toBeNull();
  });

  it('a JSON key that is neither a column nor an old name is still refused', () => {
    const ds = renamedCustomers();
    const row = { customer_id: 'c-1', email: 'a@example.com', created_at: '2026-11-30T10:00:00Z', nmae: 'x' };
    expect(check(jsonChecker(ds, sampleLimits(), true), JSON.stringify(row))).toMatchObject({
      code: UploadErrorCode.HeaderMismatch,
      field: 'nmae',
    });
  });
});
