/**
 * Schema compatibility: is a table's new definition safe against what its history says it holds? In the spirit of
 * Glue Schema Registry's BACKWARD mode (the new schema reads everything stored under the old one) and Snowplow's
 * SchemaVer, and for one more reason particular to a lake: data accepted under the old schema may still be on its
 * way (events answered 202 and not compacted yet, files queued), and the new schema must take it too.
 *
 *  Safe, and recorded as a new version: adding an optional column; relaxing a rule (a column no longer required, an
 *  enum with more values, a longer maxLength, a lower minimum, a higher maximum, a pattern removed); deprecating a
 *  column ("deprecated": true: kept, still accepted); retiring one (x-lake.retired: kept with its stored values, no
 *  longer accepted); renaming one (x-lake.renamedFrom on the new name: files and events still using the old name
 *  fill the new column, rewritten partitions carry the stored values over, the old column keeps them too).
 *
 *  Refused, before anything takes effect, with the table, the column, the rule and the safe alternative: removing
 *  a column without declaring it, adding a required column, adding any column to an event type that takes keys it
 *  does not declare (additionalProperties not false), making one required, narrowing a rule, changing a type,
 *  a pattern or a key, deleting a table's schema — and a schema that cannot make a table at all (a name the
 *  engines cannot store). The safe alternative to a breaking change is a new major version: a new table beside the
 *  old one (x-lake.supersedes), both queryable.
 */
import { columnAtLevel, rulesLevelOf, type RecordedColumn, type TableHistory } from './history';
import { INTEGER_RANGES, isIntegerType, isOfJsonType, jsonTypeOfLakeType } from './lake-types';
import {
  definitionsReferred,
  NESTED_KEYWORDS,
  nestedKeysOnlyAdded,
  patternMatches,
  REF_TARGET_LEVEL,
  TABLE_RULES_LEVEL,
} from './other-rules';
import type { ColumnDef, TableDef } from './types';

export interface Violation {
  table: string;
  column?: string;
  /** Machine-readable: REMOVED, ADDED_REQUIRED, MADE_REQUIRED, TYPE_CHANGED, NARROWED, PATTERN_CHANGED, … */
  rule: string;
  message: string;
  /** What to do instead. */
  safe: string;
}

export interface Compatibility {
  /** One line per change that the new version records. */
  changes: string[];
  violations: Violation[];
}

/**
 * The name a new major version of a table may take: its base name (without a `_v<n>` of its own) with the next
 * version, the first one no table in `taken` has (orders → orders_v2, orders_v2 → orders_v3).
 */
export function successorName(table: string, taken: ReadonlySet<string> = new Set()): string {
  const own = /^(.+)_v(\d+)$/.exec(table);
  const base = own ? own[1]! : table;
  let n = own ? Number(own[2]) + 1 : 2;
  while (taken.has(`${base}_v${n}`)) n++;
  return `${base}_v${n}`;
}

const NEW_MAJOR = (table: string) =>
  `make it a new major version: a new table (e.g. ${successorName(table)}) with "x-lake": {"supersedes": "${table}"}, ` +
  'beside this one; both stay queryable';

/** A violation whose advice names a new table another table already has, with the next free name instead. */
export function withFreeSuccessor(v: Violation, taken: ReadonlySet<string>): Violation {
  const suggested = `(e.g. ${successorName(v.table)})`;
  const free = successorName(v.table, taken);
  return v.safe.includes(suggested) ? { ...v, safe: v.safe.replaceAll(suggested, `(e.g. ${free})`) } : v;
}

const typeOf = (c: { type: string; json?: boolean }) => (c.json ? 'JSON text' : c.type);

const WIDTHS = ['tinyint', 'smallint', 'int', 'bigint'];

/**
 * The column a name was renamed to (its renamedFrom or a former name of a rename chain), if any: after a chain
 * (A → B → C), the one that reads the name now — a column not retired, else the end of the chain.
 */
function renamedToName(
  columns: Pick<ColumnDef, 'name' | 'renamedFrom' | 'formerNames' | 'retired'>[],
  name: string,
): string | undefined {
  const from = (n: string) =>
    columns.filter((x) => x.name !== n && (x.renamedFrom === n || x.formerNames?.includes(n)));
  const found = from(name);
  let to = found.find((x) => !x.retired) ?? found[0];
  for (const seen = new Set([name]); to?.retired && !seen.has(to.name);) {
    seen.add(to.name);
    const next = from(to.name);
    to = next.find((x) => !x.retired) ?? next[0] ?? to;
  }
  return to?.name;
}

/** 'renamed to <x>' when a column of the table names `name` as a former name of its own. */
function renamedTo(columns: Parameters<typeof renamedToName>[0], name: string): string | undefined {
  const to = renamedToName(columns, name);
  return to ? `renamed to ${to}` : undefined;
}

/**
 * Why stored values would not read as the new type. A wider integer is what Athena reads over old Parquet (its
 * "Change a column data type" page: tinyint → smallint → int → bigint), but the Glue job rewrites old partitions
 * with Spark 3.5 (Glue 5.0), whose Parquet reader cannot read an INT32 column as a wider type (widening came with
 * SPARK-40876, Spark 4.0): the next run over an old partition would fail. Decimals of another precision or scale
 * and every other change are not read by Athena either.
 */
function whyNotReadable(was: string, now: string): string {
  const from = WIDTHS.indexOf(was);
  const to = WIDTHS.indexOf(now);
  if (from >= 0 && to > from)
    return (
      `a wider integer: Athena would read the stored ${was} values, but the Glue job (Spark 3.5) cannot read them as ` +
      `${now} when it rewrites their partitions (Parquet type widening needs Spark 4), and the local lake would ` +
      'silently differ from AWS'
    );
  if (from >= 0 && to >= 0) return `a narrower integer: stored ${was} values may not fit ${now}`;
  return `values stored as ${was} would not read as ${now}`;
}

/** A rule's value as JSON for a message, at most 120 characters (a JSON column's nested rules can be long). */
function shortJson(v: unknown): string {
  const text = JSON.stringify(v);
  return text.length <= 120 ? text : `${text.slice(0, 119)}…`;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A changed rule as the check names it: where inside it each change is (the places the two differ, down through
 * objects and lists of the same length: `items.required ["sku"] → ["sku","quantity"]`), so that a long rule is not
 * shown cut the same way on both sides; at most RULE_CHANGES_SHOWN places, then how many more.
 */
function ruleChange(at: string, before: unknown, after: unknown): string {
  const places = ruleChangePlaces(at, before, after);
  const more = places.length - RULE_CHANGES_SHOWN;
  return places.slice(0, RULE_CHANGES_SHOWN).join(', ') + (more > 0 ? ` and ${more} more` : '');
}

const RULE_CHANGES_SHOWN = 5;

function ruleChangePlaces(at: string, before: unknown, after: unknown): string[] {
  const differs = (a: unknown, b: unknown) => JSON.stringify(a) !== JSON.stringify(b);
  if (isRecord(before) && isRecord(after))
    return [...new Set([...Object.keys(before), ...Object.keys(after)])]
      .filter((k) => differs(before[k], after[k]))
      .flatMap((k) => ruleChangePlaces(`${at}.${k}`, before[k], after[k]));
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length)
    return before.flatMap((x, i) =>
      differs(x, after[i]) ? ruleChangePlaces(`${at}[${i}]`, x, after[i]) : [],
    );
  if (before === undefined) return [`${at} ${shortJson(after)} added`];
  if (after === undefined) return [`${at} ${shortJson(before)} removed`];
  return [`${at} ${shortJson(before)} → ${shortJson(after)}`];
}

/** What `now` accepts that `was` did not — narrowing — and what it gave up — relaxing — rule by rule. */
function compareRules(
  table: string,
  was: RecordedColumn,
  now: ColumnDef,
  changes: string[],
  violations: Violation[],
  back = false,
): void {
  const v = (rule: string, message: string, safe: string) =>
    violations.push({ table, column: now.name, rule, message: `${table}.${now.name}: ${message}`, safe });
  const relaxed = (what: string) => changes.push(`${now.name}: ${what}`);
  const keepOld = back
    ? 'bring the column back with the rules it had when it was retired, as schemas/history records them (its ' +
      'stored values were accepted under those; a history from before the rules were recorded with a retired ' +
      'column holds none), or add it under a new name'
    : 'keep the rule as it was (data already accepted under it may still be on its way)';

  if (!was.required && now.required) {
    v(
      'MADE_REQUIRED',
      'made required: rows stored and data already accepted without it would be refused',
      `keep it optional; or ${NEW_MAJOR(table)}`,
    );
  } else if (was.required && !now.required) relaxed('no longer required');

  // A value as written in the schema (null and numbers too: join() would print null as nothing).
  const values = (xs: unknown[]) => xs.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(', ');
  if (was.enum && !now.enum) relaxed('any value (enum removed)');
  else if (!was.enum && now.enum) v('NARROWED', `enum added (${values(now.enum)})`, keepOld);
  else if (was.enum && now.enum) {
    // A value no value of the column could equal (1 for a string, null where the type lacks it; refused in a schema
    // now): taking it away refuses nothing that was accepted.
    const impossible = (x: unknown) => !couldHold(was, x);
    const gone = was.enum.filter((x) => !now.enum!.includes(x) && !impossible(x));
    const unused = was.enum.filter((x) => !now.enum!.includes(x) && impossible(x));
    const added = now.enum.filter((x) => !was.enum!.includes(x));
    if (gone.length)
      v('NARROWED', `enum values removed: ${values(gone)}`, `${keepOld}; add values, never remove them`);
    if (unused.length) relaxed(`enum values no value of the column could equal removed: ${values(unused)}`);
    if (added.length) relaxed(`enum values added: ${values(added)}`);
  }

  if (was.pattern !== now.pattern) {
    if (now.pattern === undefined) relaxed(`pattern ${was.pattern} removed`);
    else
      v(
        'PATTERN_CHANGED',
        was.pattern === undefined
          ? `pattern ${now.pattern} added`
          : `pattern ${was.pattern} changed to ${now.pattern}`,
        `${keepOld}; a pattern can only be removed`,
      );
  }

  const bound = (key: 'maxLength' | 'maximum' | 'minLength' | 'minimum', upper: boolean) => {
    const a = was[key];
    const b = now[key];
    if (a === b) return;
    const looser = b === undefined || (a !== undefined && (upper ? b > a : b < a));
    if (looser) relaxed(b === undefined ? `${key} ${a} removed` : `${key} ${a ?? 'none'} → ${b}`);
    else if (a === undefined && meetsAll(key, b, now.type))
      relaxed(`${key} none → ${b} (every value meets it)`);
    else v('NARROWED', `${key} ${a ?? 'none'} → ${b}`, keepOld);
  };
  bound('maxLength', true);
  bound('maximum', true);
  bound('minLength', false);
  bound('minimum', false);

  if (was.nullable && !now.nullable) {
    v(
      'NARROWED',
      'null no longer accepted (its type lost "null"): data already accepted with an explicit null would be refused',
      `${keepOld}; "null" can be added to a type, never removed`,
    );
  } else if (!was.nullable && now.nullable) relaxed('null accepted');

  if (was.otherRules !== now.otherRules) {
    // Keyword by keyword: one removed relaxes; one added or changed may narrow, and is refused.
    const rules = (json: string | undefined): Record<string, unknown> =>
      json ? (JSON.parse(json) as Record<string, unknown>) : {};
    const [before, after] = [rules(was.otherRules), rules(now.otherRules)];
    // Optional keys added inside a JSON column that took no undeclared key: values refused before are taken.
    const keys = nestedKeysOnlyAdded(before, after, now.name);
    if (keys) {
      relaxed(`optional keys accepted inside it: ${keys.join(', ')}`);
      return compareDeprecation(was, now, changes);
    }
    const text = (r: Record<string, unknown>, k: string) => `${k} ${shortJson(r[k])}`;
    for (const k of Object.keys(before).filter((k) => !(k in after))) relaxed(`${text(before, k)} removed`);
    const changed = Object.keys(after).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    if (changed.length) {
      const nested = changed.some((k) => NESTED_KEYWORDS.has(k));
      v(
        'NARROWED',
        `rules the check cannot judge changed (${changed
          .map((k) => ruleChange(k, before[k], after[k]))
          .join(', ')}): it cannot tell whether they take every value accepted before`,
        `${keepOld}; such a rule can only be removed` +
          (nested
            ? '; a JSON column takes keys it does not declare (unless additionalProperties is false): leave a new key undeclared'
            : '') +
          `; or ${NEW_MAJOR(table)}`,
      );
    }
  }

  compareDeprecation(was, now, changes);
}

/** Whether a recorded column's JSON values could equal `x` (its JSON type's; null only when it takes null). */
function couldHold(c: RecordedColumn, x: unknown): boolean {
  if (x === null) return c.nullable === true;
  return (c.json ? ['object', 'array'] : [jsonTypeOfLakeType(c.type)]).some((t) => isOfJsonType(x, t));
}

/** Whether every value a column of `type` can hold meets the bound: minLength 0, an integer width's own limits. */
function meetsAll(
  key: 'maxLength' | 'maximum' | 'minLength' | 'minimum',
  bound: number,
  type: string,
): boolean {
  if (key === 'minLength') return bound <= 0;
  if (key === 'maxLength' || !isIntegerType(type)) return false;
  const [min, max] = INTEGER_RANGES[type];
  return key === 'minimum' ? bound <= Number(min) : bound >= Number(max);
}

function compareDeprecation(was: RecordedColumn, now: ColumnDef, changes: string[]): void {
  if (!was.deprecated && now.deprecated) changes.push(`${now.name}: deprecated (kept, still accepted)`);
  if (was.deprecated && !now.deprecated) changes.push(`${now.name}: no longer deprecated`);
}

/**
 * The compatibility of `table` (built from the schema, with its history) with `history` (what was recorded). A
 * table without a history is new: nothing to compare, but a new table may not start with rename or retire
 * declarations about columns it never had.
 */
/** The changes recorded when an event type opens to keys it does not declare, or closes again (versions[].changes). */
const OPENED = 'takes keys it does not declare (additionalProperties is no longer false)';
const CLOSED = 'takes no key it does not declare (additionalProperties: false)';

/**
 * Whether an event type takes keys it does not declare, or did in any version recorded: a version that closed it
 * (CLOSED) says one before took them, and so does one that opened it (OPENED).
 */
function tookUndeclaredKeys(history: TableHistory): boolean {
  return (
    history.takesUndeclaredKeys === true ||
    history.tookUndeclaredKeys === true ||
    history.versions.some((v) => v.changes.includes(OPENED) || v.changes.includes(CLOSED))
  );
}

/**
 * The recorded patternProperties pattern (history's table rules) that matches `column`, if one does: the record's
 * own, or one inside its rules — under unevaluatedProperties false, a pattern in an allOf (or another applicator, or
 * a definition one names) takes its keys too. One in a definition nothing uses is counted all the same.
 */
function recordedPatternTaking(history: TableHistory | undefined, column: string): string | undefined {
  if (!history?.tableRules) return undefined;
  const patterns: string[] = [];
  const collect = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(collect);
    if (v === null || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if (k === 'patternProperties' && x !== null && typeof x === 'object' && !Array.isArray(x))
        patterns.push(...Object.keys(x));
      // A property's own rules hold what a key's value must be, not which keys the record takes.
      if (k !== 'properties') collect(x);
    }
  };
  collect(JSON.parse(history.tableRules));
  return patterns.find((p) => patternMatches(p, column));
}

export function compatibility(table: TableDef, history: TableHistory | undefined): Compatibility {
  const changes: string[] = [];
  const violations: Violation[] = [];
  const name = table.name;
  const columns = table.columns.filter((c) => !c.generated);
  const recorded = new Map((history?.columns ?? []).map((c) => [c.name, c]));
  // A name renamed away (recorded retired, a former name of another recorded column), in the schema again: the
  // column it was renamed to (FORMER_NAME_TAKEN), else undefined.
  const renamedAwayTo = (c: ColumnDef): string | undefined =>
    !c.retired && recorded.get(c.name)?.retired ? renamedToName([...recorded.values()], c.name) : undefined;

  for (const c of columns) {
    if (c.renamedFrom) {
      const old = recorded.get(c.renamedFrom);
      if (!old) {
        violations.push({
          table: name,
          column: c.name,
          rule: 'RENAMED_UNKNOWN',
          message: `${name}.${c.name}: x-lake.renamedFrom names '${c.renamedFrom}', a column the table never had`,
          safe: 'name a column of the table (schemas/history/' + name + '.json), or remove the declaration',
        });
      } else if (recorded.has(c.name) && recorded.get(c.name)!.renamedFrom !== c.renamedFrom) {
        // Onto a name the table has (a former name renamed away, a retired or a live column): its stored values and
        // the raw records that carry it would be read as the renamed column's, beside those of the column renamed.
        const was = recorded.get(c.name)!;
        const status = was.retired
          ? ['retired', renamedTo([...recorded.values()], c.name)].filter(Boolean).join(', ')
          : 'a column';
        violations.push({
          table: name,
          column: c.name,
          rule: 'RENAMED_ONTO_EXISTING',
          message:
            `${name}.${c.name}: x-lake.renamedFrom '${c.renamedFrom}' on a name the table already has (${status}): ` +
            `the values stored and the records sent under ${c.name} would be read as ${c.renamedFrom}'s`,
          safe: `rename ${c.renamedFrom} to a name the table never had (schemas/history/${name}.json lists them), or remove the declaration`,
        });
      } else if (typeOf(old) !== typeOf(c)) {
        violations.push({
          table: name,
          column: c.name,
          rule: 'TYPE_CHANGED',
          message: `${name}.${c.name}: renamed from ${c.renamedFrom} (${typeOf(old)}) with another type (${typeOf(c)})`,
          safe: `rename without changing the type; then add a new column for the new type`,
        });
      } else if (!recorded.has(c.name)) changes.push(`${c.name}: renamed from ${c.renamedFrom}`);
    } else if (renamedAwayTo(c)) {
      // The column renamed from it still reads the records sent and the values stored under the name (the readers
      // could not tell whose a value is: lib/etl/plan-inputs.ts).
      const to = renamedAwayTo(c)!;
      violations.push({
        table: name,
        column: c.name,
        rule: 'FORMER_NAME_TAKEN',
        message:
          `${name}.${c.name}: a column under the name ${c.name}, renamed to ${to}: ${to} reads the records sent ` +
          `and the values stored under ${c.name}, which would be read into both`,
        safe: `give the new column a name the table never had (schemas/history/${name}.json lists them); or ${NEW_MAJOR(name)}`,
      });
    } else if (recorded.get(c.name)?.renamedFrom) {
      // A recorded rename undone: rows and files written before it hold the value under the old name, which the
      // column reads only through the declaration (a rebuild, a replay, a partition rewritten).
      const from = recorded.get(c.name)!.renamedFrom!;
      violations.push({
        table: name,
        column: c.name,
        rule: 'RENAME_REMOVED',
        message:
          `${name}.${c.name}: x-lake.renamedFrom '${from}' removed from a recorded rename: the values stored and the ` +
          `records sent before it under ${from} would no longer be read into ${c.name}`,
        safe: `keep "x-lake": {"renamedFrom": "${from}"} on ${c.name} (schemas/history/${name}.json records it)`,
      });
    }
  }
  if (!history) return { changes: ['first version'], violations };

  if (history.kind !== table.kind) {
    violations.push({
      table: name,
      rule: 'KIND_CHANGED',
      message: `${name}: was ${history.kind === 'events' ? 'an event type' : 'a dataset'}, is now ${table.kind === 'events' ? 'an event type' : 'a dataset'}`,
      safe: NEW_MAJOR(name),
    });
  }
  const keys = (t: {
    primaryKey: string[];
    partitionKeys: { name: string; fromColumn: string }[];
    latestBy?: string;
  }) =>
    JSON.stringify([t.primaryKey, t.partitionKeys.map((p) => [p.name, p.fromColumn]), t.latestBy ?? null]);
  if (keys(history) !== keys(table)) {
    violations.push({
      table: name,
      rule: 'KEY_CHANGED',
      message: `${name}: keys changed (${keyChanges(history, table).join(', ')}): stored rows are merged and placed by them`,
      safe: NEW_MAJOR(name),
    });
  }

  // The table's own rules ($defs, top-level applicators, …), judged as a column's otherRules are: one removed
  // relaxes, one added or changed may narrow. A history of an earlier rules level does not record them: not judged.
  if (rulesLevelOf(history) >= TABLE_RULES_LEVEL && history.tableRules !== table.tableRules) {
    const rules = (json: string | undefined): Record<string, unknown> =>
      json ? (JSON.parse(json) as Record<string, unknown>) : {};
    const [before, after] = [rules(history.tableRules), rules(table.tableRules)];
    const narrowed: string[] = [];
    // patternProperties pattern by pattern: where undeclared keys were refused, a pattern added takes keys refused
    // before (relaxes) and one removed refuses keys taken before (narrows); where they were taken, the reverse.
    const open = history.takesUndeclaredKeys === true;
    const patterns = (r: Record<string, unknown>) => (r.patternProperties ?? {}) as Record<string, unknown>;
    const [wasPatterns, nowPatterns] = [patterns(before), patterns(after)];
    for (const p of new Set([...Object.keys(wasPatterns), ...Object.keys(nowPatterns)])) {
      const [was, now] = [wasPatterns[p], nowPatterns[p]];
      if (JSON.stringify(was) === JSON.stringify(now)) continue;
      const added = was === undefined;
      const pattern = `patternProperties ${shortJson(p)}`;
      if (table.kind !== 'events') {
        // A dataset's upload check refuses every key that is no column: its patterns take nothing.
        changes.push(`${pattern} ${added ? 'added' : now === undefined ? 'removed' : 'changed'}`);
        continue;
      }
      if (!added && now !== undefined) narrowed.push(`${pattern} ${shortJson(was)} → ${shortJson(now)}`);
      else if (added === open) narrowed.push(`${pattern} ${added ? 'added' : 'removed'}`);
      else changes.push(`keys matching ${p} ${added ? 'accepted' : 'taken with any value'}`);
    }
    // $defs definition by definition: one added or removed changes nothing by itself (a property's $ref to it is
    // judged with that column). One changed narrows what refers to it, directly or through another definition: the
    // record's own rules, or a column — from rules level 4 a column records the rules its $ref names (REF_TARGET)
    // and is judged on them, so only one whose $ref could not be read that way refers to it here.
    const defs = (r: Record<string, unknown>) => (r.$defs ?? {}) as Record<string, unknown>;
    const [wasDefs, nowDefs] = [defs(before), defs(after)];
    // What refers to a definition: the record's own rules, and the columns whose $ref is not recorded with the rules
    // it names (all of them before level 4, which did not record those).
    const judgedByColumns = rulesLevelOf(history) >= REF_TARGET_LEVEL;
    const usedByRecord = definitionsReferred(
      [
        Object.fromEntries(Object.entries(before).filter(([k]) => k !== '$defs')),
        ...history.columns.flatMap((c) => (c.otherRules ? [JSON.parse(c.otherRules) as unknown] : [])),
      ],
      wasDefs,
      judgedByColumns,
    );
    for (const d of new Set([...Object.keys(wasDefs), ...Object.keys(nowDefs)])) {
      const [was, now] = [wasDefs[d], nowDefs[d]];
      if (JSON.stringify(was) === JSON.stringify(now)) continue;
      if (was !== undefined && now !== undefined && (!judgedByColumns || usedByRecord.has(d)))
        narrowed.push(ruleChange(`$defs.${d}`, was, now));
      else
        changes.push(
          `definition ${d} ${was === undefined ? 'added to' : now === undefined ? 'removed from' : 'changed in'} $defs`,
        );
    }
    for (const r of [before, after]) {
      delete r.patternProperties;
      delete r.$defs;
    }
    for (const k of Object.keys(before).filter((k) => !(k in after)))
      changes.push(`${k} ${shortJson(before[k])} removed from the rules of the whole record`);
    for (const k of Object.keys(after).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])))
      narrowed.push(ruleChange(k, before[k], after[k]));
    if (narrowed.length) {
      violations.push({
        table: name,
        rule: 'NARROWED',
        message: `${name}: rules of the schema the check cannot judge changed (${narrowed.join(', ')}): it cannot tell whether they take all data accepted before`,
        safe:
          `keep them as recorded (such a rule can only be removed); write a column's rule on its own property ` +
          `(not through $ref or $defs), where the check judges it; or ${NEW_MAJOR(name)}`,
      });
    }
  }

  // Judged where the history records it (one recorded before does not say: not judged, recorded at the next accept).
  const recordsUndeclared = typeof history.takesUndeclaredKeys === 'boolean';
  if (recordsUndeclared && table.kind === 'events') {
    if (table.takesUndeclaredKeys && !history.takesUndeclaredKeys) {
      changes.push(OPENED);
    } else if (!table.takesUndeclaredKeys && history.takesUndeclaredKeys) {
      changes.push(CLOSED);
    }
  }
  const undeclaredTaken = tookUndeclaredKeys(history);

  for (const c of columns) {
    // A renamed column is judged against the column it renames (its rules carry over; a rename alone is safe).
    const renamed = !recorded.has(c.name) && c.renamedFrom ? recorded.get(c.renamedFrom) : undefined;
    const was = recorded.get(c.name) ?? renamed;
    // A recorded patternProperties pattern that matches the name took it, with any value the pattern allowed (an
    // event's: a dataset's upload check refuses every key that is no column).
    const pattern =
      recorded.has(c.name) || table.kind !== 'events' ? undefined : recordedPatternTaking(history, c.name);
    if (!recorded.has(c.name) && (undeclaredTaken || pattern !== undefined)) {
      // Events accepted while the type took undeclared keys — now, or in any version before (closing it does not
      // change what was accepted) — may carry this one, with any value: the new column's type and rules would
      // reject them, and no later schema could take them back (a type change is refused). A rename onto such a
      // name too: the value an event carried under the new name would win over the one renamed.
      const took = history.takesUndeclaredKeys ? 'takes' : 'took, in an earlier version,';
      const how = undeclaredTaken
        ? `an event type that ${took} keys it does not declare (additionalProperties not false, schemas/history/${name}.json)`
        : `an event type whose recorded patternProperties '${pattern}' takes that name (schemas/history/${name}.json)`;
      violations.push({
        table: name,
        column: c.name,
        rule: 'ADDED_WHERE_UNDECLARED_TAKEN',
        message:
          `${name}.${c.name}: ${renamed ? `${c.renamedFrom} renamed to it in` : 'added to'} ${how}: events already ` +
          `accepted may carry ${c.name} with any value${undeclaredTaken ? '' : ' that pattern allowed'}` +
          (renamed ? `, which would be read instead of their ${c.renamedFrom}` : ''),
        safe:
          (renamed ? `keep the name ${c.renamedFrom}; or ` : '') +
          (undeclaredTaken
            ? `${NEW_MAJOR(name)}, whose schema has additionalProperties: false from its first version`
            : `a name no recorded pattern matches; or ${NEW_MAJOR(name)}`),
      });
      continue;
    }
    if (!was) {
      if (c.required) {
        violations.push({
          table: name,
          column: c.name,
          rule: 'ADDED_REQUIRED',
          message: `${name}.${c.name}: added as required: rows stored and data already accepted do not have it`,
          safe: `add it optional (producers then send it); or ${NEW_MAJOR(name)}`,
        });
      } else if (!c.renamedFrom) changes.push(`${c.name}: added (${typeOf(c)}, optional)`);
      continue;
    }
    // The rename's own type check is above, as is a name renamed away in the schema again (FORMER_NAME_TAKEN).
    if (renamed && typeOf(was) !== typeOf(c)) continue;
    if (renamedAwayTo(c)) continue;
    if (typeOf(was) !== typeOf(c)) {
      violations.push({
        table: name,
        column: c.name,
        rule: 'TYPE_CHANGED',
        message: `${name}.${c.name}: type ${typeOf(was)} → ${typeOf(c)}: ${whyNotReadable(typeOf(was), typeOf(c))}`,
        safe: was.retired
          ? // Renamed away or retired: the name stays the retired column's, with its type and stored values.
            `the name ${c.name} is the retired column's (${renamedTo(columns, c.name) ?? 'retired'}), which keeps its ` +
            `stored values as ${typeOf(was)}: give the new column another name; or ${NEW_MAJOR(name)}`
          : `add a column of the new type under another name, and deprecate or retire this one (its name stays its own, with its stored values); or ${NEW_MAJOR(name)}`,
      });
      continue;
    }
    if (c.retired) {
      if (was.retired) continue;
      if (c.undeclared) {
        violations.push(removedViolation(name, c.name));
      } else {
        // Renamed away: the column stays with its stored values, and the name is still taken, read into the new one.
        const to = renamedToName(columns, c.name);
        changes.push(
          to
            ? `${c.name}: renamed to ${to} (its column kept with its stored values; the name still accepted, read into ${to})`
            : `${c.name}: retired (kept with its stored values, no longer accepted)`,
        );
      }
      continue;
    }
    if (was.retired)
      changes.push(
        renamed ? `${c.renamedFrom}: back in the schema, as ${c.name}` : `${c.name}: back in the schema`,
      );
    // Compared on the rules the history records (a history older than a rule is not judged on it); a column back in
    // the schema on those it had when it was retired, which its stored values were accepted under.
    const level = rulesLevelOf(history);
    compareRules(name, was, columnAtLevel(c, level), changes, violations, was.retired === true);
  }
  // The same columns in another order: the catalog's column order (SELECT *) changes, nothing else.
  const order = (cs: { name: string }[]) => cs.map((c) => c.name).join(', ');
  const now = columns.filter((c) => !c.generated && !c.retired);
  const before = history.columns.filter((c) => !c.retired && now.some((n) => n.name === c.name));
  if (changes.length === 0 && violations.length === 0 && order(now) !== order(before)) {
    changes.push(`columns reordered (${order(now)}): SELECT * lists them so`);
  }
  return { changes, violations };
}

/** A column left out of a schema without a declaration (REMOVED). */
export function removedViolation(table: string, column: string): Violation {
  return {
    table,
    column,
    rule: 'REMOVED',
    message: `${table}.${column}: removed from the schema: its stored values would be dropped at the next rewrite`,
    safe:
      'keep it with "deprecated": true (still accepted), or list it in "x-lake": {"retired": [...]} (kept with ' +
      'its values, no longer accepted), or rename it: "x-lake": {"renamedFrom": "' +
      column +
      '"} on the new property',
  };
}

/** What changed among a table's keys: only the keys that differ, each as was → now. */
function keyChanges(
  was: { primaryKey: string[]; partitionKeys: { fromColumn: string }[]; latestBy?: string },
  now: { primaryKey: string[]; partitionKeys: { fromColumn: string }[]; latestBy?: string },
): string[] {
  const out: string[] = [];
  const pk = [was.primaryKey.join(', '), now.primaryKey.join(', ')];
  if (pk[0] !== pk[1]) out.push(`primary key ${pk[0]} → ${pk[1]}`);
  const part = [was, now].map((t) => t.partitionKeys.map((p) => p.fromColumn).join(', '));
  if (part[0] !== part[1]) out.push(`partition from ${part[0]} → ${part[1]}`);
  if ((was.latestBy ?? 'none') !== (now.latestBy ?? 'none'))
    out.push(`latestBy ${was.latestBy ?? 'none'} → ${now.latestBy ?? 'none'}`);
  return out;
}
