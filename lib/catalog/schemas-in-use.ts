/**
 * Reading the table versions a local lake has used (<LAKE_DIR>/schemas-in-use/<table>.json), which its schema check
 * judges an edit against too (lib/catalog/schema-check.ts `inUse`); the lake writes them (local/schemas-in-use.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { DamagedInUse, InUseVersion } from './schema-check';

const FOLDER = 'schemas-in-use';

/** Where a lake keeps its versions in use. */
export const schemasInUseDir = (lakeDir: string) => path.join(lakeDir, FOLDER);

/** A record as written. */
export interface StoredInUse extends InUseVersion {
  $comment: string;
}

/**
 * The versions in use, by table, and the records that do not read (`damaged`: a disk error, a hand edit; written
 * whole by a rename, so never half-written by a crash). The schema check refuses an edit of a table whose record is
 * damaged (it cannot be judged against what the lake used: lib/catalog/schema-check.ts).
 */
export function readSchemasInUse(lakeDir: string): InUseRecords {
  const dir = path.join(lakeDir, FOLDER);
  const out: InUseRecords = Object.assign(new Map<string, InUseVersion>(), { damaged: [] as DamagedInUse[] });
  if (!existsSync(dir)) return out;
  // A record is <table>.json (a table's name: lower-case letters, digits, _); another file there (a copy kept
  // aside, orders.backup.json) is none.
  for (const f of readdirSync(dir).filter((n) => /^[a-z][a-z0-9_]{0,62}\.json$/.test(n))) {
    const table = f.slice(0, -'.json'.length);
    const file = path.join(dir, f);
    let v: StoredInUse;
    try {
      v = JSON.parse(readFileSync(file, 'utf8')) as StoredInUse;
    } catch (e) {
      out.damaged.push({ table, file, why: `not JSON (${(e as Error).message})` });
      continue;
    }
    if (v?.snapshot?.table !== table || !Number.isInteger(v.version)) {
      out.damaged.push({ table, file, why: `it is no record of a version of ${table} in use` });
      continue;
    }
    out.set(table, {
      snapshot: v.snapshot,
      version: v.version,
      since: v.since,
      ...(v.tookUndeclaredKeys === true ? { tookUndeclaredKeys: true as const } : {}),
      ...(isUsedNumbers(v.used) ? { used: v.used } : {}),
      ...(Number.isInteger(v.rulesRecorded) ? { rulesRecorded: v.rulesRecorded } : {}),
      ...(isRenamedIn(v.renamedIn) ? { renamedIn: v.renamedIn } : {}),
    });
  }
  return out;
}

/** The versions in use, by table, with the records that do not read. */
export type InUseRecords = Map<string, InUseVersion> & { damaged: DamagedInUse[] };

/** A record's `used`: version numbers, each with a fingerprint. */
const isUsedNumbers = (v: unknown): v is Record<string, string> =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  Object.entries(v).every(([k, fp]) => /^[0-9]+$/.test(k) && typeof fp === 'string');

/** A record's `renamedIn`: by column, the name it was renamed from and a version number. */
const isRenamedIn = (v: unknown): v is Record<string, { from: string; version: number }> =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  Object.values(v).every(
    (r) =>
      typeof r === 'object' &&
      r !== null &&
      typeof (r as { from?: unknown }).from === 'string' &&
      Number.isInteger((r as { version?: unknown }).version),
  );
