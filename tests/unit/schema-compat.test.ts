/**
 * The schema check (lib/catalog/compat.ts, lib/catalog/schema-check.ts) over copies of the project's schemas and
 * their history, edited the way a data engineer edits them in week two: each unsafe edit is refused with the table,
 * the column, the rule and the safe alternative; each safe form passes and is recorded as a new version. And the
 * project's own schemas: all compatible and all recorded.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkSchemas, formatReport, recordSchemas } from '../../lib/catalog/schema-check';
import { nestedKeysOnlyAdded, RULES_LEVEL } from '../../lib/catalog/other-rules';
import { compileValidator } from '../../lib/validators/compile';
import { snapshotOf } from '../../lib/catalog/history';
import { buildPlan } from '../../lib/etl/plan';
import { loadLake, schemasDir } from '../../lib/catalog/tables';
import type { TableDef } from '../../lib/catalog/types';
import { applySchemas, SchemasRefused } from '../../local/schemas-follower';
import { readSchemasInUse, writeSchemasInUse } from '../../local/schemas-in-use';

/* eslint-disable @typescript-eslint/no-explicit-any */
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A copy of schemas/ (with its history), edited by `edit(kind, name, schema)`. */
function edited(kind: 'events' | 'datasets', name: string, edit: (schema: any) => void): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'schemas-'));
  dirs.push(dir);
  cpSync(schemasDir, dir, { recursive: true });
  const file = path.join(dir, kind, `${name}.json`);
  const schema = JSON.parse(readFileSync(file, 'utf8'));
  edit(schema);
  writeFileSync(file, JSON.stringify(schema, null, 2));
  return dir;
}

const refusal = (dir: string) => {
  const r = checkSchemas(dir);
  return r.violations.map((v) => ({ table: v.table, column: v.column, rule: v.rule }));
};

describe("the project's schemas", () => {
  it('are all compatible with their history, and all recorded (npm run schemas:accept was run)', () => {
    const r = checkSchemas();
    expect(formatReport(r)).toEqual([]);
    expect(r.violations).toEqual([]);
    expect(r.unrecorded).toEqual([]);
    expect(r.tables.map((t) => t.status)).toEqual(r.tables.map(() => 'unchanged'));
  });
});

describe('unsafe edits are refused before they take effect', () => {
  it('removing a property (its stored values would go at the next rewrite)', () => {
    const dir = edited('datasets', 'orders', (s) => delete s.properties.coupon);
    expect(refusal(dir)).toEqual([{ table: 'orders', column: 'coupon', rule: 'REMOVED' }]);
    const [v] = checkSchemas(dir).violations;
    expect(v!.message).toMatch(/orders\.coupon: removed.*stored values/);
    expect(v!.safe).toMatch(/"deprecated": true.*x-lake.*retired.*renamedFrom/);
    // The table keeps the column all the same (retired), so nothing is dropped even if the check were bypassed.
    const orders = loadLake(dir).tables.find((t) => t.name === 'orders')!;
    expect(orders.columns.find((c) => c.name === 'coupon')).toMatchObject({ retired: true, type: 'string' });
  });

  it('retiring a column the table never had (a misspelt name would leave the one meant accepted)', () => {
    const dir = edited('datasets', 'orders', (s) => {
      s['x-lake'] = { ...s['x-lake'], retired: ['cupon'] };
    });
    expect(refusal(dir)).toEqual([{ table: 'orders', column: 'cupon', rule: 'RETIRED_UNKNOWN' }]);
    expect(checkSchemas(dir).violations[0]!.message).toBe(
      "orders: x-lake.retired names 'cupon', which is no column the table has had",
    );
  });

  it('a rule the ETL cannot run, or two columns reading one name (it would fail every run once data is in)', () => {
    const lookahead = edited('events', 'page_view', (s) => {
      s.properties.code1 = { type: 'string', pattern: '^(?=.*\\d)[a-z0-9]+$' };
    });
    expect(refusal(lookahead)).toEqual([{ table: 'page_view', column: 'code1', rule: 'ETL_UNSUPPORTED' }]);
    expect(checkSchemas(lookahead).violations[0]!.message).toMatch(
      /^page_view: the ETL cannot run this schema: column code1: a lookahead assertion/,
    );
    const twice = edited('datasets', 'orders', (s) => {
      s.properties.coupon_code = { type: 'string', 'x-lake': { renamedFrom: 'coupon' } };
    });
    expect(refusal(twice)).toEqual([{ table: 'orders', column: undefined, rule: 'ETL_UNSUPPORTED' }]);
    expect(checkSchemas(twice).violations[0]!.message).toMatch(
      /columns coupon and coupon_code both read coupon of the input .*rename from a name no column has/,
    );
  });

  it('an enum in another order is the same rule: no new version, nothing to record', () => {
    const dir = edited('datasets', 'orders', (s) => {
      s.properties.status.enum = [...s.properties.status.enum].reverse();
    });
    const r = checkSchemas(dir);
    expect(r.violations).toEqual([]);
    expect(r.tables.find((t) => t.table === 'orders')).toMatchObject({ status: 'unchanged', changes: [] });
    expect(r.unrecorded).toEqual([]);
  });

  it('a new column or table with a name an engine reserves (the ETL, reading it bare, would fail every run)', () => {
    const at = edited('events', 'page_view', (s) => {
      s.properties.at = { type: 'string', format: 'date-time' };
      s.properties.primary = { type: 'boolean' };
    });
    expect(refusal(at)).toEqual([
      { table: 'page_view', column: 'at', rule: 'RESERVED_NAME' },
      { table: 'page_view', column: 'primary', rule: 'RESERVED_NAME' },
    ]);
    const [v] = checkSchemas(at).violations;
    expect(v!.message).toBe(
      "page_view.at: 'at' is a reserved word of DuckDB, which the lake's ETL and queries cannot read as a column name",
    );
    expect(v!.safe).toMatch(/^name the property otherwise \(e\.g\. at_value/);
    const offset = edited('datasets', 'orders', (s) => {
      s.properties.offset = { type: 'integer' };
      s.properties.current_date = { type: 'string', format: 'date' };
    });
    expect(checkSchemas(offset).violations.map((x) => x.message)).toEqual([
      expect.stringMatching(/^orders\.offset: 'offset' is a reserved word of DuckDB,/),
      expect.stringMatching(/^orders\.current_date: 'current_date' is a reserved word of Athena \(Trino\),/),
    ]);
    // The rejected rows' table is the lake's own.
    const rejected = edited('events', 'page_view', () => undefined);
    writeFileSync(
      path.join(rejected, 'events', 'lake_rejected.json'),
      JSON.stringify({ type: 'object', properties: { note: { type: 'string' } } }),
    );
    expect(refusal(rejected)).toEqual([{ table: 'lake_rejected', column: undefined, rule: 'RESERVED_NAME' }]);
    // A new table named by a reserved word: `FROM qualify` fails on the local engine, `FROM current_date` is a
    // function, `FROM offset` no SQL the guard reads.
    const tables = edited('events', 'page_view', () => undefined);
    const signup = readFileSync(path.join(tables, 'events', 'signup.json'), 'utf8');
    for (const name of ['qualify', 'current_date', 'offset'])
      writeFileSync(path.join(tables, 'events', `${name}.json`), signup);
    expect(refusal(tables)).toEqual(
      ['current_date', 'offset', 'qualify'].map((table) => ({
        table,
        column: undefined,
        rule: 'RESERVED_NAME',
      })),
    );
    expect(checkSchemas(tables).violations.find((x) => x.table === 'qualify')).toMatchObject({
      message:
        "qualify: 'qualify' is a reserved word of DuckDB, which the lake's ETL and queries cannot read as a table name",
      safe: expect.stringMatching(
        /^name the event type otherwise \(its file under schemas\/, e\.g\. qualify_events\)/,
      ),
    });
  });

  it('changing an integer width: narrower (values may not fit), wider (the Glue job could not read old files)', () => {
    const narrower = edited(
      'datasets',
      'orders',
      (s) => (s.properties.item_count['x-lake'] = { type: 'smallint' }),
    );
    expect(refusal(narrower)).toEqual([{ table: 'orders', column: 'item_count', rule: 'TYPE_CHANGED' }]);
    expect(checkSchemas(narrower).violations[0]!.message).toMatch(
      /orders\.item_count: type bigint → smallint: a narrower integer/,
    );
    // Declaring the width the column already has (bigint) is no change at all.
    const same = edited(
      'datasets',
      'orders',
      (s) => (s.properties.item_count['x-lake'] = { type: 'BIGINT' }),
    );
    expect(checkSchemas(same).violations).toEqual([]);
    expect(checkSchemas(same).unrecorded).toEqual([]);
    // A decimal is a string in JSON and another type in the table: text → decimal is a type change too.
    const decimal = edited(
      'datasets',
      'orders',
      (s) => (s.properties.currency['x-lake'] = { type: 'decimal(3,0)' }),
    );
    expect(refusal(decimal)).toEqual([{ table: 'orders', column: 'currency', rule: 'TYPE_CHANGED' }]);
  });

  it('changing a type: number → integer (rounding) and string → integer', () => {
    expect(refusal(edited('datasets', 'orders', (s) => (s.properties.amount.type = 'integer')))).toEqual([
      { table: 'orders', column: 'amount', rule: 'TYPE_CHANGED' },
    ]);
    const dir = edited('events', 'signup', (s) => (s.properties.user_id = { type: 'integer' }));
    expect(refusal(dir)).toEqual([{ table: 'signup', column: 'user_id', rule: 'TYPE_CHANGED' }]);
    expect(checkSchemas(dir).violations[0]!.safe).toMatch(
      /column of the new type under another name.*deprecate or retire.*new major version.*supersedes/,
    );
  });

  it('making an optional property required, or adding a required one (accepted events lack it)', () => {
    const dir = edited('events', 'signup', (s) => s.required.push('country'));
    expect(refusal(dir)).toEqual([{ table: 'signup', column: 'country', rule: 'MADE_REQUIRED' }]);
    const added = edited('events', 'signup', (s) => {
      s.properties.source = { type: 'string' };
      s.required.push('source');
    });
    expect(refusal(added)).toEqual([{ table: 'signup', column: 'source', rule: 'ADDED_REQUIRED' }]);
  });

  it('adding a property to an event type that takes undeclared keys (accepted events may carry it with any value)', () => {
    // Opening the type (additionalProperties no longer false) is a change of its own, recorded.
    const opened = edited('events', 'signup', (s) => delete s.additionalProperties);
    expect(refusal(opened)).toEqual([]);
    expect(formatReport(checkSchemas(opened)).join('\n')).toMatch(
      /signup: version 2 \(not recorded\): takes keys it does not declare/,
    );
    recordSchemas(checkSchemas(opened), opened);
    // Then a property added: events accepted since may carry "age": "thirty".
    const file = path.join(opened, 'events', 'signup.json');
    const schema = JSON.parse(readFileSync(file, 'utf8'));
    schema.properties.age = { type: 'integer', minimum: 0 };
    writeFileSync(file, JSON.stringify(schema, null, 2));
    expect(refusal(opened)).toEqual([
      { table: 'signup', column: 'age', rule: 'ADDED_WHERE_UNDECLARED_TAKEN' },
    ]);
    expect(checkSchemas(opened).violations[0]!.safe).toMatch(
      /new major version.*additionalProperties: false/,
    );
    // A rename onto a new name alike: events accepted may carry "ref" with any value, read instead of theirs.
    delete schema.properties.age;
    schema.properties.ref = {
      ...schema.properties.referral_code,
      'x-lake': { renamedFrom: 'referral_code' },
    };
    delete schema.properties.referral_code;
    writeFileSync(file, JSON.stringify(schema, null, 2));
    expect(refusal(opened)).toEqual([
      { table: 'signup', column: 'ref', rule: 'ADDED_WHERE_UNDECLARED_TAKEN' },
    ]);
    expect(checkSchemas(opened).violations[0]).toMatchObject({
      message: expect.stringMatching(
        /^signup\.ref: referral_code renamed to it in an event type that takes keys it does not declare .* may carry ref with any value, which would be read instead of their referral_code$/,
      ),
      safe: expect.stringMatching(/^keep the name referral_code; or .*new major version/),
    });
    schema.properties.referral_code = schema.properties.ref;
    delete schema.properties.referral_code['x-lake'];
    delete schema.properties.ref;
    // Closed again (recorded), the events accepted while it was open are still there: a property added then is
    // refused all the same.
    delete schema.properties.age;
    schema.additionalProperties = false;
    writeFileSync(file, JSON.stringify(schema, null, 2));
    expect(refusal(opened)).toEqual([]);
    recordSchemas(checkSchemas(opened), opened);
    schema.properties.campaign = { type: 'integer' };
    writeFileSync(file, JSON.stringify(schema, null, 2));
    expect(refusal(opened)).toEqual([
      { table: 'signup', column: 'campaign', rule: 'ADDED_WHERE_UNDECLARED_TAKEN' },
    ]);
    expect(checkSchemas(opened).violations[0]!.message).toMatch(
      /signup\.campaign: added to an event type that took, in an earlier version, keys it does not declare/,
    );
    // Added in the same edit that opens the type, the property was never undeclared: fine.
    const both = edited('events', 'signup', (s) => {
      delete s.additionalProperties;
      s.properties.age = { type: 'integer', minimum: 0 };
    });
    expect(refusal(both)).toEqual([]);
    // Closed by unevaluatedProperties: false, the type takes no undeclared key either: a property may be added.
    const unevaluated = edited('events', 'signup', (s) => {
      delete s.additionalProperties;
      s.unevaluatedProperties = false;
    });
    recordSchemas(checkSchemas(unevaluated), unevaluated);
    const tap = path.join(unevaluated, 'events', 'signup.json');
    const closed = JSON.parse(readFileSync(tap, 'utf8'));
    closed.properties.campaign_id = { type: 'string' };
    writeFileSync(tap, JSON.stringify(closed, null, 2));
    expect(refusal(unevaluated)).toEqual([]);
  });

  it('a name a pattern inside an allOf takes (under unevaluatedProperties: false) is refused as a new property', () => {
    const dir = edited('events', 'signup', (s) => {
      delete s.additionalProperties;
      s.unevaluatedProperties = false;
      s.allOf = [{ patternProperties: { '^ext_': {} } }];
    });
    rmSync(path.join(dir, 'history', 'signup.json')); // recorded as a new table would be
    recordSchemas(checkSchemas(dir), dir);
    const file = path.join(dir, 'events', 'signup.json');
    const schema = JSON.parse(readFileSync(file, 'utf8'));
    // Ingest takes ext_score with any value: the pattern evaluates it.
    const validate = compileValidator('events', 'signup', schema);
    expect([
      validate({ user_id: 'u1', email: 'a@example.com', plan: 'free', ext_score: 'high' }),
      validate.errors,
    ]).toEqual([true, null]);
    schema.properties.ext_score = { type: 'integer' };
    writeFileSync(file, JSON.stringify(schema, null, 2));
    expect(refusal(dir)).toEqual([
      { table: 'signup', column: 'ext_score', rule: 'ADDED_WHERE_UNDECLARED_TAKEN' },
    ]);
    delete schema.properties.ext_score;
    schema.properties.campaign = { type: 'string' };
    writeFileSync(file, JSON.stringify(schema, null, 2));
    expect(refusal(dir)).toEqual([]);
  });

  it('a name a recorded patternProperties pattern takes is refused as a new property; another name is added', () => {
    // Events with ext_score: "high" were accepted under the pattern; an integer column would reject them for good.
    const dir = edited('events', 'signup', (s) => (s.patternProperties = { '^ext_': {} }));
    expect(formatReport(checkSchemas(dir)).join('\n')).toMatch(
      /signup: version 2 \(not recorded\): keys matching \^ext_ accepted$/m,
    );
    recordSchemas(checkSchemas(dir), dir);
    const file = path.join(dir, 'events', 'signup.json');
    const schema = JSON.parse(readFileSync(file, 'utf8'));
    schema.properties.ext_score = { type: 'integer' };
    writeFileSync(file, JSON.stringify(schema, null, 2));
    expect(refusal(dir)).toEqual([
      { table: 'signup', column: 'ext_score', rule: 'ADDED_WHERE_UNDECLARED_TAKEN' },
    ]);
    expect(checkSchemas(dir).violations[0]).toMatchObject({
      message: expect.stringMatching(
        /^signup\.ext_score: added to an event type whose recorded patternProperties '\^ext_' takes that name .*any value that pattern allowed$/,
      ),
      safe: expect.stringMatching(/^a name no recorded pattern matches; or .*new major version/),
    });
    // A name no pattern matches was refused by additionalProperties: false all along: added.
    delete schema.properties.ext_score;
    schema.properties.campaign = { type: 'string' };
    writeFileSync(file, JSON.stringify(schema, null, 2));
    expect(refusal(dir)).toEqual([]);
    // A dataset's upload check refuses every key that is no column, pattern or not: a column may take such a name.
    const ds = edited('datasets', 'orders', (s) => (s.patternProperties = { '^ext_': {} }));
    recordSchemas(checkSchemas(ds), ds);
    const orders = path.join(ds, 'datasets', 'orders.json');
    const o = JSON.parse(readFileSync(orders, 'utf8'));
    o.properties.ext_note = { type: 'string' };
    writeFileSync(orders, JSON.stringify(o, null, 2));
    expect(refusal(ds)).toEqual([]);
    delete o.patternProperties; // nor does removing its pattern narrow anything
    writeFileSync(orders, JSON.stringify(o, null, 2));
    expect(refusal(ds)).toEqual([]);
  });

  it('rules reached through $ref, in $defs or about the whole record are judged: changed or added is refused, removed relaxes', () => {
    const dir = edited('datasets', 'orders', (s) => {
      s.$defs = { code: { type: 'string', maxLength: 64 } };
      s.properties.coupon = { type: 'string', $ref: '#/$defs/code' };
    });
    // Added to a recorded table: coupon's $ref may narrow (a definition added is nothing by itself).
    expect(checkSchemas(dir).violations.map((v) => [v.column ?? null, v.rule])).toEqual([
      ['coupon', 'NARROWED'],
    ]);
    // Recorded as a new table would be (the check cannot tell whether the $ref narrows), then edited.
    const file = path.join(dir, 'datasets', 'orders.json');
    const history = path.join(dir, 'history', 'orders.json');
    rmSync(history);
    recordSchemas(checkSchemas(dir), dir);
    const edit = (change: (s: any) => void) => {
      const schema = JSON.parse(readFileSync(file, 'utf8'));
      change(schema);
      writeFileSync(file, JSON.stringify(schema, null, 2));
      return checkSchemas(dir);
    };
    // The definition a column's $ref names, narrowed: that column is judged on the rules recorded beside its $ref.
    const narrowed = edit((s) => (s.$defs.code.maxLength = 3));
    expect(narrowed.violations.map((v) => [v.table, v.column, v.rule])).toEqual([
      ['orders', 'coupon', 'NARROWED'],
    ]);
    expect(narrowed.violations[0]!.message).toMatch(
      /^orders\.coupon: rules the check cannot judge changed \(\$refTarget\.maxLength 64 → 3\)/,
    );
    edit((s) => (s.$defs.code.maxLength = 64));
    // One the record's own rules refer to (through another definition): the table's rules narrowed.
    edit((s) => {
      s.$defs.wrapper = { $ref: '#/$defs/code' };
      s.propertyNames = { $ref: '#/$defs/wrapper' };
    });
    expect(checkSchemas(dir).violations.map((v) => v.rule)).toEqual(['NARROWED']); // propertyNames added
    rmSync(history); // recorded as a new table would be
    recordSchemas(checkSchemas(dir), dir);
    const throughDefs = edit((s) => (s.$defs.code.maxLength = 3));
    expect(throughDefs.violations.map((v) => [v.table, v.column ?? null, v.rule])).toEqual([
      ['orders', null, 'NARROWED'],
      ['orders', 'coupon', 'NARROWED'],
    ]);
    expect(throughDefs.violations[0]!.message).toMatch(
      /^orders: rules of the schema the check cannot judge changed \(\$defs\.code\.maxLength 64 → 3\)/,
    );
    expect(throughDefs.violations[0]!.safe).toMatch(
      /write a column's rule on its own property \(not through \$ref or \$defs\)/,
    );
    edit((s) => {
      s.$defs.code.maxLength = 64;
      delete s.$defs.wrapper;
      delete s.propertyNames;
    });
    recordSchemas(checkSchemas(dir), dir);
    // A definition nothing refers to, changed (even loosened): nothing narrows.
    edit((s) => (s.$defs.spare = { type: 'string', maxLength: 3 }));
    recordSchemas(checkSchemas(dir), dir);
    const spare = edit((s) => (s.$defs.spare.maxLength = 10));
    expect(spare.violations).toEqual([]);
    expect(spare.tables.find((t) => t.table === 'orders')!.changes).toEqual([
      'definition spare changed in $defs',
    ]);
    edit((s) => delete s.$defs.spare);
    recordSchemas(checkSchemas(dir), dir);
    const allOf = edit((s) => (s.dependentRequired = { coupon: ['item_count'] }));
    expect(allOf.violations.map((v) => v.rule)).toEqual(['NARROWED']);
    expect(allOf.violations[0]!.message).toMatch(/dependentRequired \{"coupon":\["item_count"\]\} added/);
    edit((s) => delete s.dependentRequired);
    // A definition added, used by no property yet: nothing narrows.
    const ref = edit((s) => (s.$defs.short = { type: 'string', maxLength: 3 }));
    expect(ref.violations).toEqual([]);
    expect(ref.tables.find((t) => t.table === 'orders')!.changes).toEqual([
      'definition short added to $defs',
    ]);
    // A $ref turned to another definition: the column's own rule changed.
    const moved = edit((s) => {
      s.$defs.short = { type: 'string', maxLength: 3 };
      s.properties.coupon.$ref = '#/$defs/short';
    });
    expect(moved.violations.map((v) => [v.column ?? null, v.rule])).toEqual([['coupon', 'NARROWED']]);
    // Both removed: relaxed, and recorded as such.
    const removed = edit((s) => {
      delete s.$defs;
      s.properties.coupon = { type: 'string' };
    });
    expect(removed.violations).toEqual([]);
    expect(removed.tables.find((t) => t.table === 'orders')!.changes).toEqual(
      expect.arrayContaining(['definition code removed from $defs']),
    );
  });

  it('a history recorded at rules level 3 (a $ref without the rules it names): not judged on them, recorded on the next accept', () => {
    const dir = edited('datasets', 'orders', (s) => {
      s.$defs = { code: { type: 'string', maxLength: 64 } };
      s.properties.coupon = { type: 'string', $ref: '#/$defs/code' };
    });
    const history = path.join(dir, 'history', 'orders.json');
    rmSync(history);
    recordSchemas(checkSchemas(dir), dir);
    const h = JSON.parse(readFileSync(history, 'utf8'));
    const coupon = h.columns.find((c: { name: string }) => c.name === 'coupon');
    expect(JSON.parse(coupon.otherRules)).toEqual({
      $ref: '#/$defs/code',
      $refTarget: { type: 'string', maxLength: 64 },
    });
    coupon.otherRules = JSON.stringify({ $ref: '#/$defs/code' });
    writeFileSync(history, JSON.stringify({ ...h, rulesRecorded: 3 }, null, 2));
    const r = checkSchemas(dir);
    expect(r.violations).toEqual([]);
    expect(r.tables.find((t) => t.table === 'orders')!.changes).toEqual([]);
    expect(recordSchemas(r, dir)).toEqual(['orders']);
    expect(JSON.parse(readFileSync(history, 'utf8'))).toMatchObject({
      version: h.version,
      rulesRecorded: RULES_LEVEL,
    });
  });

  it.each([
    [
      'a JSON Pointer into a definition',
      { wrap: { type: 'object', properties: { code: { type: 'string', maxLength: 64 } } } },
      '#/$defs/wrap/properties/code',
      (s: any): void => void (s.$defs.wrap.properties.code.maxLength = 3),
    ],
    [
      'a pointer with URI escapes (#/%24defs/code)',
      { code: { type: 'string', maxLength: 64 } },
      '#/%24defs/code',
      (s: any): void => void (s.$defs.code.maxLength = 3),
    ],
    [
      'a definition by name',
      { code: { type: 'string', maxLength: 64 } },
      '#/$defs/code',
      (s: any): void => void (s.$defs.code.maxLength = 3),
    ],
  ])('a definition a column refers to through %s, narrowed, is refused', (_how, defs, ref, narrow) => {
    const dir = edited('datasets', 'orders', (s) => {
      s.$defs = defs;
      s.properties.coupon = { type: 'string', $ref: ref };
    });
    rmSync(path.join(dir, 'history', 'orders.json')); // recorded as a new table would be
    recordSchemas(checkSchemas(dir), dir);
    const file = path.join(dir, 'datasets', 'orders.json');
    const schema = JSON.parse(readFileSync(file, 'utf8'));
    narrow(schema);
    writeFileSync(file, JSON.stringify(schema, null, 2));
    expect(checkSchemas(dir).violations.map((v) => v.rule)).toContain('NARROWED');
  });

  it('a definition a column reaches through another one whose $ref the check cannot read, narrowed, is refused', () => {
    const dir = edited('datasets', 'orders', (s) => {
      // The schema's own $id: a $ref ajv resolves, not a local pointer.
      s.$defs = { code: { $ref: 'orders.json#/$defs/short' }, short: { type: 'string', maxLength: 64 } };
      s.properties.coupon = { type: 'string', $ref: '#/$defs/code' };
    });
    rmSync(path.join(dir, 'history', 'orders.json'));
    recordSchemas(checkSchemas(dir), dir);
    const file = path.join(dir, 'datasets', 'orders.json');
    const schema = JSON.parse(readFileSync(file, 'utf8'));
    schema.$defs.short.maxLength = 3;
    writeFileSync(file, JSON.stringify(schema, null, 2));
    expect(checkSchemas(dir).violations.map((v) => v.rule)).toContain('NARROWED');
  });

  it('a recursive definition named under many spellings is recorded within bounds', () => {
    const spellings = [
      '#/$defs/node',
      '#/%24defs/node',
      '#/$defs/%6Eode',
      '#/$defs/n%6Fde',
      '#/$defs/no%64e',
    ];
    const dir = edited('datasets', 'orders', (s) => {
      s.$defs = {
        node: {
          type: 'object',
          properties: Object.fromEntries(
            spellings.flatMap((r, i) => [
              [`c${i}`, { $ref: r }],
              [`d${i}`, { $ref: r }],
            ]),
          ),
        },
      };
      s.properties.tree = { type: 'object', $ref: '#/$defs/node' };
    });
    rmSync(path.join(dir, 'history', 'orders.json'));
    const r = checkSchemas(dir);
    expect(r.violations).toEqual([]);
    recordSchemas(r, dir);
    // Each spelling names the same definition once on the way: the record stays small.
    expect(readFileSync(path.join(dir, 'history', 'orders.json'), 'utf8').length).toBeLessThan(100_000);
  });

  it('a lake whose version in use was recorded before level 4 takes a definition no rule refers to, changed', () => {
    const dir = edited('datasets', 'orders', (s) => (s.$defs = { spare: { type: 'string', maxLength: 3 } }));
    rmSync(path.join(dir, 'history', 'orders.json'));
    recordSchemas(checkSchemas(dir), dir);
    const lake = mkdtempSync(path.join(os.tmpdir(), 'lake-in-use-'));
    dirs.push(lake);
    writeSchemasInUse(lake, checkSchemas(dir, undefined, readSchemasInUse(lake)).defs);
    const inUse = path.join(lake, 'schemas-in-use', 'orders.json');
    const stored = JSON.parse(readFileSync(inUse, 'utf8'));
    delete stored.rulesRecorded; // as a lake before level 4 wrote it
    writeFileSync(inUse, JSON.stringify(stored, null, 2));
    const file = path.join(dir, 'datasets', 'orders.json');
    const schema = JSON.parse(readFileSync(file, 'utf8'));
    schema.$defs.spare.maxLength = 10;
    writeFileSync(file, JSON.stringify(schema, null, 2));
    expect(checkSchemas(dir).violations).toEqual([]);
    expect(checkSchemas(dir, undefined, readSchemasInUse(lake)).violations).toEqual([]);
    // One a column of the version in use refers to is judged: narrowed, refused.
    schema.properties.coupon = { type: 'string', $ref: '#/$defs/spare' };
    schema.$defs.spare.maxLength = 3;
    writeFileSync(file, JSON.stringify(schema, null, 2));
    const used = checkSchemas(dir);
    expect(used.violations.map((v) => v.rule)).toContain('NARROWED'); // the $ref added to a recorded column
  });

  it('an unrecorded rename keeps the version the lake first used it at, also from a record that did not say it', () => {
    const dir = edited('datasets', 'orders', () => undefined);
    const lake = mkdtempSync(path.join(os.tmpdir(), 'lake-in-use-'));
    dirs.push(lake);
    const apply = () => {
      const r = checkSchemas(dir, undefined, readSchemasInUse(lake));
      expect(r.violations).toEqual([]);
      writeSchemasInUse(lake, r.defs);
      return r.defs.find((t) => t.name === 'orders')!;
    };
    const file = path.join(dir, 'datasets', 'orders.json');
    const edit = (change: (s: any) => void) => {
      const schema = JSON.parse(readFileSync(file, 'utf8'));
      change(schema);
      writeFileSync(file, JSON.stringify(schema, null, 2));
    };
    const recorded = apply().version;
    edit((s) => {
      s.properties.promo_code = { ...s.properties.coupon, 'x-lake': { renamedFrom: 'coupon' } };
      delete s.properties.coupon;
    });
    const renamed = apply();
    expect(renamed.version).toBe(recorded + 1);
    // As a lake wrote its record before it kept renamedIn.
    const record = path.join(lake, 'schemas-in-use', 'orders.json');
    const stored = JSON.parse(readFileSync(record, 'utf8'));
    expect(stored.renamedIn).toEqual({ promo_code: { from: 'coupon', version: recorded + 1 } });
    delete stored.renamedIn;
    writeFileSync(record, JSON.stringify(stored, null, 2));
    edit((s) => (s.properties.gift_note = { type: ['string', 'null'] }));
    const later = apply();
    expect(later.version).toBe(recorded + 2);
    const column = (t: TableDef) => t.columns.find((c) => c.name === 'promo_code')!;
    expect(column(renamed).renamedInVersion).toBeUndefined();
    expect(column(later).renamedInVersion).toBe(recorded + 1);
    expect(JSON.parse(readFileSync(record, 'utf8')).renamedIn).toEqual({
      promo_code: { from: 'coupon', version: recorded + 1 },
    });
    // A teammate's accept recorded that number since (pulled with git): it means their version now, whose rows were
    // written before the rename; the lake's own number is not written into the history.
    const historyFile = path.join(dir, 'history', 'orders.json');
    const history = JSON.parse(readFileSync(historyFile, 'utf8'));
    history.version = recorded + 2;
    history.versions.push(
      { version: recorded + 1, recordedAt: '2026-12-07T00:00:00.000Z', changes: ['x1: added'] },
      { version: recorded + 2, recordedAt: '2026-12-07T00:00:00.000Z', changes: ['x2: added'] },
    );
    writeFileSync(historyFile, JSON.stringify(history, null, 2));
    const pulled = checkSchemas(dir, undefined, readSchemasInUse(lake));
    const orders = pulled.defs.find((t) => t.name === 'orders')!;
    expect(column(orders).renamedInVersion).toBeUndefined();
    expect(pulled.tables.find((t) => t.table === 'orders')!.changes).toContain(
      'promo_code: renamed from coupon',
    );
  });

  it("a lake's record of a version in use that does not read refuses every edit of that table, naming the record", () => {
    const dir = edited('datasets', 'orders', () => undefined);
    const lake = mkdtempSync(path.join(os.tmpdir(), 'lake-in-use-'));
    dirs.push(lake);
    writeSchemasInUse(lake, checkSchemas(dir, undefined, readSchemasInUse(lake)).defs);
    const record = path.join(lake, 'schemas-in-use', 'orders.json');
    for (const damage of ['{bad', JSON.stringify({ snapshot: { table: 'customers' }, version: 1 })]) {
      writeFileSync(record, damage);
      const r = checkSchemas(dir, undefined, readSchemasInUse(lake));
      expect(r.violations).toEqual([
        {
          table: 'orders',
          rule: 'DAMAGED_STATE_FILE',
          message: expect.stringMatching(
            /^orders: the local lake's record of the version it used, .*schemas-in-use\/orders\.json, is damaged \((not JSON|it is no record of a version of orders in use)/,
          ),
          safe: expect.stringContaining('README "Damaged state files"'),
        },
      ]);
      // The other tables are judged as before.
      expect(r.tables.filter((t) => t.status === 'refused').map((t) => t.table)).toEqual(['orders']);
    }
    // A file that is no table's record (a copy kept aside) is none.
    rmSync(record);
    writeFileSync(path.join(lake, 'schemas-in-use', 'orders.backup.json'), '{bad');
    expect(checkSchemas(dir, undefined, readSchemasInUse(lake)).violations).toEqual([]);
  });

  it('a version in use recorded before rules level 4 (a $ref without the rules it names) is no other schema', () => {
    const dir = edited('datasets', 'orders', (s) => {
      s.$defs = { code: { type: 'string', maxLength: 64 } };
      s.properties.coupon = { type: 'string', $ref: '#/$defs/code' };
    });
    rmSync(path.join(dir, 'history', 'orders.json'));
    recordSchemas(checkSchemas(dir), dir);
    const lake = mkdtempSync(path.join(os.tmpdir(), 'lake-in-use-'));
    dirs.push(lake);
    const first = checkSchemas(dir, undefined, readSchemasInUse(lake));
    writeSchemasInUse(lake, first.defs);
    // As a lake of level 3 wrote it: no rules level, the $ref alone, and the fingerprint of that snapshot.
    const file = path.join(lake, 'schemas-in-use', 'orders.json');
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    const coupon = stored.snapshot.columns.find((c: { name: string }) => c.name === 'coupon');
    coupon.otherRules = JSON.stringify({ $ref: '#/$defs/code' });
    delete stored.rulesRecorded;
    writeFileSync(file, JSON.stringify(stored, null, 2));
    const r = checkSchemas(dir, undefined, readSchemasInUse(lake));
    expect(r.violations).toEqual([]);
    expect(r.defs.find((t) => t.name === 'orders')!.version).toBe(
      first.defs.find((t) => t.name === 'orders')!.version,
    );
    writeSchemasInUse(lake, r.defs);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      rulesRecorded: RULES_LEVEL,
      used: stored.used,
    });
  });

  it('a retired column that comes back is judged on the definition its $ref named, though the definition was removed and added again since', () => {
    const dir = edited('datasets', 'orders', (s) => {
      s.$defs = { code: { type: 'string', maxLength: 64 } };
      s.properties.coupon = { type: 'string', $ref: '#/$defs/code' };
    });
    rmSync(path.join(dir, 'history', 'orders.json')); // recorded as a new table would be
    recordSchemas(checkSchemas(dir), dir);
    const file = path.join(dir, 'datasets', 'orders.json');
    const edit = (change: (s: any) => void, record = true) => {
      const schema = JSON.parse(readFileSync(file, 'utf8'));
      change(schema);
      writeFileSync(file, JSON.stringify(schema, null, 2));
      const r = checkSchemas(dir);
      if (record && r.violations.length === 0) recordSchemas(r, dir);
      return r;
    };
    // Retired, and its definition removed with it: accepted.
    expect(
      edit((s) => {
        delete s.properties.coupon;
        delete s.$defs;
        s['x-lake'].retired = ['coupon'];
      }).violations,
    ).toEqual([]);
    // The definition added again, narrower, used by nothing yet: accepted.
    expect(edit((s) => (s.$defs = { code: { type: 'string', maxLength: 3 } })).violations).toEqual([]);
    // The column back with its recorded $ref text: its values were accepted under maxLength 64, not 3.
    const back = (s: any) => {
      s.properties.coupon = { type: 'string', $ref: '#/$defs/code' };
      s['x-lake'].retired = [];
    };
    const narrower = edit(back, false);
    expect(narrower.violations.map((v) => [v.column, v.rule])).toEqual([['coupon', 'NARROWED']]);
    expect(narrower.violations[0]!.message).toMatch(/\$refTarget\.maxLength 64 → 3/);
    // With the definition it had: back.
    const same = edit((s) => {
      back(s);
      s.$defs.code.maxLength = 64;
    }, false);
    expect(same.violations).toEqual([]);
    expect(same.tables.find((t) => t.table === 'orders')!.changes).toEqual(
      expect.arrayContaining(['coupon: back in the schema']),
    );
  });

  it('the local lake used an open version, never recorded, then a closed one: a property added is refused all the same', () => {
    const lake = mkdtempSync(path.join(os.tmpdir(), 'lake-in-use-'));
    dirs.push(lake);
    const use = (dir: string) => {
      const r = checkSchemas(dir, undefined, readSchemasInUse(lake));
      expect(r.violations).toEqual([]);
      writeSchemasInUse(lake, r.defs);
    };
    const dir = edited('events', 'signup', (s) => delete s.additionalProperties);
    use(dir); // the lake accepts events under it: any key, any value
    const file = path.join(dir, 'events', 'signup.json');
    const schema = JSON.parse(readFileSync(file, 'utf8'));
    schema.additionalProperties = false;
    writeFileSync(file, JSON.stringify(schema, null, 2));
    use(dir); // closed again: the same as the record now
    expect(readSchemasInUse(lake).get('signup')).toMatchObject({ tookUndeclaredKeys: true });
    schema.properties.campaign = { type: 'integer' };
    writeFileSync(file, JSON.stringify(schema, null, 2));
    const r = checkSchemas(dir, undefined, readSchemasInUse(lake));
    expect(r.violations.map((v) => [v.column, v.rule])).toEqual([
      ['campaign', 'ADDED_WHERE_UNDECLARED_TAKEN'],
    ]);
    expect(r.violations[0]!.message).toMatch(/the local lake has used version/);
  });

  it('a lake that already used a property added after the type was closed (an earlier version of the project) still starts', () => {
    const dir = edited('events', 'signup', (s) => delete s.additionalProperties);
    recordSchemas(checkSchemas(dir), dir);
    const file = path.join(dir, 'events', 'signup.json');
    const schema = JSON.parse(readFileSync(file, 'utf8'));
    schema.additionalProperties = false;
    writeFileSync(file, JSON.stringify(schema, null, 2));
    recordSchemas(checkSchemas(dir), dir);
    schema.properties.campaign = { type: 'integer' };
    writeFileSync(file, JSON.stringify(schema, null, 2));
    // The lake used it, unrecorded, before the rule existed (its in-use record says nothing of undeclared keys).
    const lake = mkdtempSync(path.join(os.tmpdir(), 'lake-in-use-'));
    dirs.push(lake);
    writeSchemasInUse(lake, loadLake(dir).tables);
    const r = checkSchemas(dir, undefined, readSchemasInUse(lake));
    expect(r.violations).toEqual([]);
    expect(r.unrecorded).toEqual(['signup']);
    // Without that lake the rule holds.
    expect(refusal(dir)).toEqual([
      { table: 'signup', column: 'campaign', rule: 'ADDED_WHERE_UNDECLARED_TAKEN' },
    ]);
  });

  it('a recorded rename gives the renamed column the version that recorded it (rows since keep their own value)', () => {
    const dir = edited('datasets', 'orders', (s) => {
      s.properties.promo_code = { ...s.properties.coupon, 'x-lake': { renamedFrom: 'coupon' } };
      delete s.properties.coupon;
    });
    const column = () =>
      loadLake(dir)
        .tables.find((t) => t.name === 'orders')!
        .columns.find((c) => c.name === 'promo_code')!;
    expect(column().renamedInVersion).toBeUndefined(); // not recorded: the version being built writes it first
    recordSchemas(checkSchemas(dir), dir);
    expect(column()).toMatchObject({ renamedFrom: 'coupon', renamedInVersion: 2 });
    expect(buildPlan(loadLake(dir).tables.find((t) => t.name === 'orders')!).existingSql).toContain(
      'CASE WHEN COALESCE(lake_schema_version, 0) < 2 THEN COALESCE(promo_code, coupon) ELSE promo_code END',
    );
  });

  it('a retired column renamed back into the schema is told as coming back under its new name', () => {
    const dir = edited('datasets', 'orders', (s) => {
      delete s.properties.coupon;
      s['x-lake'].retired = ['coupon'];
    });
    recordSchemas(checkSchemas(dir), dir);
    const file = path.join(dir, 'datasets', 'orders.json');
    const schema = JSON.parse(readFileSync(file, 'utf8'));
    schema.properties.promo_code = { type: 'string', maxLength: 64, 'x-lake': { renamedFrom: 'coupon' } };
    schema['x-lake'].retired = [];
    writeFileSync(file, JSON.stringify(schema, null, 2));
    const report = formatReport(checkSchemas(dir)).join('\n');
    expect(report).toContain('coupon: back in the schema, as promo_code');
    expect(report).not.toContain('promo_code: back in the schema');
  });

  it('removing x-lake.renamedFrom from a recorded rename is refused (the old name is read only through it)', () => {
    const dir = edited('datasets', 'orders', (s) => {
      s.properties.promo_code = { ...s.properties.coupon, 'x-lake': { renamedFrom: 'coupon' } };
      delete s.properties.coupon;
    });
    recordSchemas(checkSchemas(dir), dir);
    const file = path.join(dir, 'datasets', 'orders.json');
    const schema = JSON.parse(readFileSync(file, 'utf8'));
    delete schema.properties.promo_code['x-lake'];
    writeFileSync(file, JSON.stringify(schema, null, 2));
    expect(refusal(dir)).toEqual([{ table: 'orders', column: 'promo_code', rule: 'RENAME_REMOVED' }]);
    expect(checkSchemas(dir).violations[0]).toMatchObject({
      message: expect.stringMatching(
        /^orders\.promo_code: x-lake\.renamedFrom 'coupon' removed from a recorded rename/,
      ),
      safe: 'keep "x-lake": {"renamedFrom": "coupon"} on promo_code (schemas/history/orders.json records it)',
    });
  });

  it('a history recorded before it said whether the type takes undeclared keys: not a change, not judged', () => {
    // An open event type recorded by an earlier version of the project: its history has no takesUndeclaredKeys.
    const dir = edited('events', 'signup', (s) => delete s.additionalProperties);
    const file = path.join(dir, 'history', 'signup.json');
    const history = JSON.parse(readFileSync(file, 'utf8'));
    delete history.takesUndeclaredKeys;
    writeFileSync(file, JSON.stringify(history, null, 2));
    const report = checkSchemas(dir);
    expect(report.violations).toEqual([]);
    expect(report.unrecorded).toEqual([]);
  });

  it.each([
    [
      'a maxRejectedRatio that is no number from 0 to 1',
      (s: any) => (s['x-lake'].maxRejectedRatio = '0.05'),
      /x-lake\.maxRejectedRatio must be a number from 0 to 1.*got "0\.05"/,
    ],
    [
      'a maxRejectedRatio above 1',
      (s: any) => (s['x-lake'].maxRejectedRatio = 5),
      /maxRejectedRatio must be a number from 0 to 1.*got 5/,
    ],
    [
      'a maxFileBytes of 0',
      (s: any) => (s['x-lake'].maxFileBytes = 0),
      /x-lake\.maxFileBytes must be a whole number of bytes above 0, got 0/,
    ],
    [
      'a primary key that allows null',
      (s: any) => (s.properties.order_id.type = ['string', 'null']),
      /primary key column 'order_id' must not allow null/,
    ],
  ])(
    '%s is refused (INVALID_SCHEMA): the Glue job could not judge it, or no row be told by its key',
    (_, edit, message) => {
      const dir = edited('datasets', 'orders', edit);
      expect(refusal(dir)).toEqual([{ table: 'orders', column: undefined, rule: 'INVALID_SCHEMA' }]);
      expect(checkSchemas(dir).violations[0]!.message).toMatch(message);
    },
  );

  it('a property whose type would come from its $ref alone is refused, saying the property needs its own type', () => {
    const dir = edited('datasets', 'orders', (s) => {
      s.$defs = { shortText: { type: 'string', maxLength: 8 } };
      s.properties.tag = { $ref: '#/$defs/shortText' };
    });
    expect(refusal(dir)).toEqual([{ table: 'orders', column: undefined, rule: 'INVALID_SCHEMA' }]);
    expect(checkSchemas(dir).violations[0]!.message).toMatch(
      /orders\.json\.tag: a property needs its own "type" .*beside its \$ref: the lake does not take a column's type from a definition/,
    );
  });

  it('a new major version must name a table the lake has, not itself (x-lake.supersedes)', () => {
    const unknown = edited('datasets', 'customers', (s) => (s['x-lake'].supersedes = 'clients'));
    expect(refusal(unknown)).toEqual([{ table: 'customers', column: undefined, rule: 'INVALID_SCHEMA' }]);
    expect(checkSchemas(unknown).violations[0]!.message).toMatch(
      /x-lake\.supersedes names 'clients', a table the lake never had/,
    );
    const itself = edited('datasets', 'customers', (s) => (s['x-lake'].supersedes = 'customers'));
    expect(checkSchemas(itself).violations[0]!.message).toMatch(/x-lake\.supersedes names the table itself/);
    // A new table beside the old one, naming it: fine.
    const v2 = edited('datasets', 'customers', () => undefined);
    const schema = JSON.parse(readFileSync(path.join(v2, 'datasets', 'customers.json'), 'utf8'));
    schema['x-lake'].supersedes = 'customers';
    writeFileSync(path.join(v2, 'datasets', 'customers_v2.json'), JSON.stringify(schema, null, 2));
    expect(refusal(v2)).toEqual([]);
  });

  it('an enum that lists a value twice is refused, naming the value (not recorded as a change of nothing)', () => {
    const twice = edited('datasets', 'customers', (s) =>
      s.properties.segment.enum.push(s.properties.segment.enum[0]),
    );
    expect(refusal(twice)).toEqual([{ table: 'customers', column: undefined, rule: 'INVALID_SCHEMA' }]);
    expect(checkSchemas(twice).violations[0]!.message).toMatch(
      /segment: enum lists "[a-z]+" more than once .*: list each value once/,
    );
  });

  it("an enum value no value of the column's type can equal is refused, naming the value and the type", () => {
    const number = edited('datasets', 'customers', (s) => s.properties.segment.enum.push(1));
    expect(refusal(number)).toEqual([{ table: 'customers', column: undefined, rule: 'INVALID_SCHEMA' }]);
    expect(checkSchemas(number).violations[0]!.message).toMatch(
      /customers\.json\.segment: enum value 1 is an integer, not a string: .*list values of the column's type/,
    );
    const nulled = edited('datasets', 'customers', (s) => s.properties.segment.enum.push(null));
    expect(checkSchemas(nulled).violations[0]!.message).toMatch(
      /customers\.json\.segment: enum value null is a null, not a string: .*or add "null" to its type/,
    );
    // null in the enum of a column whose type takes null, a whole number in a number column's: values it can hold.
    const fine = edited('datasets', 'customers', (s) => {
      s.properties.segment.type = ['string', 'null'];
      s.properties.segment.enum.push(null);
      s.properties.score = { type: ['number', 'null'], enum: [1, 2.5] };
    });
    expect(refusal(fine)).toEqual([]);
    // A history that recorded such a value (before it was refused): taking it out is no narrowing, and passes.
    const recorded = edited('datasets', 'customers', () => undefined);
    const historyFile = path.join(recorded, 'history', 'customers.json');
    const history = JSON.parse(readFileSync(historyFile, 'utf8'));
    history.columns.find((c: { name: string }) => c.name === 'segment').enum.push(1, null);
    writeFileSync(historyFile, JSON.stringify(history, null, 2));
    const r = checkSchemas(recorded);
    expect(r.violations).toEqual([]);
    expect(r.tables.find((t) => t.table === 'customers')!.changes).toEqual([
      'segment: enum values no value of the column could equal removed: 1, null',
    ]);
  });

  it('a decimal column takes a pattern, not minimum or maximum: the refusal says so', () => {
    const bounded = edited('datasets', 'orders', (s) => {
      s.properties.tax = { type: 'string', 'x-lake': { type: 'decimal(6,2)' }, minimum: 0 };
    });
    expect(refusal(bounded)).toEqual([{ table: 'orders', column: undefined, rule: 'INVALID_SCHEMA' }]);
    expect(checkSchemas(bounded).violations[0]!.message).toMatch(
      /tax: a decimal\(6,2\) column takes no minimum, maximum, format or enum .*: bound its digits with a "pattern" .*or make it a "number"/,
    );
    // As advised: a pattern, which the ETL tests against the text.
    const patterned = edited('datasets', 'orders', (s) => {
      s.properties.tax = {
        type: 'string',
        'x-lake': { type: 'decimal(6,2)' },
        pattern: '^[0-9]{1,4}(\\.[0-9]{1,2})?$',
      };
    });
    expect(refusal(patterned)).toEqual([]);
  });

  it('suggests a new major version by a name no table has: the next version of the base name', () => {
    const dir = edited('datasets', 'customers', (s) => s.required.push('name'));
    const advice = () =>
      checkSchemas(dir).violations.map((v) => [v.table, v.rule, /\(e\.g\. (\w+)\)/.exec(v.safe)?.[1]]);
    expect(advice()).toEqual([['customers', 'MADE_REQUIRED', 'customers_v2']]);
    // customers_v2 exists (superseding customers): the advice names customers_v3, not a table the lake has.
    const schema = JSON.parse(readFileSync(path.join(dir, 'datasets', 'customers.json'), 'utf8'));
    schema.required = schema.required.filter((n: string) => n !== 'name');
    schema['x-lake'].supersedes = 'customers';
    writeFileSync(path.join(dir, 'datasets', 'customers_v2.json'), JSON.stringify(schema, null, 2));
    expect(advice()).toEqual([['customers', 'MADE_REQUIRED', 'customers_v3']]);
    // The same change in a recorded customers_v2: customers_v3 too, not customers_v2_v2.
    const recorded = edited('datasets', 'customers', () => undefined);
    writeFileSync(path.join(recorded, 'datasets', 'customers_v2.json'), JSON.stringify(schema, null, 2));
    recordSchemas(checkSchemas(recorded), recorded);
    schema.required.push('name');
    writeFileSync(path.join(recorded, 'datasets', 'customers_v2.json'), JSON.stringify(schema, null, 2));
    expect(
      checkSchemas(recorded).violations.map((v) => [v.table, v.rule, /\(e\.g\. (\w+)\)/.exec(v.safe)?.[1]]),
    ).toEqual([['customers_v2', 'MADE_REQUIRED', 'customers_v3']]);
  });

  it('narrowing a rule: an enum value removed, a bound tightened, a pattern added or changed', () => {
    expect(
      refusal(edited('datasets', 'orders', (s) => (s.properties.status.enum = ['placed', 'paid']))),
    ).toEqual([{ table: 'orders', column: 'status', rule: 'NARROWED' }]);
    expect(refusal(edited('datasets', 'orders', (s) => (s.properties.coupon.maxLength = 8)))).toEqual([
      { table: 'orders', column: 'coupon', rule: 'NARROWED' },
    ]);
    expect(refusal(edited('datasets', 'orders', (s) => (s.properties.amount.minimum = 1)))).toEqual([
      { table: 'orders', column: 'amount', rule: 'NARROWED' },
    ]);
    expect(
      refusal(edited('datasets', 'orders', (s) => (s.properties.currency.pattern = '^[A-Z]{3,4}$'))),
    ).toEqual([{ table: 'orders', column: 'currency', rule: 'PATTERN_CHANGED' }]);
  });

  it('a bound no value of the column can fail (minLength 0, a minimum below its integer width) narrows nothing', () => {
    const dir = edited('datasets', 'orders', (s) => {
      s.properties.qty = { type: 'integer', 'x-lake': { type: 'smallint' } };
    });
    recordSchemas(checkSchemas(dir), dir);
    const file = path.join(dir, 'datasets', 'orders.json');
    const edit = (change: (s: any) => void) => {
      const schema = JSON.parse(readFileSync(file, 'utf8'));
      change(schema);
      writeFileSync(file, JSON.stringify(schema, null, 2));
      return checkSchemas(dir);
    };
    const r = edit((s) => {
      s.properties.coupon.minLength = 0;
      s.properties.qty.minimum = -40000;
      s.properties.qty.maximum = 32767;
    });
    expect(r.violations).toEqual([]);
    expect(r.tables.find((t) => t.table === 'orders')!.changes).toEqual([
      'coupon: minLength none → 0 (every value meets it)',
      'qty: maximum none → 32767 (every value meets it)',
      'qty: minimum none → -40000 (every value meets it)',
    ]);
    // One a value can fail still narrows.
    expect(edit((s) => (s.properties.qty.maximum = 32766)).violations.map((v) => [v.column, v.rule])).toEqual(
      [['qty', 'NARROWED']],
    );
  });

  it('changing a key, or deleting a table', () => {
    const latest = edited('datasets', 'orders', (s) => (s['x-lake'].latestBy = 'order_date'));
    expect(refusal(latest)).toEqual([{ table: 'orders', column: undefined, rule: 'KEY_CHANGED' }]);
    // Only the key that changed is named.
    expect(checkSchemas(latest).violations[0]!.message).toBe(
      'orders: keys changed (latestBy updated_at → order_date): stored rows are merged and placed by them',
    );
    const dir = edited('datasets', 'orders', () => undefined);
    unlinkSync(path.join(dir, 'datasets', 'customers.json'));
    expect(refusal(dir)).toEqual([{ table: 'customers', column: undefined, rule: 'TABLE_REMOVED' }]);
    // Superseding does not let the old file go: the advice does not offer it as another way.
    expect(checkSchemas(dir).violations[0]!.safe).toBe(
      'keep schemas/datasets/customers.json (deprecate its columns if producers should stop sending them); a new ' +
        'major version (x-lake.supersedes) keeps it too: both stay queryable',
    );
  });

  it('an integer a double does not hold (a bound, an enum value, a const) is refused, naming it', () => {
    for (const [rule, json] of [
      ['maximum', '{"type": "integer", "maximum": 9223372036854775806}'],
      ['enum', '{"type": "integer", "enum": [1, 9007199254740993]}'],
      ['const', '{"type": "integer", "const": -9007199254740993}'],
    ] as const) {
      const dir = edited('events', 'page_view', (s) => (s.properties.big = 'PLACEHOLDER'));
      const file = path.join(dir, 'events', 'page_view.json');
      writeFileSync(file, readFileSync(file, 'utf8').replace('"PLACEHOLDER"', json));
      expect(refusal(dir)).toEqual([{ table: 'page_view', column: undefined, rule: 'INVALID_SCHEMA' }]);
      expect(checkSchemas(dir).violations[0]!.message).toMatch(
        rule === 'enum'
          ? /the number 9007199254740993 is not exact as a double \(JSON Schema validators read it as 9007199254740992\)/
          : new RegExp(`the number -?9\\d+ \\(${rule}\\) is not exact as a double`),
      );
    }
    // Exact ones pass: 2^53, and 2^63 written as an exponent is a double exactly.
    const dir = edited('events', 'page_view', (s) => (s.properties.big = 'PLACEHOLDER'));
    const file = path.join(dir, 'events', 'page_view.json');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('"PLACEHOLDER"', '{"type": "integer", "maximum": 9007199254740992}'),
    );
    expect(refusal(dir)).toEqual([]);
  });

  it('a name the engines cannot store is refused, and refuses only its own table', () => {
    const dir = edited('events', 'page_view', (s) => (s.properties.UtmCampaign = { type: 'string' }));
    const r = checkSchemas(dir);
    expect(refusal(dir)).toEqual([{ table: 'page_view', column: undefined, rule: 'INVALID_SCHEMA' }]);
    expect(r.violations[0]!.message).toMatch(/UtmCampaign/);
    // Every other table is still there, unchanged.
    expect(r.defs.map((t) => t.name).sort()).toEqual(['customers', 'order_placed', 'orders', 'signup']);
    expect(r.tables.filter((t) => t.table !== 'page_view').every((t) => t.status === 'unchanged')).toBe(true);
  });

  it('a rule the check does not compare rule by rule (exclusiveMaximum, multipleOf, maxItems…): added or changed is refused, removed relaxes', () => {
    for (const [kind, table, column, edit] of [
      ['datasets', 'orders', 'amount', (s: any) => (s.properties.amount.exclusiveMaximum = 5)],
      ['datasets', 'orders', 'amount', (s: any) => (s.properties.amount.multipleOf = 0.01)],
      ['events', 'order_placed', 'items', (s: any) => (s.properties.items.maxItems = 100)],
    ] as const) {
      const dir = edited(kind, table, edit);
      expect(refusal(dir)).toEqual([{ table, column, rule: 'NARROWED' }]);
      expect(checkSchemas(dir).violations[0]!.message).toMatch(/rules the check cannot judge changed/);
    }
    // A change deep inside a long rule is named where it is, not shown cut the same way on both sides.
    const deep = edited(
      'events',
      'order_placed',
      (s) => (s.properties.items.items.properties.quantity.maximum = 50),
    );
    expect(checkSchemas(deep).violations[0]!.message).toMatch(
      /rules the check cannot judge changed \(items\.properties\.quantity\.maximum 10000 → 50\): it cannot tell whether they take every value accepted before/,
    );
    const fewer = edited('events', 'order_placed', (s) => (s.properties.items.items.required = ['sku']));
    expect(checkSchemas(fewer).violations[0]!.message).toMatch(
      /\(items\.required \["sku","quantity","unit_price"\] → \["sku"\]\)/,
    );
    const two = edited('events', 'order_placed', (s) => {
      s.properties.items.items.required = ['sku'];
      s.properties.items.items.properties.sku.maxLength = 32;
    });
    expect(checkSchemas(two).violations[0]!.message).toMatch(
      /\(items\.properties\.sku\.maxLength 64 → 32, items\.required \["sku","quantity","unit_price"\] → \["sku"\]\)/,
    );
    const relaxed = edited('events', 'order_placed', (s) => delete s.properties.items.minItems);
    const r = checkSchemas(relaxed);
    expect(r.violations).toEqual([]);
    expect(r.tables.find((t) => t.table === 'order_placed')!.changes).toEqual(['items: minItems 1 removed']);
  });

  it('a history recorded before otherRules: not judged on them, no version for them, and recorded on the next accept', () => {
    const dir = edited('datasets', 'orders', (s) => (s.properties.amount.exclusiveMaximum = 5));
    const file = path.join(dir, 'history', 'orders.json');
    const { rulesRecorded: _, ...old } = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify(old, null, 2));
    const before = checkSchemas(dir);
    expect(before.violations).toEqual([]);
    expect(before.tables.find((t) => t.table === 'orders')!.status).toBe('unchanged');
    expect(recordSchemas(before, dir)).toContain('orders');
    const after = JSON.parse(readFileSync(file, 'utf8'));
    expect(after).toMatchObject({ version: old.version, versions: old.versions, rulesRecorded: RULES_LEVEL });
    expect(after.columns.find((c: { name: string }) => c.name === 'amount').otherRules).toBe(
      '{"exclusiveMaximum":5}',
    );
    // From now on a change of them is judged.
    const narrowed = JSON.parse(readFileSync(path.join(dir, 'datasets', 'orders.json'), 'utf8'));
    narrowed.properties.amount.exclusiveMaximum = 4;
    writeFileSync(path.join(dir, 'datasets', 'orders.json'), JSON.stringify(narrowed, null, 2));
    expect(refusal(dir)).toEqual([{ table: 'orders', column: 'amount', rule: 'NARROWED' }]);
  });

  it('a format added or changed is refused, removed relaxes (date and date-time are types, judged as such)', () => {
    const changed = edited('datasets', 'customers', (s) => (s.properties.email.format = 'hostname'));
    expect(refusal(changed)).toEqual([{ table: 'customers', column: 'email', rule: 'NARROWED' }]);
    expect(checkSchemas(changed).violations[0]!.message).toMatch(/format "email" → "hostname"/);
    const added = edited('events', 'signup', (s) => (s.properties.plan.format = 'uuid'));
    expect(refusal(added)).toEqual([{ table: 'signup', column: 'plan', rule: 'NARROWED' }]);
    const removed = edited('datasets', 'customers', (s) => delete s.properties.email.format);
    const r = checkSchemas(removed);
    expect(r.violations).toEqual([]);
    expect(r.tables.find((t) => t.table === 'customers')!.changes).toEqual(['email: format "email" removed']);
  });

  it('null: taken from a type that adds "null" (relaxes), refused when removed again', () => {
    const dir = edited('datasets', 'orders', (s) => (s.properties.coupon.type = ['string', 'null']));
    const r = checkSchemas(dir);
    expect(r.violations).toEqual([]);
    expect(r.tables.find((t) => t.table === 'orders')!.changes).toEqual(['coupon: null accepted']);
    recordSchemas(r, dir);
    const file = path.join(dir, 'datasets', 'orders.json');
    const schema = JSON.parse(readFileSync(file, 'utf8'));
    schema.properties.coupon.type = 'string';
    writeFileSync(file, JSON.stringify(schema, null, 2));
    expect(refusal(dir)).toEqual([{ table: 'orders', column: 'coupon', rule: 'NARROWED' }]);
    expect(checkSchemas(dir).violations[0]!.message).toMatch(/null no longer accepted/);
  });

  it("a new schema that takes a recorded table's name is the one refused, whichever kind it is", () => {
    // An event type named like the customers dataset: events are read first, the dataset holds the data.
    const dir = edited('events', 'signup', () => undefined);
    cpSync(path.join(dir, 'events', 'signup.json'), path.join(dir, 'events', 'customers.json'));
    const [v] = checkSchemas(dir).violations;
    expect(v).toMatchObject({ table: 'customers', rule: 'INVALID_SCHEMA' });
    expect(v!.message).toMatch(
      /defined both in .*events\/customers\.json and .*datasets\/customers\.json; .*datasets\/customers\.json is the table schemas\/history\/customers\.json records \(a dataset table\): rename the other/,
    );
    expect(v!.safe).toMatch(/^fix .*events\/customers\.json;/);
    // A dataset named like the signup event type: the dataset is the new one.
    const other = edited('events', 'signup', () => undefined);
    cpSync(path.join(other, 'datasets', 'customers.json'), path.join(other, 'datasets', 'signup.json'));
    const [w] = checkSchemas(other).violations;
    expect(w!.safe).toMatch(/^fix .*datasets\/signup\.json;/);
  });

  it('a key declared inside a JSON column where a patternProperties took it narrows: not judged as only added', () => {
    const before = {
      type: 'object',
      additionalProperties: false,
      patternProperties: { '^x_': {} },
      properties: { a: { type: 'string' } },
    };
    const declared = (name: string) => ({
      ...before,
      properties: { ...before.properties, [name]: { type: 'integer' } },
    });
    // {"x_foo": "abc"} was accepted (the pattern takes any value): an integer x_foo refuses it.
    expect(nestedKeysOnlyAdded(before, declared('x_foo'), 'meta')).toBeUndefined();
    // A key no pattern takes was refused before: declaring it only adds.
    expect(nestedKeysOnlyAdded(before, declared('y'), 'meta')).toEqual(['meta.y']);
    // A pattern the check cannot compile is taken as matching.
    expect(
      nestedKeysOnlyAdded({ ...before, patternProperties: { '(': {} } }, declared('y'), 'meta'),
    ).toBeUndefined();
  });

  it('rules inside a JSON column: an optional key where none was taken relaxes; any other change is refused', () => {
    const optional = edited('events', 'page_view', (s) => {
      s.properties.viewport.properties.dpr = { type: 'number', minimum: 0 };
    });
    const r = checkSchemas(optional);
    expect(r.violations).toEqual([]);
    expect(r.tables.find((t) => t.table === 'page_view')!.changes).toEqual([
      'viewport: optional keys accepted inside it: viewport.dpr',
    ]);
    const inArray = edited('events', 'order_placed', (s) => {
      s.properties.items.items.properties.discount = { type: 'number' };
    });
    expect(checkSchemas(inArray).tables.find((t) => t.table === 'order_placed')!.changes).toEqual([
      'items: optional keys accepted inside it: items[].discount',
    ]);
    for (const [table, kind, edit] of [
      [
        'page_view',
        'events',
        (s: any) => {
          s.properties.viewport.properties.dpr = { type: 'number' };
          s.properties.viewport.required.push('dpr');
        },
      ],
      ['page_view', 'events', (s: any) => (s.properties.viewport.properties.width.maximum = 10000)],
      [
        'page_view',
        'events',
        (s: any) => (s.properties.viewport = { type: 'array', items: { type: 'integer' } }),
      ],
      ['order_placed', 'events', (s: any) => (s.properties.items.items.properties.sku.maxLength = 8)],
    ] as const) {
      const dir = edited(kind, table, edit);
      const column = table === 'page_view' ? 'viewport' : 'items';
      expect(refusal(dir)).toEqual([{ table, column, rule: 'NARROWED' }]);
      const [v] = checkSchemas(dir).violations;
      expect(v!.message).toMatch(/rules the check cannot judge changed/);
    }
    const required = edited('events', 'page_view', (s) => {
      s.properties.viewport.properties.dpr = { type: 'number' };
      s.properties.viewport.required.push('dpr');
    });
    expect(checkSchemas(required).violations[0]!.safe).toMatch(/leave a new key undeclared/);
  });

  it('a history recorded at level 1 (otherRulesRecorded): not judged on format, nulls or nested rules until accepted', () => {
    const dir = edited('datasets', 'customers', (s) => (s.properties.email.format = 'hostname'));
    const file = path.join(dir, 'history', 'customers.json');
    const h = JSON.parse(readFileSync(file, 'utf8'));
    delete h.rulesRecorded;
    h.otherRulesRecorded = true;
    for (const c of h.columns) delete c.otherRules;
    writeFileSync(file, JSON.stringify(h, null, 2));
    const before = checkSchemas(dir);
    expect(before.violations).toEqual([]);
    expect(before.tables.find((t) => t.table === 'customers')!.status).toBe('unchanged');
    recordSchemas(before, dir);
    const after = JSON.parse(readFileSync(file, 'utf8'));
    expect(after).toMatchObject({ version: h.version, rulesRecorded: RULES_LEVEL });
    expect(after.otherRulesRecorded).toBeUndefined();
    expect(after.columns.find((c: { name: string }) => c.name === 'email').otherRules).toBe(
      '{"format":"hostname"}',
    );
  });

  /** The local lake's record of orders as `dir` has it, used since 2026-12-01 and not recorded. */
  const ordersInUse = (dir: string) =>
    new Map(
      loadLake(dir)
        .tables.filter((t) => t.name === 'orders')
        .map((t) => [
          t.name,
          { snapshot: snapshotOf(t), version: t.version, since: '2026-12-01T00:00:00.000Z' },
        ]),
    );

  it('a rename of a column only the unrecorded version in use has says to record that version first', () => {
    // Recorded: coupon. In use, not recorded: coupon → promo_code. Now: promo_code → voucher.
    const used = edited('datasets', 'orders', (s) => {
      s.properties.promo_code = { ...s.properties.coupon, 'x-lake': { renamedFrom: 'coupon' } };
      delete s.properties.coupon;
    });
    const inUse = ordersInUse(used);
    const next = edited('datasets', 'orders', (s) => {
      s.properties.voucher = { ...s.properties.coupon, 'x-lake': { renamedFrom: 'promo_code' } };
      delete s.properties.coupon;
    });
    const r = checkSchemas(next, undefined, inUse);
    const renamed = r.violations.find((v) => v.column === 'voucher')!;
    expect(renamed).toMatchObject({ rule: 'RENAMED_UNKNOWN' });
    expect(renamed.message).toMatch(
      /^orders.voucher: x-lake.renamedFrom names 'promo_code', a column of the version in use that is not recorded \(.*version 2 of it since 2026-12-01/,
    );
    expect(renamed.safe).toMatch(
      /^first record the version in use \(npm run schemas:accept .*\), then rename it/,
    );
    const removed = r.violations.find((v) => v.column === 'coupon')!;
    expect(removed).toMatchObject({ rule: 'REMOVED' });
    expect(removed.safe).toMatch(/^first record the version in use/);
    // Without a version in use the same edit names no column the table had.
    expect(checkSchemas(next).violations.find((v) => v.column === 'voucher')!.message).toMatch(
      /a column the table never had/,
    );
  });

  it('a rename made after an unrecorded version the local lake used with the old name takes the next number (its rows are filled)', () => {
    // In use, not recorded: orders with a column channel (rows written under version 2 hold coupon). Now coupon →
    // promo_code: as version 2 too, those rows would count as written after the rename, promo_code never filled.
    const used = edited('datasets', 'orders', (s) => (s.properties.channel = { type: 'string' }));
    const inUse = ordersInUse(used);
    const renamed = edited('datasets', 'orders', (s) => {
      s.properties.channel = { type: 'string' };
      s.properties.promo_code = { ...s.properties.coupon, 'x-lake': { renamedFrom: 'coupon' } };
      delete s.properties.coupon;
    });
    expect(checkSchemas(renamed).violations).toEqual([]);
    const r = checkSchemas(renamed, undefined, inUse);
    expect(r.violations).toEqual([]);
    const def = r.defs.find((t) => t.name === 'orders')!;
    expect(def.version).toBe(3);
    expect(def.columns.find((c) => c.name === 'lake_schema_version')!.constant).toBe(3);
    expect(buildPlan(def).existingSql).toContain(
      'CASE WHEN COALESCE(lake_schema_version, 0) < 3 THEN COALESCE(promo_code, coupon) ELSE promo_code END',
    );
    // schemas:accept records it under that number (the history skips the edit never recorded).
    recordSchemas(r, renamed);
    const history = JSON.parse(readFileSync(path.join(renamed, 'history', 'orders.json'), 'utf8'));
    expect([history.version, history.versions.map((v: { version: number }) => v.version)]).toEqual([
      3,
      [1, 3],
    ]);
    // A version in use that has the rename already wrote its rows under the new name: nothing to refuse.
    expect(checkSchemas(renamed, undefined, ordersInUse(renamed)).violations).toEqual([]);
    // An older version in use, recorded since (v2 recorded, the rename is v3): its rows are filled, nothing refused.
    recordSchemas(checkSchemas(used), used);
    const later = edited('datasets', 'orders', (s) => {
      s.properties.channel = { type: 'string' };
      s.properties.promo_code = { ...s.properties.coupon, 'x-lake': { renamedFrom: 'coupon' } };
      delete s.properties.coupon;
    });
    writeFileSync(
      path.join(later, 'history', 'orders.json'),
      readFileSync(path.join(used, 'history', 'orders.json'), 'utf8'),
    );
    const olderInUse = ordersInUse(edited('datasets', 'orders', () => undefined));
    expect(olderInUse.get('orders')!.version).toBe(1);
    expect(checkSchemas(later, undefined, olderInUse).violations).toEqual([]);
  });

  it('a number the local lake used for an edit it no longer uses is not given to a rename: an edit used, undone, then a rename', () => {
    const lake = mkdtempSync(path.join(os.tmpdir(), 'lake-in-use-'));
    dirs.push(lake);
    const use = (dir: string) => {
      const r = checkSchemas(dir, undefined, readSchemasInUse(lake));
      expect(r.violations).toEqual([]);
      writeSchemasInUse(lake, r.defs);
      return r;
    };
    // coupon retired, not recorded: the lake writes rows with version 2 (coupon kept in them).
    const retired = edited('datasets', 'orders', (s) => {
      delete s.properties.coupon;
      s['x-lake'].retired = ['coupon'];
    });
    expect(use(retired).defs.find((t) => t.name === 'orders')!.version).toBe(2);
    // Undone: the lake is on the recorded version 1 again, and remembers it wrote version 2.
    expect(
      use(edited('datasets', 'orders', () => undefined)).defs.find((t) => t.name === 'orders')!.version,
    ).toBe(1);
    expect(readSchemasInUse(lake).get('orders')).toMatchObject({
      version: 1,
      used: { 1: expect.any(String), 2: expect.any(String) },
    });
    // Then a rename: version 3, so that the rows of version 2 are filled from coupon.
    const renamed = edited('datasets', 'orders', (s) => {
      s.properties.promo_code = { ...s.properties.coupon, 'x-lake': { renamedFrom: 'coupon' } };
      delete s.properties.coupon;
    });
    const def = use(renamed).defs.find((t) => t.name === 'orders')!;
    expect(def.version).toBe(3);
    expect(buildPlan(def).existingSql).toContain('< 3 THEN COALESCE(promo_code, coupon)');
    // The same schema again keeps its number.
    expect(use(renamed).defs.find((t) => t.name === 'orders')!.version).toBe(3);
  });

  it('a widening refused against the unrecorded version in use does not say it takes anything away', () => {
    const used = edited('datasets', 'orders', (s) => {
      s.properties.points = { type: 'integer', 'x-lake': { type: 'smallint' } };
    });
    const widened = edited('datasets', 'orders', (s) => {
      s.properties.points = { type: 'integer', 'x-lake': { type: 'int' } };
    });
    const r = checkSchemas(widened, undefined, ordersInUse(used));
    expect(r.violations.map((v) => [v.column, v.rule])).toEqual([['points', 'TYPE_CHANGED']]);
    expect(r.violations[0]!.message).toMatch(
      /Spark 3\.5.*\(the local lake has used version 2 of it since 2026-12-01T00:00:00\.000Z \(not recorded\): the data accepted under it is stored as that version defines it\)$/,
    );
    expect(r.violations[0]!.message).not.toMatch(/takes away/);
  });

  it('a version the local lake used without recording it is judged as the recorded one (reverting it is refused)', () => {
    // The lake used orders with enum value "returned" and a column "channel", not recorded; the edit is reverted.
    const used = edited('datasets', 'orders', (s) => {
      s.properties.status.enum.push('returned');
      s.properties.channel = { type: 'string' };
    });
    const inUse = ordersInUse(used);
    const reverted = edited('datasets', 'orders', () => undefined);
    expect(checkSchemas(reverted).violations).toEqual([]);
    const r = checkSchemas(reverted, undefined, inUse);
    expect(r.violations.map((v) => ({ column: v.column, rule: v.rule }))).toEqual([
      { column: 'channel', rule: 'REMOVED' },
      { column: 'status', rule: 'NARROWED' },
    ]);
    expect(r.violations[0]!.message).toMatch(/local lake has used version 2 of it since 2026-12-01/);
    // Retiring or renaming a column of an unrecorded version is judged against the record: recording comes first.
    expect(r.violations[0]!.safe).toMatch(
      /^first record the version in use \(npm run schemas:accept with the schema as the lake used it\), then keep it with "deprecated": true/,
    );
    // The version in use itself, or one that keeps what it took, passes; so does a version in use that is recorded.
    expect(checkSchemas(used, undefined, inUse).violations).toEqual([]);
    const recorded = checkSchemas(used);
    recordSchemas(recorded, used);
    expect(checkSchemas(used, undefined, inUse).violations).toEqual([]);
    // A table the lake used whose schema (never recorded) is deleted.
    const gone = new Map([
      [
        'orders_new',
        { ...inUse.get('orders')!, snapshot: { ...inUse.get('orders')!.snapshot, table: 'orders_new' } },
      ],
    ]);
    expect(checkSchemas(reverted, undefined, gone).violations.map((v) => v.rule)).toEqual(['TABLE_REMOVED']);
  });

  /** orders with coupon renamed to coupon_code, recorded; its schema file to edit next. */
  function couponRenamedAndRecorded() {
    const dir = edited('datasets', 'orders', (s) => {
      s.properties.coupon_code = { ...s.properties.coupon, 'x-lake': { renamedFrom: 'coupon' } };
      delete s.properties.coupon;
    });
    recordSchemas(checkSchemas(dir), dir);
    const file = path.join(dir, 'datasets', 'orders.json');
    return { dir, file, schema: JSON.parse(readFileSync(file, 'utf8')) };
  }

  /** Then coupon_code renamed to voucher, recorded too (coupon → coupon_code → voucher). */
  function couponRenamedTwiceAndRecorded() {
    const { dir, file, schema } = couponRenamedAndRecorded();
    schema.properties.voucher = {
      ...schema.properties.coupon_code,
      'x-lake': { renamedFrom: 'coupon_code' },
    };
    delete schema.properties.coupon_code;
    writeFileSync(file, JSON.stringify(schema, null, 2));
    recordSchemas(checkSchemas(dir), dir);
    return { dir, file };
  }

  it('renames recorded one at a time keep the whole chain of names (A → B, recorded; B → C, recorded)', () => {
    const { dir, file } = couponRenamedTwiceAndRecorded();
    const orders = loadLake(dir).tables.find((t) => t.name === 'orders')!;
    // Files and rows holding the first name still fill the last one (the ETL's alternatives, the upload check).
    expect(orders.columns.find((c) => c.name === 'voucher')).toMatchObject({
      formerNames: ['coupon_code', 'coupon'],
      alternatives: [['coupon_code'], ['coupon']],
    });
    const history = JSON.parse(readFileSync(path.join(dir, 'history', 'orders.json'), 'utf8'));
    expect(history.columns.find((c: { name: string }) => c.name === 'coupon_code')).toMatchObject({
      retired: true,
      renamedFrom: 'coupon',
    });
  });

  it('after a chain of renames (A → B → C), a refusal about A names C, the column that reads A now', () => {
    const { dir, file } = couponRenamedTwiceAndRecorded();
    const recorded = readFileSync(file, 'utf8');
    // coupon as a new column again.
    const again = JSON.parse(recorded);
    again.properties.coupon = { type: 'string', maxLength: 10 };
    writeFileSync(file, JSON.stringify(again, null, 2));
    expect(checkSchemas(dir).violations.find((v) => v.rule === 'FORMER_NAME_TAKEN')!.message).toMatch(
      /^orders\.coupon: a column under the name coupon, renamed to voucher: voucher reads the records sent/,
    );
    // voucher "renamed" back to coupon.
    const back = JSON.parse(recorded);
    back.properties.coupon = { ...back.properties.voucher, 'x-lake': { renamedFrom: 'voucher' } };
    delete back.properties.voucher;
    writeFileSync(file, JSON.stringify(back, null, 2));
    expect(checkSchemas(dir).violations.find((v) => v.rule === 'RENAMED_ONTO_EXISTING')!.message).toMatch(
      /on a name the table already has \(retired, renamed to voucher\)/,
    );
  });

  it('a rename onto a name the table already has (a former name, or a column) is refused: their values would mix', () => {
    // coupon → coupon_code, recorded; then coupon_code "renamed" back to coupon.
    const { dir, file, schema } = couponRenamedAndRecorded();
    schema.properties.coupon = { ...schema.properties.coupon_code, 'x-lake': { renamedFrom: 'coupon_code' } };
    delete schema.properties.coupon_code;
    writeFileSync(file, JSON.stringify(schema, null, 2));
    const back = checkSchemas(dir).violations.find((v) => v.rule === 'RENAMED_ONTO_EXISTING')!;
    expect(back).toMatchObject({ table: 'orders', column: 'coupon' });
    expect(back.message).toMatch(
      /coupon: x-lake.renamedFrom 'coupon_code' on a name the table already has \(retired, renamed to coupon_code\)/,
    );
    expect(back.safe).toMatch(/a name the table never had/);
    // A live column declared renamed from another one: the two would be merged.
    const merged = edited('datasets', 'orders', (s) => {
      s.properties.coupon['x-lake'] = { renamedFrom: 'currency' };
    });
    expect(refusal(merged)).toContainEqual({
      table: 'orders',
      column: 'coupon',
      rule: 'RENAMED_ONTO_EXISTING',
    });
  });

  it('a name renamed away is not a new column: of its type or another, it is told to take another name', () => {
    const dir = edited('datasets', 'orders', (s) => {
      s.properties.items = { ...s.properties.item_count, 'x-lake': { renamedFrom: 'item_count' } };
      delete s.properties.item_count;
    });
    recordSchemas(checkSchemas(dir), dir);
    const file = path.join(dir, 'datasets', 'orders.json');
    const recorded = readFileSync(file, 'utf8');
    for (const column of [{ type: 'string', maxLength: 10 }, { type: 'integer' }]) {
      const schema = JSON.parse(recorded);
      schema.properties.item_count = column;
      writeFileSync(file, JSON.stringify(schema, null, 2));
      // One refusal, the name's (not a type change besides, nor an ETL that cannot tell whose value it reads).
      expect(checkSchemas(dir).violations).toEqual([
        {
          table: 'orders',
          column: 'item_count',
          rule: 'FORMER_NAME_TAKEN',
          message:
            'orders.item_count: a column under the name item_count, renamed to items: items reads the records sent ' +
            'and the values stored under item_count, which would be read into both',
          safe: expect.stringMatching(
            /^give the new column a name the table never had \(schemas\/history\/orders.json lists them\); or /,
          ),
        },
      ]);
    }
  });

  it("an event type's name renamed away, in the schema again, is one refusal too (its input path is data.<name>)", () => {
    const dir = edited('events', 'page_view', (s) => {
      s.properties.user_ref = { ...s.properties.user_id, 'x-lake': { renamedFrom: 'user_id' } };
      delete s.properties.user_id;
    });
    recordSchemas(checkSchemas(dir), dir);
    const file = path.join(dir, 'events', 'page_view.json');
    const schema = JSON.parse(readFileSync(file, 'utf8'));
    schema.properties.user_id = { type: 'string' };
    writeFileSync(file, JSON.stringify(schema, null, 2));
    expect(checkSchemas(dir).violations.map((v) => [v.rule, v.column])).toEqual([
      ['FORMER_NAME_TAKEN', 'user_id'],
    ]);
  });

  it('a retired column of another type under its name again is told to take another name', () => {
    const dir = edited('datasets', 'orders', (s) => {
      delete s.properties.item_count;
      s['x-lake'] = { ...s['x-lake'], retired: ['item_count'] };
    });
    recordSchemas(checkSchemas(dir), dir);
    const file = path.join(dir, 'datasets', 'orders.json');
    const schema = JSON.parse(readFileSync(file, 'utf8'));
    schema.properties.item_count = { type: 'string', maxLength: 10 };
    schema['x-lake'].retired = [];
    writeFileSync(file, JSON.stringify(schema, null, 2));
    const v = checkSchemas(dir).violations.find((x) => x.rule === 'TYPE_CHANGED')!;
    expect(v).toMatchObject({ table: 'orders', column: 'item_count' });
    expect(v.safe).toMatch(
      /^the name item_count is the retired column's \(retired\), which keeps its stored values as bigint: give the new column another name/,
    );
  });

  it('a retired column comes back with the rules it had (recorded with it), not narrower ones', () => {
    const dir = edited('events', 'page_view', (s) => {
      delete s.properties.title; // maxLength 512
      s['x-lake'] = { ...s['x-lake'], retired: ['title'] };
    });
    recordSchemas(checkSchemas(dir), dir);
    const history = JSON.parse(readFileSync(path.join(dir, 'history', 'page_view.json'), 'utf8'));
    expect(history.columns.find((c: { name: string }) => c.name === 'title')).toMatchObject({
      retired: true,
      maxLength: 512,
    });
    // The ETL does not judge a retired column's values on them (they were accepted under them).
    const retired = loadLake(dir).tables.find((t) => t.name === 'page_view')!;
    expect(buildPlan(retired).typedSql).not.toMatch(/title: longer than/);
    const file = path.join(dir, 'events', 'page_view.json');
    const back = (title: object) => {
      const schema = JSON.parse(readFileSync(file, 'utf8'));
      schema.properties.title = title;
      schema['x-lake'].retired = [];
      writeFileSync(file, JSON.stringify(schema, null, 2));
      return checkSchemas(dir);
    };
    const same = back({ type: 'string', maxLength: 512 });
    expect(same.violations).toEqual([]);
    expect(same.tables.find((t) => t.table === 'page_view')!.changes).toEqual(['title: back in the schema']);
    const narrower = back({ type: 'string', maxLength: 100 });
    expect(narrower.violations.map((v) => [v.rule, v.message])).toEqual([
      ['NARROWED', 'page_view.title: maxLength 512 → 100'],
    ]);
    expect(narrower.violations[0]!.safe).toMatch(
      /^bring the column back with the rules it had when it was retired/,
    );
  });

  it('columns in another order: a version that says so (SELECT * lists them so), nothing refused', () => {
    const dir = edited('datasets', 'customers', (s) => {
      const { email, ...rest } = s.properties;
      s.properties = { ...rest, email };
    });
    const r = checkSchemas(dir);
    expect(r.violations).toEqual([]);
    const customers = r.tables.find((t) => t.table === 'customers')!;
    expect(customers.status).toBe('changed');
    expect(customers.changes).toEqual([
      expect.stringMatching(/^columns reordered \(customer_id, name, .*, email\)/),
    ]);
  });

  it("a schema the lake's validator compiler refuses (a misspelt keyword, a keyword of another type, an unknown format)", () => {
    for (const [edit, reason] of [
      [
        (s: any) => (s.properties.user_agent.maxlength = 5),
        /does not compile: strict mode: unknown keyword: "maxlength"/,
      ],
      [
        (s: any) => (s.properties.user_agent.exclusiveMinimum = 3),
        /does not compile: strict mode: missing type "number"/,
      ],
      [(s: any) => (s.properties.user_agent.format = 'nope'), /does not compile: unknown format "nope"/],
    ] as const) {
      const dir = edited('events', 'page_view', edit);
      expect(refusal(dir)).toEqual([{ table: 'page_view', column: undefined, rule: 'INVALID_SCHEMA' }]);
      const r = checkSchemas(dir);
      expect(r.violations[0]!.message).toMatch(reason);
      expect(r.defs.map((t) => t.name)).not.toContain('page_view');
      expect(() => applySchemas(dir)).toThrow(SchemasRefused);
    }
  });

  it('an x-lake keyword the lake does not read (misspelt) is refused, naming it and the one meant', () => {
    for (const [kind, table, edit, reason] of [
      [
        'datasets',
        'customers',
        (s: any) => (s.properties.loyalty = { type: 'integer', 'x-lake': { Type: 'smallint' } }),
        /customers\.json\.loyalty: x-lake\.Type is not a keyword the lake reads \(did you mean type\? it takes renamedFrom, type\)/,
      ],
      [
        'events',
        'signup',
        (s: any) => (s.properties.referrer = { type: 'string', 'x-lake': { renamedfrom: 'plan' } }),
        /signup\.json\.referrer: x-lake\.renamedfrom is not a keyword the lake reads \(did you mean renamedFrom\?/,
      ],
      [
        'datasets',
        'customers',
        (s: any) => (s['x-lake'].maxRejectRatio = 0.01),
        /customers\.json: x-lake\.maxRejectRatio is not a keyword the lake reads \(did you mean maxRejectedRatio\? it takes primaryKey, /,
      ],
      [
        'events',
        'signup',
        (s: any) => (s['x-lake'] = { retierd: ['plan'] }),
        /signup\.json: x-lake\.retierd is not a keyword the lake reads \(did you mean retired\? it takes retired, supersedes\)/,
      ],
      [
        'events',
        'signup',
        (s: any) => (s['x-lake'] = { colour: 'red' }),
        /signup\.json: x-lake\.colour is not a keyword the lake reads \(it takes retired, supersedes\)/,
      ],
      ['events', 'signup', (s: any) => (s['x-lake'] = ['retired']), /signup\.json: x-lake must be an object/],
    ] as const) {
      const dir = edited(kind, table, edit);
      expect(refusal(dir)).toEqual([{ table, column: undefined, rule: 'INVALID_SCHEMA' }]);
      expect(checkSchemas(dir).violations[0]!.message).toMatch(reason);
    }
  });

  it('an x-lake keyword of the wrong kind (a text for a list, a list for a text) is refused, naming the kind', () => {
    // A text in retired read as its letters (ingest) or as a substring (the check); a list in partitionBy as its text.
    for (const [kind, table, edit, reason] of [
      [
        'events',
        'signup',
        (s: any) => {
          delete s.properties.referral_code;
          s['x-lake'] = { retired: 'referral_code' };
        },
        /signup\.json: x-lake\.retired must be a list of column names \(\["…"\]\), got "referral_code"/,
      ],
      [
        'datasets',
        'customers',
        (s: any) => (s['x-lake'].primaryKey = 'customer_id'),
        /customers\.json: x-lake\.primaryKey must be a list of column names \(\["…"\]\), got "customer_id"/,
      ],
      [
        'datasets',
        'customers',
        (s: any) => (s['x-lake'].formats = 'json'),
        /customers\.json: x-lake\.formats must be a list of formats \(\["…"\]\), got "json"/,
      ],
      [
        'datasets',
        'customers',
        (s: any) => (s['x-lake'].partitionBy = ['created_at']),
        /customers\.json: x-lake\.partitionBy must be a column name \(a text\), got \["created_at"\]/,
      ],
      [
        'datasets',
        'customers',
        (s: any) => (s['x-lake'].latestBy = ['updated_at']),
        /customers\.json: x-lake\.latestBy must be a column name \(a text\), got \["updated_at"\]/,
      ],
      [
        'events',
        'signup',
        (s: any) => (s['x-lake'] = { supersedes: ['signups'] }),
        /signup\.json: x-lake\.supersedes must be a table name \(a text\), got \["signups"\]/,
      ],
      [
        'events',
        'signup',
        (s: any) => {
          s.properties.tier = { ...s.properties.plan, 'x-lake': { renamedFrom: ['plan'] } };
          delete s.properties.plan;
          s.required = s.required.map((r: string) => (r === 'plan' ? 'tier' : r));
        },
        /signup\.json\.tier: x-lake\.renamedFrom must be a column name \(a text\), got \["plan"\]/,
      ],
      [
        'datasets',
        'customers',
        (s: any) => (s.properties.country['x-lake'] = { type: ['varchar'] }),
        /customers\.json\.country: x-lake\.type must be a type name \(a text\), got \["varchar"\]/,
      ],
    ] as const) {
      const dir = edited(kind, table, edit);
      expect(refusal(dir)).toEqual([{ table, column: undefined, rule: 'INVALID_SCHEMA' }]);
      expect(checkSchemas(dir).violations[0]!.message).toMatch(reason);
    }
  });

  it("a property named as a column the lake adds: a dataset's partition column dt, a lake_ name in an event type", () => {
    for (const [kind, table, name, reason] of [
      ['datasets', 'customers', 'dt', /property 'dt' clashes with the partition column dt/],
      [
        'events',
        'signup',
        'lake_schema_version',
        /property 'lake_schema_version': lake_ names are the lake's own/,
      ],
      ['events', 'signup', 'event_date', /property 'event_date' clashes with an envelope column/],
    ] as const) {
      const dir = edited(kind, table, (s) => (s.properties[name] = { type: 'string' }));
      expect(refusal(dir)).toEqual([{ table, column: undefined, rule: 'INVALID_SCHEMA' }]);
      expect(checkSchemas(dir).violations[0]!.message).toMatch(reason);
    }
  });

  it('a rename that names no column of the table, or that changes the type', () => {
    const unknown = edited('events', 'signup', (s) => {
      s.properties.plan_name = { ...s.properties.plan, 'x-lake': { renamedFrom: 'tier' } };
    });
    expect(refusal(unknown)).toEqual([{ table: 'signup', column: 'plan_name', rule: 'RENAMED_UNKNOWN' }]);
    const retyped = edited('datasets', 'orders', (s) => {
      s.properties.total = { type: 'string', 'x-lake': { renamedFrom: 'amount' } };
      delete s.properties.amount;
      s.required = s.required.filter((r: string) => r !== 'amount');
    });
    expect(refusal(retyped)).toContainEqual({ table: 'orders', column: 'total', rule: 'TYPE_CHANGED' });
  });
});

describe('safe forms pass and are recorded as new versions', () => {
  it('adding an optional property; relaxing rules', () => {
    const dir = edited('datasets', 'orders', (s) => {
      s.properties.channel = { type: 'string', maxLength: 16 };
      s.properties.status.enum.push('returned');
      s.properties.coupon.maxLength = 128;
      delete s.properties.currency.pattern;
      s.required = s.required.filter((r: string) => r !== 'currency');
    });
    const r = checkSchemas(dir);
    expect(r.violations).toEqual([]);
    const orders = r.tables.find((t) => t.table === 'orders')!;
    expect(orders).toMatchObject({ status: 'changed', version: 2 });
    expect(orders.changes).toEqual([
      'status: enum values added: returned',
      'currency: no longer required',
      'currency: pattern ^[A-Z]{3}$ removed',
      'coupon: maxLength 64 → 128',
      'channel: added (string, optional)',
    ]);
    expect(formatReport(r)).toEqual([`orders: version 2 (not recorded): ${orders.changes.join('; ')}`]);
    // A value that is no text is named as written: null, not nothing.
    const nullable = edited('events', 'signup', (s) => {
      s.properties.plan.type = ['string', 'null'];
      s.properties.plan.enum.push(null);
    });
    expect(checkSchemas(nullable).tables.find((t) => t.table === 'signup')!.changes).toContain(
      'plan: enum values added: null',
    );
    expect(recordSchemas(r, dir, new Date('2026-12-03T00:00:00Z'))).toEqual(['orders']);
    const history = JSON.parse(readFileSync(path.join(dir, 'history', 'orders.json'), 'utf8'));
    expect(history.version).toBe(2);
    expect(history.versions.at(-1)).toEqual({
      version: 2,
      recordedAt: '2026-12-03T00:00:00.000Z',
      changes: orders.changes,
    });
    expect(checkSchemas(dir).unrecorded).toEqual([]);
    // Rows written from now on record the version.
    const def = loadLake(dir).tables.find((t) => t.name === 'orders')!;
    expect(def.columns.at(-1)).toMatchObject({ name: 'lake_schema_version', constant: 2 });
  });

  it('deprecating, retiring and renaming a column', () => {
    const dir = edited('datasets', 'orders', (s) => {
      s.properties.coupon.deprecated = true;
      delete s.properties.item_count;
      s['x-lake'].retired = ['item_count'];
      s.properties.total = { ...s.properties.amount, 'x-lake': { renamedFrom: 'amount' } };
      delete s.properties.amount;
      s.required = s.required.map((r: string) => (r === 'amount' ? 'total' : r));
    });
    const r = checkSchemas(dir);
    expect(r.violations).toEqual([]);
    expect(r.tables.find((t) => t.table === 'orders')!.changes).toEqual([
      'total: renamed from amount',
      'coupon: deprecated (kept, still accepted)',
      // Renamed away: still accepted under its old name (read into total), unlike a retired column.
      'amount: renamed to total (its column kept with its stored values; the name still accepted, read into total)',
      'item_count: retired (kept with its stored values, no longer accepted)',
    ]);
    const def = loadLake(dir).tables.find((t) => t.name === 'orders')!;
    expect(def.columns.filter((c) => c.retired).map((c) => c.name)).toEqual(['amount', 'item_count']);
    expect(def.columns.find((c) => c.name === 'total')).toMatchObject({
      renamedFrom: 'amount',
      alternatives: [['amount']],
    });
  });
});

describe('table names that would deploy as one Glue table', () => {
  it('are refused when the lake is loaded, naming both tables and their files', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'schemas-'));
    dirs.push(dir);
    cpSync(schemasDir, dir, { recursive: true });
    // order__placed and order_placed: both GlueTableOrderPlaced in CloudFormation.
    cpSync(path.join(dir, 'events', 'order_placed.json'), path.join(dir, 'events', 'order__placed.json'));
    const { tables, errors } = loadLake(dir);
    expect(tables.filter((t) => t.name.startsWith('order_')).map((t) => t.name)).toHaveLength(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(
      /table name 'order_+placed' \(.*events\/order_+placed\.json\) and 'order_+placed' \(.*events\/order_+placed\.json\) would deploy as one Glue table resource, GlueTableOrderPlaced.*rename one of them/,
    );
    expect(formatReport(checkSchemas(dir)).join('\n')).toMatch(/GlueTableOrderPlaced/);
  });
});
