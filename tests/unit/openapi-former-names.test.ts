/**
 * The served OpenAPI document describes what ingest takes after a rename (lib/openapi/schemas.ts): each former name
 * of a renamed property — renamedFrom, and the names its history records before that — as a deprecated property
 * with the property's rules, so that a client validating against the document accepts what the lake accepts.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { componentSchemas } from '../../lib/openapi/schemas';
import { schemasDir } from '../../lib/catalog/tables';

let dir: string;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('lists a renamed property’s former names, deprecated, with its rules', () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'openapi-renames-'));
  cpSync(schemasDir, dir, { recursive: true });
  const file = path.join(dir, 'events', 'page_view.json');
  const pv = JSON.parse(readFileSync(file, 'utf8'));
  const { referrer, ...rest } = pv.properties;
  pv.properties = { ...rest, source_url: { ...referrer, 'x-lake': { renamedFrom: 'referrer_url' } } };
  writeFileSync(file, JSON.stringify(pv));
  // The history recorded referrer → referrer_url before.
  const historyFile = path.join(dir, 'history', 'page_view.json');
  const history = JSON.parse(readFileSync(historyFile, 'utf8'));
  history.columns.push({ name: 'referrer_url', type: 'string', renamedFrom: 'referrer' });
  writeFileSync(historyFile, JSON.stringify(history));

  const data = componentSchemas(dir).EventData_page_view as {
    properties: Record<string, Record<string, unknown>>;
  };
  for (const old of ['referrer_url', 'referrer'])
    expect(data.properties[old]).toEqual({
      type: 'string',
      format: 'uri',
      maxLength: 2048,
      deprecated: true,
      description: 'Former name of source_url: still accepted, read into source_url.',
    });
  expect(data.properties.source_url).toMatchObject({
    format: 'uri',
    'x-lake': { renamedFrom: 'referrer_url' },
  });
  // Types without renames are as their schema.
  expect(componentSchemas(schemasDir).EventData_page_view).not.toHaveProperty('properties.referrer_url');
});
