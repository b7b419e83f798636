/**
 * CAST(x AS ARRAY(T) | MAP(K, V) | ROW(name T, …)) as Trino reads it: each element, key, value or field cast by
 * the element type's own cast (./macros.ts's trino_cast_<type>, trino_cast_varchar, trino_decimal_text), where
 * DuckDB's container cast casts elements its own way (2.5 → 2 where Trino rounds half up to 3, ' 2' → 2 where
 * Trino fails, doubles written 10000000000.0 where Trino writes 1.0E10). A part of ./casts.ts.
 *
 * TRY_CAST (and a CAST inside try()) to such a type is refused: Trino answers NULL for the whole value when one
 * element fails, which an element-wise cast cannot say.
 */
import { sqlIdent } from '../../duckdb-sql';
import type { Token } from '../sql-guard/lexer';
import { LocalDialectError } from './local-error';
import { isWord } from './tokens';

/** A CAST target type as a tree: containers, and scalar types as their tokens. */
export type TargetType =
  | { kind: 'array'; element: TargetType }
  | { kind: 'map'; key: TargetType; value: TargetType }
  | { kind: 'row'; fields: { name: string | undefined; type: TargetType }[] }
  | { kind: 'scalar'; tokens: Token[] };

/** The parts of a parenthesised list tokens[open+1 .. close-1], split at its own commas. */
function parts(tokens: Token[]): Token[][] {
  const out: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.text === '(') depth++;
    if (t.text === ')') depth--;
    if (t.text === ',' && depth === 0) out.push([]);
    else out[out.length - 1]!.push(t);
  }
  return out;
}

/** The tree of a type's tokens (ARRAY(T), MAP(K, V), ROW(a T, …), or a scalar type). */
export function targetType(tokens: Token[]): TargetType {
  const name = tokens[0]?.kind === 'word' ? tokens[0].text.toLowerCase() : '';
  const inner =
    tokens[1]?.text === '(' && tokens[tokens.length - 1]?.text === ')'
      ? parts(tokens.slice(2, -1))
      : undefined;
  if (name === 'array' && inner?.length === 1) return { kind: 'array', element: targetType(inner[0]!) };
  if (name === 'map' && inner?.length === 2)
    return { kind: 'map', key: targetType(inner[0]!), value: targetType(inner[1]!) };
  if (name === 'row' && inner) {
    return {
      kind: 'row',
      fields: inner.map((p) => {
        // A field's name, then its type; a part that is a type alone (ROW(INTEGER, VARCHAR)) has no name. An
        // unquoted name is Trino's in lower case (TypeSignatureTranslator), a quoted one as written.
        const named =
          p.length > 1 && (p[0]!.kind === 'word' || p[0]!.kind === 'quoted') && p[1]?.text !== '(';
        return named
          ? {
              name: p[0]!.kind === 'word' ? p[0]!.text.toLowerCase() : p[0]!.text,
              type: targetType(p.slice(1)),
            }
          : { name: undefined, type: targetType(p) };
      }),
    };
  }
  return { kind: 'scalar', tokens };
}

/** A scalar element's cast, given as (expression) → SQL by ./casts.ts (the same rules as a scalar CAST). */
export type ScalarCast = (expression: string, type: Token[]) => string;

/**
 * The SQL of CAST(expression AS type) for a container type, each part cast by `scalar`; depth names the lambda
 * variables of nested containers apart.
 */
export function containerCastSql(
  expression: string,
  type: TargetType,
  scalar: ScalarCast,
  depth = 1,
): string {
  const v = `lake_c${depth}`;
  const cast = (e: string, t: TargetType) => containerCastSql(e, t, scalar, depth + 1);
  switch (type.kind) {
    case 'scalar':
      return scalar(expression, type.tokens);
    case 'array':
      return `list_transform(${expression}, ${v} -> ${cast(v, type.element)})`;
    case 'map':
      return (
        `map_from_entries(list_transform(system.main.map_entries(${expression}), ${v} -> ` +
        `struct_pack(key := ${cast(`${v}.key`, type.key)}, value := ${cast(`${v}.value`, type.value)})))`
      );
    case 'row': {
      if (type.fields.some((f) => f.name === undefined))
        throw new LocalDialectError(
          'CAST to a ROW type without field names',
          'Athena casts each field by its type and names them field0, field1, …; name the fields: ROW(a T, …)',
        );
      // The value once (a list of it, empty when it is NULL: a NULL row stays NULL), its fields by position.
      const fields = type.fields.map(
        (f, i) =>
          `${f.name!.startsWith('"') ? f.name : sqlIdent(f.name!)} := ${cast(`struct_extract_at(${v}, ${i + 1})`, f.type)}`,
      );
      return (
        `list_transform(list_filter([${expression}], ${v} -> ${v} IS NOT NULL), ` +
        `${v} -> struct_pack(${fields.join(', ')}))[1]`
      );
    }
  }
}

/** Whether a ROW is anywhere in the type. */
export const hasRow = (t: TargetType): boolean =>
  t.kind === 'row' ||
  (t.kind === 'array' && hasRow(t.element)) ||
  (t.kind === 'map' && (hasRow(t.key) || hasRow(t.value)));

/**
 * The DuckDB type a JSON value is first cast to for a container cast without rows: the same arrays and maps, with
 * JSON leaves (JSON[], MAP(VARCHAR, JSON)) — each leaf then cast by its type's cast, which reads a JSON number, text
 * or boolean as Trino's CAST of JSON does (./macros.ts).
 */
export function jsonLeavesType(t: TargetType): string {
  if (t.kind === 'array') return `${jsonLeavesType(t.element)}[]`;
  if (t.kind === 'map') return `MAP(VARCHAR, ${jsonLeavesType(t.value)})`;
  return 'JSON';
}

/** Refuses TRY_CAST to a container type (or a CAST inside try()): see above. */
export function refuseTryContainerCast(typeName: string): never {
  throw new LocalDialectError(
    `TRY_CAST to ${typeName.toUpperCase()}(…)`,
    'Athena answers NULL for the whole value when one of its elements cannot be cast, the local engine would ' +
      'answer per element; cast the elements: transform(x, e -> TRY_CAST(e AS T))',
  );
}

/** Whether the type tokens are a container type (ARRAY, MAP or ROW with its parenthesised parts). */
export const isContainerType = (tokens: Token[]): boolean =>
  (isWord(tokens[0], 'array') || isWord(tokens[0], 'map') || isWord(tokens[0], 'row')) &&
  tokens[1]?.text === '(';

/** The scalar types Trino casts a JSON value to (JsonUtil.canCastFromJson), arrays, maps and rows of them too. */
const FROM_JSON = new Set([
  'boolean',
  'tinyint',
  'smallint',
  'integer',
  'int',
  'bigint',
  'real',
  'double',
  'decimal',
  'varchar',
  'json',
]);

/** Whether Trino casts a JSON value to the type (a date, a timestamp, … or a container of them: it does not). */
export function castFromJson(type: TargetType): boolean {
  switch (type.kind) {
    case 'array':
      return castFromJson(type.element);
    case 'map':
      return castFromJson(type.key) && castFromJson(type.value);
    case 'row':
      return type.fields.every((f) => castFromJson(f.type));
    default:
      return FROM_JSON.has(type.tokens[0]?.text.toLowerCase() ?? '');
  }
}
