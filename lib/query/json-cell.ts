/**
 * A json column's JSON text as the value the query APIs answer (text that is no JSON stays text): an integer beyond
 * a double's exact range keeps its digits (JSON.rawJSON, which JSON.stringify writes as it was), as Athena's own
 * answer has them — JSON.parse alone answered 9223372036854775807 as 9223372036854776000.
 */
import type { Cell } from './types';

const { rawJSON } = JSON as unknown as { rawJSON: (text: string) => Cell };

/**
 * JSON.parse keeping as written (JSON.rawJSON) each integer `keep` picks by its double and its source text. Throws
 * JSON.parse's SyntaxError.
 */
export function parseKeepingIntegers(text: string, keep: (value: number, source: string) => boolean): Cell {
  return (JSON.parse as (t: string, r: (k: string, v: Cell, c: { source?: string }) => Cell) => Cell)(
    text,
    (_k, v, c) =>
      typeof v === 'number' && /^-?\d+$/.test(c.source!) && keep(v, c.source!) ? rawJSON(c.source!) : v,
  );
}

export function jsonCell(text: string): Cell {
  try {
    return parseKeepingIntegers(text, (v) => !Number.isSafeInteger(v));
  } catch {
    return text;
  }
}
