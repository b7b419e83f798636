/**
 * Every schema in schemas/ is a valid JSON Schema 2020-12 document (the functions skip the meta-schema check at cold
 * start, so it is made here), compiles in strict mode, and produces a table.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { lakeTables, schemasDir } from '../../lib/catalog/tables';
import { dataset } from '../../lib/dataset-registry';
import { eventValidator } from '../../lib/schema-registry';

const files = (kind: string) =>
  readdirSync(path.join(schemasDir, kind))
    .filter((f) => f.endsWith('.json'))
    .map((f) => [f.slice(0, -5), JSON.parse(readFileSync(path.join(schemasDir, kind, f), 'utf8'))] as const);

function metaValidator() {
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
  addFormats(ajv);
  ajv.addVocabulary(['x-lake']);
  return ajv;
}

describe('schemas/', () => {
  it('the envelope is a valid 2020-12 schema', () => {
    const ajv = metaValidator();
    const envelope = JSON.parse(readFileSync(path.join(schemasDir, 'envelope.json'), 'utf8'));
    expect(ajv.validateSchema(envelope)).toBe(true);
  });

  it.each(files('events'))(
    'event type %s: valid 2020-12 schema, compiled by the registry',
    (type, schema) => {
      const ajv = metaValidator();
      expect([ajv.validateSchema(schema), ajv.errors ?? null]).toEqual([true, null]);
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(eventValidator(type)).not.toBeNull();
    },
  );

  it.each(files('datasets'))('dataset %s: valid 2020-12 schema, compiled by the registry', (name, schema) => {
    const ajv = metaValidator();
    expect([ajv.validateSchema(schema), ajv.errors ?? null]).toEqual([true, null]);
    expect(dataset(name)?.validate).toEqual(expect.any(Function));
  });

  it('the meta-schema check catches a broken schema', () => {
    expect(metaValidator().validateSchema({ type: 'object', properties: { a: { type: 'strin' } } })).toBe(
      false,
    );
  });

  it('every schema becomes a table', () => {
    expect(
      lakeTables()
        .map((t) => t.name)
        .sort(),
    ).toEqual([...files('events').map(([n]) => n), ...files('datasets').map(([n]) => n)].sort());
  });
});
