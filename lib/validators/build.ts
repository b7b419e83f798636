/**
 * The build step: schemas/ → lib/validators/generated/{events,datasets}.js (ajv standalone code,
 * lib/validators/source.ts). Run by `npm run validators`, by `sls package`/`deploy`/`invoke local` before bundling
 * (resources/plugins/validators.js), by the local lake whenever it applies schemas/ (local/schemas-follower.ts) and
 * by the tests' global setup. A file is rewritten only when its text changes, atomically (write, then rename), so
 * that processes reading it at the same time see the old text or the new, whole.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { schemaFiles, schemasDir } from '../catalog/tables';
import { validatorSource } from './source';
import type { ValidatorKind } from './types';

export const GENERATED_DIR = path.join(__dirname, 'generated');

export interface SchemaSet {
  events: ReadonlyMap<string, object>;
  datasets: ReadonlyMap<string, object>;
  envelope: object;
}

/** The schemas of a schemas/ folder; a file that is not valid JSON fails the build with its name. */
export function readSchemaSet(dir = schemasDir): SchemaSet {
  const set = { events: new Map<string, object>(), datasets: new Map<string, object>() };
  for (const f of schemaFiles(dir)) {
    if (f.error || !f.schema) throw new Error(f.error ?? `${f.file} could not be read`);
    set[f.kind].set(f.name, f.schema);
  }
  const envelope = JSON.parse(readFileSync(path.join(dir, 'envelope.json'), 'utf8')) as object;
  return { ...set, envelope };
}

export function validatorSources(set: SchemaSet): Record<ValidatorKind, string> {
  return {
    events: validatorSource('events', set.events, set.envelope),
    datasets: validatorSource('datasets', set.datasets),
  };
}

/** Writes the generated modules that changed; returns the files written. */
export function writeValidators(sources: Record<ValidatorKind, string>, outDir = GENERATED_DIR): string[] {
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const [kind, text] of Object.entries(sources)) {
    const file = path.join(outDir, `${kind}.js`);
    let current: string | undefined;
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === text) continue;
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, file);
    written.push(file);
  }
  return written;
}

/** schemas/ → generated validators. */
export function buildValidators(dir = schemasDir, outDir = GENERATED_DIR): string[] {
  return writeValidators(validatorSources(readSchemaSet(dir)), outDir);
}
