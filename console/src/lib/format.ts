/** How the console writes numbers, sizes, times and cells. No DOM: tests import it. */
import type { Cell } from './api-types';
import { ExactNumber, jsonText } from './exact-number';
import { rowFieldTypeTexts, splitTopLevel } from '../../../lib/query/row-type-text';

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '–';
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u += 1;
  }
  // Rounded, then the unit: 9.99 KB is 10 KB (not 10.0), 1023.96 KB is 1.0 MB (not 1024 KB).
  const rounded = (x: number) => x.toFixed(Number(x.toFixed(1)) < 10 ? 1 : 0);
  if (u > 0 && u < UNITS.length - 1 && Number(rounded(v)) >= 1024) {
    v /= 1024;
    u += 1;
  }
  return `${u === 0 ? v : rounded(v)} ${UNITS[u]}`;
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  // Rounded first, then split: 59.96 s is 1 min 0 s, not 60.0 s; 119.6 s is 2 min 0 s, not 1 min 60 s.
  if (Math.round(ms) < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (Number(s.toFixed(2)) < 10) return `${s.toFixed(2)} s`;
  if (Number(s.toFixed(1)) < 60) return `${s.toFixed(1)} s`;
  const total = Math.round(s);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  return `${h > 0 ? `${h} h ` : ''}${m} min ${total % 60} s`;
}

/**
 * An ISO-8601 time as its UTC date and time, to the second, marked UTC: the console shows every time in UTC, as the
 * charts draw them, the tables hold them and the lake's paths and logs write them.
 */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (x: number) => String(x).padStart(2, '0');
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * A result cell as text: null as NULL; a decimal with its scale's digits, as Athena shows it (the API gives a decimal
 * that a double holds as a number: 12.5 for a decimal(10,2) 12.50); a `json` cell as its JSON text (a JSON string
 * quoted, apart from a number; numbers with every digit the API sent: exact-number.ts); arrays, maps and rows as JSON
 * whose numbers are numbers (the API gives a bigint beyond 2^53 inside them as a string) and decimals with their
 * scale, by the column's type.
 */
export function cellText(cell: Cell, type = ''): string {
  if (cell === null) return 'NULL';
  if (cell instanceof ExactNumber) return cell.text;
  if (/^json$/i.test(type.trim())) return jsonText(cell);
  if (typeof cell === 'object') return structText(cell, parseType(type));
  return scalarText(cell, type);
}

const DECIMAL = /^decimal\(\s*\d+\s*,\s*(\d+)\s*\)$/i;
const NUMERIC = /^(tinyint|smallint|integer|int|bigint|double|real|decimal\b)/i;

function scalarText(cell: string | number | boolean, type: string): string {
  const scale = typeof cell === 'number' ? DECIMAL.exec(type.trim())?.[1] : undefined;
  return scale === undefined ? String(cell) : (cell as number).toFixed(Number(scale));
}

/** A column type read as a tree: array(T), map(K, V), row(name T, …); anything else a leaf by its text. */
interface TypeTree {
  text: string;
  element?: TypeTree;
  value?: TypeTree;
  /** A row's text between its parentheses (`unit price decimal(5,2), a,b bigint`: Trino writes names unquoted). */
  fields?: string;
}

/**
 * A row's field types by the names its value has (lib/query/row-type-text.ts, as the Athena API reads them); a row
 * whose fields have no names (`row(bigint, decimal(5,2))`: ROW(…), map_entries) has them as field0, field1, … in the
 * order of its types.
 */
function fieldTypes(inner: string, names: string[]): Map<string, TypeTree> {
  const named = rowFieldTypeTexts(inner, names);
  const parts = splitTopLevel(inner);
  if (named.size === 0 && parts.length === names.length && names.every((n, i) => n === `field${i}`))
    return new Map(names.map((name, i) => [name, parseType(parts[i]!)]));
  return new Map([...named].map(([name, text]) => [name, parseType(text)]));
}

export function parseType(type: string): TypeTree {
  const text = type.trim();
  const m = /^(array|map|row)\s*\(([\s\S]*)\)$/i.exec(text);
  if (!m) return { text };
  const kind = m[1]!.toLowerCase();
  if (kind === 'row') return { text, fields: m[2]! };
  const args = splitTopLevel(m[2]!);
  if (kind === 'array') return { text, element: parseType(args[0] ?? '') };
  return { text, value: parseType(args[1] ?? '') };
}

/** A structure as JSON, each leaf written by its type (a number unquoted, a decimal with its scale). */
function structText(cell: Cell, type: TypeTree | undefined): string {
  if (cell === null) return 'null';
  if (cell instanceof ExactNumber) return cell.text;
  if (Array.isArray(cell)) return `[${cell.map((c) => structText(c, type?.element)).join(',')}]`;
  if (typeof cell === 'object') {
    const fields = type?.fields !== undefined ? fieldTypes(type.fields, Object.keys(cell)) : undefined;
    const of = (k: string) => (fields ? fields.get(k) : type?.value);
    return `{${Object.entries(cell)
      .map(([k, v]) => `${JSON.stringify(k)}:${structText(v, of(k))}`)
      .join(',')}}`;
  }
  const leaf = type?.text ?? '';
  if (typeof cell === 'number' && DECIMAL.test(leaf)) return scalarText(cell, leaf);
  // A number the API gave as text to keep it whole (a bigint beyond 2^53, a long decimal, NaN): written as a number.
  if (typeof cell === 'string' && NUMERIC.test(leaf) && /^(-?[0-9]+(\.[0-9]+)?|NaN|-?Infinity)$/.test(cell))
    return cell;
  return JSON.stringify(cell);
}
