/**
 * The schema check: every schema of schemas/ against its recorded history (lib/catalog/compat.ts), every table on
 * its own. `npm run schemas:check` prints it; `npm start`, `sls package`/`deploy` and `sls invoke local` refuse to
 * go on when it finds a violation (and packaging also when a change is not recorded yet); `npm test` runs it over
 * the project's schemas. `npm run schemas:accept` records the changes it found (recordSchemas).
 */
import { loadLake, schemaFiles, schemasDir as defaultSchemasDir } from './tables';
import { compatibility, type Violation } from './compat';
import { nextHistory, rulesLevelOf, snapshotOf, writeHistory } from './history';
import { RULES_LEVEL } from './other-rules';
import type { TableDef } from './types';
import { schemaCompileProblem } from '../validators/source';

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

export function checkSchemas(dir = defaultSchemasDir, files = schemaFiles(dir)): SchemaReport {
  const { tables, errors, histories } = loadLake(dir, files);
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
          safe: `fix ${e.file}; the other tables are not affected`,
        },
      ],
    });
  }
  const invalid = new Set(errors.map((e) => e.table));
  for (const t of tables) {
    if (invalid.has(t.name)) continue; // refused above: its schema does not compile
    const history = histories.get(t.name);
    const { changes, violations } = compatibility(t, history);
    const status = violations.length
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
      violations,
    });
  }
  const present = new Set([...tables.map((t) => t.name), ...errors.map((e) => e.table)]);
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
            'producers should stop sending them), or supersede it with a new major version',
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
    writeHistory(dir, nextHistory(histories.get(name), snapshotOf(def), r.changes, at));
    recorded.push(name);
  }
  // A history written before its columns recorded every rule they record now (lib/catalog/other-rules.ts): the rules
  // added as they are now (the table is as recorded otherwise), no new version; from now on a change of them is
  // judged.
  for (const def of report.defs) {
    const h = histories.get(def.name);
    if (!h || rulesLevelOf(h) >= RULES_LEVEL || report.unrecorded.includes(def.name)) continue;
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
