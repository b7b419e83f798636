/**
 * The document's schemas: the API's bodies (schemas/api/*.json) and the events (schemas/envelope.json with each
 * schemas/events/<type>.json as its data), as OpenAPI 3.1 components (JSON Schema 2020-12). A schema's bare
 * `$ref: "<Name>"` points at another component.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { formerNamesOf, type RecordedRenames } from '../catalog/former-names';

type Schema = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** A schema as a component: no $schema/$id (the document's dialect and base apply), bare refs made local. */
function asComponent(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(asComponent);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === '$schema' || k === '$id') continue;
    out[k] = k === '$ref' && typeof v === 'string' && /^[A-Za-z]\w*$/.test(v) ? ref(v).$ref : asComponent(v);
  }
  return out;
}

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as unknown;

/**
 * An event type's data with the former names of its renamed properties (x-lake.renamedFrom, and the names its history
 * records before that), deprecated: ingest takes them (lib/schema-registry.ts), so a client validating against the
 * document must too.
 */
function withFormerNames(schema: Schema, history: RecordedRenames | null): Schema {
  const properties = schema.properties as Record<string, Schema> | undefined;
  if (!properties) return schema;
  const former: Record<string, Schema> = {};
  for (const [name, p] of Object.entries(properties)) {
    const from = (p['x-lake'] as { renamedFrom?: string } | undefined)?.renamedFrom;
    if (!from) continue;
    const { 'x-lake': _lake, description: _d, ...rules } = p;
    for (const old of formerNamesOf(name, from, history))
      if (!Object.hasOwn(properties, old))
        former[old] = {
          ...rules,
          deprecated: true,
          description: `Former name of ${name}: still accepted, read into ${name}.`,
        };
  }
  return Object.keys(former).length > 0 ? { ...schema, properties: { ...properties, ...former } } : schema;
}

export function componentSchemas(schemasDir: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const apiDir = path.join(schemasDir, 'api');
  for (const f of readdirSync(apiDir)
    .filter((f) => f.endsWith('.json'))
    .sort())
    out[f.slice(0, -5)] = asComponent(readJson(path.join(apiDir, f)));
  out.EventEnvelope = asComponent(readJson(path.join(schemasDir, 'envelope.json')));
  const types = readdirSync(path.join(schemasDir, 'events'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
  const events: unknown[] = [];
  for (const t of types) {
    const historyFile = path.join(schemasDir, 'history', `${t}.json`);
    const history = existsSync(historyFile) ? (readJson(historyFile) as RecordedRenames) : null;
    out[`EventData_${t}`] = asComponent(
      withFormerNames(readJson(path.join(schemasDir, 'events', `${t}.json`)) as Schema, history),
    );
    events.push({
      allOf: [ref('EventEnvelope'), { properties: { type: { const: t }, data: ref(`EventData_${t}`) } }],
    });
  }
  out.Event = { description: 'One event of a registered type.', oneOf: events };
  out.IngestBody = {
    description: 'One event, or {"events": [...]} (1-500).',
    oneOf: [
      ref('Event'),
      {
        type: 'object',
        required: ['events'],
        additionalProperties: false,
        properties: { events: { type: 'array', minItems: 1, maxItems: 500, items: ref('Event') } },
      },
    ],
  };
  return out;
}
