/**
 * Results whose type is the operand's on Athena and another in DuckDB, cast back in the statement's tree:
 *  - date arithmetic on a date: `date_trunc('month', d)`, `date_add('day', 1, d)`, `d + INTERVAL '1' DAY` (or `-`).
 *    Trino answers a date (`2024-01-01`), DuckDB a timestamp at midnight (`2024-01-01 00:00:00.000`), so grouping,
 *    joining or showing such a value would differ. With a unit of a day or longer the result is cast to DATE; with a
 *    shorter one the query fails as on Athena ("'hour' is not a valid DATE field", "Cannot add hour, minutes or
 *    seconds to a date"); a unit that is not a literal is left as it is. date_diff('hour', d1, d2), hour(d) and
 *    EXTRACT(HOUR FROM d) of dates fail too, as on Athena (DuckDB answered hours between midnights, and 0).
 *  - floor, ceil/ceiling, truncate (one argument) and sign of an integer, and sign of a double or real: Trino keeps
 *    the operand's type (`floor(n / 10) * 10` is a bigint 40), DuckDB answers a double (40.0) or, for sign, a tinyint;
 *    sign of a decimal is a decimal(1,0). sum, avg (aggregates and windows) and approx_percentile(x, p) of a real
 *    are reals, DuckDB's doubles. round, ceil, floor and truncate of a decimal have Trino's precision, round(x, n)
 *    of an integer Trino's checked rounding in x's type; sum of integers and decimals is checked as Trino's (a bigint,
 *    38 digits); approx_percentile of a decimal or a narrower integer takes it as Trino coerces it (double, bigint).
 *    These numeric rules are numeric-results.ts's.
 *  - sequence() over dates, concat_ws(separator, array) and reverse(array): another call in its place (sequenceOf,
 *    concatWsOf, list_reverse).
 * Which operands have which type is DuckDB's binder's answer: the operands as the select list of their SELECT alone
 * (statement-tree.ts); an operand that is not bound alone (it refers to an outer query) is left as it is.
 */
import { DuckDBTypeId, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import {
  bindTree,
  EMPTY_FROM,
  listOver,
  isNullConstant,
  isTreeNode,
  ownNodes,
  replaceNode,
  selectAlone,
  selectNodes,
  treeNodes,
  type StatementTree,
  type TreeNode,
} from './statement-tree';
import { argumentTypeChecks } from './argument-types';
import { INTEGER_TYPES, NUMERIC_WRAPPERS, numericCandidate } from './numeric-results';
import { around, castTo, isFunction, renamed, type Candidate, type CastType } from './result-cast-nodes';
import { integerArgumentsChecks } from './integer-arguments';
import { trinoType } from './values';
import { LocalDialectError } from '../dialect/local-error';

const DATE_UNITS = new Set(['day', 'week', 'month', 'quarter', 'year']);
const TIME_UNITS = new Set(['hour', 'minute', 'second', 'millisecond']);

/** DuckDB's functions for an interval literal (INTERVAL '1' DAY is to_days(…)), by the unit they stand for. */
const INTERVAL_UNITS: Record<string, string> = {
  to_days: 'day',
  to_weeks: 'week',
  to_months: 'month',
  to_years: 'year',
  to_hours: 'hour',
  to_minutes: 'minute',
  to_seconds: 'second',
  to_milliseconds: 'millisecond',
  to_microseconds: 'millisecond',
};

/** Athena's refusal of a unit shorter than a day on a date, or of a unit it does not know. */
export class DateUnitError extends Error {
  constructor(unit: string, kind: 'function' | 'interval' | 'unknown') {
    super(
      kind === 'unknown'
        ? `'${unit}' is not a valid Timestamp field: Athena (Trino) takes millisecond, second, minute, hour, day, ` +
            'week, month, quarter and year in date_trunc, date_add and date_diff (DuckDB would answer other units, ' +
            'or NULL)'
        : kind === 'function'
          ? `'${unit}' is not a valid DATE field: Athena (Trino) fails date_trunc, date_add and date_diff of a date ` +
            `with a unit shorter than a day; DuckDB would answer (a timestamp, or hours between midnights). Cast ` +
            `the date first: CAST(d AS timestamp)`
          : 'Cannot add hour, minutes or seconds to a date: Athena (Trino) fails it; DuckDB would answer a timestamp. ' +
            'Cast the date first: CAST(d AS timestamp) + INTERVAL …',
    );
    this.name = 'DateUnitError';
  }
}

/** The unit of a VARCHAR constant, or undefined. */
function literalUnit(v: unknown): string | undefined {
  if (!isTreeNode(v) || v.class !== 'CONSTANT' || !isTreeNode(v.value)) return undefined;
  const value = v.value as { is_null?: boolean; value?: unknown };
  return value.is_null || typeof value.value !== 'string' ? undefined : value.value.toLowerCase();
}

/** The unit of date_trunc, date_add or date_diff if Trino takes it (DateTimeFunctions.getTimestampField), else fails. */
function knownUnit(unit: string | undefined): string | undefined {
  if (unit !== undefined && !DATE_UNITS.has(unit) && !TIME_UNITS.has(unit))
    throw new DateUnitError(unit, 'unknown');
  return unit;
}

/** A date operand's result: DATE for a unit of a day or longer, Athena's failure for a shorter one. */
const onDate =
  (unit: string, kind: 'function' | 'interval', castsToDate = true) =>
  (t: DuckDBTypeId): string | undefined => {
    if (t !== DuckDBTypeId.DATE) return undefined;
    if (TIME_UNITS.has(unit)) throw new DateUnitError(unit, kind);
    // DuckDB's own error for an unknown unit; date_diff's count is no date.
    return castsToDate && DATE_UNITS.has(unit) ? 'DATE' : undefined;
  };

/** The dialect's sequence for dates (lib/query/dialect/sequences.ts), by the unit of an interval literal step. */
const DATE_SEQUENCES: Record<string, string> = {
  day: 'trino_date_sequence_days',
  week: 'trino_date_sequence_weeks',
  month: 'trino_date_sequence_months',
  year: 'trino_date_sequence_years',
};

/** A sequence's step that is no interval literal: its unit (a month or a day) is not known before the query runs. */
export const SEQUENCE_STEP_NOT_LITERAL =
  'sequence(start, stop, step) over dates or timestamps with a step that is not an interval literal: the local ' +
  'engine tells a month step (counted from the start, as Athena does) from a day-to-second one by the literal, and ' +
  'DuckDB would add months to the element before (2026-03-28 after 2026-02-28) and type dates as timestamps; write ' +
  "the step as INTERVAL 'n' MONTH, DAY, HOUR, …";

const TIMESTAMPS = new Set([
  DuckDBTypeId.TIMESTAMP,
  DuckDBTypeId.TIMESTAMP_S,
  DuckDBTypeId.TIMESTAMP_MS,
  DuckDBTypeId.TIMESTAMP_NS,
]);

/**
 * sequence(start, stop [, step]) over dates: the dialect's date sequence (an array of dates, a month step counted
 * from the start); over timestamps with an interval literal step: the dialect's timestamp sequence (likewise, with
 * Trino's checks); over integers with a step: with Trino's checks. Over dates or timestamps a step that is not an
 * interval literal is refused (SEQUENCE_STEP_NOT_LITERAL).
 */
function sequenceOf(n: TreeNode, args: unknown[], t: DuckDBTypeId): TreeNode | undefined {
  if (INTEGER_TYPES.has(t)) return args.length === 3 ? renamed(n, 'trino_integer_sequence', args) : undefined;
  const timestamps = TIMESTAMPS.has(t);
  if (t !== DuckDBTypeId.DATE && !timestamps) return undefined;
  if (args.length === 2) return timestamps ? undefined : renamed(n, 'trino_date_sequence', args);
  const step = literalStep(args[2]);
  if (!step) throw new Error(SEQUENCE_STEP_NOT_LITERAL);
  const name = timestamps ? `trino_timestamp_sequence_${step.unit}s` : DATE_SEQUENCES[step.unit];
  if (!name) throw new Error('sequence step must be a day interval if start and end values are dates');
  return renamed(n, name, [args[0], args[1], step.count]);
}

/**
 * An interval literal step's unit and count: INTERVAL 'n' DAY (DuckDB's to_days(n)), negated (-INTERVAL '1' DAY) or
 * multiplied by a number (INTERVAL '1' DAY * 2): the count is the same operation on n.
 */
function literalStep(step: unknown): { unit: string; count: unknown } | undefined {
  if (!isTreeNode(step) || step.class !== 'FUNCTION' || !Array.isArray(step.children)) return undefined;
  const name = String(step.function_name).toLowerCase();
  const args = step.children as unknown[];
  if (Object.hasOwn(INTERVAL_UNITS, name) && args.length === 1)
    return { unit: INTERVAL_UNITS[name]!, count: args[0] };
  if (name === '-' && args.length === 1) {
    const inner = literalStep(args[0]);
    return inner && { unit: inner.unit, count: { ...step, children: [inner.count] } };
  }
  if (name === '*' && args.length === 2)
    for (const [i, j] of [
      [0, 1],
      [1, 0],
    ] as const) {
      const inner = literalStep(args[i]);
      if (inner && !literalStep(args[j]))
        return { unit: inner.unit, count: { ...step, children: [inner.count, args[j]] } };
    }
  return undefined;
}

/**
 * concat_ws(separator, array): Trino joins the array's elements, NULLs skipped (DuckDB's concat_ws wrote the array as
 * text, '[a, NULL, c]'); an array of anything but varchar fails as on Athena.
 */
function concatWsOf(n: TreeNode, args: unknown[], t: DuckDBType): TreeNode | undefined {
  if (t.typeId !== DuckDBTypeId.LIST) return undefined;
  // ARRAY[] is Trino's array(unknown), read as varchar (DuckDB types it INTEGER[]).
  const empty =
    isTreeNode(args[1]) &&
    args[1].type === 'ARRAY_CONSTRUCTOR' &&
    Array.isArray(args[1].children) &&
    args[1].children.length === 0;
  if (t.valueType.typeId !== DuckDBTypeId.VARCHAR && !empty) {
    throw new Error(
      'Unexpected parameters for function concat_ws: Athena (Trino) joins an array(varchar) only; cast its ' +
        'elements first: transform(a, x -> CAST(x AS varchar))',
    );
  }
  return renamed(n, 'array_to_string', [args[1], args[0]]);
}

function candidateOf(n: TreeNode): Candidate | undefined {
  const args = Array.isArray(n.children) ? (n.children as unknown[]) : [];
  if (isFunction(n, 'date_trunc') && args.length === 2) {
    const unit = knownUnit(literalUnit(args[0]));
    return unit ? { node: n, operand: args[1], apply: castTo(n, onDate(unit, 'function')) } : undefined;
  }
  if (isFunction(n, 'date_diff') && args.length === 3) {
    // Both operands dates: their list is a list of dates (a date and a timestamp make one of timestamps, which
    // Trino takes: the date is cast).
    const unit = knownUnit(literalUnit(args[0]));
    return unit
      ? {
          node: n,
          operand: renamed(n, 'list_value', [args[1], args[2]]),
          apply: (t) =>
            t.typeId === DuckDBTypeId.LIST
              ? castTo(n, onDate(unit, 'function', false))(t.valueType)
              : undefined,
        }
      : undefined;
  }
  // hour(d), minute(d), second(d), millisecond(d), EXTRACT(HOUR FROM d) of a date: Trino has no such signature.
  const field = ['hour', 'minute', 'second', 'millisecond'].find((f) => isFunction(n, f));
  const part = isFunction(n, 'date_part') && args.length === 2 ? literalUnit(args[0]) : undefined;
  if ((field && args.length === 1) || (part && TIME_UNITS.has(part))) {
    const name = field ?? `EXTRACT(${part!.toUpperCase()} FROM …)`;
    return {
      node: n,
      operand: args.at(-1),
      apply: (t) => {
        if (t.typeId !== DuckDBTypeId.DATE) return undefined;
        throw new Error(
          `Unexpected parameters (date) for function ${name}: Athena (Trino) reads the hour, minute or second of a ` +
            `timestamp only and fails this query (FUNCTION_NOT_FOUND); DuckDB would answer 0, so the local engine ` +
            `fails it too. Cast the date first: CAST(d AS timestamp)`,
        );
      },
    };
  }
  // to_hex, to_base64, to_base64url: Trino's take varbinary only; DuckDB's take a number or text too.
  const binary = ['to_hex', 'to_base64', 'to_base64url'].find((f) => isFunction(n, f));
  if (binary && args.length === 1 && !(isTreeNode(args[0]) && isNullConstant(args[0])))
    return {
      node: n,
      operand: args[0],
      apply: (t) => {
        if (t.typeId === DuckDBTypeId.BLOB || t.typeId === DuckDBTypeId.SQLNULL) return undefined;
        throw new Error(
          `Unexpected parameters (${DuckDBTypeId[t.typeId]?.toLowerCase() ?? t.toString()}) for function ${binary}: ` +
            `Athena (Trino) takes varbinary only and fails this query (FUNCTION_NOT_FOUND); DuckDB would answer, so ` +
            `the local engine fails it too. Give it varbinary (from_hex(h) or to_utf8(s))`,
        );
      },
    };
  // CAST(x AS varbinary): Trino's of text is its UTF-8 bytes; DuckDB's reads \xAA escapes and fails any other
  // character that is not ASCII. Of another type (a number), Athena fails the query.
  if (
    n.class === 'CAST' &&
    isTreeNode(n.cast_type) &&
    n.cast_type.id === 'BLOB' &&
    isTreeNode(n.child) &&
    !isNullConstant(n.child)
  )
    return {
      node: n,
      operand: n.child,
      apply: (t) => {
        if (t.typeId === DuckDBTypeId.BLOB || t.typeId === DuckDBTypeId.SQLNULL) return undefined;
        if (t.typeId === DuckDBTypeId.VARCHAR && t.alias?.toUpperCase() !== 'JSON')
          return { ...around(n.child as TreeNode, 'encode'), alias: n.alias };
        throw new Error(
          `Cannot cast ${trinoType(t)} to varbinary: Athena (Trino) casts text only to varbinary and fails this ` +
            'query; DuckDB would answer or fail in its own words, so the local engine fails it as Athena does. ' +
            'Write to_utf8(CAST(x AS varchar)) for the bytes of its text',
        );
      },
      // Inside a lambda or a correlated subquery DuckDB's own cast would run: it reads \x41 as one byte.
      unbound: () => {
        throw new LocalDialectError(
          'CAST(… AS varbinary) inside a lambda or a correlated subquery',
          "the local engine cannot tell the value's type there, and DuckDB's cast reads \\x41 as one byte and " +
            'fails other text that is not ASCII: write to_utf8(x), the same UTF-8 bytes of text on both',
        );
      },
    };
  if (isFunction(n, 'date_add') && args.length === 3) {
    const unit = knownUnit(literalUnit(args[0]));
    return unit ? { node: n, operand: args[2], apply: castTo(n, onDate(unit, 'function')) } : undefined;
  }
  if ((isFunction(n, '+') || isFunction(n, '-')) && n.is_operator === true && args.length === 2) {
    const intervalAt = args.findIndex(
      (a, i) =>
        isTreeNode(a) &&
        a.class === 'FUNCTION' &&
        (i === 1 || isFunction(n, '+')) &&
        Object.hasOwn(INTERVAL_UNITS, String(a.function_name).toLowerCase()),
    );
    if (intervalAt < 0) return undefined;
    const unit = INTERVAL_UNITS[String((args[intervalAt] as TreeNode).function_name).toLowerCase()]!;
    return { node: n, operand: args[1 - intervalAt], apply: castTo(n, onDate(unit, 'interval')) };
  }
  const numeric = numericCandidate(n);
  if (numeric) return numeric;
  if ((args.length === 2 || args.length === 3) && isFunction(n, 'sequence')) {
    return { node: n, operand: args[0], apply: (t) => sequenceOf(n, args, t.typeId) };
  }
  if (args.length === 2 && isFunction(n, 'concat_ws')) {
    return { node: n, operand: args[1], apply: (t) => concatWsOf(n, args, t) };
  }
  // reverse(array): Trino reverses an array too; DuckDB's reverse takes text only (list_reverse, arrays).
  if (args.length === 1 && isFunction(n, 'reverse')) {
    return {
      node: n,
      operand: args[0],
      apply: (t) => (t.typeId === DuckDBTypeId.LIST ? renamed(n, 'list_reverse', args) : undefined),
    };
  }
  return undefined;
}

/** The operands' types, bound as the select list of the SELECT alone (rows, then groups), or undefined. */
async function operandTypes(
  c: DuckDBConnection,
  node: TreeNode,
  ctes: unknown[],
  operands: unknown[],
): Promise<DuckDBType[] | undefined> {
  const select_list = operands.map((o, i) => ({ ...(o as TreeNode), alias: `lake_type_probe_${i}` }));
  const variants: TreeNode[] = [
    {
      select_list,
      group_expressions: [],
      group_sets: [],
      having: null,
      qualify: null,
      aggregate_handling: 'STANDARD_HANDLING',
    },
    { select_list, qualify: null },
  ];
  // Operands of no column (constants, calls of them) bind without the FROM too: one whose FROM does not bind yet
  // (UNNEST(sequence(DATE '…', DATE '…')), which the rewrite of that very call makes bindable) is typed so.
  if (![...treeNodes(operands)].some((x) => x.class === 'COLUMN_REF' || x.class === 'SUBQUERY'))
    variants.push(listOver(select_list, EMPTY_FROM));
  for (const changes of variants) {
    const alone: StatementTree = selectAlone(node, ctes, changes);
    const bound = await bindTree(c, alone, (p) => operands.map((_, i) => p.columnType(i)));
    if ('value' in bound) return bound.value;
  }
  return undefined;
}

/** The candidates of a SELECT's own expressions (not those of the queries nested in it). */
function ownCandidates(node: TreeNode): Candidate[] {
  const own = Object.entries(node)
    .filter(([k]) => k !== 'cte_map')
    .map(([, v]) => v);
  return [...ownNodes(own)]
    .flatMap((n) => [...integerArgumentsChecks(n), ...argumentTypeChecks(n), candidateOf(n)])
    .filter((x): x is Candidate => x !== undefined);
}

/** Most rounds: a round casts the results whose operand has its type, the next those whose operand was just cast. */
const MAX_ROUNDS = 8;

/** Words without which no candidate is in the statement (signup, a table's name, is not sign). */
export const MAY_CAST =
  /\b(codepoint|trino_round|trino_mod|mod|varbinary|blob|bitwise_and|bitwise_or|bitwise_xor|bitwise_not|trino_chr|trino_lpad|trino_rpad|chr|lpad|rpad|split|split_part|repeat|slice|date_trunc|date_add|date_diff|date_part|hour|minute|second|millisecond|extract|to_hex|to_base64|to_base64url|interval|floor|ceil|ceiling|truncate|sign|sequence|concat_ws|reverse|sum|avg|approx_percentile|ntile|length|cardinality|count_if|min|max|min_by|max_by)\b/i;

/** Casts, in the statement's tree, those results to Athena's types (see the module comment); whether any was. */
export async function castResultsAsTrino(c: DuckDBConnection, tree: StatementTree): Promise<boolean> {
  const cast = new WeakSet<object>();
  let changed = false;
  const unbound: (() => void)[] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let more = false;
    for (const { node, ctes } of [...selectNodes(tree.statements)]) {
      const candidates = ownCandidates(node).filter((x) => !cast.has(x.node));
      if (candidates.length === 0) continue;
      // Bound together; when one operand does not bind yet (a call of another candidate that its rewrite makes
      // bindable: cardinality(sequence(date, date))), each alone.
      const together = await operandTypes(
        c,
        node,
        ctes,
        candidates.map((x) => x.operand),
      );
      const types: (DuckDBType | undefined)[] = together ?? [];
      if (!together)
        for (const x of candidates) types.push((await operandTypes(c, node, ctes, [x.operand]))?.[0]);
      candidates.forEach((x, i) => {
        const type = types[i];
        if (!type) {
          // Not bound alone: left as it is (or refused, where DuckDB would answer otherwise: once the statement
          // is known to bind as a whole, so that an error of its own is DuckDB's to tell).
          if (x.unbound) unbound.push(x.unbound);
          return;
        }
        const replacement = x.apply(type);
        if (!replacement) return;
        replaceNode(x.node, replacement);
        // A cast's own call is a candidate no more, nor the call a real is made of.
        if (isTreeNode(replacement.child)) cast.add(replacement.child);
        if (NUMERIC_WRAPPERS.has(String(replacement.function_name)) && Array.isArray(replacement.children))
          for (const c of replacement.children) if (isTreeNode(c)) cast.add(c);
        more = true;
      });
    }
    if (!more) break;
    changed = true;
  }
  if (unbound.length > 0 && 'value' in (await bindTree(c, tree, () => true))) unbound[0]!();
  return changed;
}
