/**
 * The validators generated at build time (lib/validators/): the build step turns an edited schema into a validator
 * with the new rule, the registries never use a generated validator of another schema (stale: refused by name), and
 * the schemas a running lake applies are validated by validators compiled from them.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { prepareEvents } from '../../lib/envelope';
import { ApiError } from '../../lib/errors';
import { loadSchema, useSchemaSnapshot } from '../../lib/schema-loader';
import { buildValidators, GENERATED_DIR, readSchemaSet } from '../../lib/validators/build';
import { eventDataValidator } from '../../lib/validators/events';
import { evaluateValidatorSource } from '../../lib/validators/evaluate';
import { exportName, StaleValidatorsError, useCompiledValidators } from '../../lib/validators/lookup';
import { useSchemas } from '../../lib/validators/snapshot';
import type { Validator } from '../../lib/validators/types';

const schemasDir = path.resolve(__dirname, '../../schemas');
const limits = { maxEvents: 500, maxFutureSkewSeconds: 300 };
const pageView = (sessionId: string) => ({ session_id: sessionId, url: 'https://shop.example/p/1' });

let work: string;
beforeEach(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'validators-'));
});
afterEach(() => {
  rmSync(work, { recursive: true, force: true });
  useCompiledValidators(undefined);
});

/** A copy of schemas/ whose page_view allows session ids of at most 10 characters (64 in the project's). */
function editedSchemas(): string {
  const dir = path.join(work, 'schemas');
  cpSync(schemasDir, dir, { recursive: true });
  const file = path.join(dir, 'events', 'page_view.json');
  const schema = JSON.parse(readFileSync(file, 'utf8'));
  schema.properties.session_id.maxLength = 10;
  writeFileSync(file, JSON.stringify(schema, null, 2));
  return dir;
}

describe('the build step', () => {
  it('generates a validator with the rule the schema has now', () => {
    const out = path.join(work, 'generated');
    expect(
      buildValidators(editedSchemas(), out)
        .map((f) => path.basename(f))
        .sort(),
    ).toEqual(['datasets.js', 'events.js']);
    const mod = evaluateValidatorSource(readFileSync(path.join(out, 'events.js'), 'utf8'));
    const validate = mod[exportName('events', 'page_view')] as Validator;
    expect(validate(pageView('sess-0001'))).toBe(true);
    expect(validate(pageView('sess-0001-0002'))).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({ instancePath: '/session_id', keyword: 'maxLength' });
    // Run again on the same schemas: nothing changes, nothing is rewritten.
    expect(buildValidators(editedSchemas(), out)).toEqual([]);
  });

  it("the project's generated validators are those of schemas/ as it is (the tests' global setup ran the step)", () => {
    const mod = evaluateValidatorSource(readFileSync(path.join(GENERATED_DIR, 'events.js'), 'utf8'));
    expect((mod[exportName('events', 'page_view')] as Validator)(pageView('sess-0001-0002'))).toBe(true);
  });
});

describe('never a stale validator', () => {
  it('refuses to validate a schema with the validator generated from another version of it', () => {
    const edited = structuredClone(loadSchema('events', 'page_view')) as {
      properties: { session_id: { maxLength: number } };
    };
    edited.properties.session_id.maxLength = 10;
    expect(() => eventDataValidator('page_view', edited)).toThrow(StaleValidatorsError);
    expect(() => eventDataValidator('page_view', edited)).toThrow(/schemas\/events\/page_view\.json/);
  });

  it('a snapshot without its validators is refused, not validated by the old rules', () => {
    const events = new Map<string, object>();
    const edited = structuredClone(loadSchema('events', 'page_view')) as {
      properties: { session_id: { maxLength: number } };
    };
    edited.properties.session_id.maxLength = 10;
    events.set('page_view', edited);
    useSchemaSnapshot({ events, datasets: new Map() });
    try {
      expect(() => prepareEvents({ type: 'page_view', data: pageView('sess-0001-0002') }, limits)).toThrow(
        StaleValidatorsError,
      );
    } finally {
      const project = readSchemaSet(schemasDir);
      useSchemas({ events: new Map(project.events), datasets: new Map(project.datasets) });
    }
  });

  it('the schemas a lake applies are validated by validators compiled from them', () => {
    const original = loadSchema('events', 'page_view')!;
    const edited = structuredClone(original) as { properties: { session_id: { maxLength: number } } };
    edited.properties.session_id.maxLength = 10;
    const refusal = () => {
      try {
        prepareEvents({ type: 'page_view', data: pageView('sess-0001-0002') }, limits);
        return undefined;
      } catch (e) {
        return (e as ApiError).details;
      }
    };
    useSchemas({ events: new Map([['page_view', edited]]), datasets: new Map() });
    expect(refusal()).toMatchObject({
      errors: [
        {
          pointer: '/data/session_id',
          code: 'SCHEMA_VIOLATION',
          message: 'must NOT have more than 10 characters',
        },
      ],
    });
    useSchemas({ events: new Map([['page_view', original]]), datasets: new Map() });
    expect(refusal()).toBeUndefined();
  });

  it('multipleOf is judged as JSON Schema means it: 0.07 is a multiple of 0.01 (7.000000000000001 as doubles divide)', () => {
    const original = loadSchema('events', 'page_view')!;
    const edited = structuredClone(original) as { properties: Record<string, object> };
    edited.properties.price = { type: 'number', multipleOf: 0.01 };
    useSchemas({ events: new Map([['page_view', edited]]), datasets: new Map() });
    const verdict = (price: number) => {
      try {
        prepareEvents({ type: 'page_view', data: { ...pageView('sess-0001-0002'), price } }, limits);
        return 'accepted';
      } catch (e) {
        return (e as ApiError).details;
      }
    };
    for (const price of [0.07, 0.29, 1.1, 19.99, 1e6])
      expect([price, verdict(price)]).toEqual([price, 'accepted']);
    expect(verdict(0.075)).toMatchObject({
      errors: [{ pointer: '/data/price', message: 'must be multiple of 0.01' }],
    });
    useSchemas({ events: new Map([['page_view', original]]), datasets: new Map() });
  });
});
