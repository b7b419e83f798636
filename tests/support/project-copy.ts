/**
 * A copy of the project in a temporary folder (the files git tracks or would track, as they are in the working tree,
 * with node_modules linked), to run its commands — `npm start`, `sls package`, `sls invoke local` — on edited
 * schemas without touching the project's own.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

export interface ProjectCopy {
  dir: string;
  /** Reads, edits and writes a JSON file of the copy (e.g. 'schemas/events/page_view.json'). */
  editJson(file: string, edit: (json: any) => void): void; // eslint-disable-line @typescript-eslint/no-explicit-any
  remove(): void;
}

export function projectCopy(): ProjectCopy {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lake-project-'));
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: root,
  })
    .toString()
    .split('\0')
    .filter((f) => f && f !== 'node_modules'); // linked below (a symlinked node_modules is not ignored as a folder)
  for (const f of files) {
    const from = path.join(root, f);
    const to = path.join(dir, f);
    mkdirSync(path.dirname(to), { recursive: true });
    try {
      cpSync(from, to);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; // deleted in the working tree
    }
  }
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return {
    dir,
    editJson(file, edit) {
      const p = path.join(dir, file);
      const json = JSON.parse(readFileSync(p, 'utf8'));
      edit(json);
      writeFileSync(p, JSON.stringify(json, null, 2) + '\n');
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
