/**
 * trino_json_sorted(text): a JSON text with every object's keys in sorted order, as Trino writes the JSON of
 * json_parse (its JsonTypeUtil writes through a mapper that orders map entries by key): there
 * json_parse('{"b":1,"a":2}') = json_parse('{"a":2,"b":1}'), and json_format of either is {"a":2,"b":1}. A scalar
 * function of this process (DuckDB has no recursive key sort); numbers keep their text (lib/exact-json.ts), a key
 * named twice keeps its last value (as JSON.parse reads it). A text that is not JSON is returned as it is
 * (json_parse has refused it already, lib/query/dialect/json-functions.ts).
 */
import { DuckDBScalarFunction, VARCHAR, type DuckDBConnection } from '@duckdb/node-api';
import { isNumberText, parseJsonWithNumberTexts } from '../../exact-json';

function sortedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (v === null || typeof v !== 'object' || isNumberText(v)) return v;
  // Without a prototype: a key named __proto__ is a key like any other (on {}, its assignment set the prototype and
  // the key was lost; Trino keeps it).
  const out = Object.create(null) as Record<string, unknown>;
  for (const k of Object.keys(v).sort()) out[k] = sortedKeys((v as Record<string, unknown>)[k]);
  return out;
}

/** The text with its objects' keys sorted (unchanged when it holds no object, or is not JSON). */
export function jsonSorted(text: string): string {
  if (!text.includes('{')) return text;
  try {
    return JSON.stringify(sortedKeys(parseJsonWithNumberTexts(text)));
  } catch {
    return text;
  }
}

/** Registers trino_json_sorted on a connection. */
export function registerJsonSorted(c: DuckDBConnection): void {
  c.registerScalarFunction(
    DuckDBScalarFunction.create({
      name: 'trino_json_sorted',
      returnType: VARCHAR,
      parameterTypes: [VARCHAR],
      mainFunction: (_info, input, output) => {
        const texts = input.getColumnVector(0);
        for (let r = 0; r < input.rowCount; r++) {
          const text = texts.getItem(r) as string | null;
          output.setItem(r, text === null ? null : jsonSorted(text));
        }
        output.flush();
      },
    }),
  );
}
