/**
 * A json column's JSON text as the value the query APIs answer (text that is no JSON stays text): an integer beyond
 * a double's exact range keeps its digits (JSON.rawJSON, which JSON.stringify writes as it was), as Athena's own
 * answer has them — JSON.parse alone answered 9223372036854775807 as 9223372036854776000.
 */
import type { Cell } from './types';

const { rawJSON } = JSON as unknown as { rawJSON: (text: string) => Cell };

export function jsonCell(text: string): Cell {
  try {
    return (JSON.parse as (t: string, r: (k: string, v: Cell, c: { source?: string }) => Cell) => Cell)(
      text,
      (_k, v, c) =>
        typeof v === 'number' && !Number.isSafeInteger(v) && /^-?\d+$/.test(c.source!)
          ? rawJSON(c.source!)
          : v,
    );
  } catch {
    return text;
  }
}
