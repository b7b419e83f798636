/**
 * Reading the table versions a local lake has used (<LAKE_DIR>/schemas-in-use/<table>.json), which its schema check
 * judges an edit against too (lib/catalog/schema-check.ts `inUse`); the lake writes them (local/schemas-in-use.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { InUseVersion } from './schema-check';

const FOLDER = 'schemas-in-use';

/** Where a lake keeps its versions in use. */
export const schemasInUseDir = (lakeDir: string) => path.join(lakeDir, FOLDER);

/** A record as written. */
export interface StoredInUse extends InUseVersion {
  $comment: string;
}

/** The versions in use, by table (a file that cannot be read is skipped: the history still judges the table). */
export function readSchemasInUse(lakeDir: string): Map<string, InUseVersion> {
  const dir = path.join(lakeDir, FOLDER);
  const out = new Map<string, InUseVersion>();
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    try {
      const v = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as StoredInUse;
      if (v.snapshot?.table === f.slice(0, -'.json'.length) && Number.isInteger(v.version))
        out.set(v.snapshot.table, {
          snapshot: v.snapshot,
          version: v.version,
          since: v.since,
          ...(v.tookUndeclaredKeys === true ? { tookUndeclaredKeys: true as const } : {}),
          ...(isUsedNumbers(v.used) ? { used: v.used } : {}),
          ...(Number.isInteger(v.rulesRecorded) ? { rulesRecorded: v.rulesRecorded } : {}),
        });
    } catch {
      // half-written by a crash before the rename cannot happen; anything else is not ours to judge by
    }
  }
  return out;
}

/** A record's `used`: version numbers, each with a fingerprint. */
const isUsedNumbers = (v: unknown): v is Record<string, string> =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  Object.entries(v).every(([k, fp]) => /^[0-9]+$/.test(k) && typeof fp === 'string');
