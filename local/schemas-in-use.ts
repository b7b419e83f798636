/**
 * The table versions the local lake has used: <LAKE_DIR>/schemas-in-use/<table>.json, one snapshot per table (its
 * columns, rules and keys, lib/catalog/history.ts), written whenever the lake starts using a version.
 *
 * Locally a change of schemas/ is used before it is recorded (schemas/history/ is written by `schemas:accept`), so
 * the lake may accept and store data under a version that no history holds: a column added and filled, an enum
 * value taken. Reverting that edit would pass a check against the history alone, and the next rewrite of a
 * partition would drop what was stored under it. The schema check therefore also judges an edit against the
 * version in use (lib/catalog/schema-check.ts `inUse`), as it judges it against the recorded one.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { snapshotFingerprint, snapshotOf, type TableSnapshot } from '../lib/catalog/history';
import { RULES_LEVEL } from '../lib/catalog/other-rules';
import { inUseRenameVersion, usedNumbers } from '../lib/catalog/schema-check';
import { readSchemasInUse, schemasInUseDir, type StoredInUse } from '../lib/catalog/schemas-in-use';
import type { TableDef } from '../lib/catalog/types';

export { readSchemasInUse, schemasInUseDir };

const COMMENT =
  'The version of this table the local lake has used (local/schemas-in-use.ts): an edit of schemas/ is judged ' +
  'against it as against schemas/history/. Deleted with the rest of the lake directory.';

/** Records the tables as the lake now uses them (only those whose version in use changed). */
export function writeSchemasInUse(lakeDir: string, defs: TableDef[], at = new Date()): void {
  const dir = schemasInUseDir(lakeDir);
  const current = readSchemasInUse(lakeDir);
  for (const def of defs) {
    const snapshot: TableSnapshot = snapshotOf(def);
    const was = current.get(def.name);
    const same = was !== undefined && JSON.stringify(was.snapshot) === JSON.stringify(snapshot);
    // The same snapshot, recorded without its rules level (written before it was kept): the level added, as it is.
    if (same && was.rulesRecorded === RULES_LEVEL) continue;
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${def.name}.json`);
    // Once a version used took undeclared keys, the data accepted then may carry any key, whatever comes next.
    const took =
      !!(was?.tookUndeclaredKeys || was?.snapshot.takesUndeclaredKeys) && !snapshot.takesUndeclaredKeys;
    // Every number used stays in the record with its schema's fingerprint, also once the lake uses another version:
    // no later schema gets a number the lake wrote rows with for another one (lib/catalog/schema-check.ts).
    const used = { ...(was ? usedNumbers(was) : {}), [def.version]: snapshotFingerprint(snapshot) };
    // Each rename in use with the first version it was used at (kept while the rename stays): a later edit's rows
    // and this one's are told apart by it (lib/catalog/schema-check.ts renamesInUseSince).
    const renamedIn = Object.fromEntries(
      def.columns
        .filter((c) => c.renamedFrom !== undefined && !c.retired)
        .map((c) => [
          c.name,
          {
            from: c.renamedFrom!,
            version: inUseRenameVersion(was, c.name, c.renamedFrom!) ?? c.renamedInVersion ?? def.version,
          },
        ]),
    );
    const body: StoredInUse = {
      $comment: COMMENT,
      snapshot,
      version: def.version,
      since: same ? was.since : at.toISOString(),
      ...(took ? { tookUndeclaredKeys: true as const } : {}),
      used,
      ...(Object.keys(renamedIn).length ? { renamedIn } : {}),
      rulesRecorded: RULES_LEVEL,
    };
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(body, null, 2) + '\n');
    renameSync(tmp, file);
  }
}
