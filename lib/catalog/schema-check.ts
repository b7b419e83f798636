/**
 * The schema check: every schema of schemas/ against its recorded history (lib/catalog/compat.ts), every table on
 * its own. `npm run schemas:check` prints it; `npm start`, `sls package`/`deploy` and `sls invoke local` refuse to
 * go on when it finds a violation (and packaging also when a change is not recorded yet); `npm test` runs it over
 * the project's schemas. `npm run schemas:accept` records the changes it found (recordSchemas).
 */
import { loadLake, schemaFiles, schemasDir as defaultSchemasDir, type SchemaFile } from './tables';
import { compatibility, removedViolation, type Violation, withFreeSuccessor } from './compat';
import {
  nextHistory,
  rulesLevelOf,
  sameSnapshot,
  snapshotFingerprint,
  snapshotOf,
  writeHistory,
  type TableHistory,
  type TableSnapshot,
} from './history';
import { RULES_LEVEL } from './other-rules';
import { reservedNameViolations } from './reserved-names';
import type { TableDef } from './types';
import { schemaCompileProblem } from '../validators/source';
import { buildPlan } from '../etl/plan';
import { SharedInputPathError } from '../etl/plan-inputs';

export interface TableReport {
  table: string;
  /** new: no history yet; unchanged: as recorded; changed: compatible changes not recorded yet; refused. */
  status: 'new' | 'unchanged' | 'changed' | 'refused';
  /** The version the table has now (recorded, or the one recording would give it). */
  version: number;
  changes: string[];
  violations: Violation[];
}

export interface SchemaReport {
  tables: TableReport[];
  violations: Violation[];
  /** Tables whose changes (or whose first version) are not recorded yet. */
  unrecorded: string[];
  /** The tables as they would be used (the good ones). */
  defs: TableDef[];
}

/**
 * A version of a table the local lake has used without it being recorded maybe (local/schemas-in-use.ts): data
 * may have been accepted and stored under it, so an edit is judged against it too.
 */
/** A local lake's record of the version of a table it used that does not read (lib/catalog/schemas-in-use.ts). */
export interface DamagedInUse {
  table: string;
  file: string;
  why: string;
}

export interface InUseVersion {
  snapshot: TableSnapshot;
  version: number;
  /** When the lake started using it (ISO 8601). */
  since: string;
  /**
   * An event type a version used before took keys it did not declare (the one in use may be closed again): events
   * accepted then may carry any key (lib/catalog/compat.ts ADDED_WHERE_UNDECLARED_TAKEN).
   */
  tookUndeclaredKeys?: true;
  /**
   * Every version number the local lake has written rows with, and the fingerprint of the snapshot it had then
   * (history.ts snapshotFingerprint): a number used for one schema is not given to another (numberedAfterUse).
   */
  used?: Record<string, string>;
  /**
   * Each column renamed in a version the lake used before the rename was recorded: what it was renamed from and the
   * first version the lake used the rename at (renamesInUseSince). Rows written from then on hold the column's own
   * value; a later unrecorded edit (a higher number) must not count them as written before the rename.
   */
  renamedIn?: Record<string, { from: string; version: number }>;
  /**
   * The rules level its snapshot was recorded at (lib/catalog/other-rules.ts RULES_LEVEL); absent from records written
   * before it was kept, which were of level 3 at most: judged on level 3's rules.
   */
  rulesRecorded?: number;
}

/** The rules level of a version-in-use record that does not say its own (written before level 4). */
const IN_USE_LEVEL_BEFORE_RECORDED = 3;

/**
 * Checks every schema of `dir` against its recorded history and, when given, against the version the local lake
 * uses (`inUse`, where that is not the recorded one).
 */
export function checkSchemas(
  dir = defaultSchemasDir,
  files = schemaFiles(dir),
  inUse?: ReadonlyMap<string, InUseVersion> & { damaged?: readonly DamagedInUse[] },
): SchemaReport {
  const loaded = loadLake(dir, files);
  const { errors, histories } = loaded;

  const tables = loaded.tables.map((t) =>
    renamesInUseSince(
      numberedAfterUse(t, histories.get(t.name), inUse?.get(t.name)),
      histories.get(t.name),
      inUse?.get(t.name),
    ),
  );
  const reports: TableReport[] = [];
  // A schema the lake's validator compiler refuses would stop the lake (and every deploy) when its validators are
  // built: refused here, by name, with the compiler's reason.
  for (const f of files) {
    const problem = f.schema ? schemaCompileProblem(f.kind, f.schema as object) : undefined;
    if (problem && !errors.some((e) => e.table === f.name)) {
      errors.push({ table: f.name, file: f.file, message: `${f.file} does not compile: ${problem}` });
    }
  }
  for (const e of errors) {
    reports.push({
      table: e.table,
      status: 'refused',
      version: histories.get(e.table)?.version ?? 0,
      changes: [],
      violations: [
        {
          table: e.table,
          rule: 'INVALID_SCHEMA',
          message: e.message,
          safe: `fix ${e.file}; the other tables need no change (nothing runs until it is fixed)`,
        },
      ],
    });
  }
  // A table whose record of the version the lake used does not read: no edit of it is judged (one the lake's data
  // would not survive could pass), refused naming the record.
  const damaged = (inUse?.damaged ?? []).filter((d) => !errors.some((e) => e.table === d.table));
  for (const d of damaged)
    reports.push({
      table: d.table,
      status: 'refused',
      version: histories.get(d.table)?.version ?? 0,
      changes: [],
      violations: [
        {
          table: d.table,
          rule: 'DAMAGED_STATE_FILE',
          message:
            `${d.table}: the local lake's record of the version it used, ${d.file}, is damaged (${d.why}): an edit ` +
            `of ${d.table} cannot be judged against what the lake stored`,
          safe: 'README "Damaged state files" says what to do with the record (nothing runs until then)',
        },
      ],
    });
  const invalid = new Set([...errors.map((e) => e.table), ...damaged.map((d) => d.table)]);
  // Every table name the project has (a new major version's suggested name is one none has).
  const names = new Set([...tables.map((t) => t.name), ...errors.map((e) => e.table)]);
  for (const t of tables) {
    if (invalid.has(t.name)) continue; // refused above: its schema does not compile
    const history = histories.get(t.name);
    const { changes: found, violations: recorded } = compatibility(t, history);
    const changes = found.map((line) => withRenameInUseSince(line, t));
    const violations = recorded
      .filter((v) => !alreadyInUse(v, inUse?.get(t.name)))
      .map((v) => pointedAtInUse(v, t, inUse?.get(t.name)));
    violations.push(...againstInUse(t, history, inUse?.get(t.name), violations));
    violations.push(...reservedNameViolations(t, history));
    // Not beside a name renamed away in the schema again: two columns reading one name is what that refusal says.
    const formerNames = violations.filter((v) => v.rule === 'FORMER_NAME_TAKEN').map((v) => v.column!);
    const unplanned = etlPlanProblem(t, formerNames);
    if (unplanned) violations.push(unplanned);
    const file = files.find((f) => f.name === t.name);
    violations.push(...unknownRetired(t.name, file?.schema, history, inUse?.get(t.name)));
    const refused = violations.map((v) => withFreeSuccessor(v, names));
    const status = refused.length
      ? 'refused'
      : !history
        ? 'new'
        : t.version === history.version
          ? 'unchanged'
          : 'changed';
    reports.push({
      table: t.name,
      status,
      version: t.version,
      changes: status === 'unchanged' ? [] : changes,
      violations: refused,
    });
  }
  const present = new Set([...tables.map((t) => t.name), ...errors.map((e) => e.table)]);
  for (const [name, used] of inUse ?? []) {
    if (present.has(name) || histories.has(name)) continue;
    reports.push({
      table: name,
      status: 'refused',
      version: used.version,
      changes: [],
      violations: [
        {
          table: name,
          rule: 'TABLE_REMOVED',
          message: `${name}: its schema was deleted, but ${usedNote(used)}`,
          safe: `keep schemas/${used.snapshot.kind === 'events' ? 'events' : 'datasets'}/${name}.json`,
        },
      ],
    });
  }
  for (const [name, h] of histories) {
    if (present.has(name)) continue;
    reports.push({
      table: name,
      status: 'refused',
      version: h.version,
      changes: [],
      violations: [
        {
          table: name,
          rule: 'TABLE_REMOVED',
          message: `${name}: its schema was deleted, but the table holds data (schemas/history/${name}.json)`,
          safe:
            `keep schemas/${h.kind === 'events' ? 'events' : 'datasets'}/${name}.json (deprecate its columns if ` +
            'producers should stop sending them); a new major version (x-lake.supersedes) keeps it too: both stay queryable',
        },
      ],
    });
  }
  reports.sort((a, b) => a.table.localeCompare(b.table));
  return {
    tables: reports,
    violations: reports.flatMap((r) => r.violations),
    unrecorded: reports.filter((r) => r.status === 'new' || r.status === 'changed').map((r) => r.table),
    defs: tables.filter((t) => reports.find((r) => r.table === t.name)?.status !== 'refused'),
  };
}

/**
 * x-lake.retired names that are no column the table had (its history, or the version the local lake used): a
 * misspelt name retires nothing and leaves the column meant accepted. A table with neither retires nothing either.
 */
function unknownRetired(
  table: string,
  schema: SchemaFile['schema'],
  history: TableHistory | undefined,
  used: InUseVersion | undefined,
): Violation[] {
  if (!history && !used) return [];
  const had = new Set([...(history?.columns ?? []), ...(used?.snapshot.columns ?? [])].map((c) => c.name));
  const retired = (schema?.['x-lake'] as { retired?: unknown } | undefined)?.retired;
  return (Array.isArray(retired) ? retired : [])
    .filter((r): r is string => typeof r === 'string' && !had.has(r))
    .map((r) => ({
      table,
      column: r,
      rule: 'RETIRED_UNKNOWN',
      message: `${table}: x-lake.retired names '${r}', which is no column the table has had`,
      safe: 'list only columns the table had (schemas/history); a misspelt name leaves the column meant accepted',
    }));
}

/**
 * A schema the ETL cannot run (buildPlan refuses it: a pattern one of its engines cannot run the same — lookaround,
 * backreferences, \b —, two columns reading one input name): refused here, before a row is accepted under it,
 * where the ETL would fail every run of the table (and the other tables of an event compaction) once it has data.
 */
function etlPlanProblem(t: TableDef, told: string[]): Violation | undefined {
  try {
    buildPlan(t);
    return undefined;
  } catch (e) {
    // Two columns reading one name, one of them refused already (told: a name renamed away, in the schema again).
    if (e instanceof SharedInputPathError && e.columns.some((c) => told.includes(c))) return undefined;
    const message = (e as Error).message;
    const column = /^column (\w+):/.exec(message)?.[1];
    return {
      table: t.name,
      ...(column ? { column } : {}),
      rule: 'ETL_UNSUPPORTED',
      message: `${t.name}: the ETL cannot run this schema: ${message}`,
      safe: 'change the rule or the column as the message says; the other tables need no change (nothing runs until it is fixed)',
    };
  }
}

/** The report as lines for a terminal: one per changed table, every violation with its safe alternative. */
export function formatReport(report: SchemaReport): string[] {
  const lines: string[] = [];
  for (const r of report.tables) {
    if (r.status === 'unchanged') continue;
    if (r.status === 'refused') {
      for (const v of r.violations) lines.push(`REFUSED ${v.rule} ${v.message}. Instead: ${v.safe}.`);
    } else {
      const what = r.status === 'new' ? `new table, version ${r.version}` : `version ${r.version}`;
      lines.push(`${r.table}: ${what} (not recorded): ${r.changes.join('; ')}`);
    }
  }
  return lines;
}

/** Records the new versions of a report without violations (schemas/history/<table>.json); returns their names. */
export function recordSchemas(report: SchemaReport, dir = defaultSchemasDir, at = new Date()): string[] {
  if (report.violations.length) throw new Error('a schema change was refused: nothing is recorded');
  const { histories } = loadLake(dir);
  const recorded: string[] = [];
  for (const name of report.unrecorded) {
    const def = report.defs.find((t) => t.name === name)!;
    const r = report.tables.find((t) => t.table === name)!;
    writeHistory(dir, nextHistory(histories.get(name), snapshotOf(def), r.changes, at, def.version));
    recorded.push(name);
  }
  // A history written before its columns recorded every rule they record now (lib/catalog/other-rules.ts), or before it
  // said whether an event type takes undeclared keys: the rules and that added as they are now (the table is as
  // recorded otherwise), no new version; from now on a change of them is judged.
  for (const def of report.defs) {
    const h = histories.get(def.name);
    const saysUndeclared = h?.kind !== 'events' || typeof h.takesUndeclaredKeys === 'boolean';
    if (!h || (rulesLevelOf(h) >= RULES_LEVEL && saysUndeclared) || report.unrecorded.includes(def.name))
      continue;
    const { otherRulesRecorded: _, ...earlier } = h;
    writeHistory(dir, {
      ...earlier,
      ...snapshotOf(def),
      rulesRecorded: RULES_LEVEL,
      version: h.version,
      versions: h.versions,
    });
    recorded.push(def.name);
  }
  return recorded;
}

/**
 * A column added where undeclared keys were taken (ADDED_WHERE_UNDECLARED_TAKEN) that the local lake's version in
 * use already has: the lake took it before the rule judged it (a lake of an earlier version of the project), and a
 * refusal cannot take that back — it would only leave the lake unable to start, every way out (removing, retiring
 * the column) refused in turn. The version in use judges it instead (againstInUse).
 */
const alreadyInUse = (v: Violation, used: InUseVersion | undefined) =>
  v.rule === 'ADDED_WHERE_UNDECLARED_TAKEN' &&
  used !== undefined &&
  used.snapshot.columns.some((c) => c.name === v.column);

/** Said of every violation against the version in use, whatever its rule (a widening Spark cannot read takes nothing away). */
const usedNote = (used: InUseVersion) =>
  `the local lake has used version ${used.version} of it since ${used.since} (not recorded): the data accepted ` +
  'under it is stored as that version defines it';

/**
 * The violations of `t` against the version the local lake uses, where that is not the recorded one and not `t`
 * itself; those already found against the history are not repeated.
 */
function againstInUse(
  t: TableDef,
  history: TableHistory | undefined,
  used: InUseVersion | undefined,
  found: Violation[],
): Violation[] {
  if (!used) return [];
  const asHistory: TableHistory = {
    ...used.snapshot,
    rulesRecorded: used.rulesRecorded ?? IN_USE_LEVEL_BEFORE_RECORDED,
    version: used.version,
    versions: [],
    ...(used.tookUndeclaredKeys ? { tookUndeclaredKeys: true as const } : {}),
  };
  // The same as the record (or as t): nothing of its own to judge by — unless a version the lake used before took
  // undeclared keys, which neither the record nor the version in use may show any more.
  const sameAsRecord = history !== undefined && sameSnapshot(used.snapshot, history);
  if (!used.tookUndeclaredKeys && (sameAsRecord || sameSnapshot(snapshotOf(t), asHistory))) return [];
  // The table is built against the recorded history: a column only the version in use had is not among its
  // columns at all (the history would have kept it as retired), and is removed.
  const known = new Set(t.columns.flatMap((c) => [c.name, ...(c.formerNames ?? []), c.renamedFrom ?? '']));
  const removed = used.snapshot.columns
    .filter((c) => !c.retired && !known.has(c.name))
    .map((c) => removedViolation(t.name, c.name));
  return [...removed, ...compatibility(t, asHistory).violations]
    .filter((v) => !found.some((f) => f.rule === v.rule && f.column === v.column))
    .map((v) => recordInUseFirst(v, t.name, used));
}

/**
 * An unrecorded version's number, not one the local lake used for another schema: an edit used (rows written with
 * version 2), undone, then another edit would be version 2 again, and its rows and the first edit's taken for one
 * version's — a rename fills the rows of versions before its own only (lib/etl/plan.ts), so the first edit's rows
 * kept the new column empty for good. The edit takes the number the lake gave this very schema, else the next one
 * after every number used; schemas:accept records it so (the history skips the numbers of edits never recorded).
 */
function numberedAfterUse(
  t: TableDef,
  history: TableHistory | undefined,
  used: InUseVersion | undefined,
): TableDef {
  if (!history || t.version <= history.version || !used) return t;
  // Only a rename reads version numbers (its fill): other edits keep the next number as they always did.
  if (!t.columns.some((c) => c.renamedFrom !== undefined && c.renamedInVersion === undefined && !c.retired))
    return t;
  const numbers = usedNumbers(used);
  const mine = snapshotFingerprint(snapshotOf(t));
  const same = Object.entries(numbers).find(([n, fp]) => fp === mine && Number(n) > history.version);
  const taken = Object.entries(numbers).some(([n, fp]) => Number(n) >= t.version && fp !== mine);
  const version = same
    ? Number(same[0])
    : taken
      ? Math.max(...Object.keys(numbers).map(Number)) + 1
      : t.version;
  if (version === t.version) return t;
  return {
    ...t,
    version,
    columns: t.columns.map((c) => (c.name === 'lake_schema_version' ? { ...c, constant: version } : c)),
  };
}

/**
 * The first version the local lake used `column`'s unrecorded rename from `from` at: as its record says, else (a
 * record written before it said so) the version in use when that already had the rename.
 */
export function inUseRenameVersion(
  used: InUseVersion | undefined,
  column: string,
  from: string,
): number | undefined {
  const said = used?.renamedIn?.[column];
  if (said) return said.from === from ? said.version : undefined;
  const had = used?.snapshot.columns.some((c) => c.name === column && c.renamedFrom === from && !c.retired);
  return had ? used!.version : undefined;
}

/**
 * Unrecorded renames the local lake already used at an earlier version than this one's: their rows written since
 * (that version on) hold the column's own value — a null cleared on purpose is never filled from the old name by
 * a rewrite under a later edit (lib/etl/plan.ts existingSql). Only a number after the recorded history's is one of
 * the lake's own: one the history has recorded since (a teammate's accept, pulled) means that recorded version, whose
 * rows were written before the rename and are filled.
 */
function renamesInUseSince(
  t: TableDef,
  history: TableHistory | undefined,
  used: InUseVersion | undefined,
): TableDef {
  if (!used) return t;
  let changed = false;
  const columns = t.columns.map((c) => {
    if (c.renamedFrom === undefined || c.renamedInVersion !== undefined || c.retired) return c;
    const since = inUseRenameVersion(used, c.name, c.renamedFrom);
    if (since === undefined || since >= t.version || since <= (history?.version ?? 0)) return c;
    changed = true;
    return { ...c, renamedInVersion: since };
  });
  return changed ? { ...t, columns } : t;
}

/**
 * A rename's change line, with the version the lake first used it at when that is before the version recorded
 * (table-from-schema.ts renameVersion reads it back): `b: renamed from a (in use since version 6)`.
 */
function withRenameInUseSince(line: string, t: TableDef): string {
  const c = t.columns.find(
    (x) => x.renamedFrom !== undefined && line === `${x.name}: renamed from ${x.renamedFrom}`,
  );
  return c?.renamedInVersion !== undefined && c.renamedInVersion < t.version
    ? `${line} (in use since version ${c.renamedInVersion})`
    : line;
}

/** The numbers a lake used, with their snapshots' fingerprints (a record of before `used` names its own only). */
export const usedNumbers = (used: InUseVersion): Record<string, string> => ({
  [used.version]: snapshotFingerprint(used.snapshot),
  ...(used.used ?? {}),
});

/** A violation that recording the version in use first resolves or lets be resolved, saying so. */
function recordInUseFirst(v: Violation, table: string, used: InUseVersion): Violation {
  return {
    ...v,
    message: `${v.message} (${usedNote(used)})`,
    // The version in use is not recorded: a retire or a rename of its columns is checked against the record,
    // so recording it comes first.
    safe:
      `first record the version in use (npm run schemas:accept with the schema as the lake used it), then ` +
      `${v.safe.charAt(0).toLowerCase()}${v.safe.slice(1)}; or, if the local lake accepted no data under it, ` +
      `delete its record there (<LAKE_DIR>/schemas-in-use/${table}.json) and edit freely`,
  };
}

/**
 * A violation against the record that comes of the version in use not being recorded: a rename of a column only
 * that version has (RENAMED_UNKNOWN: it is a column the table has), or a column that version renamed, now left
 * out (REMOVED: the rename is not recorded). Said so, with recording first as the way out.
 */
function pointedAtInUse(v: Violation, t: TableDef, used: InUseVersion | undefined): Violation {
  if (!used || !v.column) return v;
  const inUse = used.snapshot.columns;
  if (v.rule === 'RENAMED_UNKNOWN') {
    const from = t.columns.find((c) => c.name === v.column)?.renamedFrom;
    if (!from || !inUse.some((c) => c.name === from)) return v;
    return recordInUseFirst(
      {
        ...v,
        message: `${t.name}.${v.column}: x-lake.renamedFrom names '${from}', a column of the version in use that is not recorded`,
        safe: 'rename it',
      },
      t.name,
      used,
    );
  }
  if (v.rule === 'REMOVED' && inUse.some((c) => c.renamedFrom === v.column))
    return recordInUseFirst(v, t.name, used);
  return v;
}
