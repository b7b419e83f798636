/**
 * The local lake and schemas/: checked before the lake starts, and followed while it runs.
 *
 *  - At start (applySchemas): the schema check (lib/catalog/schema-check.ts) must pass, or the lake does not start
 *    and says why — every violation with its table, column, rule and safe alternative. Changes that pass but are not
 *    recorded yet are used (their rows record the next version) with a warning: `npm run schemas:accept` before a
 *    deploy, which refuses them.
 *  - While it runs (startSchemasFollower): an edit of schemas/ (a schema, or the history after schemas:accept) is
 *    checked; if it passes, the lake uses it at once — ingest, upload checks, the ETL and the queries — without a
 *    restart; if not, it is refused with the check's message and the lake keeps running on the last good schemas.
 *
 * What is applied is one reading of the files: the check, the schemas in use and their validators come from the same
 * bytes (the registries serve them from memory: lib/validators/snapshot.ts useSchemas).
 */
import { existsSync, type FSWatcher, readdirSync, readFileSync, watch } from 'node:fs';
import path from 'node:path';
import { checkSchemas, formatReport, type SchemaReport } from '../lib/catalog/schema-check';
import { schemaFiles, schemasDir, useLakeTables } from '../lib/catalog/tables';
import type { TableDef } from '../lib/catalog/types';
import { writeValidators } from '../lib/validators/build';
import { prepareSchemas } from '../lib/validators/snapshot';
import { readHistories } from '../lib/catalog/history';
import { localLog } from './log';
import { readSchemasInUse, schemasInUseDir, writeSchemasInUse } from './schemas-in-use';

export class SchemasRefused extends Error {
  override name = 'SchemasRefused';
  constructor(readonly lines: string[]) {
    super(`schemas/ has changes that are not safe:\n  ${lines.join('\n  ')}`);
  }
}

/**
 * Checks schemas/ and, if it passes, makes it the lake's; throws SchemasRefused otherwise (nothing changes). With
 * `lakeDir`, an edit is judged against the versions that lake has used too, and the versions applied are recorded
 * there (local/schemas-in-use.ts).
 */
export function applySchemas(dir = schemasDir, lakeDir?: string): SchemaReport {
  const files = schemaFiles(dir);
  const report = checkSchemas(dir, files, lakeDir === undefined ? undefined : readSchemasInUse(lakeDir));
  if (report.violations.length)
    throw new SchemasRefused(formatReport(report).filter((l) => l.startsWith('REFUSED')));
  const snapshot = {
    events: new Map<string, object>(),
    datasets: new Map<string, object>(),
    // The renames each table recorded (a second rename keeps taking the first name: lib/schema-loader.ts).
    histories: readHistories(dir) as Map<string, object>,
  };
  for (const f of files) if (f.schema) snapshot[f.kind].set(f.name, f.schema as object);
  // The validators of exactly these schemas, compiled now; written out too when they are the project's (the build
  // step of lib/validators/build.ts, which `sls invoke local` and the tests also run).
  const prepared = prepareSchemas(snapshot);
  // What can fail (a full disk) fails before the lake takes anything of the edit, so that it keeps its last good
  // schemas as it says: the versions recorded as in use first (a version recorded and then not used only makes the
  // next check stricter; one used and not recorded would let an edit take away what it accepted), then switched.
  if (lakeDir !== undefined) writeSchemasInUse(lakeDir, report.defs);
  if (path.resolve(dir) === path.resolve(schemasDir)) writeValidators(prepared.sources);
  prepared.use();
  useLakeTables(report.defs, dir);
  return report;
}

/** A file's text, or '' when it went between the listing and the read (a record another process replaced). */
function readIfThere(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw e;
  }
}

/** The text of folders' files, by name: what a follower compares to see an edit. */
function folderStamp(folders: string[]): string {
  return folders
    .map((folder) => {
      const sub = path.basename(folder);
      if (!existsSync(folder)) return '';
      return readdirSync(folder)
        .sort()
        .map((f) => `${sub}/${f}\n${readIfThere(path.join(folder, f))}`)
        .join('\n');
    })
    .join('\n');
}

const schemaFolders = (dir: string) => ['events', 'datasets', 'history'].map((sub) => path.join(dir, sub));

/**
 * What schemas/ holds now, as startSchemasFollower compares it: read before applySchemas, and given to the follower
 * as `appliedFrom`, an edit saved between the two is applied (or refused) at its first look, not taken as seen.
 */
export const schemasStamp = (dir = schemasDir) => folderStamp(schemaFolders(dir));

export interface SchemasFollower {
  stop(): void;
}

/**
 * Follows schemas/ (fs.watch, and a look every `pollMs` where fs.watch misses events): each edit is checked and
 * applied, or refused. `onApplied` gets the tables in use after an edit that passed.
 */
export function startSchemasFollower(opts: {
  dir?: string;
  /** The lake whose versions in use an edit is judged against too (applySchemas). */
  lakeDir?: string;
  pollMs?: number;
  /** schemas/ as it was read for the schemas in use now (schemasStamp); by default, as it is when the follower starts. */
  appliedFrom?: string;
  onApplied?: (tables: TableDef[], report: SchemaReport) => void | Promise<void>;
}): SchemasFollower {
  const dir = opts.dir ?? schemasDir;
  // What the check reads, by content: the schema files, the history and the lake's versions in use (a record
  // deleted, as a refusal advises, has the edit checked again).
  const inUseFolders = opts.lakeDir === undefined ? [] : [schemasInUseDir(opts.lakeDir)];
  const stamp = (schemas = schemasStamp(dir)) => `${schemas}\n${folderStamp(inUseFolders)}`;
  let last = stamp(opts.appliedFrom);
  let timer: NodeJS.Timeout | undefined;
  const look = () => {
    let schemas: string;
    let now: string;
    try {
      schemas = schemasStamp(dir);
      now = stamp(schemas);
    } catch (e) {
      localLog.error('schemas/ could not be read', { error: e as Error });
      return;
    }
    if (now === last) return;
    last = now;
    try {
      const report = applySchemas(dir, opts.lakeDir);
      // With the versions in use it recorded, and schemas/ as read before it applied them: an edit that landed
      // while they were applied differs from that, and is applied at the next look.
      last = stamp(schemas);
      const changed = formatReport(report);
      localLog.info('schemas reloaded', {
        tables: report.defs.map((t) => `${t.name} v${t.version}`),
        ...(changed.length ? { changes: changed } : {}),
      });
      if (report.unrecorded.length)
        localLog.warn('schema changes not recorded: npm run schemas:accept before a deploy', {
          tables: report.unrecorded,
        });
      void Promise.resolve(opts.onApplied?.(report.defs, report)).catch((e) =>
        localLog.error('applying the schemas failed', { error: e as Error }),
      );
    } catch (e) {
      if (e instanceof SchemasRefused)
        localLog.error('schema edit refused: the lake keeps running on the last good schemas', {
          refused: e.lines,
        });
      // A file that does not read (a merge conflict in a history file, a hand edit): thrown here, in a timer, it
      // ended the lake.
      else
        localLog.error('schemas/ could not be applied: the lake keeps running on the last good schemas', {
          error: e as Error,
        });
    }
  };
  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(look, 200);
    timer.unref();
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, { recursive: true }, soon);
    watcher.on('error', () => undefined);
  } catch {
    watcher = undefined;
  }
  const poll = setInterval(look, opts.pollMs ?? 2000);
  poll.unref();
  return {
    stop: () => {
      clearInterval(poll);
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
