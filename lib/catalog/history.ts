/**
 * The schema history: schemas/history/<table>.json, committed beside schemas/, records what every curated table
 * holds — its columns (types, rules, required, deprecated, retired, renamed) and keys — and its version, with one
 * line per change. It is the lake's memory of its tables: a column that leaves a schema is still in the table (the
 * data written before is still there), and a change is judged against what was recorded, not against the last
 * edit (lib/catalog/compat.ts). `npm run schemas:check` compares, `npm run schemas:accept` records.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { otherRulesAtLevel, REF_TARGET_LEVEL, RULES_LEVEL, TABLE_RULES_LEVEL } from './other-rules';
import { VALUE_RULE_KEYS } from './value-rules';
import type { ColumnDef, LakeType, PartitionKeyDef, TableDef, ValueRules } from './types';

/** A column as the history records it: its type and every rule that decides what it accepts. */
export interface RecordedColumn extends ValueRules {
  name: string;
  type: LakeType;
  json?: boolean;
  nullable?: true;
  required: boolean;
  deprecated?: boolean;
  retired?: boolean;
  renamedFrom?: string;
}

/** What a table holds, as far as compatibility goes. */
export interface TableSnapshot {
  table: string;
  kind: TableDef['kind'];
  columns: RecordedColumn[];
  partitionKeys: PartitionKeyDef[];
  primaryKey: string[];
  latestBy?: string;
  /**
   * An event type: whether it takes keys it does not declare (TableDef.takesUndeclaredKeys). Absent from histories
   * recorded before it was (and from datasets): unknown, so not judged (lib/catalog/compat.ts).
   */
  takesUndeclaredKeys?: boolean;
  /** The table's own rules (TableDef.tableRules); recorded from rules level 3 on. */
  tableRules?: string;
}

export interface TableHistory extends TableSnapshot {
  $comment?: string;
  /**
   * The rules its columns record (lib/catalog/other-rules.ts RULES_LEVEL): a history is compared on what its level
   * records only, and is given no version for the rest; the next `schemas:accept` records them at the current level
   * (recordSchemas), and from then on a change of them is judged. Histories of level 1 say otherRulesRecorded.
   */
  rulesRecorded?: number;
  /** Level 1 (the first otherRules), as histories recorded before rulesRecorded say it. */
  otherRulesRecorded?: true;
  version: number;
  /** Oldest first: each version, when it was recorded, and what changed. */
  versions: { version: number; recordedAt: string; changes: string[] }[];
  /**
   * Never written to a history file (a recorded history says it in its versions' changes, lib/catalog/compat.ts):
   * set on the version the local lake uses when one it used before took keys it did not declare.
   */
  tookUndeclaredKeys?: true;
}

export const HISTORY_FOLDER = 'history';
const COMMENT =
  'Written by `npm run schemas:accept` (lib/catalog/history.ts): what this curated table holds. Commit it with the ' +
  'schema; never edit it by hand.';

export const historyDir = (schemasDir: string) => path.join(schemasDir, HISTORY_FOLDER);
export const historyFile = (schemasDir: string, table: string) =>
  path.join(historyDir(schemasDir), `${table}.json`);

function recorded(c: ColumnDef): RecordedColumn {
  const out: RecordedColumn = { name: c.name, type: c.type, required: c.required };
  if (c.json) out.json = true;
  if (c.nullable) out.nullable = true;
  for (const k of [...VALUE_RULE_KEYS, 'renamedFrom'] as const) {
    if (c[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = c[k];
  }
  if (c.deprecated) out.deprecated = true;
  if (c.retired) out.retired = true;
  return out;
}

/** The snapshot of a table (the pipeline's own columns, generated, are not part of it). */
export function snapshotOf(table: TableDef): TableSnapshot {
  return {
    table: table.name,
    kind: table.kind,
    columns: table.columns.filter((c) => !c.generated).map(recorded),
    partitionKeys: table.partitionKeys,
    primaryKey: table.primaryKey,
    ...(table.latestBy ? { latestBy: table.latestBy } : {}),
    ...(table.kind === 'events' ? { takesUndeclaredKeys: !!table.takesUndeclaredKeys } : {}),
    ...(table.tableRules !== undefined ? { tableRules: table.tableRules } : {}),
  };
}

const byJsonText = (a: unknown, b: unknown) => {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

const canonical = (s: TableSnapshot) =>
  JSON.stringify({
    table: s.table,
    kind: s.kind,
    columns: s.columns.map((c) =>
      Object.fromEntries(
        Object.entries(c)
          // An enum is a set: its values in another order are the same rule (no new version naming no change).
          .map(([k, v]) => [k, k === 'enum' && Array.isArray(v) ? [...v].sort(byJsonText) : v])
          .sort(([a], [b]) => (a as string).localeCompare(b as string)),
      ),
    ),
    partitionKeys: s.partitionKeys,
    primaryKey: s.primaryKey,
    latestBy: s.latestBy ?? null,
    takesUndeclaredKeys: s.takesUndeclaredKeys ?? null,
    tableRules: s.tableRules ?? null,
  });

/**
 * A short name of what a snapshot holds: the same for snapshots sameSnapshot takes as one (any rules level). Without
 * the rules recorded beside a column's $ref (REF_TARGET): the definitions they come from are in the table's rules
 * already, and a fingerprint taken before level 4 recorded them names the same schema.
 */
export const snapshotFingerprint = (s: TableSnapshot): string =>
  createHash('sha256')
    .update(canonical({ ...s, columns: s.columns.map((c) => columnAtLevel(c, REF_TARGET_LEVEL - 1)) }))
    .digest('hex')
    .slice(0, 16);

/** The level of the rules a history records (0 before otherRules; lib/catalog/other-rules.ts). */
export const rulesLevelOf = (h: TableHistory): number => h.rulesRecorded ?? (h.otherRulesRecorded ? 1 : 0);

/** A column as a history of `level` records it: the rules that level records, no others. */
export function columnAtLevel<C extends RecordedColumn | ColumnDef>(c: C, level: number): C {
  if (level >= RULES_LEVEL) return c;
  // Whether a column takes an explicit null is recorded from level 2 on.
  const { otherRules, nullable, ...rest } = c;
  const kept = otherRulesAtLevel(otherRules, level);
  return {
    ...rest,
    ...(level >= 2 && nullable ? { nullable } : {}),
    ...(kept !== undefined ? { otherRules: kept } : {}),
  } as C;
}

/** Whether a snapshot is what a history records (on what that history records). */
export const sameSnapshot = (a: TableSnapshot, b: TableHistory) =>
  canonical({
    ...a,
    columns: a.columns.map((c) => columnAtLevel(c, rulesLevelOf(b))),
    // Compared only where the history records it (those of before do not: not a change).
    takesUndeclaredKeys: b.takesUndeclaredKeys === undefined ? undefined : a.takesUndeclaredKeys,
    tableRules: rulesLevelOf(b) >= TABLE_RULES_LEVEL ? a.tableRules : undefined,
  }) === canonical({ ...b, tableRules: rulesLevelOf(b) >= TABLE_RULES_LEVEL ? b.tableRules : undefined });

/** Every table's recorded history in a schemas folder (a file that cannot be read is an error: it is committed). */
export function readHistories(schemasDir: string): Map<string, TableHistory> {
  const dir = historyDir(schemasDir);
  const out = new Map<string, TableHistory>();
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    const file = path.join(dir, f);
    let h: TableHistory;
    try {
      h = JSON.parse(readFileSync(file, 'utf8')) as TableHistory;
    } catch (e) {
      throw new Error(
        `${path.relative(path.dirname(schemasDir), file)} is not valid JSON: ${(e as Error).message}`,
      );
    }
    if (
      h.table !== f.slice(0, -'.json'.length) ||
      !Number.isInteger(h.version) ||
      !Array.isArray(h.columns)
    ) {
      throw new Error(
        `${path.relative(path.dirname(schemasDir), file)} is not a table history of ${f.slice(0, -5)}`,
      );
    }
    out.set(h.table, h);
  }
  return out;
}

/** The next history of a table: `previous` (if any) plus this snapshot as a new version with its changes. */
export function nextHistory(
  previous: TableHistory | undefined,
  snapshot: TableSnapshot,
  changes: string[],
  at = new Date(),
  /** The number the lake gave it, where that is above the next one (schema-check.ts numberedAfterUse). */
  atLeast = 0,
): TableHistory {
  const version = Math.max((previous?.version ?? 0) + 1, atLeast);
  return {
    $comment: COMMENT,
    ...snapshot,
    rulesRecorded: RULES_LEVEL,
    version,
    versions: [
      ...(previous?.versions ?? []),
      {
        version,
        recordedAt: at.toISOString(),
        changes: changes.length
          ? changes
          : [previous ? 'recorded again: no change the check names' : 'first version'],
      },
    ],
  };
}

/** Writes a table's history (temporary file, then rename: never half-written). */
export function writeHistory(schemasDir: string, history: TableHistory): void {
  mkdirSync(historyDir(schemasDir), { recursive: true });
  const file = historyFile(schemasDir, history.table);
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(history, null, 2) + '\n');
  renameSync(tmp, file);
}
