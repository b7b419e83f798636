/**
 * The document's schemas: the API's bodies (schemas/api/*.json) and the events (schemas/envelope.json with each
 * schemas/events/<type>.json as its data), as OpenAPI 3.1 components (JSON Schema 2020-12). A schema's bare
 * `$ref: "<Name>"` points at another component.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

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
    out[`EventData_${t}`] = asComponent(readJson(path.join(schemasDir, 'events', `${t}.json`)));
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
